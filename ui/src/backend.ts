//! What the backend currently says about the design being edited: diagnostics, flow verdicts,
//! findings, the matrix and the simulation. Re-asked whenever the design changes (at once for a
//! lone edit, debounced in a burst of them), at once when the simulation settings change;
//! answers for an older design are dropped.
//! Each design is sent to the shell once and then named by its revision (`HeldDesigns`).

import { call, HeldDesigns, type CommandError } from "./ipc";
import type { Diagnostic, Finding, FlowVerdict, RuleDoc, SegmentMatrix, Simulation, SimulationSpread } from "./analysis";
import type { AppState } from "./state";
import { expandSimulation } from "./simtree";
import { timed } from "./perf";
import type { Store } from "./store";

export interface BackendView {
  diagnostics: Diagnostic[];
  verdicts: Map<string, FlowVerdict> | null;
  findings: Finding[] | null;
  /** Each finding rule's documentation, by rule id (`BH001`). */
  docs: Map<string, RuleDoc> | null;
  matrix: SegmentMatrix | null;
  /**
   * The simulation's spread (`simulate_spread`): what the canvas highlights. It comes first; the
   * whole answer (`simulation`, for the panel) is asked for in the frame that draws the
   * highlight, so for a moment after a new run `simulation` is still the previous run's (or
   * null) while `simulating` is still true.
   */
  spread: SimulationSpread | null;
  simulation: Simulation | null;
  /** The last failed command, shown in the status bar. */
  error: (CommandError & { command: string }) | null;
  /** Revision of the design the answers are for. */
  revision: number;
  /** Revision of the design `verdicts` are for (they arrive before the other answers). */
  verdictsRevision: number;
  simulating: boolean;
}

export const DEBOUNCE_MS = 150;

export class Backend {
  view: BackendView = { diagnostics: [], verdicts: null, findings: null, docs: null, matrix: null, spread: null, simulation: null, error: null, revision: -1, verdictsRevision: -1, simulating: false };
  private listeners = new Set<(v: BackendView) => void>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private seq = 0;
  private simSeq = 0;
  /** When the design was last edited (`performance.now()`), for telling a burst of edits. */
  private lastEdit = -Infinity;

  constructor(
    private store: Store,
    private held: HeldDesigns = new HeldDesigns(),
  ) {
    store.subscribe((s, prev) => {
      // A design just opened is asked about at once (its canvas waits for the verdicts).
      if (s.design !== prev.design && s.file !== prev.file && s.file.broken === null) void this.refresh(true);
      else if (s.design !== prev.design) this.edited();
      const simChanged = s.simulation.active !== prev.simulation.active || s.simulation.origin !== prev.simulation.origin || s.simulation.assumption !== prev.simulation.assumption;
      if (simChanged && s.design === prev.design) void this.simulate(s);
    });
  }

  subscribe(f: (v: BackendView) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private set(patch: Partial<BackendView>): void {
    this.view = { ...this.view, ...patch };
    for (const f of this.listeners) f(this.view);
  }

  private fail(command: string, e: unknown): void {
    const err = e as CommandError;
    this.set({ error: { command, code: err.code ?? "error", message: err.message ?? String(e) } });
  }

  /**
   * An edit: asked about at once when it is a lone one (a matrix cell, a drag, an undo), where
   * waiting would only add to the time until its answers show; debounced when it follows
   * another within `DEBOUNCE_MS` (typing in the inspector), so a burst asks once, at its end.
   */
  private edited(): void {
    const now = performance.now();
    const burst = this.timer !== null || now - this.lastEdit < DEBOUNCE_MS;
    this.lastEdit = now;
    if (burst) this.scheduleRefresh();
    else void this.refresh();
  }

  scheduleRefresh(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, DEBOUNCE_MS);
  }

