//! Select elements (canvas click, box selection, findings, search). `add` toggles into the
//! current selection when the kind matches (shift-click).

import type { ElementKind } from "../state";
import type { Action } from "./action";

export interface SelectArgs {
  kind: ElementKind | null;
  ids: string[];
  add?: boolean;
}

export const select: Action<SelectArgs> = {
  name: "select",
  perform(state, { kind, ids, add = false }) {
    if (kind === null || ids.length === 0) {
      return state.selection.kind === null ? state : { ...state, selection: { kind: null, ids: [] } };
    }
    if (add && state.selection.kind === kind) {
      const cur = new Set(state.selection.ids);
      for (const id of ids) {
        if (cur.has(id)) cur.delete(id);
        else cur.add(id);
      }
      return { ...state, selection: cur.size ? { kind, ids: [...cur] } : { kind: null, ids: [] } };
    }
    const same = state.selection.kind === kind && state.selection.ids.length === ids.length && ids.every((id, i) => state.selection.ids[i] === id);
    return same ? state : { ...state, selection: { kind, ids: [...ids] }, panel: state.panel === "simulate" || state.panel === "findings" || state.panel === "matrix" ? state.panel : "inspector" };
  },
};
