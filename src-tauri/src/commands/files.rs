//! Files: open, save, new, recent files, the window title, closing with unsaved changes, and
//! autosave with crash recovery.

use std::path::{Path, PathBuf};

use bulkhead_core::Design;
use bulkhead_core::diagnostic::Diagnostic;
use schemars::JsonSchema;
use serde::Serialize;
use tauri::{Runtime, State, Window};

use crate::design_file;
use crate::error::{IpcError, IpcResult};
use crate::input;
use crate::session::{Document, Recovery, Session, unix_now};

/// A design read from disk, with the validator's warnings (errors never get this far).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Opened {
    /// Canonical absolute path of the file.
    pub path: String,
    pub design: Design,
    /// Warnings from validation (e.g. expired exceptions), located. Empty when clean.
    pub diagnostics: Vec<Diagnostic>,
}

/// Where a design was saved.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Saved {
    pub path: String,
}

/// Opens a design file: checks the path, reads, parses and validates it. A file that does not
/// parse or validate is an `invalid_design` error carrying every diagnostic, never an empty
/// design.
pub fn open(session: &Session, raw_path: &str) -> IpcResult<Opened> {
    let path = input::design_file_to_read(raw_path)?;
    let (design, diagnostics) = design_file::read(&path)?;
    session.remember(&path)?;
    Ok(Opened {
        path: path.to_string_lossy().into_owned(),
        design,
        diagnostics,
    })
}

/// The design file named on the command line (`bulkhead-app FILE`), opened as by
/// `open_design`; `None` when the app was started without one.
#[tauri::command]
pub async fn initial_design(session: State<'_, Session>) -> IpcResult<Option<Opened>> {
    match session.initial() {
        None => Ok(None),
        Some(p) => open(&session, &p.to_string_lossy()).map(Some),
    }
}

#[tauri::command]
pub async fn open_design(path: String, session: State<'_, Session>) -> IpcResult<Opened> {
    open(&session, &path)
}

/// Saves atomically (temp file, fsync, rename, previous version kept as a backup), remembers
/// the file in the recent list and drops the recovery file, which is now stale.
pub fn save(session: &Session, raw_path: &str, design: serde_json::Value) -> IpcResult<Saved> {
    let path = input::design_file_to_write(raw_path)?;
    let design = input::design(design)?;
    design_file::write(&path, &design)?;
    session.remember(&path)?;
    session.discard_recovery()?;
    Ok(Saved {
        path: path.to_string_lossy().into_owned(),
    })
}

#[tauri::command]
pub async fn save_design(
    path: String,
    design: serde_json::Value,
    session: State<'_, Session>,
) -> IpcResult<Saved> {
    save(&session, &path, design)
}

/// An empty design in the current format.
#[tauri::command]
pub async fn new_design() -> IpcResult<Design> {
    Ok(Design::new("Untitled"))
}

/// Recent files, newest first; files that no longer exist are left out.
#[tauri::command]
pub async fn recent_files(session: State<'_, Session>) -> IpcResult<Vec<String>> {
    Ok(session.recent_files())
}

/// Writes the current design to the recovery file in the app data folder. `path` is the file it
/// belongs to, if any, so a recovered design can be saved back to it.
#[tauri::command]
pub async fn autosave(
    design: serde_json::Value,
    path: Option<String>,
    session: State<'_, Session>,
) -> IpcResult<()> {
    let design = input::design(design)?;
    let path = path
        .map(|p| input::absolute_path("path", &p).map(|p| p.to_string_lossy().into_owned()))
        .transpose()?;
    session.autosave(design, path, unix_now())
}

/// The recovery file left by a run that ended without saving (a crash), if any. It stays on
/// disk until `discard_recovery` or a save, so a second crash loses nothing either.
#[tauri::command]
pub async fn take_recovery(session: State<'_, Session>) -> IpcResult<Option<Recovery>> {
    session.recovery()
}

#[tauri::command]
pub async fn discard_recovery(session: State<'_, Session>) -> IpcResult<()> {
    session.discard_recovery()
}

