//! Reading input files safely: folder walks, size caps, binary detection.
//!
//! Every importer reads through here so that the same bounds hold everywhere: a per-file size
//! cap (checked before and while reading), a total cap for one import, a cap on the number of
//! files and on folder depth, no symlinked folders (no cycles), and a clear error for binary or
//! non-UTF-8 content. Walks are sorted, so imports are deterministic.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Bounds on what one import reads from disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest single file, in bytes.
    pub max_file_bytes: u64,
    /// Most bytes read in one import, all files together.
    pub max_total_bytes: u64,
    /// Most files collected from folders.
    pub max_files: usize,
    /// Deepest folder nesting followed below a folder given by the user.
    pub max_dir_depth: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_file_bytes: 32 * 1024 * 1024,
            max_total_bytes: 512 * 1024 * 1024,
            max_files: 20_000,
            max_dir_depth: 32,
        }
    }
}

/// Why a file could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: cannot read: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path}: file is {size} bytes, over the {limit}-byte limit per file")]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error(
        "{path}: not read: the import already read {limit} bytes, its total limit (import fewer files at once)"
    )]
    TotalTooLarge { path: PathBuf, limit: u64 },
    #[error("{path}: more than {limit} files under this folder; the rest were not read")]
    TooManyFiles { path: PathBuf, limit: usize },
    #[error("{path}: folders nested deeper than {limit} levels were not read")]
    TooDeep { path: PathBuf, limit: usize },
    #[error("{path}: looks like a binary file (NUL byte at offset {offset}), not text")]
    Binary { path: PathBuf, offset: usize },
    #[error("{path}:{line}: not valid UTF-8 text (byte offset {offset})")]
    NotUtf8 {
        path: PathBuf,
        line: usize,
        offset: usize,
    },
}

impl ReadError {
    /// The file or folder the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::TotalTooLarge { path, .. }
            | ReadError::TooManyFiles { path, .. }
            | ReadError::TooDeep { path, .. }
            | ReadError::Binary { path, .. }
            | ReadError::NotUtf8 { path, .. } => path,
        }
    }
}

/// Running byte budget of one import.
#[derive(Debug)]
pub struct ReadBudget {
    pub limits: ReadLimits,
    pub bytes_read: u64,
}

impl ReadBudget {
    pub fn new(limits: ReadLimits) -> Self {
        ReadBudget {
            limits,
            bytes_read: 0,
        }
    }

    /// Read one file as text, within the per-file and total caps.
    pub fn read_text(&mut self, path: &Path) -> Result<String, ReadError> {
        let io = |e: std::io::Error| ReadError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        };
        let file = fs::File::open(path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        let limit = self.limits.max_file_bytes;
        if size > limit {
            return Err(ReadError::TooLarge {
                path: path.to_path_buf(),
                size,
                limit,
            });
        }
        if self.bytes_read.saturating_add(size) > self.limits.max_total_bytes {
            return Err(ReadError::TotalTooLarge {
                path: path.to_path_buf(),
                limit: self.limits.max_total_bytes,
            });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        // The file may grow between `metadata` and `read`: read at most one byte past the cap.
        file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > limit {
            return Err(ReadError::TooLarge {
                path: path.to_path_buf(),
                size: bytes.len() as u64,
                limit,
            });
        }
        self.bytes_read += bytes.len() as u64;
        text_from_bytes(path, bytes)
    }
}

/// Check that `bytes` are text and turn them into a `String` (a UTF-8 BOM is dropped).
pub fn text_from_bytes(path: &Path, mut bytes: Vec<u8>) -> Result<String, ReadError> {
    if let Some(offset) = memchr_nul(&bytes) {
        return Err(ReadError::Binary {
            path: path.to_path_buf(),
            offset,
        });
    }
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        ReadError::NotUtf8 {
            path: path.to_path_buf(),
            line,
            offset,
        }
    })
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| *b == 0)
}

