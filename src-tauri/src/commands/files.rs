//! Files: open, save, new, recent files, the window title, closing with unsaved changes, and
//! autosave with crash recovery.

use std::path::{Path, PathBuf};

use bulkhead_core::Design;
use bulkhead_core::diagnostic::Diagnostic;
use schemars::JsonSchema;
use serde::Serialize;
use tauri::ipc::Response;
use tauri::{AppHandle, Manager, Runtime, State, Window};

use crate::commands::analysis::FlowVerdict;
use crate::design_file;
use crate::error::{IpcError, IpcResult};
use crate::input;
use crate::session::{Document, Recovery, Session, unix_now};

/// A design read from disk, with the validator's warnings (errors never get this far).
///
/// Sent as JSON text that [`opened_json`] writes (the schema of this type is the contract), so
/// that a canonical file's text goes to the UI as it is.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Opened {
    /// Canonical absolute path of the file.
    pub path: String,
    /// The revision the shell holds the design under: the analysis commands name it by this.
    pub revision: u64,
    pub design: Design,
    /// Warnings from validation (e.g. expired exceptions), located. Empty when clean.
    pub diagnostics: Vec<Diagnostic>,
    /// The answer `flow_verdicts` gives for this revision, when the shell had made it already:
    /// the first `initial_design`, whose design the app opened while the window started (see
    /// `open_initial_early`). Absent otherwise; then the UI asks `flow_verdicts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdicts: Option<Vec<FlowVerdict>>,
}

/// The JSON of an [`Opened`] whose design is already JSON text (`design_json`): the file's own
/// text when it is canonical, so a 5 MB design is neither serialised again nor copied into a
/// `serde_json::Value` on its way to the UI. It is sent without the file's indentation and line
/// breaks ([`push_compact`]): on the generated 2,000-service estate that is 2.9 MB instead of
/// 4.9 MB for the web view to carry and parse before the page can draw anything.
pub fn opened_json(
    path: &str,
    revision: u64,
    design_json: &str,
    diagnostics: &[Diagnostic],
) -> IpcResult<String> {
    let path = serde_json::to_string(path).map_err(internal)?;
    let diagnostics = serde_json::to_string(diagnostics).map_err(internal)?;
    let mut out = String::with_capacity(design_json.len() + path.len() + diagnostics.len() + 64);
    out.push_str("{\"path\":");
    out.push_str(&path);
    out.push_str(",\"revision\":");
    out.push_str(&revision.to_string());
    out.push_str(",\"design\":");
    push_compact(&mut out, design_json);
    out.push_str(",\"diagnostics\":");
    out.push_str(&diagnostics);
    out.push('}');
    Ok(out)
}

/// Appends the JSON text `json` (already parsed, so well formed) to `out` without the whitespace
/// between its tokens: the same JSON value, byte for byte the same inside every string.
fn push_compact(out: &mut String, json: &str) {
    let mut in_string = false;
    let mut escaped = false;
    // Copies runs of kept text at once; only whitespace outside strings is left out. Every byte
    // tested is ASCII, so each run starts and ends on a character boundary.
    let mut run = 0;
    for (i, b) in json.bytes().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
            out.push_str(&json[run..i]);
            run = i + 1;
        }
    }
    out.push_str(&json[run..]);
}

fn internal(e: impl std::fmt::Display) -> IpcError {
    IpcError::new(crate::error::ErrorCode::Internal, e.to_string())
}

/// Where a design was saved.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Saved {
    pub path: String,
}

/// Opens a design file: checks the path, reads, parses and validates it, and holds the design
/// as the one being edited (its revision is in the answer). A file that does not parse or
/// validate is an `invalid_design` error carrying every diagnostic, never an empty design.
/// Answers the JSON of an [`Opened`].
pub fn open(session: &Session, raw_path: &str) -> IpcResult<String> {
    open_held(session, raw_path).map(|(json, _)| json)
}

