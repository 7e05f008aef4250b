//! Make a new segment around the selected services. If they all sit in one segment, the new
//! one is nested inside it; the services move into the new segment.

import type { Segment, SegmentLevel, TrustLevel } from "../generated/bulkhead";
import { segmentOf, uniqueId } from "../model/design";
import type { Action } from "./action";
import { moveToSegment } from "./moveToSegment";

export interface CreateSegmentArgs {
  services: string[];
  name: string;
  level?: SegmentLevel;
  trust?: TrustLevel;
}

export const createSegment: Action<CreateSegmentArgs> = {
  name: "createSegment",
  perform(state, { services, name, level = "application", trust = "medium" }) {
    const d = state.design;
    const ids = services.filter((id) => (d.services ?? []).some((s) => s.id === id));
    const parents = new Set(ids.map((id) => segmentOf(d, id)?.id ?? null));
    const [only] = [...parents];
    const parent = parents.size === 1 && only ? only : undefined;
    const id = uniqueId(d, name);
    const seg: Segment = {
      id,
      name,
      level,
      trust,
      members: [],
      policy: { auth: { type: "none" }, intra: "allow", default_action: "deny" },
      ...(parent ? { parent } : {}),
    };
    const withSeg = { ...state, design: { ...d, segments: [...(d.segments ?? []), seg] } };
    const moved = ids.length ? moveToSegment.perform(withSeg, { services: ids, segment: id }) : withSeg;
    return { ...moved, selection: { kind: "segment", ids: [id] } };
  },
};
