//! Reviewed snapshots of every target's output for the example designs and the hand-made
//! fixtures in `tests/data/`. A change in output shows up here as a diff to review.

use std::path::{Path, PathBuf};

use bulkhead_core::Design;
use bulkhead_export::{Options, Target, export};

fn load(path: &Path) -> Design {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Fixtures in this crate plus the repository's example designs (when present).
fn designs() -> Vec<(String, PathBuf)> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![(
        "mini-shop".to_string(),
        here.join("tests/data/mini-shop.bulkhead.json"),
    )];
    let examples = here.join("../../examples");
    for name in ["online-boutique", "fintech"] {
        let p = examples.join(format!("{name}.bulkhead.json"));
        if p.exists() {
            out.push((name.to_string(), p));
        }
    }
    out
}

fn render(design: &Design, target: Target, staged: bool) -> String {
    let options = Options {
        staged,
        ..Options::default()
    };
    // A fixed date, so the snapshots do not change when a rule expires.
    let today = bulkhead_core::date::Date::parse("2026-11-28").expect("a date");
    match export(design, target, &options, today) {
        Ok(e) => {
            let mut s = String::new();
            for f in &e.files {
                s.push_str(&format!("=== {} ===\n{}", f.path, f.contents));
            }
            s
        }
        Err(e) => format!("refused: {e}\n"),
    }
}

#[test]
fn every_target_for_every_design() {
    for (name, path) in designs() {
        let design = load(&path);
        for target in Target::ALL {
            for staged in [false, true] {
                let out = render(&design, target, staged);
                let suffix = if staged { "-staged" } else { "" };
                insta::assert_snapshot!(format!("{name}-{target}{suffix}"), out);
                // Deterministic: a second export is byte-identical.
                assert_eq!(out, render(&design, target, staged), "{name} {target}");
            }
        }
    }
}