/// [`open`], with the revision the design is held under.
fn open_held(session: &Session, raw_path: &str) -> IpcResult<(String, u64)> {
    let path = input::design_file_to_read(raw_path)?;
    let read = design_file::read(&path)?;
    session.remember(&path)?;
    // A file in another form (YAML, an older format, other spacing) is sent as the design it
    // was read into; a canonical one is that design's JSON already.
    let design_json = match read.canonical_text {
        Some(text) => text,
        None => serde_json::to_string(&read.design).map_err(internal)?,
    };
    let revision = session.hold_design(read.design, design_file::today());
    let json = opened_json(
        &path.to_string_lossy(),
        revision,
        &design_json,
        &read.diagnostics,
    )?;
    Ok((json, revision))
}

/// The design file named on the command line (`bulkhead-app FILE`), opened as by
/// `open_design` (`Opened`); `null` when the app was started without one. The first call takes
/// what the app started opening at launch ([`open_initial_early`]); later ones open it again.
pub fn initial(session: &Session) -> IpcResult<String> {
    let Some(path) = session.initial() else {
        return Ok("null".to_string());
    };
    match session.take_initial_open() {
        Some(answer) => answer.map(|(json, revision)| with_made_verdicts(session, json, revision)),
        None => open(session, &path.to_string_lossy()),
    }
}

/// `opened`, the JSON of an [`Opened`] of `revision`, with its `verdicts` when the shell has
/// made them already (the early open makes them right after the design, while the web view
/// starts): the page then draws the design as soon as it has it, instead of asking for them
/// and waiting. They are the held revision's own `flow_verdicts` answer, so they are the same
/// text that command would send; when they are not made yet (or failed) `opened` is sent as it
/// is, without waiting for them, and the page asks.
fn with_made_verdicts(session: &Session, mut opened: String, revision: u64) -> String {
    let Ok(held) = session.held_design(revision, design_file::today()) else {
        return opened;
    };
    if let Some(Ok(verdicts)) = held.flow_verdicts_made() {
        if opened.ends_with('}') {
            opened.pop();
            opened.reserve(verdicts.len() + 14);
            opened.push_str(",\"verdicts\":");
            opened.push_str(verdicts);
            opened.push('}');
        }
    }
    opened
}

#[tauri::command]
pub async fn initial_design(session: State<'_, Session>) -> IpcResult<Response> {
    initial(&session).map(Response::new)
}

/// Starts opening the command-line design as the app starts (before the window loads the
/// page), on the session Tauri manages for `app`; then makes the flow verdicts of it, which the
/// canvas waits for to draw its flows: `initial_design` sends them with the design when they
/// are made by then (the page asks for the design after its web view has started, long after
/// both are made for a 2,000-service design), else the page asks for them.
pub fn open_initial_early<R: Runtime>(app: &AppHandle<R>) {
    let session = app.state::<Session>();
    let Some(path) = session.initial().map(|p| p.to_string_lossy().into_owned()) else {
        return;
    };
    let app = app.clone();
    session.open_initial_early(move |answer| {
        open_then_verdicts(&app.state::<Session>(), &path, answer)
    });
}

/// Opens `path` and answers it; then makes the flow verdicts of the revision opened and
/// compiles its reach graph.
fn open_then_verdicts(session: &Session, path: &str, answer: &dyn Fn(crate::session::EarlyOpen)) {
    match open_held(session, path) {
        Ok((json, revision)) => {
            answer(Ok((json, revision)));
            if let Ok(held) = session.held_design(revision, design_file::today()) {
                // An error is kept and answered to `flow_verdicts` itself.
                let _ = held.flow_verdicts_json(crate::commands::analysis::verdicts_json);
                // Then the reach graph every simulation of this revision runs on, which the
                // first click would otherwise compile (a few milliseconds at 2,000 services).
                held.graph();
            }
        }
        Err(e) => answer(Err(e)),
    }
}

/// Answers `Opened` as JSON text (see [`open`]).
#[tauri::command]
pub async fn open_design(path: String, session: State<'_, Session>) -> IpcResult<Response> {
    open(&session, &path).map(Response::new)
}

/// Saves the held design of `revision` atomically (temp file, fsync, rename, previous version
/// kept as a backup), remembers the file in the recent list and drops the recovery file, which
/// is now stale.
pub fn save(session: &Session, raw_path: &str, revision: u64) -> IpcResult<Saved> {
    let path = input::design_file_to_write(raw_path)?;
    let held = session.held_design(revision, design_file::today())?;
    design_file::write(&path, held.design())?;
    session.remember(&path)?;
    session.discard_recovery()?;
    Ok(Saved {
        path: path.to_string_lossy().into_owned(),
    })
}

