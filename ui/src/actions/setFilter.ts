//! Search and filter the canvas by name, tag, segment and data class.

import type { Filter } from "../state";
import type { Action } from "./action";

export const setFilter: Action<Partial<Filter>> = {
  name: "setFilter",
  perform(state, patch) {
    return { ...state, filter: { ...state.filter, ...patch } };
  },
};
