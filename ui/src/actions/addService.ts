//! Add a service, optionally inside a segment and at a position.

import type { Service, ServiceKind } from "../generated/bulkhead";
import { uniqueId } from "../model/design";
import type { Action } from "./action";

export interface AddServiceArgs {
  name: string;
  kind?: ServiceKind;
  segment?: string | null;
  position?: { x: number; y: number };
}

export const addService: Action<AddServiceArgs> = {
  name: "addService",
  perform(state, { name, kind = "api", segment = null, position }) {
    const d = state.design;
    const id = uniqueId(d, name);
    const service: Service = { id, name, kind, exposure: "internal" };
    const segments = segment
      ? (d.segments ?? []).map((s) => (s.id === segment ? { ...s, members: [...(s.members ?? []), id] } : s))
      : d.segments;
    const positions = position ? { ...(d.layout?.positions ?? {}), [id]: position } : d.layout?.positions ?? {};
    return {
      ...state,
      design: { ...d, services: [...(d.services ?? []), service], segments, layout: { ...d.layout, positions } },
      selection: { kind: "service", ids: [id] },
    };
  },
};
