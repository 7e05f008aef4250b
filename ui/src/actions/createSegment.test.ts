import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { createSegment } from "./createSegment";
import { overlappingSiblings } from "../canvas/pack";

/** Where a canvas might draw the small design: edge on the left, core (with pci) to the right. */
const DRAWN = { web: { x: 0, y: 0 }, api: { x: 400, y: 0 }, db: { x: 400, y: 200 }, pay: { x: 800, y: 0 }, mail: { x: 0, y: 600 } };

describe("createSegment", () => {
  it("nests the new segment in the common parent and moves the members", () => {
    const s = createSegment.perform(smallState(), { services: ["api", "db"], name: "Orders" });
    const seg = s.design.segments?.find((x) => x.id === "orders");
    expect(seg).toMatchObject({ name: "Orders", parent: "core", members: ["api", "db"], level: "application" });
    expect(s.design.segments?.find((x) => x.id === "core")?.members).toEqual([]);
    expect(s.selection).toEqual({ kind: "segment", ids: ["orders"] });
  });
  it("makes a top-level segment for services from different segments", () => {
    const s = createSegment.perform(smallState(), { services: ["web", "mail"], name: "Mixed", trust: "low" });
    const seg = s.design.segments?.find((x) => x.id === "mixed");
    expect(seg).not.toHaveProperty("parent");
    expect(seg?.members).toEqual(["web", "mail"]);
    expect(seg?.trust).toBe("low");
  });
  it("lays the design out again when the new segment's box would lie over other segments", () => {
    const s = createSegment.perform(smallState(), { services: ["web", "db"], name: "Mixed", drawn: DRAWN });
    // As drawn, the new box (from web on the left to db under api) covers api, in core.
    expect(overlappingSiblings(s.design, DRAWN)).not.toEqual([]);
    const positions = s.design.layout?.positions ?? {};
    expect(Object.keys(positions).sort()).toEqual(["api", "db", "mail", "pay", "web"]);
    expect(overlappingSiblings(s.design, positions)).toEqual([]);
  });
  it("keeps the layout when the new segment lies over nothing", () => {
    const state = smallState();
    const s = createSegment.perform(state, { services: ["api", "db"], name: "Orders", drawn: DRAWN });
    expect(s.design.layout).toBe(state.design.layout);
  });
});
