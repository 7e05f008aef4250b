//! Edit a service's fields (not its id: ids are references elsewhere).

import type { Service } from "../generated/bulkhead";
import { mapById, type Action } from "./action";

export interface UpdateServiceArgs {
  id: string;
  patch: Partial<Omit<Service, "id">>;
}

export const updateService: Action<UpdateServiceArgs> = {
  name: "updateService",
  perform(state, { id, patch }) {
    if (!(state.design.services ?? []).some((s) => s.id === id)) return state;
    return { ...state, design: { ...state.design, services: mapById(state.design.services, id, (s) => dropEmpty({ ...s, ...patch })) } };
  },
};

/** Optional fields set to `undefined` or empty are removed, so the file stays minimal. */
export function dropEmpty<T extends object>(x: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0 && k !== "members") continue;
    out[k] = v;
  }
  return out as T;
}
