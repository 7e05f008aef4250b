//! The app's state: where its data folder is, which file the window shows and whether it has
//! unsaved changes, the recent-files list, the crash-recovery file, and the design being edited
//! with what is derived from it ([`crate::held`]), held under revisions.
//!
//! Nothing here knows about Tauri, so it is tested with plain temp folders.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc::Receiver;

use bulkhead_core::Design;
use bulkhead_core::date::Date;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::held::{Held, HeldDesigns};

/// How many recent files the app remembers.
pub const MAX_RECENT: usize = 10;
/// Written into the recovery file so a future format change is detected, not misread.
pub const RECOVERY_FORMAT: &str = "bulkhead-recovery/1";
/// The product name shown after the file name in the window title.
pub const PRODUCT: &str = "Bulkhead";

/// The document the window shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// The file it was opened from or last saved to; `None` for a new design.
    pub path: Option<PathBuf>,
    /// Whether it has edits not yet saved.
    pub dirty: bool,
    /// A file that could not be opened and whose problems the window shows instead of the
    /// design (which stays, unchanged, behind them).
    pub broken: Option<PathBuf>,
}

impl Document {
    /// The window title: the file name (or `Untitled`), a `•` marker when there are unsaved
    /// changes, then the product name. While a broken file's problems are shown, it names that
    /// file (with no marker: the marker is about the design behind it, which is not shown).
    pub fn title(&self) -> String {
        if let Some(broken) = &self.broken {
            return format!("{} (not loaded) — {PRODUCT}", file_name(broken));
        }
        let name = self
            .path
            .as_deref()
            .map(file_name)
            .unwrap_or_else(|| "Untitled".to_string());
        if self.dirty {
            format!("• {name} — {PRODUCT}")
        } else {
            format!("{name} — {PRODUCT}")
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}

/// A design saved by autosave, offered back after a crash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Recovery {
    pub format: String,
    /// The file the design belongs to, if it had been saved before.
    pub path: Option<String>,
    /// Seconds since the Unix epoch when autosave wrote it.
    pub saved_at: u64,
    pub design: Design,
}

/// What the early open of the command-line design answers: the JSON of its `Opened` and the
/// revision the design is held under.
pub type EarlyOpen = IpcResult<(String, u64)>;

/// The app-wide state held by Tauri (`State<Session>`).
#[derive(Debug)]
pub struct Session {
    data_dir: PathBuf,
    /// The design file named on the command line, if any.
    initial: Option<PathBuf>,
    document: Mutex<Document>,
    /// Set once the user agreed to close with unsaved changes, so the next close goes through.
    close_approved: Mutex<bool>,
    /// The design being edited, under the revisions the UI names it by.
    designs: HeldDesigns,
    /// The answer to the first `initial_design`, being worked out since start-up (see
    /// [`Session::open_initial_early`]).
    initial_open: Mutex<Option<Receiver<EarlyOpen>>>,
}

impl Session {
    pub fn new(data_dir: PathBuf, initial: Option<PathBuf>) -> Self {
        Session {
            data_dir,
            initial,
            document: Mutex::new(Document::default()),
            close_approved: Mutex::new(false),
            designs: HeldDesigns::default(),
            initial_open: Mutex::new(None),
        }
    }

    /// Starts opening the command-line design on a thread of its own: `open` (reading,
    /// validating and holding it, as `initial_design` does) then runs while the window and its
    /// web view start and the page loads, instead of after the page asks (a 2,000-service design
    /// is 5 MB to read, validate and build the evaluator of). `open` answers the first
    /// `initial_design` through the function it is given, and may go on with work the page will
    /// ask for next. It gets no session: the caller passes a handle to wherever the session
    /// lives (Tauri's state).
    pub fn open_initial_early<F>(&self, open: F)
    where
        F: FnOnce(&dyn Fn(EarlyOpen)) + Send + 'static,
    {
        if self.initial.is_none() {
            return;
        }
        let (answer, receiver) = std::sync::mpsc::channel();
        *lock(&self.initial_open) = Some(receiver);
        // If the thread cannot start, or ends without answering, the sender is dropped and the
        // first `initial_design` opens the file itself.
        let _ = std::thread::Builder::new()
            .name("open-initial-design".into())
            .spawn(move || {
                open(&|opened| {
                    let _ = answer.send(opened);
                })
            });
    }

