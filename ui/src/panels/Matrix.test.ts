import { describe, expect, it } from "vitest";
import { smallDesign } from "../fixtures/small";
import type { SegmentMatrixEntry } from "../analysis";
import { CELL_H, CELL_W, OVERSCAN, WHOLE_LIMIT, allowedOf, axisWindow, cellText, matrixAxes, matrixWindow, peerOf, rulesBetween, sideKey } from "./Matrix";

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
  it("windows one axis to the items in the viewport plus the overscan", () => {
    // 100 items of 10 px, viewport 35 px scrolled to 200: items 20..23 intersect it.
    expect(axisWindow(100, 10, 200, 35, 0)).toEqual({ start: 20, end: 24 });
    expect(axisWindow(100, 10, 200, 35, 2)).toEqual({ start: 18, end: 26 });
    // Clamped at both ends; an item partly in view counts.
    expect(axisWindow(100, 10, 0, 35, 5)).toEqual({ start: 0, end: 9 });
    expect(axisWindow(100, 10, 995, 100, 5)).toEqual({ start: 94, end: 100 });
    // An offset past the end (the matrix shrank) still renders the last items, never nothing.
    expect(axisWindow(100, 10, 5000, 100, 5)).toEqual({ start: 94, end: 100 });
    expect(axisWindow(0, 10, 0, 100, 5)).toEqual({ start: 0, end: 0 });
    // A negative (elastic) scroll offset behaves like 0.
    expect(axisWindow(100, 10, -40, 35, 0)).toEqual({ start: 0, end: 4 });
  });
  it("renders a small matrix whole and a large one by window; every cell is reachable by scrolling", () => {
    const v = { top: 0, left: 0, width: 800, height: 500 };
    expect(matrixWindow(17, 16, v)).toEqual({ rows: { start: 0, end: 17 }, cols: { start: 0, end: 16 } });
    const n = 671;
    expect(n * (n - 1)).toBeGreaterThan(WHOLE_LIMIT);
    const top = matrixWindow(n, n - 1, v);
    expect(top.rows).toEqual({ start: 0, end: Math.ceil(500 / CELL_H) + OVERSCAN });
    expect(top.cols).toEqual({ start: 0, end: Math.ceil(800 / CELL_W) + OVERSCAN });
    // Scrolled to the far corner, the last row and column are rendered.
    const end = matrixWindow(n, n - 1, { ...v, top: n * CELL_H - 500, left: (n - 1) * CELL_W - 800 });
    expect(end.rows.end).toBe(n);
    expect(end.cols.end).toBe(n - 1);
    // Consecutive scroll positions one viewport apart leave no row unrendered in between.
    for (let top = 0; top < n * CELL_H; top += 500) {
      const a = matrixWindow(n, n - 1, { ...v, top }).rows;
      const b = matrixWindow(n, n - 1, { ...v, top: top + 500 }).rows;
      expect(b.start).toBeLessThanOrEqual(a.end);
    }
  });
});
