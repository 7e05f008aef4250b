//! The UI's side of the IPC contract with the Tauri shell (`src-tauri`).
//!
//! Every call to the backend goes through `call()` here, so the command names, their argument
//! shapes and their result types live in one place; they follow `docs/ipc.md` (the contract the
//! shell implements). The design model's and the analysis results' types are generated from
//! `schema/*.schema.json` (see `./analysis.ts` for the few envelopes that have no schema).
//!
//! Semantics live in Rust: the UI never decides whether a call is allowed. It asks
//! `flow_verdicts`, `matrix`, `simulate` and `findings`, and renders their answers.
//!
//! The analysis commands name the design by the revision the shell holds it under
//! (`HeldDesigns` below): a design is sent once, not with every question.

import { invoke } from "@tauri-apps/api/core";
import { measureSince } from "./perf";
import type { Design } from "./generated/bulkhead";
import { designPatch } from "./model/patch";
import type {
  Assumption,
  Diagnostic,
  ErrorCode,
  IpcError,
  DesignOp,
  DriftReport,
  ExportFile,
  Finding,
  FlowVerdict,
  ImportPreview,
  ImportSource,
  Opened,
  Origin,
  Proposal,
  Recovery,
  RuleDoc,
  SegmentMatrix,
  SimulationSpread,
  SimulationTree,
} from "./analysis";

/**
 * What every failing command rejects with (GitButler-style: match on `code`, never on text): the
 * shell's generated `IpcError`, plus `error` for a rejection that did not come from the shell (a
 * plugin, a bug) and the UI's own `invalid_input` checks.
 */
export type CommandError = Omit<IpcError, "code"> & { code: ErrorCode | "error" };

type NoArgs = Record<string, never>;

/** Command name → [arguments, result], as fixed in `docs/ipc.md`. */
export interface Commands {
  /** The file named on the command line, if any (rejects `invalid_design` when it is broken). */
  initial_design: [NoArgs, Opened | null];
  /** Read, migrate and validate a file. A broken file rejects with `invalid_design` + diagnostics. */
  open_design: [{ path: string }, Opened];
  /** Atomic save of the held design of `revision`; `.json` only. */
  save_design: [{ path: string; revision: number }, { path: string }];
  new_design: [NoArgs, Design];
  recent_files: [NoArgs, string[]];
  /** Write the unsaved design (held as `revision`) to the recovery file. */
  autosave: [{ revision: number; path: string | null }, null];
  take_recovery: [NoArgs, Recovery | null];
  discard_recovery: [NoArgs, null];
  /** Tell the shell the file, dirty flag and broken file shown, if any; it sets the window title and returns it. */
  document_state: [{ path: string | null; dirty: boolean; broken: string | null }, string];
  /** Close the window after the user agreed to lose unsaved changes. */
  confirm_close: [NoArgs, null];
  /** Hold this design for the analysis commands; answers the revision that names it. */
  set_design: [{ design: Design }, number];
  /** Hold the design of revision `base` with `ops` applied (an edit); answers the revision that names it. */
  patch_design: [{ base: number; ops: DesignOp[] }, number];
  validate: [{ revision: number }, Diagnostic[]];
  flow_verdicts: [{ revision: number }, FlowVerdict[]];
  /** The simulation with its attack paths as a tree: `expandSimulation` (./simtree.ts) writes them out. */
  simulate: [{ revision: number; origin: Origin; assume: Assumption }, SimulationTree];
  /** The same breach's spread (its reached services and paths' calls, without the report): what the canvas highlights. */
  simulate_spread: [{ revision: number; origin: Origin; assume: Assumption }, SimulationSpread];
  findings: [{ revision: number }, Finding[]];
  /** Proposed in ui/IPC-NOTES.md: every finding rule's documentation. */
  rule_docs: [NoArgs, RuleDoc[]];
  matrix: [{ revision: number; by: "segment" }, SegmentMatrix];
  export_targets: [NoArgs, string[]];
  /** The files of `targets` for the held design of `revision`. */
  export_preview: [{ revision: number; targets: string[] }, ExportFile[]];
  export_write: [{ revision: number; targets: string[]; dir: string; force: boolean }, string[]];
  import_preview: [{ revision: number; sources: ImportSource[] }, ImportPreview];
  /** Merges what the last `import_preview` of the same sources showed; `skip` leaves items out (`service:<id>`, `flow:<id>`, `data_class:<id>`, `live_policy:live`). */
  import_apply: [{ revision: number; sources: ImportSource[]; accept_proposal: boolean; skip: string[] }, Design];
  /** `bulkhead check` with these logs and live manifests (absolute paths) and window (`7d`), plus the overlay's calls. */
  drift_check: [{ revision: number; traffic: string[]; live: string[]; window: string | null }, DriftReport];
  /** `bulkhead propose`: the least-privilege diff for the design's flows and these logs. */
  propose_rules: [{ revision: number; traffic: string[] }, Proposal];
  /** The design with the accepted change ids of its (recomputed) proposal applied. */
  propose_apply: [{ revision: number; traffic: string[]; accept: string[] }, Design];
}

export type CommandName = keyof Commands;

