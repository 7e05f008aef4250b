//! The app's state as plain data. Actions (`./actions/*`) are functions over it; the canvas and
//! panels only render it. Undo and redo come from `History`, a list of earlier designs.

import type { Design } from "./generated/bulkhead";
import type { Assumption, Diagnostic, Origin } from "./analysis";
import { emptyDesign } from "./model/design";

export type ElementKind = "service" | "segment" | "flow" | "rule";

export interface Selection {
  kind: ElementKind | null;
  ids: string[];
}

export interface Filter {
  /** Matches service name, id or tag (case-insensitive substring). */
  text: string;
  tag: string | null;
  segment: string | null;
  dataClass: string | null;
}

export type PanelName = "inspector" | "matrix" | "simulate" | "findings" | "export" | "import" | "drift" | "propose";

export interface SimulationSettings {
  /** When false no simulation is shown and none is run. */
  active: boolean;
  origin: Origin;
  assumption: Assumption;
  /** The service whose attack path is highlighted, or null. */
  highlightedPath: string | null;
  /** Animate the compromise hop by hop (off for benchmarks and reduced motion). */
  animate: boolean;
}

export interface FileState {
  /** Where the design is saved, or null for a new design. */
  path: string | null;
  /**
   * The design as last saved or opened (the same object), or null when it never was (recovered
   * work). Unsaved is "the design is another object", so undoing back to the saved design is
   * saved again, and the marker, title and close prompt agree with the file.
   */
  saved: Design | null;
  /** Set when the opened file could not be read into a design: shown instead of the canvas. */
  broken: BrokenFile | null;
}

/** How a file came to be opened, so the broken-file screen can say so. */
export type OpenedVia = "command-line" | "dialog" | "recent";

/** A file that could not be opened, with every problem the validator found in it. */
export interface BrokenFile {
  /** Its absolute path; null when the shell did not say (it always does for `invalid_design`). */
  path: string | null;
  via: OpenedVia;
  diagnostics: Diagnostic[];
}

export interface AppState {
  design: Design;
  /** Increases with every design edit (undo and redo included). */
  revision: number;
  file: FileState;
  selection: Selection;
  filter: Filter;
  panel: PanelName;
  theme: "light" | "dark";
  simulation: SimulationSettings;
  /** The canvas "draw a flow" mode: the next two service clicks make a flow. */
  drawFlowFrom: string | null;
  drawingFlow: boolean;
  helpOpen: boolean;
}

export function initialState(design: Design = emptyDesign()): AppState {
  return {
    design,
    revision: 0,
    file: { path: null, saved: design, broken: null },
    selection: { kind: null, ids: [] },
    filter: { text: "", tag: null, segment: null, dataClass: null },
    panel: "inspector",
    theme: "light",
    simulation: { active: false, origin: "internet", assumption: "worst", highlightedPath: null, animate: true },
    drawFlowFrom: null,
    drawingFlow: false,
    helpOpen: false,
  };
}

export function isDirty(s: AppState): boolean {
  return s.design !== s.file.saved;
}

/** Earlier and later designs for undo and redo. Bounded so a long session stays small. */
export interface History {
  past: Design[];
  future: Design[];
}

export const HISTORY_LIMIT = 200;

export function emptyHistory(): History {
  return { past: [], future: [] };
}

/** Record that `before` was replaced by an edit. Clears the redo list. */
export function recordEdit(h: History, before: Design): History {
  const past = [...h.past, before];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { past, future: [] };
}

export function undo(state: AppState, h: History): [AppState, History] {
  const prev = h.past[h.past.length - 1];
  if (!prev) return [state, h];
  return [
    { ...state, design: prev, revision: state.revision + 1, selection: pruneSelection(prev, state.selection) },
    { past: h.past.slice(0, -1), future: [state.design, ...h.future] },
  ];
}

export function redo(state: AppState, h: History): [AppState, History] {
  const next = h.future[0];
  if (!next) return [state, h];
  return [
    { ...state, design: next, revision: state.revision + 1, selection: pruneSelection(next, state.selection) },
    { past: [...h.past, state.design], future: h.future.slice(1) },
  ];
}

/** Drop selected ids that no longer exist in `design`. */
export function pruneSelection(design: Design, sel: Selection): Selection {
  if (!sel.kind) return sel;
  const list =
    sel.kind === "service" ? design.services : sel.kind === "segment" ? design.segments : sel.kind === "rule" ? design.rules : design.flows;
  const ids = new Set((list ?? []).map((x) => x.id));
  const kept = sel.ids.filter((id) => ids.has(id));
  return kept.length ? { kind: sel.kind, ids: kept } : { kind: null, ids: [] };
}
