//! Record that the current design was saved to `path`.

import type { Action } from "./action";

export const markSaved: Action<{ path: string }> = {
  name: "markSaved",
  perform(state, { path }) {
    return { ...state, file: { ...state.file, path, saved: state.design } };
  },
};
