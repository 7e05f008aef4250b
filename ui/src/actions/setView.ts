//! View settings that are not part of the design: the open panel, the theme, the help panel.

import type { AppState, PanelName } from "../state";
import type { Action } from "./action";

export interface SetViewArgs {
  panel?: PanelName;
  theme?: AppState["theme"];
  helpOpen?: boolean;
}

export const setView: Action<SetViewArgs> = {
  name: "setView",
  perform(state, args) {
    return {
      ...state,
      panel: args.panel ?? state.panel,
      theme: args.theme ?? state.theme,
      helpOpen: args.helpOpen ?? state.helpOpen,
    };
  },
};