/** Call a backend command with typed arguments and result. Rejects with a `CommandError`. */
export async function call<K extends CommandName>(
  name: K,
  args: Commands[K][0],
): Promise<Commands[K][1]> {
  const start = performance.now();
  try {
    return await invoke<Commands[K][1]>(name, args as Record<string, unknown>);
  } catch (e) {
    throw toCommandError(e);
  } finally {
    // Round trip: serialising the arguments, the command, and parsing its answer.
    measureSince(`ipc:${name}`, start);
  }
}

/** Normalise whatever a rejected `invoke` carried into a `CommandError`. */
export function toCommandError(e: unknown): CommandError {
  if (typeof e === "object" && e !== null && "code" in e && "message" in e) {
    const o = e as { code: unknown; message: unknown; diagnostics?: unknown; path?: unknown };
    return {
      code: String(o.code) as CommandError["code"],
      message: String(o.message),
      diagnostics: Array.isArray(o.diagnostics) ? (o.diagnostics as Diagnostic[]) : undefined,
      path: typeof o.path === "string" ? o.path : undefined,
    };
  }
  if (typeof e === "string") return { code: "error", message: e };
  if (e instanceof Error) return { code: "error", message: e.message };
  return { code: "error", message: String(e) };
}

/**
 * Which designs the shell holds, under which revision. The shell numbers each design it is sent
 * (`set_design`) or reads (`open_design`, `initial_design`) from one counter, so a revision
 * names exactly one design; the UI's designs are immutable values, so "the shell holds this
 * design object" is all the UI needs to know. A question about a design the shell does not hold
 * (any more) is answered `stale_revision`: the design is sent again and the question repeated,
 * never answered from another design.
 *
 * A design is sent as an edit of the one the shell was last given (`patch_design`: what the edit
 * changed, found by `designPatch`), not whole: at 2,000 services the whole is 5 MB of JSON to
 * write, carry and parse for a change to one rule. The whole design is sent only when there is
 * no such design or the shell no longer holds it.
 */
export class HeldDesigns {
  private revisions = new WeakMap<Design, number>();
  private sending = new WeakMap<Design, Promise<number>>();
  /**
   * The design last given to the shell, opened or asked about, and its revision: what the next
   * edit is a patch of. After an undo that is the design undone to, so the shell, which drops
   * the revision it was least recently asked about, keeps that one and not the undone edit.
   */
  private latest: { design: Design; revision: number } | null = null;

  /**
   * The `flow_verdicts` answers the shell sent along with an opened design (`Opened.verdicts`),
   * by the revision they were made for; each is taken once, by the first question for it.
   */
  private sentVerdicts = new Map<number, FlowVerdict[]>();

  /**
   * The shell holds `design` as `revision` (it answered an open with it), and sent with it the
   * flow verdicts of that revision, if it had made them already (the design the app was started
   * with: see `initial_design`).
   */
  holds(design: Design, revision: number, verdicts?: FlowVerdict[] | null): void {
    this.revisions.set(design, revision);
    this.latest = { design, revision };
    if (verdicts) this.sentVerdicts.set(revision, verdicts);
  }

  /**
   * The shell's `flow_verdicts` answer for `revision`: the one it sent with the opened design of
   * that revision if there is one (taken once: a design has one revision, and a reopened file
   * gets a new one), else asked for.
   */
  flowVerdicts(revision: number): Promise<FlowVerdict[]> {
    const sent = this.sentVerdicts.get(revision);
    if (sent === undefined) return call("flow_verdicts", { revision });
    this.sentVerdicts.delete(revision);
    return Promise.resolve(sent);
  }

  /** The revision the shell holds `design` under, sending it first if need be (once, however many ask). */
  revisionOf(design: Design): Promise<number> {
    const known = this.revisions.get(design);
    if (known !== undefined) {
      this.latest = { design, revision: known };
      return Promise.resolve(known);
    }
    let sent = this.sending.get(design);
    if (!sent) {
      sent = this.send(design).then(
        (revision) => {
          this.holds(design, revision);
          this.sending.delete(design);
          return revision;
        },
        (e: unknown) => {
          this.sending.delete(design);
          throw e;
        },
      );
      this.sending.set(design, sent);
    }
    return sent;
  }

  /** Sends `design` as a patch of the latest design the shell holds, or whole if it holds none. */
  private send(design: Design): Promise<number> {
    const base = this.latest;
    if (base === null || base.design === design) return call("set_design", { design });
    return call("patch_design", { base: base.revision, ops: designPatch(base.design, design) }).catch((e: unknown) => {
      if ((e as CommandError).code !== "stale_revision") throw e;
      if (this.latest === base) this.latest = null;
      return call("set_design", { design });
    });
  }

  /**
   * Ask `question` about `design` by its revision; if the shell no longer holds it, send it again
   * and ask once more. A revision already known is asked about at once, in the caller's task (not
   * a microtask later), so the request leaves before whatever the caller does next (on an open,
   * the canvas build) and the shell answers while the page is busy.
   */
  ask<T>(design: Design, question: (revision: number) => Promise<T>): Promise<T> {
    let asked: number | undefined = this.revisions.get(design);
    if (asked !== undefined) this.latest = { design, revision: asked };
    const first =
      asked !== undefined
        ? question(asked)
        : this.revisionOf(design).then((revision) => {
            asked = revision;
            return question(revision);
          });
    return first.catch(async (e: unknown) => {
      if ((e as CommandError).code !== "stale_revision") throw e;
      if (asked !== undefined && this.revisions.get(design) === asked) this.revisions.delete(design);
      return question(await this.revisionOf(design));
    });
  }
}
