//! Record that the current revision was saved to `path`.

import type { Action } from "./action";

export const markSaved: Action<{ path: string }> = {
  name: "markSaved",
  perform(state, { path }) {
    return { ...state, file: { ...state.file, path, savedRevision: state.revision } };
  },
};
