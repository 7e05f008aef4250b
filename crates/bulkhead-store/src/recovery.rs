//! Crash recovery for the app: autosaves of unsaved edits, found again after a crash.
//!
//! An autosave goes to `<file>.recovery` beside the design, or, for untitled designs and
//! read-only folders, to a per-app folder the caller passes in (named after a stable hash of
//! the design's path, so two designs never share one). Autosaves are written with the same
//! atomic save as designs, without a backup.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::{SaveOptions, StoreError, save_bytes, with_suffix};

/// Where the autosave of `design` lives: beside it, or in `app_dir` when given.
pub fn recovery_path(design: &Path, app_dir: Option<&Path>) -> PathBuf {
    match app_dir {
        None => with_suffix(design, ".recovery"),
        Some(dir) => {
            let name = design
                .file_name()
                .map_or_else(|| "untitled".into(), |n| n.to_string_lossy().into_owned());
            let full = std::path::absolute(design).unwrap_or_else(|_| design.to_path_buf());
            dir.join(format!(
                "{:016x}-{name}.recovery",
                fnv1a(full.to_string_lossy().as_bytes())
            ))
        }
    }
}

/// FNV-1a: a stable, dependency-free hash (std's hasher is randomized per process).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Write an autosave of unsaved `text` for `design`.
pub fn autosave(design: &Path, app_dir: Option<&Path>, text: &str) -> Result<PathBuf, StoreError> {
    let path = recovery_path(design, app_dir);
    save_bytes(&path, text.as_bytes(), SaveOptions { backup: false })?;
    Ok(path)
}

/// An autosave found for a design.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    pub path: PathBuf,
    pub modified: Option<SystemTime>,
    /// The autosave is newer than the design file (or the design file is gone): offer it.
    pub newer_than_design: bool,
}

/// Is there an autosave for `design`?
pub fn detect(design: &Path, app_dir: Option<&Path>) -> Option<Recovery> {
    let path = recovery_path(design, app_dir);
    let meta = std::fs::metadata(&path).ok()?;
    let modified = meta.modified().ok();
    let design_modified = std::fs::metadata(design).and_then(|m| m.modified()).ok();
    let newer_than_design = match (modified, design_modified) {
        (Some(r), Some(d)) => r >= d,
        _ => true,
    };
    Some(Recovery {
        path,
        modified,
        newer_than_design,
    })
}

/// Remove the autosave of `design`, if any (after a save, or when the user declines it).
pub fn discard(design: &Path, app_dir: Option<&Path>) -> Result<(), StoreError> {
    let path = recovery_path(design, app_dir);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(StoreError::Write { path, source }),
    }
}
