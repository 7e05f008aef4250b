//! End-to-end tests of `bulkhead import`: creating a design, re-importing without changes,
//! exit codes, and the JSON summary. Designs are written only into temporary folders.

use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("BULKHEAD_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        for c in [dir.join("shared/corpus"), dir.join("../shared/corpus")] {
            if c.join("SOURCES.md").is_file() {
                return Some(c);
            }
        }
        if !dir.pop() {
            assert!(
                std::env::var_os("CI").is_none(),
                "the shared corpus is missing"
            );
            eprintln!("SKIPPED: the shared corpus was not found (set BULKHEAD_CORPUS)");
            return None;
        }
    }
}

/// Run `bulkhead import` in `dir`; (exit code, stdout, stderr) with `dir` replaced by `<tmp>`.
fn import(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .arg("import")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run bulkhead");
    let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&dir.display().to_string(), "<tmp>");
    (
        out.status.code().unwrap_or(-1),
        clean(&out.stdout),
        clean(&out.stderr),
    )
}

#[test]
fn import_creates_then_reimport_changes_nothing() {
    let Some(c) = corpus() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Copy the inputs so that paths in the output are short and stable.
    let ob = c.join("GoogleCloudPlatform__microservices-demo");
    std::fs::copy(
        ob.join("release/kubernetes-manifests.yaml"),
        d.join("shop.yaml"),
    )
    .unwrap();
    std::fs::create_dir(d.join("policies")).unwrap();
    for e in std::fs::read_dir(ob.join("kustomize/components/network-policies")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, d.join("policies").join(p.file_name().unwrap())).unwrap();
    }
    let (code, out, err) = import(
        d,
        &[
            "shop.yaml",
            "policies",
            "--into",
            "shop.json",
            "--propose-segments",
        ],
    );
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("first_import", out);
    let first = std::fs::read_to_string(d.join("shop.json")).unwrap();
    let (code, out, _) = import(d, &["shop.yaml", "policies", "--into", "shop.json"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("changes: 0 added, 0 updated, 30 unchanged"),
        "{out}"
    );
    assert!(
        out.contains("live connectivity: the 13 NetworkPolicies allow 27 service pair(s) (1 from the internet)"),
        "{out}"
    );
    assert_eq!(std::fs::read_to_string(d.join("shop.json")).unwrap(), first);
    // Saved through bulkhead-store: the replaced version is kept.
    assert_eq!(
        std::fs::read_to_string(d.join("shop.json.bak")).unwrap(),
        first
    );
    // `check` compares the recorded live policy with the design: the imported design has no
    // rules yet, so every one of the 27 live pairs is allowed live and denied by the design.
    let o = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args(["check", "shop.json", "--format", "json"])
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["live_differences"], 27);
    assert!(
        v["live"]["differences"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["kind"] == "live-only")
    );
    // The design is valid for the rest of the toolchain.
    let status = Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args(["validate", "shop.json"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}{}",
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn without_into_the_design_goes_to_stdout_and_problems_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(
        d.join("svc.yaml"),
        "kind: Service\nmetadata: {name: a}\nspec: {ports: [{port: 80}]}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("chart.yaml"),
        "kind: Service\nmetadata:\n  name: {{ .Values.name }}\n",
    )
    .unwrap();
    let (code, out, err) = import(d, &["svc.yaml", "chart.yaml"]);
    assert_eq!(code, 1);
    let design: serde_json::Value = serde_json::from_str(&out).expect("the design on stdout");
    assert_eq!(design["services"][0]["id"], "a");
    insta::assert_snapshot!("problems_on_stderr", err);
}

#[test]
fn json_summary_and_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("svc.yaml"), "kind: Service\nmetadata: {name: a}\n").unwrap();
    std::fs::write(d.join("broken.json"), "{ not json").unwrap();
    let (code, out, _) = import(
        d,
        &[
            "svc.yaml",
            "--into",
            "x.json",
            "--format",
            "json",
            "--dry-run",
        ],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["written"], false);
    assert_eq!(v["preview"]["added"], 1);
    assert!(!d.join("x.json").exists());
    let (code, _, err) = import(d, &["svc.yaml", "--into", "broken.json"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`broken.json` is not a Bulkhead design")
            && err.contains("invalid JSON")
            && err.contains("broken.json:1:3"),
        "{err}"
    );
}
