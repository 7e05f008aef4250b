import { describe, expect, it } from "vitest";
import { smallDesign } from "../fixtures/small";
import { generateDesign } from "../fixtures/generate";
import { packLayout } from "./pack";

describe("packLayout", () => {
  it("places every service, with no two on the same spot", () => {
    const pos = packLayout(smallDesign());
    expect([...pos.keys()].sort()).toEqual(["api", "db", "internet", "mail", "pay", "web"]);
    const spots = new Set([...pos.values()].map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(pos.size);
  });
  it("keeps a segment's members together (nested pci inside core's box)", () => {
    const pos = packLayout(smallDesign());
    const [api, db, pay, web] = ["api", "db", "pay", "web"].map((id) => pos.get(id)!);
    const coreXs = [api!.x, db!.x, pay!.x];
    // the edge segment's box is separate from core's
    expect(Math.min(...coreXs) > web!.x || Math.max(...coreXs) < web!.x).toBe(true);
  });
  it("handles 2,000 services without overlaps", () => {
    const d = generateDesign(2000, 7);
    const pos = packLayout(d);
    expect(pos.size).toBeGreaterThanOrEqual(2000);
    expect(new Set([...pos.values()].map((p) => `${p.x},${p.y}`)).size).toBe(pos.size);
  });
});
