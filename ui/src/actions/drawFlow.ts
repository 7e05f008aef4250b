//! The canvas's "draw a flow" mode: start it, then the first service clicked is the caller
//! and the second the callee; the flow is added and the mode ends.

import type { Action } from "./action";
import { addFlow } from "./addFlow";

export type DrawFlowArgs = { start: boolean } | { click: string };

export const drawFlow: Action<DrawFlowArgs> = {
  name: "drawFlow",
  perform(state, args) {
    if ("start" in args) return { ...state, drawingFlow: args.start, drawFlowFrom: null };
    if (!state.drawingFlow) return state;
    if (state.drawFlowFrom === null) return { ...state, drawFlowFrom: args.click };
    if (state.drawFlowFrom === args.click) return { ...state, drawFlowFrom: null };
    const next = addFlow.perform(state, { from: state.drawFlowFrom, to: args.click });
    return { ...next, drawingFlow: false, drawFlowFrom: null };
  },
};