  /**
   * Ask everything again for the current design. The flow verdicts first, alone: the canvas
   * needs them to draw every flow as allowed or denied, and the other answers would make it
   * wait for them (the shell computes them on the same cores, the page parses them).
   * Validation, findings and the matrix follow; the view's `revision` says when all are in.
   * A simulation on screen is run again at once, beside the verdicts (after an edit the shell
   * computes both on its two threads), and the other answers wait for it: they would share the
   * cores with it and the page with its highlight. `opened`: a design just opened, whose canvas
   * waits for the verdicts; the simulation then waits for them too.
   */
  async refresh(opened = false): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const s = this.store.get();
    const seq = ++this.seq;
    if (this.view.docs === null) {
      // Static text: asked once. Without it findings still show, without their docs.
      call("rule_docs", {})
        .then((docs) => this.set({ docs: new Map(docs.map((d) => [d.id, d])) }))
        .catch(() => this.set({ docs: new Map() }));
    }
    const design = s.design;
    const ask = <T>(question: (revision: number) => Promise<T>): Promise<T> => this.held.ask(design, question);
    const early = s.simulation.active && !opened ? this.simulate(s) : null;
    const [verdicts] = await Promise.allSettled([ask((revision) => this.held.flowVerdicts(revision))]);
    if (seq !== this.seq) return; // a newer design is being asked about
    if (verdicts.status === "fulfilled") this.set({ verdicts: new Map(verdicts.value.map((v) => [v.flow, v])), verdictsRevision: s.revision });
    else this.fail("flow_verdicts", verdicts.reason);
    // Let the canvas draw the verdicts before the shell is busy with the other answers: on a
    // large design that work competes for the CPU.
    await afterPaint();
    if (seq !== this.seq) return;
    const sim = early ?? this.simulate(s);
    if (early) await early;
    const results = await Promise.allSettled([
      ask((revision) => call("validate", { revision })),
      ask((revision) => call("findings", { revision })),
      ask((revision) => call("matrix", { revision, by: "segment" })),
    ]);
    if (seq !== this.seq) return;
    const [diag, findings, matrix] = results;
    const patch: Partial<BackendView> = { revision: s.revision, error: null };
    if (diag.status === "fulfilled") patch.diagnostics = diag.value;
    else this.fail("validate", diag.reason);
    if (findings.status === "fulfilled") patch.findings = findings.value;
    else this.fail("findings", findings.reason);
    if (matrix.status === "fulfilled") patch.matrix = matrix.value;
    else this.fail("matrix", matrix.reason);
    if (verdicts.status === "rejected" || results.some((r) => r.status === "rejected")) delete patch.error;
    this.set(patch);
    await sim;
  }

  /**
   * Run the simulation of `s` in two answers from the shell: its spread, which the canvas
   * highlights as soon as it comes, then, from the frame that shows it, the whole simulation
   * for the panel. Both are the core's answers for this design, origin and assumption, asked
   * after the click. The whole one is not asked for at the same time: the shell's report, the
   * transfer of its 1.1 MB (a 2,000-service full reach) and its parse in the page would compete
   * with the highlight for the two cores and the page's thread. (Asked at the start of that
   * frame, it takes the shell longer than the frame to answer.)
   */
  async simulate(s: AppState = this.store.get()): Promise<void> {
    const seq = ++this.simSeq;
    if (!s.simulation.active) {
      this.set({ spread: null, simulation: null, simulating: false });
      return;
    }
    this.set({ simulating: true });
    try {
      const { origin, assumption } = s.simulation;
      const spread = await this.held.ask(s.design, (revision) => call("simulate_spread", { revision, origin, assume: assumption }));
      if (seq !== this.simSeq) return;
      this.set({ spread });
      await nextFrame();
      if (seq !== this.simSeq) return;
      const tree = await this.held.ask(s.design, (revision) => call("simulate", { revision, origin, assume: assumption }));
      const result = timed("sim:expand", () => expandSimulation(tree));
      if (seq === this.simSeq) this.set({ simulation: result, simulating: false });
    } catch (e) {
      if (seq === this.simSeq) {
        this.set({ spread: null, simulation: null, simulating: false });
        this.fail("simulate", e);
      }
    }
  }
}

/** Resolves at the start of the next frame (or after 300 ms, if frames are not being drawn: a hidden window). */
function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 300);
    if (typeof requestAnimationFrame !== "function") return;
    requestAnimationFrame(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Resolves after the next frame was drawn (or after 300 ms, if frames are not being drawn: a hidden window). */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 300);
    if (typeof requestAnimationFrame !== "function") return;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        clearTimeout(timer);
        resolve();
      }),
    );
  });
}
