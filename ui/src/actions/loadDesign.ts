//! Replace the design with one opened from a file (or a new or recovered one). Not undoable
//! across the boundary: the store clears the history when the file changes.

import type { Design } from "../generated/bulkhead";
import type { Diagnostic } from "../analysis";
import type { OpenedVia } from "../state";
import type { Action } from "./action";
import { repairLayout } from "../canvas/pack";

export interface LoadDesignArgs {
  design: Design | null;
  path: string | null;
  /** Validation problems; with `design: null` they are shown instead of the canvas. */
  diagnostics?: Diagnostic[];
  /** A recovered design is unsaved even though it was just loaded. */
  unsaved?: boolean;
  /** How the file was chosen (said on the broken-file screen); default the Open dialog. */
  via?: OpenedVia;
}

export const loadDesign: Action<LoadDesignArgs> = {
  name: "loadDesign",
  perform(state, { design, path, diagnostics = [], unsaved = false, via = "dialog" }) {
    const revision = state.revision + 1;
    if (design === null) {
      // The design that was open (if any) stays, untouched, behind the broken-file screen.
      return { ...state, file: { ...state.file, broken: { path, via, diagnostics } } };
    }
    const loaded = repairLayout(design);
    return {
      ...state,
      // A saved layout that draws sibling segments on top of each other is replaced by the
      // segment-respecting one (layout only: the semantics and the file stay as they are until saved).
      design: loaded,
      revision,
      file: { path, saved: unsaved ? null : loaded, broken: null },
      selection: { kind: null, ids: [] },
      simulation: { ...state.simulation, highlightedPath: null },
    };
  },
};
