//! The fast matrix (only the callers an allow rule names are asked about), and [`Access::new`]
//! (the same callers asked by index, straight into the per-target answers), must not change a
//! single byte of any export: every target, enforcing and staged, is rendered from an
//! [`Access`] built each way and from one built on the per-pair reference
//! ([`bulkhead_core::matrix::matrix_exhaustive`]), on generated estates of several shapes and
//! on the example designs.

use std::path::Path;

use bulkhead_core::Design;
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_core::matrix::{matrix, matrix_exhaustive};
use bulkhead_export::{Access, Options, Target, export_with};

/// Every file of every target (refusals included) as one string.
fn render_all(access: &Access<'_>) -> String {
    let mut out = String::new();
    for target in Target::ALL {
        for staged in [false, true] {
            let options = Options {
                staged,
                ..Options::default()
            };
            match export_with(access, target, &options) {
                Ok(e) => {
                    for f in &e.files {
                        out.push_str(&format!("=== {target} {staged} {} ===\n", f.path));
                        out.push_str(&f.contents);
                    }
                    for g in &e.gaps {
                        out.push_str(&format!("gap: {g}\n"));
                    }
                }
                Err(e) => out.push_str(&format!("=== {target} {staged} refused: {e}\n")),
            }
        }
    }
    out
}

fn assert_same_output(name: &str, design: &Design) {
    let today = bulkhead_core::date::Date::parse("2026-11-28").expect("a date");
    let reference = render_all(&Access::with_matrix(design, today, matrix_exhaustive));
    // The fast matrix, and `Access::new`, which asks the evaluator by index without building
    // a matrix at all.
    for (path, access) in [
        ("fast matrix", Access::with_matrix(design, today, matrix)),
        ("by index", Access::new(design, today)),
    ] {
        assert_same_text(
            &format!("{name} ({path})"),
            &render_all(&access),
            &reference,
        );
    }
}

fn assert_same_text(name: &str, a: &str, b: &str) {
    assert!(a.len() > 1000, "{name}: suspiciously small export");
    if a != b {
        let line = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        panic!(
            "{name}: the fast path changed the export at line {}:\n  fast:      {:?}\n  reference: {:?}",
            line + 1,
            a.lines().nth(line),
            b.lines().nth(line)
        );
    }
}

#[test]
fn fast_matrix_changes_no_export_on_generated_estates() {
    for (services, peers, seed) in [(30, 6, 1), (80, 4, 5), (120, 10, 9), (200, 6, 42)] {
        let design = generate(&GenerateOptions {
            services,
            peers,
            seed,
        });
        assert_same_output(&format!("generated {services}/{peers}/{seed}"), &design);
    }
}

#[test]
fn fast_matrix_changes_no_export_on_the_examples() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = vec![here.join("tests/data/mini-shop.bulkhead.json")];
    for name in ["online-boutique", "fintech"] {
        paths.push(here.join(format!("../../examples/{name}.bulkhead.json")));
    }
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let design: Design =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert_same_output(&p.display().to_string(), &design);
    }
}