    /// The answer of the early open, once (waiting for it if it is still being worked out);
    /// `None` when there was none, it was taken already, or its thread died without answering.
    /// Later `initial_design` calls (a reloaded page) open the file again.
    pub fn take_initial_open(&self) -> Option<EarlyOpen> {
        let receiver = lock(&self.initial_open).take()?;
        receiver.recv().ok()
    }

    /// Holds `design` (already checked) as the design being edited; returns its revision.
    pub fn hold_design(&self, design: Design, today: Date) -> u64 {
        self.designs.hold(design, today)
    }

    /// The held design of `revision`, with its evaluator for `today`, or `stale_revision`.
    pub fn held_design(&self, revision: u64, today: Date) -> IpcResult<std::sync::Arc<Held>> {
        self.designs.get(revision, today)
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn initial(&self) -> Option<&Path> {
        self.initial.as_deref()
    }

    pub fn document(&self) -> Document {
        lock(&self.document).clone()
    }

    pub fn set_document(&self, document: Document) {
        *lock(&self.document) = document;
    }

    /// Whether a close request must be confirmed by the user first.
    pub fn close_needs_confirmation(&self) -> bool {
        lock(&self.document).dirty && !*lock(&self.close_approved)
    }

    pub fn approve_close(&self) {
        *lock(&self.close_approved) = true;
    }

    fn recent_path(&self) -> PathBuf {
        self.data_dir.join("recent.json")
    }

    pub fn recovery_path(&self) -> PathBuf {
        self.data_dir.join("recovery.json")
    }

    /// Recent files, newest first, leaving out files that no longer exist.
    pub fn recent_files(&self) -> Vec<String> {
        read_recent(&self.recent_path())
            .into_iter()
            .filter(|p| Path::new(p).is_file())
            .collect()
    }

    /// Puts `path` at the top of the recent files.
    pub fn remember(&self, path: &Path) -> IpcResult<()> {
        let entry = path.to_string_lossy().into_owned();
        let mut list = read_recent(&self.recent_path());
        list.retain(|p| *p != entry);
        list.insert(0, entry);
        list.truncate(MAX_RECENT);
        let json = serde_json::to_vec_pretty(&list).map_err(internal)?;
        self.write_own_file(&self.recent_path(), &json)
    }

    /// Writes the recovery file for `design`, which belongs to `path` if it was ever saved.
    pub fn autosave(&self, design: Design, path: Option<String>, now: u64) -> IpcResult<()> {
        let recovery = Recovery {
            format: RECOVERY_FORMAT.to_string(),
            path,
            saved_at: now,
            design,
        };
        let json = serde_json::to_vec(&recovery).map_err(internal)?;
        self.write_own_file(&self.recovery_path(), &json)
    }

    /// The recovery file, if the last run ended without saving or discarding it (a crash). A
    /// recovery file that cannot be read is reported, not silently dropped: it may be the only
    /// copy of the user's work.
    pub fn recovery(&self) -> IpcResult<Option<Recovery>> {
        let path = self.recovery_path();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(IpcError::io("cannot read the recovery file", &path, &e)),
        };
        let recovery: Recovery = serde_json::from_slice(&bytes).map_err(|e| {
            IpcError::new(
                ErrorCode::InvalidDesign,
                format!(
                    "the recovery file `{}` is damaged ({e}); it is left in place",
                    path.display()
                ),
            )
        })?;
        if recovery.format != RECOVERY_FORMAT {
            return Err(IpcError::new(
                ErrorCode::InvalidDesign,
                format!(
                    "the recovery file `{}` has format `{}`, expected `{RECOVERY_FORMAT}`; it is left in place",
                    path.display(),
                    recovery.format
                ),
            ));
        }
        Ok(Some(recovery))
    }

    /// Deletes the recovery file (after a save, a deliberate discard or a clean close).
    pub fn discard_recovery(&self) -> IpcResult<()> {
        let path = self.recovery_path();
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(IpcError::io("cannot delete the recovery file", &path, &e)),
        }
    }

