//! Generates the Tauri context and one `allow-<command>` permission per app command. Listing the
//! commands here means a command exists for the webview only if a capability grants it.

/// Every IPC command the shell exposes, grouped by its module in `src/commands/`.
const COMMANDS: &[&str] = &[
    // commands/files.rs
    "initial_design",
    "open_design",
    "save_design",
    "new_design",
    "recent_files",
    "autosave",
    "take_recovery",
    "discard_recovery",
    "document_state",
    "confirm_close",
    // commands/analysis.rs
    "set_design",
    "patch_design",
    "validate",
    "flow_verdicts",
    "findings",
    "analyze",
    "simulate",
    "simulate_spread",
    "matrix",
    "rule_docs",
    "why",
    // commands/export.rs
    "export_targets",
    "export_preview",
    "export_write",
    // commands/import.rs
    "import_preview",
    "import_apply",
    // commands/drift.rs
    "drift_check",
    // commands/propose.rs
    "propose_rules",
    "propose_apply",
];

fn main() {
    // The UI is embedded at compile time, so it must be built first. Say how, instead of
    // Tauri's bare "path doesn't exist".
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/dist/index.html");
    println!("cargo:rerun-if-changed={}", dist.display());
    if !dist.exists() {
        panic!(
            "the UI is not built (`ui/dist/index.html` is missing): run `bash scripts/test.d/05-ui-build.sh` \
             (or `npm ci && npm run build` in `ui/`) before building `bulkhead-app`, or exclude it \
             with `--exclude bulkhead-app`"
        );
    }
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
