//! `bulkhead check` on the corpus: the Bookinfo Hubble flows against the Bookinfo design (a
//! reviewed snapshot of violations, unused allowances, shadow and zombie services).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bulkhead"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `BULKHEAD_CORPUS`, else `shared/corpus` found walking up from the workspace root.
fn corpus() -> Option<PathBuf> {
    if let Some(c) = std::env::var_os("BULKHEAD_CORPUS") {
        return Some(PathBuf::from(c));
    }
    let mut dir = Some(root());
    while let Some(d) = dir {
        for cand in [d.join("shared/corpus"), d.join("../shared/corpus")] {
            if cand.is_dir() {
                return Some(cand);
            }
        }
        dir = d.parent();
    }
    None
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        // A fixed date: rules with `expires` dates are judged the same on any day.
        .env("BULKHEAD_TODAY", "2026-11-28")
        .output()
        .expect("run bulkhead")
}

#[test]
fn bookinfo_hubble_flows_against_the_bookinfo_design() {
    let Some(corpus) = corpus() else {
        assert!(std::env::var_os("CI").is_none(), "corpus missing in CI");
        eprintln!("SKIPPED: shared/corpus not found (set BULKHEAD_CORPUS)");
        return;
    };
    let dir = corpus.join("cilium__hubble-otel/testdata");
    let logs: Vec<String> = [
        "basic-sample-10-flows.json",
        "basic-sample-5-dns-flows.json",
        "basic-sample-5-http-flows.json",
    ]
    .iter()
    .map(|f| dir.join(f).display().to_string())
    .collect();
    let design = root().join("examples/bookinfo.bulkhead.json");
    let mut args = vec![
        "check",
        design.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "none",
        "--traffic",
    ];
    args.extend(logs.iter().map(String::as_str));
    let o = run(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = String::from_utf8_lossy(&o.stdout).replace(&dir.display().to_string(), "<corpus>");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        v["traffic"]["lines"], 20,
        "every line of the three samples is read"
    );
    insta::assert_snapshot!(text);

    // The default gate fails on the shadow peers (prometheus, the node, kube-dns...).
    args.retain(|a| *a != "--fail-on" && *a != "none");
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1));
}

/// Online Boutique's manifests and its own 13 NetworkPolicies
/// (`kustomize/components/network-policies`), checked against `examples/online-boutique`.
fn boutique_live_args(corpus: &Path) -> Vec<String> {
    let demo = corpus.join("GoogleCloudPlatform__microservices-demo");
    vec![
        "check".into(),
        root()
            .join("examples/online-boutique.bulkhead.json")
            .display()
            .to_string(),
        "--live".into(),
        demo.join("release/kubernetes-manifests.yaml")
            .display()
            .to_string(),
        demo.join("kustomize/components/network-policies")
            .display()
            .to_string(),
    ]
}

/// The pairs where the live policies and the design differ, worked out by hand from the
/// policy files (every other pair was checked to agree):
///
/// - `network-policy-deny-all.yaml` selects every pod (`podSelector: {}`) for Ingress and
///   Egress, so everything not allowed below is denied, like the design's default deny.
/// - Every service's own policy allows all egress (`egress: [{}]`), and allows ingress only
///   from the callers and on the port the design's rules name (e.g. `cartservice`: from
///   `frontend` and `checkoutservice` on TCP 7070, as `allow-frontend-to-cartservice` and
///   `allow-checkoutservice-to-cartservice`; `paymentservice`: from `checkoutservice` on
///   50051, which the design allows at L4 for `POST /hipstershop.PaymentService/Charge`).
///   Those pairs agree.
/// - `loadgenerator` has an Egress-only policy, but `deny-all` still isolates its ingress and
///   nothing admits callers: agrees with the design (nobody calls the load generator).
/// - The internet: only `frontend` admits external addresses, as the design's only
///   internet-facing service: agrees.
/// - `network-policy-frontend.yaml` has `ingress: [{}]`: **every pod** may open any
///   connection to `frontend`, where the design allows only the internet and the
///   `load-testing` segment (`loadgenerator`). So the ten other services reaching `frontend`
///   on its port 8080 are the differences: allowed live, denied by the design.
const BOUTIQUE_LIVE_ONLY_TO_FRONTEND: [&str; 10] = [
    "adservice",
    "cartservice",
    "checkoutservice",
    "currencyservice",
    "emailservice",
    "paymentservice",
    "productcatalogservice",
    "recommendationservice",
    "redis-cart",
    "shippingservice",
];

