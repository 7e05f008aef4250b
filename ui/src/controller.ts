//! Wires the pieces: the store (state + undo), the backend view (analysis answers), the file
//! commands and the canvas. Commands from the toolbar, the keyboard and the canvas end here and
//! become actions.

import { Backend } from "./backend";
import { HeldDesigns } from "./ipc";
import { Files } from "./files";
import { Store } from "./store";
import { CanvasView } from "./canvas/view";
import { Minimap } from "./canvas/minimap";
import type { CommandId } from "./keys";
import type { AppState } from "./state";
import type { Action } from "./actions/action";
import { addService } from "./actions/addService";
import { createSegment } from "./actions/createSegment";
import { deleteElements } from "./actions/deleteElements";
import { dragServices } from "./actions/dragServices";
import { drawFlow } from "./actions/drawFlow";
import { select } from "./actions/select";
import { setPositions } from "./actions/setPositions";
import { setView } from "./actions/setView";
import { setSimulation } from "./actions/setSimulation";
import { isFilterActive, matchesFilter } from "./canvas/filter";
import { separateSiblings } from "./canvas/pack";
import { Traffic } from "./traffic";
import { applyTraffic, trafficEdges } from "./canvas/traffic";
import { applyGhosts, ghostNodes } from "./canvas/ghosts";
import { timed, measureSince } from "./perf";
import type { BackendView } from "./backend";
import type { ElementDefinition } from "cytoscape";

export const THEME_KEY = "bulkhead.theme";

/** What the toolbar and canvas show of auto-layout: see `Controller.autoLayout`. */
export interface LayoutStatus {
  /** How many services the layout under way places, or null when none is running. */
  running: number | null;
  /** Why the last layout failed, until the next one starts or it is dismissed. */
  error: string | null;
}

export class Controller {
  readonly store = new Store();
  /** Which designs the shell holds: opened files are held at once, edits are sent when asked about. */
  readonly held = new HeldDesigns();
  readonly backend = new Backend(this.store, this.held);
  readonly files = new Files(this.store, this.held);
  /** Drift check, traffic overlay and least-privilege proposal (see ./traffic.ts). */
  readonly traffic = new Traffic(this.store, this.held);
  canvas: CanvasView | null = null;
  private minimap: Minimap | null = null;
  private renderedOnce = false;
  /** True once a design (or a broken file's diagnostics) is shown and the canvas has rendered. */
  ready = false;
  private readyListeners = new Set<() => void>();
  /** Set by the search box so `/` can focus it. */
  focusSearch: () => void = () => undefined;

  constructor() {
    const saved = safeStorage()?.getItem(THEME_KEY);
    const theme = saved === "dark" || saved === "light" ? saved : matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
    this.store.dispatch(setView, { theme });
    this.store.subscribe((s) => this.render(s));
    this.backend.subscribe(() => this.renderAnalysis());
    this.traffic.subscribe(() => this.renderTraffic());
    this.store.subscribe((s, prev) => {
      // Another file was opened (loading clears the history): its traffic answers are gone.
      if (s.design !== prev.design && !this.store.canUndo() && !this.store.canRedo()) this.traffic.reset();
    });
  }

  private lastTraffic: unknown = undefined;
  private lastGhosts: unknown = undefined;

  /**
   * Draw (or clear) what the last drift check saw: the shadow services as ghost nodes (whenever
   * there is a report, so the drift panel can focus them) and, with the overlay on, the observed
   * calls as edges.
   */
  private renderTraffic(force = false): void {
    const c = this.canvas;
    if (!c) return;
    const v = this.traffic.view;
    const calls = v.overlay ? v.report?.calls ?? null : null;
    const shadows = v.report?.drift.shadow_services ?? null;
    if (!force && calls === this.lastTraffic && shadows === this.lastGhosts) return;
    const cy = c.cy;
    if (force || shadows !== this.lastGhosts) {
      // Removing ghosts removes their edges: the overlay is redrawn below in any case. Where
      // the graph is (to place them beside it) only when there are ghosts: on a just-opened
      // large design its bounds cost a pass over every element.
      let ghosts: ElementDefinition[] = [];
      if (shadows?.length) {
        const services = new Set((this.store.get().design.services ?? []).map((s) => s.id));
        const graph = cy.elements().not('[type = "traffic"]').boundingBox();
        ghosts = ghostNodes(shadows, (name) => services.has(name), graph);
      }
      applyGhosts(cy, ghosts);
    }
    this.lastTraffic = calls;
    this.lastGhosts = shadows;
    applyTraffic(cy, calls ? trafficEdges(calls, (id) => !cy.getElementById(id).empty()) : null);
  }

