//! Shared test helpers: finding the read-only corpus.

#![allow(dead_code)]

use std::path::PathBuf;

/// The shared corpus: `BULKHEAD_CORPUS`, else the first `shared/corpus` or `../shared/corpus`
/// found walking up from this crate. Panics (loudly) in CI when it is missing.
pub fn corpus() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("BULKHEAD_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        for candidate in [dir.join("shared/corpus"), dir.join("../shared/corpus")] {
            if candidate.join("SOURCES.md").is_file() {
                return Some(candidate);
            }
        }
        if !dir.pop() {
            break;
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("the shared corpus is missing (set BULKHEAD_CORPUS)");
    }
    eprintln!("SKIPPED: the shared corpus was not found (set BULKHEAD_CORPUS)");
    None
}
