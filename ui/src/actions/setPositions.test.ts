import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { setPositions } from "./setPositions";

describe("setPositions", () => {
  it("merges rounded positions with sorted keys", () => {
    const s = setPositions.perform(smallState(), { positions: { db: { x: 10.4, y: 20.6 }, api: { x: 1, y: 2 } } });
    expect(Object.keys(s.design.layout?.positions ?? {})).toEqual(["api", "db", "web"]);
    expect(s.design.layout?.positions?.db).toEqual({ x: 10, y: 21 });
  });
  it("replaces all positions for an auto-layout", () => {
    const s = setPositions.perform(smallState(), { positions: { api: { x: 1, y: 2 } }, replace: true });
    expect(s.design.layout?.positions).toEqual({ api: { x: 1, y: 2 } });
  });
  it("keeps the same state when nothing moved (no undo entry)", () => {
    const st = smallState();
    expect(setPositions.perform(st, { positions: { web: { x: 0.2, y: -0.3 } } })).toBe(st);
  });
});
