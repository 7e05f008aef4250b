//! `bulkhead-app`: the desktop app's Tauri 2 shell.
//!
//! It has one job: carry the UI's requests to the shared crates and their answers back.
//! Every command validates its input ([`input`]), calls `bulkhead-core`, `bulkhead-store`,
//! `bulkhead-import` or `bulkhead-export`, and returns the result or an [`error::IpcError`]
//! (`{code, message, diagnostics?}`). No semantic rule is decided here or in the UI.
//!
//! [`run`] starts the real app; [`run_app`] configures any [`tauri::Builder`], so the wiring can
//! be tested with Tauri's mock runtime.

pub mod commands;
pub mod error;
pub mod held;
pub mod input;
pub mod ipc_types;
pub mod patch;
pub mod session;

mod design_file;

use std::path::PathBuf;

use tauri::{Emitter, Manager, Runtime, WindowEvent};

use session::Session;

/// Event sent to the window when the user tries to close it with unsaved changes. The UI asks
/// the user and calls `confirm_close` to close anyway.
pub const CLOSE_REQUESTED_EVENT: &str = "bulkhead://close-requested";

/// Environment variable that overrides the app data folder (recent files, recovery file), so
/// tests never touch the user's.
pub const DATA_DIR_ENV: &str = "BULKHEAD_APP_DATA";

/// How the app was launched.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    /// The design file named on the command line.
    pub design: Option<PathBuf>,
    /// Where the app keeps its own files; `None` means the platform's app data folder.
    pub data_dir: Option<PathBuf>,
}

impl Launch {
    /// Reads the command line (`bulkhead-app [FILE]`) and [`DATA_DIR_ENV`].
    pub fn from_env() -> Self {
        let cwd = std::env::current_dir().unwrap_or_default();
        let design = std::env::args()
            .skip(1)
            .find(|a| !a.starts_with('-'))
            .map(|a| commands::files::resolve_cli_path(&a, &cwd));
        let data_dir = std::env::var_os(DATA_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        Launch { design, data_dir }
    }
}

/// Configures a builder with the plugins, state, commands and window handling of the app.
pub fn run_app<R: Runtime>(builder: tauri::Builder<R>, launch: Launch) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .manage(commands::import::ImportCache::default())
        .manage(std::sync::Arc::new(commands::drift::TrafficCache::default()))
        .setup(move |app| {
            let data_dir = match launch.data_dir.clone() {
                Some(d) => d,
                None => app.path().app_data_dir()?,
            };
            app.manage(Session::new(data_dir, launch.design.clone()));
            // The command-line design is read, validated and held while the window and its web
            // view start; the page's `initial_design` then only waits for what is left.
            commands::files::open_initial_early(app.handle());
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let session = window.state::<Session>();
                if session.close_needs_confirmation() {
                    api.prevent_close();
                    // If the UI cannot be told, closing must still not lose work silently:
                    // the window stays open and the recovery file stays on disk.
                    let _ = window.emit(CLOSE_REQUESTED_EVENT, ());
                } else {
                    // A clean close: there is nothing left to recover.
                    let _ = session.discard_recovery();
                }
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::files::initial_design,
            commands::files::open_design,
            commands::files::save_design,
            commands::files::new_design,
            commands::files::recent_files,
            commands::files::autosave,
            commands::files::take_recovery,
            commands::files::discard_recovery,
            commands::files::document_state,
            commands::files::confirm_close,
            commands::analysis::set_design,
            commands::analysis::patch_design,
            commands::analysis::validate,
            commands::analysis::flow_verdicts,
            commands::analysis::findings,
            commands::analysis::analyze,
            commands::analysis::simulate,
            commands::analysis::simulate_spread,
            commands::analysis::matrix,
            commands::analysis::rule_docs,
            commands::analysis::why,
            commands::export::export_targets,
            commands::export::export_preview,
            commands::export::export_write,
            commands::import::import_preview,
            commands::import::import_apply,
            commands::drift::drift_check,
            commands::propose::propose_rules,
            commands::propose::propose_apply,
        ])
}

/// Starts the desktop app.
pub fn run() {
    let result =
        run_app(tauri::Builder::default(), Launch::from_env()).run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("error: bulkhead-app could not start: {e}");
        std::process::exit(1);
    }
}
