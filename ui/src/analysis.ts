//! Shapes of what the backend answers about a design.
//!
//! Results computed by `bulkhead-core` (decisions, simulations, findings, rule docs, matrices)
//! are generated from `schema/analysis.schema.json` into `./generated/analysis.ts` and only
//! re-exported here. The rest are the shell's own envelopes from `docs/ipc.md` (open/recovery
//! results, flow verdicts) and the shapes of crates that have no schema yet (the validator's
//! diagnostics, export files, import previews). Those are declared below, copied from the Rust
//! `Serialize` shapes named in `docs/ipc.md`; replace each by a generated type once its crate
//! publishes a schema.

import type { Design, Segment } from "./generated/bulkhead";
import type { Decision, Drift, ObservedCall } from "./generated/analysis";

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
  Proposal,
  Change as ProposalChange,
  ChangeKind as ProposalChangeKind,
} from "./generated/analysis";

/** Where a diagnostic's pointer is in the source text (`bulkhead_core::diagnostic::Location`). */
export interface Location {
  /** 1-based. */
  line: number;
  column: number;
  offset: number;
  length: number;
}

/** One validation problem (`bulkhead_core::diagnostic::Diagnostic`, no schema yet). */
export interface Diagnostic {
  severity: "error" | "warning";
  /** Stable code, e.g. `unknown-id`. */
  code: string;
  /** Lowercase message, user input in backticks. */
  message: string;
  /** JSON pointer into the design, e.g. `/services/3/data_held/0`; `""` is the whole file. */
  pointer: string;
  /** Where the pointer is in the source text, when the text is known. */
  location?: Location | null;
  /** "did you mean `x`?" and similar. */
  help?: string | null;
}

/** `open_design` / `initial_design`: a readable design and its warnings. */
export interface Opened {
  path: string;
  design: Design;
  diagnostics: Diagnostic[];
}

/** `take_recovery`: unsaved work left by a run that did not exit cleanly. */
export interface Recovery {
  format: string;
  /** The file the unsaved design belongs to, or null for a never-saved design. */
  path: string | null;
  /** Unix seconds of the autosave. */
  saved_at: number;
  design: Design;
}

/** `flow_verdicts`: the evaluator's decision for one flow. */
export interface FlowVerdict {
  flow: string;
  decision: Decision;
}

/** Where the attacker starts: `internet` or a service id. */
export type Origin = string;

/** One file of an export preview (`bulkhead-export`'s `OutputFile`, with its target). */
export interface ExportFile {
  target: string;
  /** Relative path inside the export folder. */
  path: string;
  contents: string;
  /** What the target cannot express for this design. */
  gaps?: string[];
}

export type ImportSource = { kind: "file"; path: string } | { kind: "folder"; path: string } | { kind: "url"; url: string };

/** One problem found while importing (`bulkhead_import::Diagnostic`), at a file or URL. */
export interface ImportDiagnostic {
  severity: "error" | "warning" | "info";
  /** Stable code, e.g. `yaml`, `fetch`, `helm-chart`, `unparsed-lines`. */
  code: string;
  /** The file or URL. */
  source: string;
  /** 1-based, when known. */
  line?: number | null;
  column?: number | null;
  /** JSON pointer inside the document, when that is the better location. */
  pointer?: string | null;
  message: string;
}

export type ImportItemKind = "data_class" | "service" | "flow" | "segment";
export type ImportChange = "added" | "updated" | "unchanged" | "skipped";

/** One line of a merge preview (`bulkhead_import::merge::PreviewItem`). */
export interface ImportPreviewItem {
  kind: ImportItemKind;
  id: string;
  change: ImportChange;
  /** Fields an update changes. */
  fields?: string[];
  /** Why it was skipped or left alone. */
  reason?: string | null;
}

/** What merging would do (`bulkhead_import::MergePreview`). */
export interface MergePreview {
  added: number;
  updated: number;
  unchanged: number;
  skipped: number;
  items: ImportPreviewItem[];
}

/** One proposed segment and why each member is in it (`bulkhead_import::segments::ProposedSegment`). */
export interface ProposedSegment {
  segment: Segment;
  /** member id → reason */
  reasons: Record<string, string>;
}

/** What one file or URL was read as (`bulkhead_import::SourceReport`). */
export interface ImportSourceReport {
  source: string;
  /** `openapi 3.0.1`, `kubernetes`, `hubble flows`, `skipped`, `error`, … */
  format: string;
  detail: string;
}

/** `import_preview`: what the sources gave and what merging them would do (see docs/ipc.md). */
export interface ImportPreview {
  imported: { services: number; endpoints: number; flows: number; declared_flows: number; observed_flows: number; data_classes: number; live_policies: number };
  /** Merging without the proposal: data classes, services and flows. */
  preview: MergePreview;
  proposal: { segments: ProposedSegment[] };
  /** What accepting the proposal would do, one `segment` item per proposed segment. */
  proposal_preview: ImportPreviewItem[];
  sources: ImportSourceReport[];
  diagnostics: ImportDiagnostic[];
}

/** `drift_check`: what `bulkhead check` reports, and every observed call with its verdict. */
export interface DriftReport {
  drift: Drift;
  /** Busiest first; at most 20,000. */
  calls: ObservedCall[];
  /** Calls left out of `calls` by the bound. */
  calls_left_out: number;
}
