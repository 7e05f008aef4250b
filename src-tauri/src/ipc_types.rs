//! The JSON Schema of what the shell itself sends and takes over IPC (the envelopes of
//! `docs/ipc.md`: opened files, recovery, flow verdicts, export files, import sources and
//! previews, the drift report, the error shape, the validator's diagnostics), checked in as
//! `schema/ipc.schema.json`. The UI's TypeScript types for them are generated from it
//! (`ui/scripts/gen-types.mjs`), so a change to one of these Rust types fails `tsc` in the UI
//! instead of silently sending a shape the UI no longer reads.
//!
//! The core's own results (decisions, simulations, findings...) are in
//! `schema/analysis.schema.json` and the design model in `schema/bulkhead.schema.json`; where
//! an envelope holds one of those, the generator reuses their TS type after checking that its
//! definition here is identical.

use bulkhead_core::Design;
use bulkhead_core::diagnostic::Diagnostic;
use bulkhead_core::simulate::spread::SimulationSpread;
use bulkhead_core::simulate::tree::SimulationTree;
use schemars::JsonSchema;

use crate::commands::analysis::{FlowVerdict, MatrixResult};
use crate::commands::drift::DriftReport;
use crate::commands::export::ExportFile;
use crate::commands::files::{Opened, Saved};
use crate::commands::import::{ImportPreview, Source};
use crate::error::IpcError;
use crate::patch::DesignOp;
use crate::session::Recovery;

/// Every IPC envelope, in one document so the schema carries them all as definitions (never
/// serialized itself: `ImportSource` is only ever received).
#[derive(JsonSchema)]
pub struct IpcTypes {
    /// What every failing command rejects with.
    pub error: IpcError,
    /// `validate`, and the `diagnostics` of `invalid_design` and `Opened`.
    pub diagnostic: Diagnostic,
    /// `open_design`, `initial_design`.
    pub opened: Opened,
    /// `save_design`.
    pub saved: Saved,
    /// `take_recovery`.
    pub recovery: Recovery,
    /// `new_design`, `import_apply`, `propose_apply`.
    pub design: Design,
    /// `flow_verdicts` (one per flow).
    pub flow_verdict: FlowVerdict,
    /// `matrix`.
    pub matrix: MatrixResult,
    /// `simulate`: the core's `Simulation` with its attack paths as a tree.
    pub simulation: SimulationTree,
    /// `simulate_spread`: what the canvas highlights of the same breach.
    pub simulation_spread: SimulationSpread,
    /// `export_preview` (one per file).
    pub export_file: ExportFile,
    /// `import_preview`, `import_apply`: where to import from.
    pub import_source: Source,
    /// `import_preview`.
    pub import_preview: ImportPreview,
    /// `drift_check`.
    pub drift_report: DriftReport,
    /// `patch_design` (its `ops`, in order; only ever received).
    pub design_op: DesignOp,
}

/// The schema as pretty JSON with a trailing newline, exactly as checked in.
pub fn ipc_schema_json() -> String {
    let schema = schemars::schema_for!(IpcTypes);
    // INVARIANT: a schemars schema is plain JSON data; serializing it cannot fail.
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}
