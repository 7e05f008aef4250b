import { describe, expect, it } from "vitest";
import { smallDesign } from "../fixtures/small";
import type { SegmentMatrixEntry } from "../analysis";
import { allowedOf, cellText, matrixAxes, peerOf, rulesBetween, sideKey } from "./Matrix";

const entry = (pairs: number, possible: number, ports: (number | null)[]): SegmentMatrixEntry => ({
  from: { segment: "edge" },
  to: { segment: "core" },
  pairs,
  possible_pairs: possible,
  ports,
  auth: [],
  unauthenticated: true,
  by: [{ by: "rule", rule: "r-edge-core" }],
});

describe("matrix helpers", () => {
  it("maps sides and keys to peers", () => {
    expect(sideKey("internet")).toBe("internet");
    expect(sideKey({ segment: "core" })).toBe("core");
    expect(peerOf("internet")).toBe("internet");
    expect(peerOf("core")).toEqual({ segment: "core" });
    expect(peerOf("unsegmented")).toBeNull();
  });
  it("classifies cells from pair counts", () => {
    expect(allowedOf(undefined)).toBe("none");
    expect(allowedOf(entry(0, 4, []))).toBe("none");
    expect(allowedOf(entry(2, 4, [8080]))).toBe("some");
    expect(allowedOf(entry(4, 4, [null]))).toBe("all");
    expect(cellText(entry(2, 4, [443, 8080]))).toBe("◐ 443,8080");
    expect(cellText(entry(4, 4, [null]))).toBe("✓ any");
  });
  it("lays out rows and columns", () => {
    const m = { entries: [{ ...entry(1, 1, [null]), from: "unsegmented" as const }] };
    expect(matrixAxes(m, smallDesign())).toEqual({ rows: ["internet", "edge", "core", "pci", "unsegmented"], cols: ["edge", "core", "pci", "unsegmented"] });
  });
  it("finds the rules a cell edits", () => {
    const rules = smallDesign().rules ?? [];
    expect(rulesBetween(rules, "edge", "core").map((r) => r.id)).toEqual(["r-edge-core"]);
    expect(rulesBetween(rules, "internet", "edge").map((r) => r.id)).toEqual(["r-net-edge"]);
    expect(rulesBetween(rules, "core", "edge")).toEqual([]);
  });
});
