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