/// Tells the shell which file the window shows and whether it has unsaved changes. The shell
/// sets the window title (file name, `•` when unsaved) and returns it, and uses `dirty` to
/// decide whether closing needs the user's confirmation.
#[tauri::command]
pub async fn document_state<R: Runtime>(
    window: Window<R>,
    path: Option<String>,
    dirty: bool,
    session: State<'_, Session>,
) -> IpcResult<String> {
    let path: Option<PathBuf> = path.map(|p| input::absolute_path("path", &p)).transpose()?;
    let document = Document { path, dirty };
    let title = document.title();
    session.set_document(document);
    window.set_title(&title).map_err(|e| {
        IpcError::new(
            crate::error::ErrorCode::Internal,
            format!("cannot set the window title: {e}"),
        )
    })?;
    Ok(title)
}

/// The user agreed to close despite unsaved changes (after the `bulkhead://close-requested`
/// event). Closes the window without asking again and drops the recovery file, because
/// discarding the changes was the user's choice.
#[tauri::command]
pub async fn confirm_close<R: Runtime>(
    window: Window<R>,
    session: State<'_, Session>,
) -> IpcResult<()> {
    session.approve_close();
    session.discard_recovery()?;
    window.destroy().map_err(|e| {
        IpcError::new(
            crate::error::ErrorCode::Internal,
            format!("cannot close the window: {e}"),
        )
    })
}

/// Resolves a command-line design path against the working directory the app was started in.
pub fn resolve_cli_path(arg: &str, cwd: &Path) -> PathBuf {
    let p = Path::new(arg);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn session(dir: &Path) -> Session {
        Session::new(dir.join("data"), None)
    }

    #[test]
    fn save_then_open_round_trips_and_updates_recent_files() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(dir.path());
        let path = dir.path().join("d.bulkhead.json");
        let mut design = Design::new("round trip");
        design.services.push(bulkhead_core::model::Service {
            id: "api".into(),
            ..Default::default()
        });
        s.autosave(design.clone(), None, 1).unwrap();

        let saved = save(
            &s,
            path.to_str().unwrap(),
            serde_json::to_value(&design).unwrap(),
        )
        .unwrap();
        assert_eq!(saved.path, path.to_string_lossy());
        assert_eq!(
            s.recovery().unwrap(),
            None,
            "a save makes the recovery file stale"
        );

        let opened = open(&s, path.to_str().unwrap()).unwrap();
        assert_eq!(opened.design, design);
        assert_eq!(
            opened.path,
            path.canonicalize().unwrap().to_string_lossy(),
            "open answers the canonical path"
        );
        assert_eq!(s.recent_files(), vec![opened.path.clone()]);
    }

    #[test]
    fn a_broken_file_is_an_error_with_diagnostics_not_an_empty_design() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(dir.path());
        let path = dir.path().join("broken.bulkhead.json");
        std::fs::write(
            &path,
            "{\n  \"format\": \"bulkhead/1\",\n  \"services\": [\n",
        )
        .unwrap();
        let e = open(&s, path.to_str().unwrap()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidDesign);
        // The error names the file, so the UI can say which one is broken at startup too.
        let canonical = std::fs::canonicalize(&path).unwrap();
        assert_eq!(e.path.as_deref(), canonical.to_str());
        let diagnostics = e.diagnostics.expect("diagnostics");
        assert!(!diagnostics.is_empty());
        assert!(
            s.recent_files().is_empty(),
            "a file that failed to open is not remembered"
        );
    }

    #[test]
    fn save_refuses_bad_paths_and_malformed_designs() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(dir.path());
        let design = serde_json::to_value(Design::new("x")).unwrap();
        let e = save(&s, "relative.json", design.clone()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let yaml = dir.path().join("x.yaml");
        let e = save(&s, yaml.to_str().unwrap(), design).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let path = dir.path().join("x.json");
        let e = save(&s, path.to_str().unwrap(), serde_json::json!({"format": 3})).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidDesign);
        assert!(!path.exists(), "nothing is written for a malformed design");
    }

    #[test]
    fn command_line_paths_resolve_against_the_working_directory() {
        let cwd = Path::new("/work/repo");
        assert_eq!(
            resolve_cli_path("examples/a.json", cwd),
            PathBuf::from("/work/repo/examples/a.json")
        );
        assert_eq!(
            resolve_cli_path("/abs/a.json", cwd),
            PathBuf::from("/abs/a.json")
        );
    }
}
