//! `bulkhead check` end to end on the fintech example with a CSV traffic log: violations gate
//! the exit code, bad lines are counted with `file:line` examples and never fatal, the window
//! drops old calls, and the SARIF and JUnit outputs carry the findings.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bulkhead"))
}

fn fintech() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/fintech.bulkhead.json")
        .display()
        .to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        // A fixed date: rules with `expires` dates are judged the same on any day.
        .env("BULKHEAD_TODAY", "2026-11-28")
        .output()
        .expect("run bulkhead")
}

fn log(dir: &Path) -> String {
    let p = dir.join("traffic.csv");
    std::fs::write(
        &p,
        "src,dst,port,method,path,count,first_seen\n\
         web-bff,customer-profile-api,8443,GET,/customers/42,10,2026-11-20T10:00:00Z\n\
         cards-api,ledger-db,5432,,,3,2026-11-27T10:00:00Z\n\
         this is \"not, a csv line\n\
         crawler,web-bff,8443,GET,/,5,2026-11-27T11:00:00Z\n",
    )
    .unwrap();
    p.display().to_string()
}

#[test]
fn violations_shadow_and_unparsed_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let csv = log(tmp.path());
    let o = run(&["check", &fintech(), "--traffic", &csv, "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let violations: Vec<String> = d["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} -> {}",
                v["from"].as_str().unwrap(),
                v["to"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        violations.contains(&"cards-api -> ledger-db".to_string()),
        "{violations:?}"
    );
    assert_eq!(d["traffic"]["unparsed_lines"], 1);
    let example = d["traffic"]["unparsed_examples"][0].as_str().unwrap();
    assert!(example.contains("traffic.csv:4"), "{example}");
    assert!(
        d["shadow_services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["calls_out"] == 5),
        "the crawler is a shadow caller: {}",
        d["shadow_services"]
    );

    // A one-hour window ending at the newest call keeps only the crawler's and cards-api's
    // flows; web-bff's week-old call drops out.
    let o = run(&[
        "check",
        &fintech(),
        "--traffic",
        &csv,
        "--format",
        "json",
        "--window",
        "1h",
    ]);
    let w: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(w["traffic"]["calls"].as_u64().unwrap() < d["traffic"]["calls"].as_u64().unwrap());

    let o = run(&["check", &fintech(), "--traffic", &csv, "--format", "sarif"]);
    let s: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules: Vec<&str> = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"BHD001") && rules.contains(&"BHD003"),
        "{rules:?}"
    );

    let o = run(&["check", &fintech(), "--traffic", &csv, "--format", "junit"]);
    let x = String::from_utf8_lossy(&o.stdout);
    assert!(
        x.starts_with("<?xml") && x.contains("<failure message="),
        "{x}"
    );
    assert_eq!(
        x.matches("<testsuite ").count(),
        x.matches("</testsuite>").count()
    );

    // Reporting only.
    let o = run(&["check", &fintech(), "--traffic", &csv, "--fail-on", "none"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp.path().join("notes.txt");
    std::fs::write(&junk, "hello\nworld\n").unwrap();
    let o = run(&["check", &fintech(), "--traffic", junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not a traffic log"));
    let o = run(&["check", &fintech(), "--fail-on", "violatons"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["check", &fintech(), "--window", "7 days"]);
    assert_eq!(o.status.code(), Some(2));
}