  onReady(f: () => void): () => void {
    this.readyListeners.add(f);
    return () => this.readyListeners.delete(f);
  }

  private markReady(): void {
    if (this.ready) return;
    this.ready = true;
    for (const f of this.readyListeners) f();
  }

  dispatch<A>(action: Action<A>, args: A): AppState {
    return this.store.dispatch(action, args);
  }

  mountCanvas(container: HTMLElement, minimap: HTMLCanvasElement): void {
    const s = this.store.get();
    this.canvas = new CanvasView(
      container,
      {
        select: (kind, ids) => this.dispatch(select, { kind, ids }),
        dragged: (positions, move) => this.dispatch(dragServices, move ? { positions, move } : { positions }),
        tapService: (id) => {
          if (this.store.get().drawingFlow) this.dispatch(drawFlow, { click: id });
        },
        dblclickBackground: (position) => this.dispatch(addService, { name: "New service", position }),
      },
      s.theme,
    );
    this.minimap = new Minimap(minimap, this.canvas.cy);
    this.shown = null;
    this.render(s);
    this.renderTraffic(true);
  }

  unmountCanvas(): void {
    this.endVerdictWait();
    this.canvas?.destroy();
    this.canvas = null;
    this.minimap = null;
  }

  /** The state the canvas shows: each render draws what changed from it to the store's state. */
  private shown: AppState | null = null;
  /** Pending while a design just opened waits for its flow verdicts before it is drawn. */
  private verdictWait: ReturnType<typeof setTimeout> | null = null;

  private render(s: AppState): void {
    document.documentElement.dataset.theme = s.theme;
    if (!this.canvas) return;
    // Waiting for an opened design's verdicts: the end of the wait draws the newest state.
    if (this.verdictWait !== null) return;
    const prev = this.shown;
    if (this.shouldAwaitVerdicts(s, prev)) {
      // Past the deadline the design is drawn with its flows grey and restyled when the
      // verdicts come (`renderAnalysis`), as an edit is.
      this.verdictWait = setTimeout(() => this.endVerdictWait(true), verdictWaitMs(s.design));
      this.verdictWaitStart = performance.now();
      // Meanwhile the canvas works out what does not need the verdicts (a task of its own, so
      // the answers already queued are taken first).
      const design = s.design;
      setTimeout(() => {
        if (this.verdictWait !== null && this.store.get().design === design) this.canvas?.prepare(design);
      }, 0);
      return;
    }
    this.draw(s, prev);
  }

  private verdictWaitStart = 0;

  /**
   * A design just opened (or new or recovered) is drawn once, with every flow styled by the
   * evaluator's verdict, instead of grey and then restyled: the restyle and the frame it needs
   * cost about as much as drawing the flows did (0.6 s on 2,000 services). The verdicts were
   * asked for when the design was loaded (`Backend`), before this; the shell answers them from
   * the evaluator it built when it read the file, so the wait is one round trip. An edit is
   * drawn at once (its verdicts are debounced), and so is a design without flows. With nothing
   * drawn yet (`prev` null: the canvas is mounted after the design was loaded) any loaded
   * design waits.
   */
  private shouldAwaitVerdicts(s: AppState, prev: AppState | null): boolean {
    const opened = prev ? s.design !== prev.design && s.file !== prev.file : s.revision > 0;
    if (!opened || s.file.broken !== null) return false;
    if ((s.design.flows ?? []).length === 0) return false;
    const v = this.backend.view;
    return v.verdictsRevision !== s.revision && v.error?.command !== "flow_verdicts";
  }

  /** Stop waiting for the verdicts (they came, failed, or took too long) and draw the newest state. */
  private endVerdictWait(draw = false): void {
    if (this.verdictWait === null) return;
    clearTimeout(this.verdictWait);
    this.verdictWait = null;
    measureSince("render:await-verdicts", this.verdictWaitStart);
    if (draw && this.canvas) this.draw(this.store.get(), this.shown);
  }

