//! Replays the fuzz seeds and every crash reproducer kept in `fuzz/` through the same entry
//! points the fuzz targets use, so a fixed crash stays fixed.

use std::path::{Path, PathBuf};

fn inputs(sub: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut out = Vec::new();
    for dir in [
        root.join("corpus").join(sub),
        root.join("artifacts").join(sub),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            if e.path().is_file() {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}

fn replay(sub: &str, run: fn(&[u8])) {
    let files = inputs(sub);
    assert!(!files.is_empty(), "no seeds for `{sub}` in fuzz/corpus");
    for f in files {
        let data = std::fs::read(&f).unwrap();
        run(&data);
    }
}

#[test]
fn openapi_seeds_and_crashes() {
    replay("openapi", bulkhead_import::fuzzing::openapi);
}

#[test]
fn kubernetes_seeds_and_crashes() {
    replay("kubernetes", bulkhead_import::fuzzing::kubernetes);
}

#[test]
fn logs_seeds_and_crashes() {
    replay("logs", bulkhead_import::fuzzing::logs);
}