    fn write_own_file(&self, path: &Path, bytes: &[u8]) -> IpcResult<()> {
        std::fs::create_dir_all(&self.data_dir)
            .map_err(|e| IpcError::io("cannot create the app data folder", &self.data_dir, &e))?;
        crate::design_file::write_own(path, bytes)
    }
}

fn read_recent(path: &Path) -> Vec<String> {
    // A damaged recent list is not worth an error: it is rebuilt by the next open.
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice::<Vec<String>>(&b).ok())
        .map(|mut v| {
            v.truncate(MAX_RECENT);
            v
        })
        .unwrap_or_default()
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned lock only means another command panicked mid-update of a plain value.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn internal(e: impl std::fmt::Display) -> IpcError {
    IpcError::new(ErrorCode::Internal, e.to_string())
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().unwrap();
        let s = Session::new(dir.path().join("data"), None);
        (dir, s)
    }

    #[test]
    fn title_shows_file_name_and_unsaved_marker() {
        let mut d = Document::default();
        assert_eq!(d.title(), "Untitled — Bulkhead");
        d.path = Some(PathBuf::from("/x/fintech.bulkhead.json"));
        assert_eq!(d.title(), "fintech.bulkhead.json — Bulkhead");
        d.dirty = true;
        assert_eq!(d.title(), "• fintech.bulkhead.json — Bulkhead");
    }

    #[test]
    fn title_names_a_broken_file_shown_instead_of_the_design() {
        let d = Document {
            path: None,
            dirty: false,
            broken: Some(PathBuf::from("/x/broken.bulkhead.json")),
        };
        assert_eq!(d.title(), "broken.bulkhead.json (not loaded) — Bulkhead");
        let behind_an_edited_design = Document {
            path: Some(PathBuf::from("/x/fintech.bulkhead.json")),
            dirty: true,
            ..d
        };
        assert_eq!(
            behind_an_edited_design.title(),
            "broken.bulkhead.json (not loaded) — Bulkhead"
        );
    }

    #[test]
    fn recent_files_are_newest_first_deduplicated_bounded_and_existing() {
        let (dir, s) = session();
        let files: Vec<PathBuf> = (0..12)
            .map(|i| {
                let p = dir.path().join(format!("{i}.json"));
                std::fs::write(&p, "{}").unwrap();
                p
            })
            .collect();
        for f in &files {
            s.remember(f).unwrap();
        }
        s.remember(&files[5]).unwrap();
        let recent = s.recent_files();
        assert_eq!(recent.len(), MAX_RECENT);
        assert_eq!(recent[0], files[5].to_string_lossy());
        assert_eq!(recent[1], files[11].to_string_lossy());
        std::fs::remove_file(&files[11]).unwrap();
        assert!(
            !s.recent_files()
                .contains(&files[11].to_string_lossy().into_owned())
        );
    }

    #[test]
    fn recovery_round_trips_and_is_discarded() {
        let (_dir, s) = session();
        assert_eq!(s.recovery().unwrap(), None);
        let design = Design::new("draft");
        s.autosave(design.clone(), Some("/x/a.json".into()), 42)
            .unwrap();
        let r = s.recovery().unwrap().unwrap();
        assert_eq!(r.design, design);
        assert_eq!(r.path.as_deref(), Some("/x/a.json"));
        assert_eq!(r.saved_at, 42);
        s.discard_recovery().unwrap();
        assert_eq!(s.recovery().unwrap(), None);
        s.discard_recovery().unwrap();
    }

    #[test]
    fn damaged_recovery_is_reported_and_kept() {
        let (_dir, s) = session();
        std::fs::create_dir_all(s.data_dir()).unwrap();
        std::fs::write(s.recovery_path(), "{not json").unwrap();
        let e = s.recovery().unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidDesign);
        assert!(s.recovery_path().exists());
    }

    #[test]
    fn close_needs_confirmation_only_when_dirty_and_not_approved() {
        let (_dir, s) = session();
        assert!(!s.close_needs_confirmation());
        s.set_document(Document {
            path: None,
            dirty: true,
            broken: None,
        });
        assert!(s.close_needs_confirmation());
        s.approve_close();
        assert!(!s.close_needs_confirmation());
    }
}
