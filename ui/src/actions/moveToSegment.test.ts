import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { moveToSegment } from "./moveToSegment";

const members = (s: ReturnType<typeof smallState>, id: string) => s.design.segments?.find((x) => x.id === id)?.members;

describe("moveToSegment", () => {
  it("moves a service from one segment to another", () => {
    const s = moveToSegment.perform(smallState(), { services: ["api"], segment: "edge" });
    expect(members(s, "edge")).toEqual(["web", "api"]);
    expect(members(s, "core")).toEqual(["db"]);
  });
  it("takes services out of every segment with null", () => {
    const s = moveToSegment.perform(smallState(), { services: ["pay", "web"], segment: null });
    expect(members(s, "pci")).toEqual([]);
    expect(members(s, "edge")).toEqual([]);
  });
  it("is a no-op (same state) when already there, or for unknown ids", () => {
    const st = smallState();
    expect(moveToSegment.perform(st, { services: ["web"], segment: "edge" })).toBe(st);
    expect(moveToSegment.perform(st, { services: ["ghost"], segment: "edge" })).toBe(st);
    expect(moveToSegment.perform(st, { services: ["web"], segment: "ghost" })).toBe(st);
  });
  it("moves into a nested segment without listing the service twice", () => {
    const s = moveToSegment.perform(smallState(), { services: ["db"], segment: "pci" });
    expect(members(s, "core")).toEqual(["api"]);
    expect(members(s, "pci")).toEqual(["pay", "db"]);
  });
});
