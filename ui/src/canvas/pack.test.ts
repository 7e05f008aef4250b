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
  it("places every service where it did when each of the 25 row widths tried placed every member", () => {
    // Digests of the layouts main made before the tries only sized their rows (1d591c7, session
    // 11): the same rows win, so every position is the same number.
    const digest = (pos: Map<string, { x: number; y: number }>) => {
      const text = [...pos].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, p]) => `${id} ${p.x} ${p.y}`).join("\n");
      // FNV-1a, twice over with different seeds: 64 bits of the whole text.
      let h1 = 0x811c9dc5;
      let h2 = 0x01000193;
      for (let i = 0; i < text.length; i++) {
        h1 = Math.imul(h1 ^ text.charCodeAt(i), 16777619) >>> 0;
        h2 = Math.imul(h2 ^ text.charCodeAt(i), 2246822519) >>> 0;
      }
      return `${h1.toString(16).padStart(8, "0")}${h2.toString(16).padStart(8, "0")}:${text.length}`;
    };
    const designs = [smallDesign(), generateDesign(200, 1), generateDesign(300, 3), generateDesign(2000, 7), generateDesign(5000, 11)];
    expect(designs.map((d) => digest(packLayout(d)))).toEqual(["afb0aba9176470bf:76", "f7b6df230ee188b5:4868", "89f6b4b3efdcb17d:7318", "c3a3ba482fb1f51e:51108", "e22f1bcdeb8b56cb:132170"]);
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
  it("moves boxes apart by what the canvas draws, where that is larger than the estimates", () => {
    // Every drawn box larger than estimated (badges, thick borders, a label's size): a service
    // and a segment's label 20 px past the estimate each side, a segment's padding 30 px.
    // edge (web) 30 px left of core (api, db, and pay in pci) by the estimates, more than the
    // margin kept around each box
    const far: Record<string, { x: number; y: number }> = { web: { x: 0, y: 0 }, api: { x: 1000, y: 0 }, db: { x: 1150, y: 0 }, pay: { x: 1075, y: 200 }, mail: { x: 0, y: 1000 } };
    const est = segmentBoxes(smallDesign(), far, true);
    const left = est.get("core")!.x1 - est.get("edge")!.x2 - 30;
    const pos = Object.fromEntries(Object.entries(far).map(([id, p]) => [id, id === "web" || id === "mail" ? p : { x: p.x - left, y: p.y }]));
    const d = placed(pos);
    const services = new Map(["web", "api", "db", "pay", "mail"].map((id) => [id, { x1: -95, y1: -43, x2: 95, y2: 70 }]));
    const half = (id: string) => (est.get(id)!.x2 - est.get(id)!.x1) / 2 + 20;
    const segments = new Map(["edge", "core", "pci"].map((id) => [id, { pad: { x1: 30, y1: 30, x2: 30, y2: 30 }, label: { x1: -half(id), y1: -34, x2: half(id), y2: -4 } }]));
    const drawn = { services, segments };
    expect(overlappingSiblings(d, pos, true)).toEqual([]);
    expect(overlappingSiblings(d, pos, true, drawn)).toEqual(["g:core|g:edge"]);
    expect(separateSiblings(d, pos)).toEqual(pos); // the estimates see nothing to move
    const out = separateSiblings(d, pos, drawn);
    expect(overlappingSiblings(d, out, true, drawn)).toEqual([]);
    expect(out.web!.x - out.api!.x).toBeLessThan(pos.web!.x - pos.api!.x);
  });
  it("a segment's measured box is its children's boxes, its padding and its label", () => {
    const drawn = {
      services: new Map([["web", { x1: -30, y1: -29, x2: 30, y2: 50 }]]),
      segments: new Map([["edge", { pad: { x1: 27, y1: 28, x2: 27, y2: 29 }, label: { x1: -120, y1: -25, x2: 120, y2: -3 } }]]),
    };
    const box = segmentBoxes(placed({ web: { x: 10, y: 20 } }), { web: { x: 10, y: 20 } }, true, drawn).get("edge");
    // body: x 10-30-27 .. 10+30+27, y 20-29-28 .. 20+50+29; the label is wider than it and above it
    expect(box).toEqual({ x1: 10 - 120, y1: 20 - 29 - 28 - 25, x2: 10 + 120, y2: 20 + 50 + 29 });
  });
  it("clears every overlap of generated estates scattered at random, by measured boxes", () => {
    for (const [services, seed] of [[300, 4], [2000, 5]] as const) {
      const d = generateDesign(services, seed);
      const drawn = {
        services: new Map((d.services ?? []).map((s, i) => [s.id, { x1: -80 - (i % 7), y1: -30 - (i % 5), x2: 80 + (i % 3), y2: 56 + (i % 4) }])),
        segments: new Map((d.segments ?? []).map((s, i) => [s.id, { pad: { x1: 27 + (i % 3), y1: 28, x2: 27, y2: 28 + (i % 2) }, label: { x1: -40 - (i % 200), y1: -26, x2: 40 + (i % 200), y2: -4 } }])),
      };
      let x = seed;
      const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648) * 10 * services;
      const pos = Object.fromEntries((d.services ?? []).map((s) => [s.id, { x: rnd(), y: rnd() }]));
      expect(overlappingSiblings(d, pos, true, drawn).length).toBeGreaterThan(0);
      expect(overlappingSiblings(d, separateSiblings(d, pos, drawn), true, drawn)).toEqual([]);
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
