//! Snapshots of `bulkhead simulate`, `analyze`, `why` and `matrix` on the example designs, and
//! their bad-input behaviour (exit codes, "did you mean").

use std::path::PathBuf;
use std::process::Command;

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Run the CLI; returns (exit code, stdout, stderr) with the examples' absolute path removed.
fn bulkhead(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args(args)
        // Evaluation depends on the date (expired exceptions): pin it.
        .env("BULKHEAD_TODAY", "2026-11-28")
        .output()
        .expect("run bulkhead");
    let root = format!("{}/", env!("CARGO_MANIFEST_DIR"));
    let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&root, "");
    (
        out.status.code().unwrap_or(-1),
        clean(&out.stdout),
        clean(&out.stderr),
    )
}

const FINTECH: &str = "fintech.bulkhead.json";
const BOUTIQUE: &str = "online-boutique.bulkhead.json";

#[test]
fn simulate_snapshots() {
    for (design, from, assume) in [
        (FINTECH, "partner-webhook-api", "worst"),
        (FINTECH, "partner-webhook-api", "known"),
        (FINTECH, "internet", "worst"),
        (FINTECH, "internet", "probabilistic"),
        (BOUTIQUE, "internet", "worst"),
        (BOUTIQUE, "cartservice", "worst"),
    ] {
        let (code, out, err) = bulkhead(&[
            "simulate",
            &example(design),
            "--from",
            from,
            "--assume",
            assume,
        ]);
        assert_eq!(code, 0, "{err}");
        insta::assert_snapshot!(
            format!(
                "simulate-{}-{from}-{assume}",
                design.split('.').next().unwrap_or(design)
            ),
            out
        );
    }
}

