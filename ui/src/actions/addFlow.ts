//! Draw a flow from one service (or the internet) to another.

import type { FlowKind } from "../generated/bulkhead";
import { uniqueId } from "../model/design";
import type { Action } from "./action";

export interface AddFlowArgs {
  from: string;
  to: string;
  kind?: FlowKind;
  port?: number;
}

export const addFlow: Action<AddFlowArgs> = {
  name: "addFlow",
  perform(state, { from, to, kind = "declared", port }) {
    const d = state.design;
    const ids = new Set((d.services ?? []).map((s) => s.id));
    if (from === to || !ids.has(to) || (from !== "internet" && !ids.has(from))) return state;
    const id = uniqueId(d, `${from}-to-${to}`);
    const flow = { id, from, to, kind, ...(port !== undefined ? { port } : {}) };
    return { ...state, design: { ...d, flows: [...(d.flows ?? []), flow] }, selection: { kind: "flow", ids: [id] } };
  },
};
