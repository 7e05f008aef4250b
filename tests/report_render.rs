//! `bulkhead report` on the fintech example: the HTML renders in headless Chromium (to a PNG
//! screenshot and a DOM dump, which must hold every section and the estate picture), and the
//! Markdown report is a reviewed snapshot.

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
        .env_remove("BULKHEAD_TODAY")
        .output()
        .expect("run bulkhead")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium with the flags from RECIPES.md and a fresh profile.
fn chromium(profile: &Path, extra: &[&str], url: &str) -> Output {
    Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium")
}

#[test]
fn fintech_html_report_renders_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{CHROMIUM} is missing in CI: scripts/setup.sh installs it"
        );
        eprintln!("SKIPPED: {CHROMIUM} not installed; run scripts/setup.sh");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let html = tmp.path().join("report.html");
    let o = run(&[
        "report",
        s(&fintech()),
        "--out",
        s(&html),
        "--today",
        "2026-11-28",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let url = format!("file://{}", html.display());

    // The DOM Chromium built: every section, the picture with every service, no script.
    let o = chromium(&tmp.path().join("p1"), &["--dump-dom"], &url);
    let dom = String::from_utf8_lossy(&o.stdout);
    for id in [
        "estate", "segments", "matrix", "rules", "findings", "breach", "drift",
    ] {
        assert!(
            dom.contains(&format!("id=\"{id}\"")),
            "section `{id}` missing"
        );
    }
    assert!(!dom.contains("<script"), "the report must not need scripts");
    assert_eq!(
        dom.matches("class=\"node\"").count(),
        34 + 1,
        "every service plus the internet is drawn"
    );
    assert!(dom.contains("Attack paths to crown jewels"));
    assert!(
        dom.contains("fraud-scoring"),
        "the observed violation is reported"
    );

    // And a screenshot: a real PNG of the requested size.
    let png = tmp.path().join("report.png");
    let o = chromium(
        &tmp.path().join("p2"),
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1400,2400",
        ],
        &url,
    );
    let bytes = std::fs::read(&png).unwrap_or_else(|e| {
        panic!(
            "no screenshot ({e}); chromium said: {}",
            String::from_utf8_lossy(&o.stderr)
        )
    });
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1400, 2400));
    // A blank page compresses to a few kilobytes; the report is dense.
    assert!(
        bytes.len() > 100_000,
        "screenshot suspiciously small: {} bytes",
        bytes.len()
    );
    if let Some(dir) = std::env::var_os("BULKHEAD_SCREENSHOT_DIR") {
        std::fs::copy(&png, Path::new(&dir).join("report.png")).unwrap();
    }
}

#[test]
fn fintech_markdown_report_snapshot() {
    let o = run(&[
        "report",
        s(&fintech()),
        "--markdown",
        "--today",
        "2026-11-28",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    insta::assert_snapshot!(String::from_utf8_lossy(&o.stdout));
}

/// A design that carries imported live connectivity gets the live-drift part of the report,
/// computed by the same core check as `bulkhead check`: here the live policies let the internet
/// reach `ledger-db`, which the design denies.
#[test]
fn report_includes_live_drift_recorded_in_the_design() {
    let text = std::fs::read_to_string(fintech()).expect("read fintech");
    let mut design: serde_json::Value = serde_json::from_str(&text).expect("parse fintech");
    design["live"] = serde_json::json!({
        "source": "live/networkpolicies.yaml",
        "policies": 1,
        "pairs": [{"from": "internet", "to": "ledger-db", "allowed": {"all": true}}],
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fintech-live.bulkhead.json");
    std::fs::write(&path, serde_json::to_string_pretty(&design).unwrap()).unwrap();
    let o = run(&["report", s(&path), "--markdown", "--today", "2026-11-28"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(
        md.lines()
            .any(|l| l.starts_with("- live drift: `internet` → `ledger-db`")),
        "no live drift line in:\n{md}"
    );
}
