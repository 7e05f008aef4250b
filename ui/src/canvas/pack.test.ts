import { describe, expect, it } from "vitest";
import { smallDesign } from "../fixtures/small";
import { generateDesign } from "../fixtures/generate";
import { overlappingSiblings, packLayout, repairLayout, segmentBoxes, separateSiblings } from "./pack";
import type { Design } from "../generated/bulkhead";

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

/** The small design with every service placed by hand. */
function placed(positions: Record<string, { x: number; y: number }>): Design {
  return { ...smallDesign(), layout: { positions } };
}

describe("overlappingSiblings", () => {
  it("finds two top-level segments drawn on top of each other", () => {
    // edge (web) and core (api, db, pay in pci) all around the origin
    const d = placed({ web: { x: 0, y: 0 }, api: { x: 60, y: 0 }, db: { x: 0, y: 100 }, pay: { x: 60, y: 100 } });
    expect(overlappingSiblings(d, d.layout!.positions!)).toContain("g:core|g:edge");
  });
  it("finds a service drawn inside a sibling segment's box", () => {
    // mail is unsegmented but sits in the middle of core
    const d = placed({ web: { x: -900, y: 0 }, api: { x: 0, y: 0 }, db: { x: 400, y: 0 }, pay: { x: 200, y: 300 }, mail: { x: 200, y: 0 } });
    expect(overlappingSiblings(d, d.layout!.positions!)).toEqual(["g:core|s:mail"]);
  });
  it("accepts nesting: a child segment inside its parent is not an overlap", () => {
    const d = placed({ web: { x: -900, y: 0 }, api: { x: 0, y: 0 }, db: { x: 400, y: 0 }, pay: { x: 200, y: 300 }, mail: { x: 200, y: 900 } });
    expect(overlappingSiblings(d, d.layout!.positions!)).toEqual([]);
    const boxes = segmentBoxes(d, d.layout!.positions!);
    const core = boxes.get("core")!;
    const pci = boxes.get("pci")!;
    expect(core.x1 < pci.x1 && core.y1 < pci.y1 && core.x2 > pci.x2 && core.y2 > pci.y2).toBe(true);
  });
  it("never finds overlaps in the pack layout, labels included, for the small design and generated estates", () => {
    for (const d of [smallDesign(), generateDesign(300, 3), generateDesign(2000, 7)]) {
      const pos = Object.fromEntries(packLayout(d));
      expect(overlappingSiblings(d, pos, true)).toEqual([]);
    }
  });
});

describe("repairLayout", () => {
  it("re-lays out a design whose saved positions overlap, and only then", () => {
    const bad = placed({ web: { x: 0, y: 0 }, api: { x: 60, y: 0 }, db: { x: 0, y: 100 }, pay: { x: 60, y: 100 } });
    const fixed = repairLayout(bad);
    expect(fixed).not.toBe(bad);
    expect(overlappingSiblings(fixed, fixed.layout!.positions!)).toEqual([]);
    expect(Object.keys(fixed.layout!.positions!).sort()).toEqual(["api", "db", "mail", "pay", "web"]);
    // everything but the layout is untouched
    expect({ ...fixed, layout: null }).toEqual({ ...bad, layout: null });
    const good = placed(Object.fromEntries(packLayout(smallDesign())));
    expect(repairLayout(good)).toBe(good);
    const none = { ...smallDesign(), layout: undefined };
    expect(repairLayout(none)).toBe(none);
  });
});

describe("separateSiblings", () => {
  it("moves overlapping sibling segments apart, each with everything inside it", () => {
    // edge (web) over core, whose own members (api, db and pci around pay) are clear of each other
    const d = placed({ web: { x: 0, y: 0 }, api: { x: 100, y: 0 }, db: { x: 250, y: 0 }, pay: { x: 175, y: 200 }, mail: { x: 400, y: 400 } });
    const pos = d.layout!.positions!;
    expect(overlappingSiblings(d, pos)).toEqual(["g:core|g:edge"]);
    const out = separateSiblings(d, pos);
    expect(overlappingSiblings(d, out, true)).toEqual([]);
    // core's members (api, db, and pay in the nested pci) keep their places relative to each other
    const rel = (p: Record<string, { x: number; y: number } | undefined>, a: string, b: string) => [p[b]!.x - p[a]!.x, p[b]!.y - p[a]!.y];
    expect(rel(out, "api", "db")).toEqual(rel(pos, "api", "db"));
    expect(rel(out, "api", "pay")).toEqual(rel(pos, "api", "pay"));
    expect(pos.web).toEqual({ x: 0, y: 0 }); // the input is not changed
  });
  it("leaves a clean layout as it is", () => {
    const pos = packLayout(smallDesign());
    const clean = Object.fromEntries([...pos].filter(([k]) => k !== "internet"));
    expect(separateSiblings(smallDesign(), clean)).toEqual(clean);
  });
  it("clears every overlap of generated estates scattered at random", () => {
    for (const [services, seed] of [[300, 1], [300, 2], [2000, 3]] as const) {
      const d = generateDesign(services, seed);
      let x = seed;
      const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 10 * services;
      const pos = Object.fromEntries((d.services ?? []).map((s) => [s.id, { x: rnd(), y: rnd() }]));
      expect(overlappingSiblings(d, pos).length).toBeGreaterThan(0);
      expect(overlappingSiblings(d, separateSiblings(d, pos), true)).toEqual([]);
    }
  });
});

describe("the examples' saved layouts", () => {
  it("open as saved: no sibling overlap, so nothing is laid out again", async () => {
    for (const name of ["fintech", "online-boutique"]) {
      const d = (await import(`../../../examples/${name}.bulkhead.json`)).default as Design;
      expect(Object.keys(d.layout?.positions ?? {}).length, name).toBeGreaterThan(0);
      expect(overlappingSiblings(d, d.layout!.positions!), name).toEqual([]);
      expect(repairLayout(d), name).toBe(d);
    }
  });
});
