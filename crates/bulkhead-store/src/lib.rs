//! `bulkhead-store`: design files on disk.
//!
//! The only crate besides the front ends that touches the file system for designs.
//!
//! - [`load`] reads a design (size-capped, with clear IO errors) and parses it with locations.
//! - [`save`] never loses work: it writes a temporary file in the same folder, fsyncs it, keeps
//!   the previous version as `<file>.bak`, renames the new file into place and fsyncs the
//!   folder, so a crash at any point leaves either the old or the new file, whole. A save
//!   through a symbolic link replaces the file it points to and keeps the link; a save to a
//!   character device or a pipe (`/dev/null`, `/dev/stdout`, a FIFO) writes through to it,
//!   since a rename would put a regular file in the device's place.
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
    /// A block device or a socket: neither a file to replace nor a stream to write through.
    #[error("`{path}` is a {what}, not a file; save to a file, a character device or a pipe")]
    NotAFile { path: PathBuf, what: &'static str },
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
            StoreError::NotAFile { .. } => "not-a-file",
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
    let resolved;
    let path = match target(path).map_err(write_err)? {
        Target::File(None) => path,
        Target::File(Some(real)) => {
            resolved = real;
            resolved.as_path()
        }
        Target::Stream => return write_through(path, bytes).map_err(write_err),
        Target::Directory => {
            return Err(StoreError::IsDirectory {
                path: path.to_path_buf(),
            });
        }
        Target::Other(what) => {
            return Err(StoreError::NotAFile {
                path: path.to_path_buf(),
                what,
            });
        }
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| write_err(io::Error::new(io::ErrorKind::InvalidInput, "no file name")))?;
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

/// What a save finds at its path.
enum Target {
    /// A regular file or nothing yet: replaced atomically. `Some` is the file a symbolic link
    /// points to, which is replaced instead of the link.
    File(Option<PathBuf>),
    /// A character device or a pipe: written through, since renaming a file over it would
    /// replace the device itself (as root, `/dev/null` became a regular file that way).
    Stream,
    Directory,
    /// A block device or a socket.
    Other(&'static str),
}

fn target(path: &Path) -> io::Result<Target> {
    let link = match fs::symlink_metadata(path) {
        Ok(meta) => meta.file_type().is_symlink(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Target::File(None)),
        Err(e) => return Err(e),
    };
    // Follows links; a dangling link is refused rather than replaced by a file of its name.
    let meta = fs::metadata(path).map_err(|e| {
        if link && e.kind() == io::ErrorKind::NotFound {
            io::Error::new(
                io::ErrorKind::NotFound,
                "it is a symbolic link to a file that does not exist",
            )
        } else {
            e
        }
    })?;
    let kind = meta.file_type();
    if kind.is_file() {
        return Ok(Target::File(if link {
            Some(fs::canonicalize(path)?)
        } else {
            None
        }));
    }
    if kind.is_dir() {
        return Ok(Target::Directory);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_fifo() {
            return Ok(Target::Stream);
        }
        if kind.is_block_device() {
            return Ok(Target::Other("block device"));
        }
        if kind.is_socket() {
            return Ok(Target::Other("socket"));
        }
    }
    Ok(Target::Other("special file"))
}

/// Writes to a character device or a pipe as a stream: no temporary file, no backup.
fn write_through(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).open(path)?;
    f.write_all(bytes)?;
    f.flush()
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
