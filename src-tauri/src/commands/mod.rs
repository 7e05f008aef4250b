//! The IPC commands, one module per domain. Each command checks its arguments
//! ([`crate::input`]), calls the core, store, import or export crate, and returns either the
//! result or an [`crate::error::IpcError`]. No command decides a semantic rule itself.
//!
//! The contract (names, arguments, result shapes, error codes) is `docs/ipc.md`.

pub mod analysis;
pub mod drift;
pub mod export;
pub mod files;
pub mod import;
pub mod propose;

/// The shared corpus: `BULKHEAD_CORPUS`, else the first `shared/corpus` or `../shared/corpus`
/// found walking up from this crate; `None` (with a loud message) only when it is truly absent
/// outside CI.
#[cfg(test)]
pub(crate) fn corpus() -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os("BULKHEAD_CORPUS") {
        return Some(std::path::PathBuf::from(dir));
    }
    let mut dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
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
    assert!(
        std::env::var_os("CI").is_none(),
        "the shared corpus is missing (set BULKHEAD_CORPUS)"
    );
    eprintln!("SKIPPED: the shared corpus was not found (set BULKHEAD_CORPUS)");
    None
}