  /** Bring the canvas from showing `prev` to showing `s`. */
  private draw(s: AppState, prev: AppState | null): void {
    const c = this.canvas;
    if (!c) return;
    this.shown = s;
    if (prev && s.theme !== prev.theme) {
      c.setTheme(s.theme);
      safeStorage()?.setItem(THEME_KEY, s.theme);
    }
    if (prev && s.file.path !== prev.file.path && s.design !== prev.design && !this.store.canUndo()) c.resetFraming();
    if (!prev || s.design !== prev.design) {
      const verdicts = this.backend.view.verdicts;
      timed("render:sync", () => c.sync(s.design, verdicts));
      // Drawn with these verdicts: `renderAnalysis` restyles only for newer ones.
      this.lastVerdicts = verdicts;
      this.minimap?.schedule();
      // A shadow service adopted (or un-adopted by undo) trades its ghost for a service node
      // now, not only when the re-run check answers.
      if (prev && s.design.services !== prev.design.services && this.traffic.view.report?.drift.shadow_services.length) this.renderTraffic(true);
      if (!this.renderedOnce && s.revision > 0) {
        this.renderedOnce = true;
        this.awaitingVerdicts = true;
        const synced = performance.now();
        afterNextFrame(() => {
          measureSince("render:paint", synced);
          performance.mark("bulkhead:graph-drawn");
        });
        this.markWhenComplete();
      }
    }
    if (s.file.broken && !(prev?.file.broken)) this.markReady();
    if (!prev || s.selection !== prev.selection) c.applySelection(s.selection);
    if (!prev || s.filter !== prev.filter || s.design !== prev.design) c.applyFilter(s.filter, s.design);
    if (!prev || s.drawFlowFrom !== prev.drawFlowFrom) c.markDrawSource(s.drawFlowFrom);
    if (prev && s.simulation !== prev.simulation && s.simulation.highlightedPath !== prev.simulation.highlightedPath) {
      c.applySimulation(this.backend.view.spread, s.simulation);
    }
    if (prev && !s.simulation.active && prev.simulation.active) c.applySimulation(null, s.simulation);
  }

  /** The first design is drawn but its flows still wait for the evaluator's verdicts. */
  private awaitingVerdicts = false;

  /**
   * The benchmark's "first complete render" (`bulkhead:first-render`) and the app's ready flag:
   * the frame after the canvas shows the opened design with every flow styled by the
   * evaluator's verdict for this very revision (or the verdicts failed, which the status bar
   * says). Until then edges are drawn grey as "pending", which is not the complete picture.
   */
  private markWhenComplete(): void {
    if (!this.awaitingVerdicts) return;
    const v = this.backend.view;
    if (v.verdictsRevision !== this.store.get().revision && v.error?.command !== "flow_verdicts") return;
    this.awaitingVerdicts = false;
    afterNextFrame(() => {
      performance.mark("bulkhead:first-render");
      this.markReady();
    });
  }

  private lastVerdicts: unknown = null;
  private lastSpread: unknown = null;
  private lastSim: unknown = null;
  /** When the last simulation click was (`performance.now()`), for `sim:details`. */
  private simClickAt: number | null = null;

  /**
   * Listeners of `subscribeView` and `subscribeState` waiting for a new simulation's highlight
   * (its spread) to be drawn, each with how to call it with what is current then. Held from the
   * click: the panels (Preact) then render after the canvas frame instead of before it. On a
   * large design the Simulate panel's update took longer than the highlight itself, and the
   * click's own render (the store's new settings, `simulating`) kept the page busy while the
   * shell's answer for the canvas waited (the spread's round trip is a few milliseconds).
   */
  private heldPanels: Map<object, () => void> | null = null;
  /** Should frames not come (a hidden window) or no answer, the panels are not held for longer than this. */
  private heldFallback: number | null = null;

  /**
   * Like `backend.subscribe`, for the panels: while a new simulation's highlight waits for its
   * frame, the listener is called once that frame is drawn, with the view as it is then (never
   * a stale one: every update is delivered, the held ones as the latest view).
   */
  subscribeView(f: (v: BackendView) => void): () => void {
    return this.backend.subscribe((v) => {
      if (this.heldPanels) this.heldPanels.set(f, () => f(this.backend.view));
      else f(v);
    });
  }

  /** Like `store.subscribe`, for the panels, held as `subscribeView` is (with the state as it is then). */
  subscribeState(f: (s: AppState) => void): () => void {
    return this.store.subscribe((s) => {
      if (this.heldPanels) this.heldPanels.set(f, () => f(this.store.get()));
      else f(s);
    });
  }

  private holdPanels(): void {
    if (this.heldPanels) return;
    this.heldPanels = new Map();
    this.heldFallback = window.setTimeout(() => this.releasePanels(), 1000);
  }

  private releasePanels(): void {
    const held = this.heldPanels;
    this.heldPanels = null;
    if (this.heldFallback !== null) window.clearTimeout(this.heldFallback);
    this.heldFallback = null;
    for (const f of held?.values() ?? []) f();
  }