#[test]
fn online_boutique_policies_against_the_design_at_l4() {
    let Some(corpus) = corpus() else {
        assert!(std::env::var_os("CI").is_none(), "corpus missing in CI");
        eprintln!("SKIPPED: shared/corpus not found (set BULKHEAD_CORPUS)");
        return;
    };
    let mut args = boutique_live_args(&corpus);
    args.extend(["--format".into(), "json".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&args);
    assert_eq!(
        o.status.code(),
        Some(1),
        "live drift fails the check by default: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let live = &v["live"];
    assert_eq!(live["policies"], 13);
    // 12 services and the internet as callers, 12 targets, no self pairs.
    assert_eq!(live["pairs_compared"], 13 * 12 - 12);
    assert_eq!(live["unmapped_services"], serde_json::json!([]));
    assert_eq!(live["unmapped_workloads"], serde_json::json!([]));
    let mut got: Vec<(String, String)> = live["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["from"].as_str().unwrap().to_string(),
                d["to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    let want: Vec<(String, String)> = BOUTIQUE_LIVE_ONLY_TO_FRONTEND
        .iter()
        .map(|f| (f.to_string(), "frontend".to_string()))
        .collect();
    assert_eq!(got, want);
    for d in live["differences"].as_array().unwrap() {
        assert_eq!(d["kind"], "live-only", "{d}");
        assert_eq!(
            d["ports"],
            serde_json::json!([{"port": 8080, "protocol": "TCP", "design": false, "live": "allowed"}]),
            "{d}"
        );
        assert_eq!(d["design"]["allowed"], false);
        assert_eq!(d["live"]["connections"], "all traffic");
        // The explanation names the rule that opens it.
        let why = d["live_why"].to_string();
        assert!(
            why.contains("`default/frontend` ingress[0] (all traffic)"),
            "{why}"
        );
    }
    assert_eq!(v["summary"]["live_differences"], 10);

    // The same result as SARIF (one BHD007 per pair) and JUnit (ten failed test cases).
    let mut sarif = args.clone();
    *sarif.last_mut().unwrap() = "sarif";
    let o = run(&sarif);
    assert_eq!(o.status.code(), Some(1));
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.iter().filter(|r| r["ruleId"] == "BHD007").count(),
        10
    );
    let msg = results[0]["message"]["text"].as_str().unwrap();
    assert!(msg.contains("8080: design denies, live allows"), "{msg}");
    let mut junit = args.clone();
    *junit.last_mut().unwrap() = "junit";
    let o = run(&junit);
    let x = String::from_utf8_lossy(&o.stdout);
    assert!(
        x.contains(r#"<testsuite name="live-policies" tests="10" failures="10" skipped="0">"#),
        "{x}"
    );
    assert!(x.contains("adservice → frontend"));
}

/// The same comparison with the live side taken from network-config-analyzer instead of
/// Bulkhead's engine and workload mapping: NCA's allowed workload pairs, mapped to the design's
/// services by workload name (in Online Boutique every Deployment is named after its design
/// service), against the design's L4 matrix (`bulkhead matrix`) on each target's declared
/// ports. The internet is left to the test above (NCA reports address ranges).
#[test]
fn online_boutique_live_drift_equals_nca_against_the_matrix() {
    let Some(corpus) = corpus() else {
        assert!(std::env::var_os("CI").is_none(), "corpus missing in CI");
        eprintln!("SKIPPED: shared/corpus not found (set BULKHEAD_CORPUS)");
        return;
    };
    let nca = root().join(".venv-verify/bin/nca");
    if !nca.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} missing in CI",
            nca.display()
        );
        eprintln!("SKIPPED: {} missing (run scripts/setup.sh)", nca.display());
        return;
    }
    let args = boutique_live_args(&corpus);
    // NCA takes one folder: copy the manifests and the policies (not the kustomization).
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&args[3], dir.path().join("manifests.yaml")).unwrap();
    for e in std::fs::read_dir(&args[4]).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("network-policy-") {
            std::fs::copy(e.path(), dir.path().join(name)).unwrap();
        }
    }
    let out = Command::new("python3")
        .arg(root().join("tests/verify/nca_pairs.py"))
        .arg("--nca")
        .arg(&nca)
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // `default/frontend[Deployment]` → `frontend`.
    let svc = |w: &str| {
        w.split('/')
            .nth(1)
            .unwrap()
            .split('[')
            .next()
            .unwrap()
            .to_string()
    };
    let design_path = &args[1];
    let text = std::fs::read_to_string(design_path).unwrap();
    let design: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ports_of = |id: &str| -> Vec<u64> {
        design["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .and_then(|s| s["ports"].as_array())
            .map(|p| p.iter().map(|p| p["port"].as_u64().unwrap()).collect())
            .unwrap_or_default()
    };
    // NCA's live verdict per (from, to, declared port): `All` or a TCP range holding it.
    let allows = |conn: &str, port: u64| {
        conn == "All"
            || conn.split(';').any(|proto| {
                proto.strip_prefix("TCP:").is_some_and(|ranges| {
                    ranges.split(',').any(|r| {
                        let (a, b) = r.split_once('-').unwrap_or((r, r));
                        a.parse::<u64>().unwrap() <= port && port <= b.parse::<u64>().unwrap()
                    })
                })
            })
    };
    let mut live: std::collections::BTreeSet<(String, String, u64)> = Default::default();
    for p in theirs["pairs"].as_array().unwrap() {
        let (from, to, conn) = (
            svc(p[0].as_str().unwrap()),
            svc(p[1].as_str().unwrap()),
            p[2].as_str().unwrap(),
        );
        for port in ports_of(&to) {
            if allows(conn, port) {
                live.insert((from.clone(), to.clone(), port));
            }
        }
    }
    let o = run(&["matrix", design_path, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entries = m["entries"]
        .as_array()
        .or(m.as_array())
        .expect("matrix entries");
    let planned: std::collections::BTreeSet<(String, String, u64)> = entries
        .iter()
        .filter(|e| e["from"] != "internet")
        .map(|e| {
            (
                e["from"].as_str().unwrap().to_string(),
                e["to"].as_str().unwrap().to_string(),
                e["port"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected: std::collections::BTreeSet<(String, String, u64)> =
        live.symmetric_difference(&planned).cloned().collect();
    assert!(!expected.is_empty());

    let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
    a.extend(["--format", "json"]);
    let o = run(&a);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut got = std::collections::BTreeSet::new();
    for d in v["live"]["differences"].as_array().unwrap() {
        if d["from"] == "internet" {
            continue;
        }
        for p in d["ports"].as_array().unwrap() {
            got.insert((
                d["from"].as_str().unwrap().to_string(),
                d["to"].as_str().unwrap().to_string(),
                p["port"].as_u64().unwrap(),
            ));
        }
    }
    assert_eq!(got, expected, "bulkhead check --live vs NCA + matrix");
}
