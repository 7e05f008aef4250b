//! Edit a segment's fields (name, level, trust, sensitivity, function, parent, policy).

import type { Segment } from "../generated/bulkhead";
import { ancestors } from "../model/design";
import { mapById, type Action } from "./action";
import { dropEmpty } from "./updateService";

export interface UpdateSegmentArgs {
  id: string;
  patch: Partial<Omit<Segment, "id" | "members">>;
}

export const updateSegment: Action<UpdateSegmentArgs> = {
  name: "updateSegment",
  perform(state, { id, patch }) {
    const d = state.design;
    if (!(d.segments ?? []).some((s) => s.id === id)) return state;
    // A segment cannot be nested inside itself or its own descendants.
    if (patch.parent && ancestors(d, patch.parent).includes(id)) return state;
    return { ...state, design: { ...d, segments: mapById(d.segments, id, (s) => dropEmpty({ ...s, ...patch })) } };
  },
};