  private renderAnalysis(): void {
    const c = this.canvas;
    const v = this.backend.view;
    if (!c) return;
    const s = this.store.get();
    if (this.verdictWait !== null) {
      // The opened design waits for these: draw it with them, once.
      if (v.verdictsRevision !== s.revision && v.error?.command !== "flow_verdicts") return;
      this.endVerdictWait(true);
    }
    if (v.verdicts !== this.lastVerdicts) {
      this.lastVerdicts = v.verdicts;
      timed("analysis:sync", () => c.sync(s.design, v.verdicts));
      this.minimap?.schedule();
    }
    this.markWhenComplete();
    if (v.simulation !== this.lastSim) {
      this.lastSim = v.simulation;
      // The click's whole answer, which the panels render next: `sim:details` ends at the frame after.
      const clicked = this.simClickAt;
      this.simClickAt = null;
      if (v.simulation && clicked !== null) afterNextFrame(() => measureSince("sim:details", clicked));
    }
    if (v.spread !== this.lastSpread) {
      this.lastSpread = v.spread;
      this.holdPanels();
      // The benchmark's "highlight": the frame after the one that shows it. Then the panels.
      c.applySimulation(v.spread, s.simulation, () =>
        afterNextFrame(() => {
          performance.mark("bulkhead:sim-highlight");
          this.releasePanels();
        }),
      );
    } else if (this.heldPanels && v.error?.command === "simulate") {
      // The run failed with no spread to draw: nothing for the panels to wait for.
      this.releasePanels();
    }
  }

  /** Start (or re-run) a simulation from the simulate panel. */
  runSimulation(patch: Partial<AppState["simulation"]>): void {
    performance.mark("bulkhead:sim-click");
    const start = performance.now();
    this.simClickAt = start;
    const before = this.store.get().simulation;
    // The panels render the new settings after the highlight (see `heldPanels`), not in this task.
    this.holdPanels();
    this.dispatch(setSimulation, { ...patch, active: true });
    const after = this.store.get().simulation;
    // Same settings again (the Run button): ask anyway, the design may be the same but the user wants a fresh answer.
    if (before.active && before.origin === after.origin && before.assumption === after.assumption) void this.backend.simulate();
    // The click's own work while the shell simulates (the store update and the panels' render,
    // which Preact runs in a microtask after this): the page cannot take the answer before it ends.
    window.setTimeout(() => measureSince("sim:click-task", start), 0);
  }

  /**
   * The auto-layout under way (how many services it places) and why the last one failed. Not
   * in the store: it is neither the design nor undoable, and the toolbar and canvas only show it.
   */
  layout: LayoutStatus = { running: null, error: null };
  private layoutListeners = new Set<() => void>();

  onLayout(f: () => void): () => void {
    this.layoutListeners.add(f);
    return () => this.layoutListeners.delete(f);
  }

  private setLayout(next: LayoutStatus): void {
    this.layout = next;
    for (const f of this.layoutListeners) f();
  }

  dismissLayoutError(): void {
    if (this.layout.error !== null) this.setLayout({ ...this.layout, error: null });
  }

  /** When the last auto-layout ended (`performance.now()`), for `autoLayout`'s `issuedAt`. */
  private layoutEndedAt = -Infinity;

  /**
   * Auto-layout. fcose takes seconds on thousands of services; it runs in a worker, so the
   * window keeps drawing, and the busy state is shown (painted first, the frame after it
   * renders) for as long as it runs. While it is up a second request is ignored. So is one
   * issued while it ran but delivered after (`issuedAt`, an event's timeStamp: a press made
   * while the main thread was busy, applying the positions or running fcose itself where no
   * worker can be made, arrives when it is free, and may come after the busy state is down).
   * A layout that throws leaves the positions as they were and says what failed.
   */
  async autoLayout(issuedAt = performance.now()): Promise<void> {
    // An event that says no time (0) or one not in this page's clock is taken as asked now.
    if (!(issuedAt > 0 && issuedAt <= performance.now())) issuedAt = performance.now();
    const canvas = this.canvas;
    if (!canvas || this.layout.running !== null || issuedAt < this.layoutEndedAt) return;
    this.setLayout({ running: this.store.get().design.services?.length ?? 0, error: null });
    let error: string | null = null;
    try {
      await nextPaint();
      const positions = await canvas.autoLayout();
      // fcose leaves sibling segments on top of each other (on the fintech example, every time):
      // push them apart, so a box is only ever inside the one it is nested in, by the boxes the
      // canvas draws (measured now, where fcose left them), not by estimates of them.
      const drawn = timed("layout:extents", () => canvas.drawnExtents());
      const separated = timed("layout:separate", () => separateSiblings(this.store.get().design, positions, drawn));
      timed("layout:dispatch", () => this.dispatch(setPositions, { positions: separated, replace: true }));
      // The layout framed its own result; the boxes pushed apart may reach past it.
      timed("layout:fit", () => canvas.fit());
    } catch (e) {
      error = `Auto-layout failed: ${e instanceof Error ? e.message : String(e)}. The positions are unchanged.`;
    }
    this.layoutEndedAt = performance.now();
    this.setLayout({ running: null, error });
  }