#[tauri::command]
pub async fn save_design(
    path: String,
    revision: u64,
    session: State<'_, Session>,
) -> IpcResult<Saved> {
    save(&session, &path, revision)
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

/// Writes the held design of `revision` to the recovery file in the app data folder. `path` is
/// the file it belongs to, if any, so a recovered design can be saved back to it.
#[tauri::command]
pub async fn autosave(
    revision: u64,
    path: Option<String>,
    session: State<'_, Session>,
) -> IpcResult<()> {
    let held = session.held_design(revision, design_file::today())?;
    let path = path
        .map(|p| input::absolute_path("path", &p).map(|p| p.to_string_lossy().into_owned()))
        .transpose()?;
    session.autosave(held.design().clone(), path, unix_now())
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
/// decide whether closing needs the user's confirmation. `broken` is the file whose problems
/// are shown instead of the design, if any: the title names it.
#[tauri::command]
pub async fn document_state<R: Runtime>(
    window: Window<R>,
    path: Option<String>,
    dirty: bool,
    broken: Option<String>,
    session: State<'_, Session>,
) -> IpcResult<String> {
    let path: Option<PathBuf> = path.map(|p| input::absolute_path("path", &p)).transpose()?;
    let broken: Option<PathBuf> = broken
        .map(|p| input::absolute_path("broken", &p))
        .transpose()?;
    let document = Document {
        path,
        dirty,
        broken,
    };
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

        let revision = s.hold_design(design.clone(), design_file::today());
        let saved = save(&s, path.to_str().unwrap(), revision).unwrap();
        assert_eq!(saved.path, path.to_string_lossy());
        assert_eq!(
            s.recovery().unwrap(),
            None,
            "a save makes the recovery file stale"
        );

        let opened = parse_opened(&open(&s, path.to_str().unwrap()).unwrap(), &path);
        assert_eq!(opened.design, design);
        assert_eq!(
            opened.path,
            path.canonicalize().unwrap().to_string_lossy(),
            "open answers the canonical path"
        );
        assert_eq!(s.recent_files(), vec![opened.path.clone()]);
        let held = s
            .held_design(opened.revision, design_file::today())
            .unwrap();
        assert_eq!(
            held.design(),
            &design,
            "the opened design is held under the revision the answer names"
        );
    }

    /// `open`'s answer for the file at `path` as the UI reads it, checked to be exactly the
    /// `Opened` of that file (no other keys, the validator's own diagnostics, no verdicts).
    fn parse_opened(json: &str, path: &Path) -> Opened {
        parse_opened_with(json, path, None)
    }

    /// [`parse_opened`], with `verdicts` expected in the answer.
    fn parse_opened_with(json: &str, path: &Path, verdicts: Option<Vec<FlowVerdict>>) -> Opened {
        let value: serde_json::Value = serde_json::from_str(json).expect("open answers JSON");
        let obj = value.as_object().unwrap();
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        let want: &[&str] = match verdicts {
            Some(_) => &["path", "revision", "design", "diagnostics", "verdicts"],
            None => &["path", "revision", "design", "diagnostics"],
        };
        assert_eq!(keys, want);
        let opened = Opened {
            path: obj["path"].as_str().unwrap().to_string(),
            revision: obj["revision"].as_u64().unwrap(),
            design: serde_json::from_value(obj["design"].clone()).unwrap(),
            diagnostics: design_file::read(path).unwrap().diagnostics,
            verdicts,
        };
        assert_eq!(
            value,
            serde_json::to_value(&opened).unwrap(),
            "the hand-written JSON is what serialising `Opened` gives"
        );
        opened
    }

    #[test]
    fn compact_json_is_the_same_value_without_whitespace_between_tokens() {
        let text = "{\n  \"a b\" : [ 1 ,\t2.5e3 , true, null ],\r\n  \"s\": \" q \\\" \\\\ \\n  t \u{e9}\",\n  \"o\": { }, \"e\": \"\\\\\" }\n";
        let mut out = String::from("x");
        push_compact(&mut out, text);
        assert_eq!(
            out,
            "x{\"a b\":[1,2.5e3,true,null],\"s\":\" q \\\" \\\\ \\n  t \u{e9}\",\"o\":{},\"e\":\"\\\\\"}"
        );
        let before: serde_json::Value = serde_json::from_str(text).unwrap();
        let after: serde_json::Value = serde_json::from_str(&out[1..]).unwrap();
        assert_eq!(before, after);
    }

    #[test]
    fn open_sends_a_canonical_file_as_is_and_other_forms_as_the_design_read() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(dir.path());
        let example =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/fintech.bulkhead.json");
        let text = std::fs::read_to_string(&example).unwrap();
        let design: Design = serde_json::from_str(&text).unwrap();
        assert_eq!(
            text,
            bulkhead_core::file::to_canonical_json(&design),
            "the example is canonical"
        );
        let answer = open(&s, example.to_str().unwrap()).unwrap();
        let canonical = parse_opened(&answer, &example);
        assert_eq!(canonical.design, design);
        // Without the file's indentation: the design's compact JSON, as serde writes it.
        assert!(
            answer.contains(&serde_json::to_string(&design).unwrap()),
            "the canonical text is sent compact"
        );

        // The same design on one line (not canonical), with an expired exception: sent as the
        // design read, with the warning.
        let mut expired = design.clone();
        expired.rules[0].expires = Some("2020-01-01".into());
        let compact = dir.path().join("compact.json");
        std::fs::write(&compact, serde_json::to_string(&expired).unwrap()).unwrap();
        let other = parse_opened(&open(&s, compact.to_str().unwrap()).unwrap(), &compact);
        assert_eq!(other.design, expired);
        assert!(
            other.revision > canonical.revision,
            "each open is a new revision"
        );
        assert!(
            other
                .diagnostics
                .iter()
                .any(|d| d.severity == bulkhead_core::diagnostic::Severity::Warning),
            "warnings are sent: {:?}",
            other.diagnostics
        );

        // A legacy file is sent as the design it migrates to, never as its old text. (The
        // fixture's one deliberate mistake, a misspelt segment, is corrected first.)
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/legacy/v0.bulkhead.json");
        let text = std::fs::read_to_string(fixture)
            .unwrap()
            .replace("zone:edg\"", "zone:edge\"");
        let legacy = dir.path().join("v0.bulkhead.json");
        std::fs::write(&legacy, &text).unwrap();
        let migrated = parse_opened(&open(&s, legacy.to_str().unwrap()).unwrap(), &legacy);
        let want = bulkhead_core::file::parse(&text).unwrap().design;
        assert_eq!(migrated.design, want);
        assert_eq!(migrated.design.format, "bulkhead/1");
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
    fn save_refuses_bad_paths_and_revisions_the_shell_does_not_hold() {
        let dir = tempfile::tempdir().unwrap();
        let s = session(dir.path());
        let revision = s.hold_design(Design::new("x"), design_file::today());
        let e = save(&s, "relative.json", revision).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let yaml = dir.path().join("x.yaml");
        let e = save(&s, yaml.to_str().unwrap(), revision).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let path = dir.path().join("x.json");
        let e = save(&s, path.to_str().unwrap(), revision + 1).unwrap_err();
        assert_eq!(e.code, ErrorCode::StaleRevision);
        assert!(
            !path.exists(),
            "nothing is written for a design the shell does not hold"
        );
        // A malformed design never gets a revision: `set_design` refuses it.
        let e = input::design(serde_json::json!({"format": 3})).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidDesign);
    }

    /// A session started with the fintech example on its command line, a second handle to it
    /// for the early open's thread, the example's path, and that path as text.
    fn started_with_example(
        dir: &Path,
    ) -> (
        std::sync::Arc<Session>,
        std::sync::Arc<Session>,
        PathBuf,
        String,
    ) {
        let example =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/fintech.bulkhead.json");
        let s = std::sync::Arc::new(Session::new(dir.join("data"), Some(example.clone())));
        let early = std::sync::Arc::clone(&s);
        let path = example.to_string_lossy().into_owned();
        (s, early, example, path)
    }

    #[test]
    fn the_command_line_design_is_opened_at_start_and_that_answer_is_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        let (s, early, example, path) = started_with_example(dir.path());
        let (made, verdicts_made) = std::sync::mpsc::channel();
        s.open_initial_early(move |answer| {
            open_then_verdicts(&early, &path, answer);
            let _ = made.send(());
        });
        // The page asks after the early open is done (as it does: its web view starts first).
        verdicts_made.recv().unwrap();
        let held = s.held_design(1, design_file::today()).unwrap();
        let verdicts = crate::commands::analysis::verdicts(held.evaluator());
        assert!(!verdicts.is_empty());
        let first = parse_opened_with(&initial(&s).unwrap(), &example, Some(verdicts));
        assert_eq!(first.revision, 1, "the early open held the design first");
        let not_made_again = |_: &bulkhead_core::eval::Evaluator<'_>| -> IpcResult<String> {
            panic!("the early open made the verdicts already")
        };
        assert_eq!(
            held.flow_verdicts_json(not_made_again).unwrap(),
            crate::commands::analysis::verdicts_json(held.evaluator()).unwrap(),
            "then it made the revision's flow verdicts"
        );
        assert_eq!(s.recent_files().len(), 1, "and remembered the file");
        // A reloaded page asks again: the file is opened again, under a new revision.
        let again = parse_opened(&initial(&s).unwrap(), &example);
        assert_eq!(again.revision, 2);
        assert_eq!(again.design, first.design);
        let want: Design =
            serde_json::from_str(&std::fs::read_to_string(&example).unwrap()).unwrap();
        assert_eq!(first.design, want);
    }

    #[test]
    fn an_early_open_answered_before_its_verdicts_are_made_is_sent_without_them() {
        let dir = tempfile::tempdir().unwrap();
        let (s, early, example, path) = started_with_example(dir.path());
        let (asked, page_asked) = std::sync::mpsc::channel::<()>();
        s.open_initial_early(move |answer| {
            let opened = open_held(&early, &path);
            let revision = opened.as_ref().map(|(_, r)| *r).ok();
            answer(opened);
            // The verdicts are made only after the page has had its answer.
            page_asked.recv().unwrap();
            let held = early.held_design(revision.unwrap(), design_file::today());
            let _ = held
                .unwrap()
                .flow_verdicts_json(crate::commands::analysis::verdicts_json);
        });
        let first = parse_opened(&initial(&s).unwrap(), &example);
        asked.send(()).unwrap();
        assert_eq!(first.revision, 1);
        // `flow_verdicts` answers them (waiting for them if need be).
        let held = s.held_design(1, design_file::today()).unwrap();
        let answered = held
            .flow_verdicts_json(crate::commands::analysis::verdicts_json)
            .unwrap();
        assert_eq!(
            answered,
            crate::commands::analysis::verdicts_json(held.evaluator()).unwrap()
        );
    }

    #[test]
    fn an_early_open_that_fails_or_dies_answers_as_opening_then_would() {
        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("broken.bulkhead.json");
        std::fs::write(
            &broken,
            "{\n  \"format\": \"bulkhead/1\",\n  \"services\": [\n",
        )
        .unwrap();
        let s = std::sync::Arc::new(Session::new(dir.path().join("data"), Some(broken.clone())));
        let early = std::sync::Arc::clone(&s);
        let path = broken.to_string_lossy().into_owned();
        s.open_initial_early(move |answer| open_then_verdicts(&early, &path, answer));
        let e = initial(&s).unwrap_err();
        let direct = open(&s, broken.to_str().unwrap()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidDesign);
        assert_eq!(
            (&e.message, &e.path, &e.diagnostics),
            (&direct.message, &direct.path, &direct.diagnostics)
        );

        // A thread that ends without answering leaves the first call to open the file itself.
        let example =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/fintech.bulkhead.json");
        let s = Session::new(dir.path().join("data2"), Some(example.clone()));
        s.open_initial_early(|_| panic!("the early open's thread dies (expected by this test)"));
        let opened = parse_opened(&initial(&s).unwrap(), &example);
        assert_eq!(opened.revision, 1);

        // Without a command-line file there is nothing to open, early or late.
        let s = Session::new(dir.path().join("data3"), None);
        s.open_initial_early(|_| panic!("not called without a command-line file"));
        assert_eq!(initial(&s).unwrap(), "null");
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
