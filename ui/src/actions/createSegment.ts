//! Make a new segment around the selected services. If they all sit in one segment, the new
//! one is nested inside it; the services move into the new segment. When the new segment's box
//! would lie over other segments (its members came from different places), the design is laid
//! out again, segment by segment, in the same undoable edit.

import type { Segment, SegmentLevel, TrustLevel } from "../generated/bulkhead";
import { segmentOf, uniqueId } from "../model/design";
import type { Action } from "./action";
import { moveToSegment } from "./moveToSegment";
import { repairLayout } from "../canvas/pack";

export interface CreateSegmentArgs {
  services: string[];
  name: string;
  level?: SegmentLevel;
  trust?: TrustLevel;
  /** Where the canvas draws the services now (those without a saved position count too). */
  drawn?: Record<string, { x: number; y: number }>;
}

export const createSegment: Action<CreateSegmentArgs> = {
  name: "createSegment",
  perform(state, { services, name, level = "application", trust = "medium", drawn }) {
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
    return { ...moved, design: repairLayout(moved.design, drawn), selection: { kind: "segment", ids: [id] } };
  },
};
