import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { createSegment } from "./createSegment";

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
});
