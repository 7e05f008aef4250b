//! `bulkhead-store`: design files on disk.
//!
//! The only crate besides the front ends that touches the file system for designs.
//!
//! - [`load`] reads a design (size-capped, with clear IO errors) and parses it with locations.
//! - [`save`] never loses work: it writes a temporary file in the same folder, fsyncs it, keeps
//!   the previous version as `<file>.bak`, renames the new file into place and fsyncs the
//!   folder, so a crash at any point leaves either the old or the new file, whole.
//! - [`recovery`] keeps autosaves beside the file (`<file>.recovery`) or in an app folder, and
//!   finds and discards them.

pub mod recovery;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use bulkhead_core::Design;
use bulkhead_core::diagnostic::Diagnostic;
use bulkhead_core::file::{self, MAX_TEXT_BYTES, Parsed};

/// What can go wrong reading or writing a design file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot read `{path}`: {source}")]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write `{path}`: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("`{path}` is {size} bytes, more than the {limit}-byte limit for a design")]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: usize,
    },
    #[error("`{path}` is not UTF-8 text (first bad byte at offset {offset})")]
    NotUtf8 { path: PathBuf, offset: usize },
    #[error("`{path}` is a directory, not a design file")]
    IsDirectory { path: PathBuf },
}

impl StoreError {
    /// Stable code for machines (the app's IPC errors carry it).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Read { source, .. } if source.kind() == io::ErrorKind::NotFound => {
                "not-found"
            }
            StoreError::Read { .. } => "read-failed",
            StoreError::Write { .. } => "write-failed",
            StoreError::TooLarge { .. } => "too-large",
            StoreError::NotUtf8 { .. } => "not-utf8",
            StoreError::IsDirectory { .. } => "is-directory",
        }
    }
}

/// Read a design file's text, refusing directories, files over [`MAX_TEXT_BYTES`] and non-UTF-8.
pub fn read_text(path: &Path) -> Result<String, StoreError> {
    let read_err = |source| StoreError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    if meta.is_dir() {
        return Err(StoreError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let limit = MAX_TEXT_BYTES as u64;
    if meta.len() > limit {
        return Err(StoreError::TooLarge {
            path: path.to_path_buf(),
            size: meta.len(),
            limit: MAX_TEXT_BYTES,
        });
    }
    // The length can change under us (a pipe, a growing file): never read past the limit.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > limit {
        return Err(StoreError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            limit: MAX_TEXT_BYTES,
        });
    }
    String::from_utf8(bytes).map_err(|e| StoreError::NotUtf8 {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// A design file read from disk: its text and, if it parsed, the design.
#[derive(Debug)]
pub struct Loaded {
    pub path: PathBuf,
    pub text: String,
    /// The parsed design, or every diagnostic explaining why it could not be read.
    pub parsed: Result<Parsed, Vec<Diagnostic>>,
}

/// Read and parse a design file.
pub fn load(path: &Path) -> Result<Loaded, StoreError> {
    let text = read_text(path)?;
    let parsed = file::parse(&text);
    Ok(Loaded {
        path: path.to_path_buf(),
        text,
        parsed,
    })
}

/// How [`save`] treats the file it replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SaveOptions {
    /// Keep the replaced file as `<file>.bak`.
    pub backup: bool,
}

impl Default for SaveOptions {
    fn default() -> Self {
        SaveOptions { backup: true }
    }
}

/// The points in a save where a crash or a fault may strike; see [`save_bytes_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveStage {
    /// Half of the new text is in the temporary file.
    PartlyWritten,
    /// The temporary file is complete and synced.
    TempSynced,
    /// The old file is kept as `<file>.bak` (only when backups are on and a file existed).
    BackedUp,
    /// The new file is in place.
    Renamed,
}

/// `<file>.bak`: the version a save replaced.
pub fn backup_path(path: &Path) -> PathBuf {
    with_suffix(path, ".bak")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// Save a design in canonical form, atomically, keeping the previous version as `<file>.bak`.
pub fn save(path: &Path, design: &Design) -> Result<(), StoreError> {
    save_bytes(
        path,
        file::to_canonical_json(design).as_bytes(),
        SaveOptions::default(),
    )
}

/// Write `bytes` to `path` atomically.
pub fn save_bytes(path: &Path, bytes: &[u8], options: SaveOptions) -> Result<(), StoreError> {
    save_bytes_with(path, bytes, options, &mut |_| Ok(()))
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// [`save_bytes`] with a hook called at each [`SaveStage`]. A hook that returns an error aborts
/// the save there, as a crash would; tests use it to prove the old file survives every stage.
pub fn save_bytes_with(
    path: &Path,
    bytes: &[u8],
    options: SaveOptions,
    hook: &mut dyn FnMut(SaveStage) -> io::Result<()>,
) -> Result<(), StoreError> {
    let write_err = |source| StoreError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| write_err(io::Error::new(io::ErrorKind::InvalidInput, "no file name")))?;
    if path.is_dir() {
        return Err(StoreError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = write_replace(path, &dir, &tmp, bytes, options, hook);
    if result.is_err() {
        // The target is untouched until the rename; only our temporary file needs cleaning.
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(write_err)
}

fn write_replace(
    path: &Path,
    dir: &Path,
    tmp: &Path,
    bytes: &[u8],
    options: SaveOptions,
    hook: &mut dyn FnMut(SaveStage) -> io::Result<()>,
) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).create_new(true).open(tmp)?;
    // Keep the permissions of the file we replace (a design may be deliberately read-only to
    // others).
    if let Ok(meta) = fs::metadata(path) {
        f.set_permissions(meta.permissions())?;
    }
    let half = bytes.len() / 2;
    f.write_all(&bytes[..half])?;
    hook(SaveStage::PartlyWritten)?;
    f.write_all(&bytes[half..])?;
    f.sync_all()?;
    drop(f);
    hook(SaveStage::TempSynced)?;
    if options.backup && path.exists() {
        let bak = backup_path(path);
        let bak_tmp = with_suffix(tmp, ".bak");
        let _ = fs::remove_file(&bak_tmp);
        // A hard link is instant and atomic; fall back to a copy where links are unsupported.
        if fs::hard_link(path, &bak_tmp).is_err() {
            fs::copy(path, &bak_tmp)?;
        }
        fs::rename(&bak_tmp, &bak)?;
        hook(SaveStage::BackedUp)?;
    }
    fs::rename(tmp, path)?;
    hook(SaveStage::Renamed)?;
    sync_dir(dir)
}

/// Make the rename durable. Directories cannot be opened for sync on every platform; there,
/// the rename is as durable as the OS makes it.
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}
