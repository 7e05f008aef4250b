//! Store diagram positions (after a drag or an auto-layout). Only `layout` changes, so moving a
//! box never touches the semantics.

import type { Position } from "../generated/bulkhead";
import type { Action } from "./action";

export interface SetPositionsArgs {
  positions: Record<string, Position>;
  /** Replace every position (auto-layout) instead of merging (drag). */
  replace?: boolean;
}

const round = (p: Position): Position => ({ x: Math.round(p.x), y: Math.round(p.y) });

export const setPositions: Action<SetPositionsArgs> = {
  name: "setPositions",
  perform(state, { positions, replace = false }) {
    const d = state.design;
    const old = d.layout?.positions ?? {};
    const rounded = Object.fromEntries(Object.entries(positions).map(([k, p]) => [k, round(p)]));
    const next = replace ? rounded : { ...old, ...rounded };
    const same = Object.keys(next).length === Object.keys(old).length && Object.entries(next).every(([k, p]) => p !== undefined && old[k]?.x === p.x && old[k]?.y === p.y);
    if (same) return state;
    // Sorted keys: the file stays stable whatever order the canvas reports positions in.
    const sorted = Object.fromEntries(Object.keys(next).sort().map((k) => [k, next[k] as Position]));
    return { ...state, design: { ...d, layout: { ...d.layout, positions: sorted } } };
  },
};
