import { describe, expect, it } from "vitest";
import { smallDesign } from "../fixtures/small";
import { ancestors, depth, highestSensitivity, leafSegments, segmentOf, slug, uniqueId } from "./design";

describe("design helpers", () => {
  const d = smallDesign();
  it("finds leaf segments and ancestors", () => {
    expect(segmentOf(d, "pay")?.id).toBe("pci");
    expect(depth(d, "pci")).toBe(1);
    expect(ancestors(d, "pci")).toEqual(["pci", "core"]);
    expect([...leafSegments(d)].sort()).toEqual([["api", "core"], ["db", "core"], ["pay", "pci"], ["web", "edge"]]);
  });
  it("prefers the deepest segment when a service is listed twice", () => {
    const d2 = smallDesign();
    d2.segments = d2.segments?.map((s) => (s.id === "core" ? { ...s, members: [...(s.members ?? []), "pay"] } : s));
    expect(segmentOf(d2, "pay")?.id).toBe("pci");
    expect(leafSegments(d2).get("pay")).toBe("pci");
  });
  it("survives parent cycles", () => {
    const d2 = smallDesign();
    d2.segments = d2.segments?.map((s) => (s.id === "core" ? { ...s, parent: "pci" } : s));
    expect(ancestors(d2, "pci")).toEqual(["pci", "core"]);
    expect(depth(d2, "pci")).toBeLessThan(64);
  });
  it("computes sensitivity and ids", () => {
    const db = d.services?.find((s) => s.id === "db");
    expect(db && highestSensitivity(d, db)).toBe("restricted");
    expect(slug("  Orders API (v2) ")).toBe("orders-api-v2");
    expect(uniqueId(d, "pci")).toBe("pci-2");
  });
});
