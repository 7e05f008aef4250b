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
import type { Decision } from "./generated/analysis";

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

export interface ImportChange {
  kind: string;
  id: string;
  change: "added" | "updated";
  /** Fields that change, for updates. */
  fields?: string[];
  source?: string;
}

/** `import_preview`: what merging the sources would add and update, and a segmentation proposal. */
export interface ImportPreview {
  changes: ImportChange[];
  proposal: Segment[];
  diagnostics: Diagnostic[];
}
