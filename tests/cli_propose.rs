//! `bulkhead propose` end to end on the fintech example: the diff, accepting some or all of
//! it, and refusing unknown change ids with a suggestion.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bulkhead"))
}

fn fintech() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fintech.bulkhead.json")
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        // A fixed date: rules with `expires` dates are judged the same on any day.
        .env("BULKHEAD_TODAY", "2026-11-28")
        .output()
        .expect("run bulkhead")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn json_proposal_then_apply_all_leaves_nothing_to_propose() {
    let o = run(&["propose", s(&fintech()), "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let p: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = p["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"remove:audit-append"), "{ids:?}");
    assert!(ids.contains(&"close-intra:pci-cde"), "{ids:?}");

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("tight.bulkhead.json");
    let o = run(&["propose", s(&fintech()), "--apply", "all", "--out", s(&out)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains(&format!(
        "applied {} of {}",
        ids.len(),
        ids.len()
    )));
    let o = run(&["propose", s(&out), "--format", "json"]);
    let again: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(again["changes"].as_array().unwrap().len(), 0, "{again:#}");
}

#[test]
fn apply_some_and_refuse_typos() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("some.bulkhead.json");
    let o = run(&[
        "propose",
        s(&fintech()),
        "--apply",
        "remove:audit-append",
        "--out",
        s(&out),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let d: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert!(
        !d["rules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "audit-append")
    );

    let o = run(&["propose", s(&fintech()), "--apply", "remove:audit-apend"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr).trim(),
        "error: no change `remove:audit-apend` in the proposal; did you mean `remove:audit-append`?"
    );
}