#[test]
fn simulate_graph_formats() {
    let (code, dot, _) = bulkhead(&[
        "simulate",
        &example(FINTECH),
        "--from",
        "partner-webhook-api",
        "--format",
        "dot",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("simulate-fintech-partner-dot", dot);
    let (code, mermaid, _) = bulkhead(&[
        "simulate",
        &example(FINTECH),
        "--from",
        "internet",
        "--format",
        "mermaid",
    ]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("simulate-fintech-internet-mermaid", mermaid);
}

#[test]
fn analyze_snapshots() {
    for design in [FINTECH, BOUTIQUE] {
        let (code, out, err) = bulkhead(&["analyze", &example(design), "--today", "2026-11-28"]);
        // Both examples have open findings on purpose.
        assert_eq!(code, 1, "{err}");
        insta::assert_snapshot!(
            format!("analyze-{}", design.split('.').next().unwrap_or(design)),
            out
        );
    }
}

#[test]
fn analyze_sarif_is_valid_shape() {
    let (code, out, _) = bulkhead(&[
        "analyze",
        &example(FINTECH),
        "--today",
        "2026-11-28",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif is json");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 12);
    for r in run["results"].as_array().unwrap() {
        let id = r["ruleId"].as_str().unwrap();
        assert!(rules.iter().any(|x| x["id"] == id), "{id}");
        assert!(r["partialFingerprints"]["bulkheadKey/v1"].is_string());
    }
}

#[test]
fn why_snapshots() {
    let cases: &[(&str, &[&str])] = &[
        (FINTECH, &["partner-webhook-api", "card-vault"]),
        (FINTECH, &["partner-webhook-api", "settlement-service"]),
        (
            FINTECH,
            &[
                "web-bff",
                "payments-api",
                "--port",
                "8443",
                "--method",
                "POST",
                "--path",
                "/payments",
            ],
        ),
        (
            FINTECH,
            &[
                "web-bff",
                "payments-api",
                "--method",
                "DELETE",
                "--path",
                "/payments",
            ],
        ),
        (FINTECH, &["fraud-scoring", "customer-profile-api"]),
        (FINTECH, &["internet", "ledger-db"]),
        (BOUTIQUE, &["frontend", "cartservice"]),
        (BOUTIQUE, &["internet", "frontend", "--port", "8080"]),
    ];
    let mut all = String::new();
    for (design, args) in cases {
        let mut v = vec!["why", &example(design)]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        v.extend(args.iter().map(|s| s.to_string()));
        let v: Vec<&str> = v.iter().map(String::as_str).collect();
        let (code, out, err) = bulkhead(&v);
        assert_eq!(code, 0, "{err}");
        all.push_str(&format!(
            "$ bulkhead why {} {}\n{out}\n",
            design,
            args.join(" ")
        ));
    }
    insta::assert_snapshot!("why", all);
}

#[test]
fn matrix_snapshots() {
    let (code, out, _) = bulkhead(&["matrix", &example(BOUTIQUE)]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("matrix-online-boutique", out);
    let (code, out, _) = bulkhead(&["matrix", &example(FINTECH), "--by", "segment"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("matrix-fintech-by-segment", out);
}

#[test]
fn unknown_from_suggests_and_exits_2() {
    let (code, out, err) = bulkhead(&["simulate", &example(FINTECH), "--from", "partner-webhok"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        err.trim(),
        "error: `--from`: unknown service `partner-webhok`: did you mean `partner-webhook-api`?"
    );
    let (code, _, err) = bulkhead(&["why", &example(FINTECH), "web-bf", "idp"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `web-bff`?"), "{err}");
}

#[test]
fn invalid_design_gets_no_half_answer() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.bulkhead.json");
    std::fs::write(
        &p,
        "{\"format\": \"bulkhead/1\", \"services\": [ {\"id\": 3} ]}",
    )
    .unwrap();
    for cmd in ["simulate", "analyze", "matrix"] {
        let mut args = vec![cmd, p.to_str().unwrap()];
        if cmd == "simulate" {
            args.extend(["--from", "internet"]);
        }
        let (code, out, err) = bulkhead(&args);
        assert_eq!(code, 1, "{cmd}: {err}");
        assert!(out.is_empty(), "{cmd} printed {out}");
        assert!(err.contains("bad.bulkhead.json"), "{err}");
    }
}

#[test]
fn unsegmented_estate_is_flat_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("flat.bulkhead.json");
    std::fs::write(
        &p,
        r#"{"format": "bulkhead/1", "name": "flat", "services": [
            {"id": "web", "exposure": "internet"}, {"id": "api"}, {"id": "db", "kind": "datastore"}
        ]}"#,
    )
    .unwrap();
    let (code, out, _) = bulkhead(&["simulate", p.to_str().unwrap(), "--from", "internet"]);
    assert_eq!(code, 0);
    assert!(out.contains("no segments"), "{out}");
    assert!(out.contains("Blast radius: 3 of 3"), "{out}");
    let (_, out, _) = bulkhead(&["analyze", p.to_str().unwrap(), "--today", "2026-11-28"]);
    assert!(out.contains("no segments"), "{out}");
    assert!(out.contains("BH009"), "{out}");
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/engine")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Regression: an exception past its `expires` date kept allowing. `why`, `matrix` and
/// `simulate` evaluate on today's date (`BULKHEAD_TODAY`, or `--today`).
#[test]
fn expired_exception_stops_allowing_in_every_command() {
    let d = fixture("expired-exception.bulkhead.json");
    let (code, out, _) = bulkhead(&["why", &d, "orders", "billing-db"]);
    assert_eq!(code, 0);
    assert!(
        out.contains(
            "decision: denied: rule `legacy-migration` would allow it but expired on 2026-06-30"
        ),
        "{out}"
    );
    let (_, out, _) = bulkhead(&["why", &d, "orders", "billing-db", "--today", "2026-06-30"]);
    assert!(
        out.contains("decision: allowed by rule `legacy-migration`"),
        "{out}"
    );
    let (_, out, _) = bulkhead(&["why", &d, "orders", "billing-db", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["evaluated_on"], "2026-11-28");
    assert_eq!(v["decision"]["reason"], "expired_rule");
    assert_eq!(v["decision"]["expires"], "2026-06-30");

    let (_, out, _) = bulkhead(&["matrix", &d, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["to"] != "billing-db")
    );
    let (_, out, _) = bulkhead(&["matrix", &d, "--format", "json", "--today", "2026-01-01"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["to"] == "billing-db")
    );

    let (_, out, _) = bulkhead(&["simulate", &d, "--from", "internet", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["reached"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["service"] != "billing-db")
    );

    let (code, _, err) = bulkhead(&["why", &d, "orders", "billing-db", "--today", "30/06/2026"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`--today` must be a date like `2026-11-28`"),
        "{err}"
    );
}

/// SARIF results carry the finding's place in the design file as `region.startLine` and
/// `startColumn` (characters, 1-based), for JSON and YAML sources alike.
#[test]
fn sarif_results_point_at_line_and_column() {
    let expected = [
        // (file, rule pointer's line:col, flow pointer's line:col)
        ("expired-exception.bulkhead.json", (95, 5), (115, 5)),
        ("expired-exception.bulkhead.yaml", (26, 5), (35, 5)),
    ];
    for (file, bh011, bh005) in expected {
        let (code, out, err) = bulkhead(&["analyze", &fixture(file), "--format", "sarif"]);
        assert_eq!(code, 1, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["runs"][0]["columnKind"], "unicodeCodePoints");
        let results = v["runs"][0]["results"].as_array().unwrap();
        let region = |id: &str| -> (u64, u64) {
            let r = results
                .iter()
                .find(|r| r["ruleId"] == id)
                .unwrap_or_else(|| panic!("{file}: no {id} in {out}"));
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
            )
        };
        assert_eq!(region("BH011"), bh011, "{file}: BH011 at /rules/2");
        assert_eq!(region("BH005"), bh005, "{file}: BH005 at /flows/1");
        for r in results {
            assert!(
                r["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64(),
                "{file}: every finding here has a pointer, so a region: {r}"
            );
        }
    }
}
