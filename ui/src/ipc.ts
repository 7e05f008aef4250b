//! The UI's side of the IPC contract with the Tauri shell (`src-tauri`).
//!
//! Every call to the backend goes through `call()` here, so the command names, their argument
//! shapes and their result types live in one place. The design model's types come from the
//! generated JSON Schema (`./generated/bulkhead.ts`); the analysis results (decisions,
//! simulation, findings, matrix) are declared in `./analysis.ts` until
//! `schema/analysis.schema.json` lands, then they are generated too.
//!
//! Semantics live in Rust: the UI never decides whether a call is allowed. It asks
//! `flow_verdicts`, `matrix`, `simulate` and `findings`, and renders their answers.

import { invoke } from "@tauri-apps/api/core";
import type { Design } from "./generated/bulkhead";
import type {
  Assumption,
  Diagnostic,
  ExportFile,
  ExportTarget,
  Finding,
  FlowVerdict,
  ImportPreview,
  ImportSource,
  OpenedDesign,
  Origin,
  Recovery,
  SegmentMatrix,
  Simulation,
} from "./analysis";

/** What every failing command rejects with (GitButler-style: match on `code`, never on text). */
export interface CommandError {
  code: string;
  message: string;
  /** For `invalid_design`: every problem the validator found. */
  diagnostics?: Diagnostic[];
}

/** Command name → [arguments, result]. The keys are the Rust command names. */
export interface Commands {
  /** A fresh empty design in the current format. */
  design_new: [Record<string, never>, Design];
  /** Read, migrate and validate a file. A broken file resolves with `design: null` and its diagnostics. */
  design_open: [{ path: string }, OpenedDesign];
  /** Atomic save (temp file + fsync + rename, previous version kept as backup). Returns the path written. */
  design_save: [{ path: string; design: Design }, string];
  /** Most recently opened/saved files, newest first. */
  recent_files: [Record<string, never>, string[]];
  /** Write the unsaved design to the recovery file (autosave). */
  recovery_save: [{ path: string | null; design: Design }, null];
  /** A recovery file left by a previous run that did not exit cleanly, if any. */
  recovery_check: [Record<string, never>, Recovery | null];
  /** Forget the recovery file (after save, recover or discard). */
  recovery_clear: [Record<string, never>, null];
  /** Every validation problem of the design being edited. */
  validate: [{ design: Design }, Diagnostic[]];
  /** The evaluator's decision for every flow of the design, with its explanation. */
  flow_verdicts: [{ design: Design }, FlowVerdict[]];
  /** Segment × segment matrix of what the policy allows. */
  matrix: [{ design: Design }, SegmentMatrix];
  /** Breach simulation from one origin under one assumption. */
  simulate: [{ design: Design; origin: Origin; assumption: Assumption }, Simulation];
  /** Current findings, with their docs and triage status. */
  findings: [{ design: Design }, Finding[]];
  /** Export files for the chosen targets, in memory, for preview. */
  export_preview: [{ design: Design; targets: ExportTarget[] }, ExportFile[]];
  /** Write the export files into `dir`; returns the paths written. */
  export_write: [{ design: Design; targets: ExportTarget[]; dir: string }, string[]];
  /** What importing `sources` into `design` would add and update, plus a segmentation proposal. */
  import_preview: [{ design: Design; sources: ImportSource[] }, ImportPreview];
}

export type CommandName = keyof Commands;

/** Call a backend command with typed arguments and result. Rejects with a `CommandError`. */
export async function call<K extends CommandName>(
  name: K,
  args: Commands[K][0],
): Promise<Commands[K][1]> {
  try {
    return await invoke<Commands[K][1]>(name, args as Record<string, unknown>);
  } catch (e) {
    throw toCommandError(e);
  }
}

/** Normalise whatever a rejected `invoke` carried into a `CommandError`. */
export function toCommandError(e: unknown): CommandError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown; diagnostics?: unknown };
    return {
      code: String(o.code),
      message: String(o.message),
      diagnostics: Array.isArray(o.diagnostics) ? (o.diagnostics as Diagnostic[]) : undefined,
    };
  }
  if (typeof e === "string") return { code: "error", message: e };
  if (e instanceof Error) return { code: "error", message: e.message };
  return { code: "error", message: String(e) };
}
