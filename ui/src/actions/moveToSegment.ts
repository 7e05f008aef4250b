//! Move services into a segment (or out of every segment with `segment: null`): updates the
//! segments' `members` so each service is listed in exactly the target segment.

import type { Action } from "./action";

export interface MoveToSegmentArgs {
  services: string[];
  segment: string | null;
}

export const moveToSegment: Action<MoveToSegmentArgs> = {
  name: "moveToSegment",
  perform(state, { services, segment }) {
    const d = state.design;
    const known = new Set((d.services ?? []).map((s) => s.id));
    const moving = new Set(services.filter((s) => known.has(s)));
    if (moving.size === 0) return state;
    if (segment !== null && !(d.segments ?? []).some((s) => s.id === segment)) return state;
    let changed = false;
    const segments = (d.segments ?? []).map((seg) => {
      const members = seg.members ?? [];
      let next = members.filter((m) => !moving.has(m));
      if (seg.id === segment) next = [...next, ...[...moving].filter((m) => !next.includes(m))];
      // Keep the existing order when the target already lists exactly these members.
      if (seg.id === segment && members.length === next.length && members.every((m) => next.includes(m))) return seg;
      if (next.length === members.length && next.every((m, i) => m === members[i])) return seg;
      changed = true;
      return { ...seg, members: next };
    });
    if (!changed) return state;
    return { ...state, design: { ...d, segments } };
  },
};
