//! The end of a drag on the canvas: new positions, and, when the services were dropped into a
//! different segment (or out of every segment), the membership change, as one undoable edit.

import type { Position } from "../generated/bulkhead";
import type { Action } from "./action";
import { moveToSegment } from "./moveToSegment";
import { setPositions } from "./setPositions";

export interface DragServicesArgs {
  positions: Record<string, Position>;
  /** Services to move and where; absent when they stayed in their segment. */
  move?: { services: string[]; segment: string | null };
}

export const dragServices: Action<DragServicesArgs> = {
  name: "dragServices",
  perform(state, { positions, move }) {
    const moved = move ? moveToSegment.perform(state, move) : state;
    return setPositions.perform(moved, { positions });
  },
};
