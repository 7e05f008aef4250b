//! Close the broken-file screen and go back to the design that was open before (it was never
//! replaced: a file that does not open changes nothing).

import type { Action } from "./action";

export const dismissBroken: Action<Record<string, never>> = {
  name: "dismissBroken",
  perform(state) {
    return state.file.broken ? { ...state, file: { ...state.file, broken: null } } : state;
  },
};
