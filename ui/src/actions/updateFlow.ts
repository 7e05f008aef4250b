//! Edit a flow's kind, port, method, path or count.

import type { Flow } from "../generated/bulkhead";
import { mapById, type Action } from "./action";
import { dropEmpty } from "./updateService";

export interface UpdateFlowArgs {
  id: string;
  patch: Partial<Omit<Flow, "id">>;
}

export const updateFlow: Action<UpdateFlowArgs> = {
  name: "updateFlow",
  perform(state, { id, patch }) {
    if (!(state.design.flows ?? []).some((f) => f.id === id)) return state;
    return { ...state, design: { ...state.design, flows: mapById(state.design.flows, id, (f) => dropEmpty({ ...f, ...patch })) } };
  },
};
