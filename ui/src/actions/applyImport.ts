//! Replace the design with the backend's merge of an import (`import_apply`), keeping the
//! canvas positions the user has; one undoable edit. The import panel stays open to say what
//! was merged.

import type { Design } from "../generated/bulkhead";
import type { Action } from "./action";

export interface ApplyImportArgs {
  /** The backend's merged design. */
  merged: Design;
}

export const applyImport: Action<ApplyImportArgs> = {
  name: "applyImport",
  perform(state, { merged }) {
    // Positions of the current design survive (the backend does not lay out the canvas).
    const positions = { ...(merged.layout?.positions ?? {}), ...(state.design.layout?.positions ?? {}) };
    return { ...state, design: { ...merged, layout: { ...merged.layout, positions } }, selection: { kind: null, ids: [] } };
  },
};