/// Files found under the paths the user gave.
#[derive(Debug, Default)]
pub struct Walk {
    /// Files to read, in a stable order: the user's order, each folder sorted by name.
    pub files: Vec<PathBuf>,
    /// Folders that could not be walked, or bounds that were hit.
    pub errors: Vec<ReadError>,
    /// Folders refused on purpose, with the reason (e.g. a Helm chart).
    pub refused: Vec<(PathBuf, String)>,
}

/// Walk `paths`: a file is taken as is; a folder is walked recursively for files whose name
/// `wanted` accepts. Hidden entries (`.git`, …) and symlinked folders are skipped. A folder for
/// which `refuse` returns a reason is not entered.
pub fn walk(
    paths: &[PathBuf],
    limits: &ReadLimits,
    wanted: &dyn Fn(&Path) -> bool,
    refuse: &dyn Fn(&Path) -> Option<String>,
) -> Walk {
    let mut out = Walk::default();
    for path in paths {
        match fs::metadata(path) {
            Ok(m) if m.is_dir() => walk_dir(path, 0, limits, wanted, refuse, &mut out),
            Ok(_) => out.files.push(path.clone()),
            Err(e) => out.errors.push(ReadError::Io {
                path: path.clone(),
                message: e.to_string(),
            }),
        }
    }
    out
}

fn walk_dir(
    dir: &Path,
    depth: usize,
    limits: &ReadLimits,
    wanted: &dyn Fn(&Path) -> bool,
    refuse: &dyn Fn(&Path) -> Option<String>,
    out: &mut Walk,
) {
    if let Some(reason) = refuse(dir) {
        out.refused.push((dir.to_path_buf(), reason));
        return;
    }
    if depth > limits.max_dir_depth {
        out.errors.push(ReadError::TooDeep {
            path: dir.to_path_buf(),
            limit: limits.max_dir_depth,
        });
        return;
    }
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.errors.push(ReadError::Io {
                path: dir.to_path_buf(),
                message: e.to_string(),
            });
            return;
        }
    };
    let mut entries: Vec<(PathBuf, fs::FileType)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(|e| Some((e.path(), e.file_type().ok()?)))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, kind) in entries {
        if kind.is_dir() {
            walk_dir(&path, depth + 1, limits, wanted, refuse, out);
        } else if (kind.is_file() || (kind.is_symlink() && path.is_file())) && wanted(&path) {
            if out.files.len() >= limits.max_files {
                out.errors.push(ReadError::TooManyFiles {
                    path: dir.to_path_buf(),
                    limit: limits.max_files,
                });
                return;
            }
            out.files.push(path);
        }
        // Symlinked folders are not followed: they can form cycles.
    }
}

/// Whether `path` has one of `exts` (case-insensitive, without the dot).
pub fn has_extension(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_non_utf8_are_refused_with_location() {
        let p = Path::new("x.yaml");
        assert!(matches!(
            text_from_bytes(p, b"a: 1\n\0\0".to_vec()),
            Err(ReadError::Binary { offset: 5, .. })
        ));
        assert!(matches!(
            text_from_bytes(p, b"a: 1\nb: \xff\n".to_vec()),
            Err(ReadError::NotUtf8 {
                line: 2,
                offset: 8,
                ..
            })
        ));
        assert_eq!(
            text_from_bytes(p, b"\xEF\xBB\xBFa".to_vec()).unwrap(),
            "a".to_string()
        );
    }

    #[test]
    fn size_caps_hold() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.yaml");
        let b = dir.path().join("b.yaml");
        fs::write(&a, "x".repeat(100)).unwrap();
        fs::write(&b, "y".repeat(60)).unwrap();
        let mut budget = ReadBudget::new(ReadLimits {
            max_file_bytes: 80,
            max_total_bytes: 100,
            ..ReadLimits::default()
        });
        assert!(matches!(
            budget.read_text(&a),
            Err(ReadError::TooLarge { size: 100, .. })
        ));
        assert_eq!(budget.read_text(&b).unwrap().len(), 60);
        assert!(matches!(
            budget.read_text(&b),
            Err(ReadError::TotalTooLarge { .. })
        ));
    }
}
