//! Adopt a shadow service (a peer the drift check saw in traffic but the design lacks) into the
//! design as a service: one undoable edit. Its id is the name traffic gave it, so the next check
//! recognises its calls (and reports the ones no rule allows as violations); it goes into no
//! segment, where the ghost node was, and is selected for the inspector.

import type { Port, Service } from "../generated/bulkhead";
import { uniqueId } from "../model/design";
import type { Action } from "./action";

export interface AdoptShadowArgs {
  /** The name traffic gave the peer (`ShadowService.name`). */
  name: string;
  /** Ports it was called on. */
  ports?: number[];
  /** Where its ghost node was, so the service appears in its place. */
  position?: { x: number; y: number };
  /** The traffic logs it was seen in (its provenance). */
  logs?: string[];
}

/** Most provenance entries (one per log file) an adopted service records. */
const MAX_SOURCES = 16;

export const adoptShadow: Action<AdoptShadowArgs> = {
  name: "adoptShadow",
  perform(state, { name, ports = [], position, logs = [] }) {
    const d = state.design;
    // Already adopted (or a service of that id exists): nothing to add.
    if ((d.services ?? []).some((s) => s.id === name)) return state;
    // The traffic name is the id when it is a valid, unused one; otherwise the nearest free id.
    const id = uniqueId(d, name);
    const service: Service = {
      id,
      name,
      kind: "api",
      exposure: "internal",
      ...(ports.length ? { ports: [...new Set(ports)].sort((a, b) => a - b).map((port): Port => ({ port })) } : {}),
      tags: ["from-traffic"],
      ...(logs.length ? { provenance: logs.slice(0, MAX_SOURCES).map((source) => ({ source, element: `shadow service \`${name}\`` })) } : {}),
    };
    const positions = position ? { ...(d.layout?.positions ?? {}), [id]: position } : d.layout?.positions ?? {};
    return {
      ...state,
      design: { ...d, services: [...(d.services ?? []), service], layout: { ...d.layout, positions } },
      selection: { kind: "service", ids: [id] },
    };
  },
};
