//! Shapes of what the backend answers about a design, all generated, none written by hand.
//!
//! Results computed by `bulkhead-core` (decisions, simulations, findings, rule docs, matrices,
//! drift, proposals) come from `schema/analysis.schema.json` (`./generated/analysis.ts`); the
//! shell's own envelopes (open and recovery results, flow verdicts, export files, import sources
//! and previews, the drift report, the error, the validator's diagnostics) from
//! `schema/ipc.schema.json` (`./generated/ipc.ts`, generated from `bulkhead_app::ipc_types`). Both
//! schemas are drift-tested against the Rust types, so a Rust-side change fails `tsc` here.
//! This module only re-exports them under the names the UI uses.

export type {
  AllowedBy,
  Assumption,
  BlastRadius,
  ChokePoint,
  Decision,
  ExposedData,
  Finding,
  Hop,
  NearMiss,
  ReachedService,
  RuleDoc,
  SegmentMatrix,
  SegmentMatrixEntry,
  SegmentSide,
  Severity,
  Simulation,
  Drift,
  ObservedCall,
  ShadowService,
  Proposal,
  Change as ProposalChange,
  ChangeKind as ProposalChangeKind,
} from "./generated/analysis";

export type {
  Diagnostic,
  DiagnosticSeverity,
  DesignField,
  DesignList,
  DesignOp,
  DriftReport,
  ErrorCode,
  ExportFile,
  FlowVerdict,
  ImportChange,
  ImportDiagnostic,
  ImportItemKind,
  ImportPreview,
  ImportSource,
  ImportedCounts,
  IpcError,
  Location,
  MergePreview,
  Opened,
  PreviewItem as ImportPreviewItem,
  ProposedSegment,
  TreePath,
  Recovery,
  Saved,
  SimulationSpread,
  SimulationTree,
  SpreadCall,
  SpreadEntry,
  SourceReport as ImportSourceReport,
} from "./generated/ipc";

/** Where the attacker starts: `internet` or a service id. */
export type Origin = string;