  /** Run a command; `issuedAt` is the timeStamp of the event that asked for it, when one did. */
  run(cmd: CommandId, issuedAt = performance.now()): void {
    const s = this.store.get();
    const c = this.canvas;
    switch (cmd) {
      case "new": return void this.files.newDesign();
      case "open": return void this.files.open();
      case "save": return void this.files.save();
      case "saveAs": return void this.files.saveAs();
      case "undo": return this.store.undo();
      case "redo": return this.store.redo();
      case "addService": {
        const position = c?.centre() ?? { x: 0, y: 0 };
        const segment = s.selection.kind === "segment" ? s.selection.ids[0] ?? null : null;
        this.dispatch(addService, { name: "New service", position, segment });
        return;
      }
      case "drawFlow": return void this.dispatch(drawFlow, { start: !s.drawingFlow });
      case "makeSegment": {
        if (s.selection.kind !== "service" || s.selection.ids.length === 0) return;
        this.dispatch(createSegment, { services: s.selection.ids, name: "New segment", drawn: c?.servicePositions() });
        return;
      }
      case "delete": {
        if (!s.selection.kind || s.selection.ids.length === 0) return;
        this.dispatch(deleteElements, { kind: s.selection.kind, ids: s.selection.ids });
        return;
      }
      case "autoLayout": return void this.autoLayout(issuedAt);
      case "fit": return c?.fit();
      case "zoomIn": return c?.zoomBy(1.25);
      case "zoomOut": return c?.zoomBy(0.8);
      case "search": return this.focusSearch();
      case "panelInspector": return void this.dispatch(setView, { panel: "inspector" });
      case "panelMatrix": return void this.dispatch(setView, { panel: "matrix" });
      case "panelSimulate": return void this.dispatch(setView, { panel: "simulate" });
      case "panelFindings": return void this.dispatch(setView, { panel: "findings" });
      case "panelExport": return void this.dispatch(setView, { panel: "export" });
      case "panelImport": return void this.dispatch(setView, { panel: "import" });
      case "panelDrift": return void this.dispatch(setView, { panel: "drift" });
      case "panelPropose": return void this.dispatch(setView, { panel: "propose" });
      case "toggleTheme": return void this.dispatch(setView, { theme: s.theme === "dark" ? "light" : "dark" });
      case "help": return void this.dispatch(setView, { helpOpen: !s.helpOpen });
      case "escape":
        if (s.helpOpen) return void this.dispatch(setView, { helpOpen: false });
        if (s.drawingFlow) return void this.dispatch(drawFlow, { start: false });
        return void this.dispatch(select, { kind: null, ids: [] });
    }
  }

  /** Select and frame what the filter matches (Enter in the search box). */
  focusMatches(): void {
    const s = this.store.get();
    if (!isFilterActive(s.filter)) return;
    const m = matchesFilter(s.filter, s.design);
    if (!m || m.size === 0) return;
    this.dispatch(select, { kind: "service", ids: [...m] });
    const first = [...m][0];
    if (m.size === 1 && first) this.canvas?.focus("service", first);
  }
}

/**
 * How long an opened design waits for its flow verdicts before it is drawn grey: about what
 * restyling its flows with late verdicts would cost (measured: 0.6 s for 5,226 flows, a
 * restyle and a frame), so waiting never costs more than it can save; at least 100 ms.
 */
export function verdictWaitMs(design: AppState["design"]): number {
  return Math.max(100, Math.round((design.flows ?? []).length * 0.1));
}

/** Run `f` in the frame after the next one: by then the next frame has been drawn. */
function afterNextFrame(f: () => void): void {
  requestAnimationFrame(() => requestAnimationFrame(f));
}

/** Once a frame has been drawn, or after half a second should frames not come (a hidden window). */
function nextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = window.setTimeout(resolve, 500);
    afterNextFrame(() => (window.clearTimeout(fallback), resolve()));
  });
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
