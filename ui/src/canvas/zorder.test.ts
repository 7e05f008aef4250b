import { describe, expect, it } from "vitest";
import cytoscape from "cytoscape";
import { lazyInteractive, nestingDepth, zSorted, type DepthEle, type ZEle } from "./zorder";

const MAX_INT = Number.MAX_SAFE_INTEGER;

function ele(name: string, kind: "node" | "edge", depth: number, pool: number, styles: Record<string, unknown> = {}): ZEle & { name: string } {
  const all: Record<string, unknown> = { "z-compound-depth": "auto", "z-index-compare": "auto", "z-index": 0, ...styles };
  return { name, pstyle: (n) => ({ value: all[n] }), isNode: () => kind === "node", zDepth: () => depth, poolIndex: () => pool };
}

/** Cytoscape 3.35's `zIndexSort`, restated: the order the keys must reproduce. */
function cytoscapeOrder(a: ZEle, b: ZEle): number {
  const depth = (e: ZEle) => {
    const v = e.pstyle("z-compound-depth").value;
    return v === "auto" ? e.zDepth() : v === "bottom" ? -1 : v === "top" ? MAX_INT : 0;
  };
  const eleDepth = (e: ZEle) => (e.pstyle("z-index-compare").value === "auto" ? (e.isNode() ? 1 : 0) : 0);
  return depth(a) - depth(b) || eleDepth(a) - eleDepth(b) || (a.pstyle("z-index").value as number) - (b.pstyle("z-index").value as number) || a.poolIndex() - b.poolIndex();
}

describe("z-order by precomputed keys", () => {
  it("segments by depth under flows under services; z-index and insertion order break ties", () => {
    const eles = [
      ele("svc-b", "node", MAX_INT - 1, 7),
      ele("flow-hi", "edge", MAX_INT - 1, 9, { "z-index": 10 }),
      ele("inner", "node", 1, 2),
      ele("svc-a", "node", MAX_INT - 1, 6),
      ele("flow", "edge", MAX_INT - 1, 8),
      ele("outer", "node", 0, 1),
      ele("pinned", "node", 3, 0, { "z-compound-depth": "top" }),
    ];
    expect(zSorted(eles, true).map((e) => e.name)).toEqual(["outer", "inner", "flow", "flow-hi", "svc-a", "svc-b", "pinned"]);
  });

  it("the same order as Cytoscape's comparator on a shuffled mix", () => {
    const kinds: ("node" | "edge")[] = ["node", "edge"];
    const eles = Array.from({ length: 300 }, (_, i) => ele(`e${i}`, kinds[(i * 7) % 2]!, [0, 1, 2, MAX_INT - 1][(i * 13) % 4]!, (i * 101) % 300, { "z-index": (i * 5) % 3, "z-compound-depth": ["auto", "auto", "bottom", "orphan"][(i * 3) % 4] }));
    expect(zSorted(eles, true).map((e) => e.name)).toEqual([...eles].sort(cytoscapeOrder).map((e) => e.name));
  });

  it("without compound nodes every depth is 0", () => {
    const eles = [ele("a", "node", 5, 1), ele("b", "edge", 0, 0)];
    expect(zSorted(eles, false).map((e) => e.name)).toEqual(["b", "a"]);
  });

  it("takes the nesting depth from the given (cached) function instead of walking the ancestors", () => {
    const walk = (): number => {
      throw new Error("walked the ancestors");
    };
    const eles = [{ ...ele("svc", "node", 0, 1), zDepth: walk }, { ...ele("seg", "node", 0, 0), zDepth: walk }];
    const cached = new Map([["svc", MAX_INT - 1], ["seg", 0]]);
    expect(zSorted(eles, true, (e) => cached.get((e as unknown as { name: string }).name)!).map((e) => e.name)).toEqual(["seg", "svc"]);
  });
});

describe("nesting depth and the interactive subset, against Cytoscape itself", () => {
  // A headless Cytoscape with style: nested segments, services at several depths, flows
  // between them and to a top-level node, a hidden segment, a service without events.
  const graph = () =>
    cytoscape({
      headless: true,
      styleEnabled: true,
      style: [
        { selector: "node", style: { width: 20, height: 20 } },
        { selector: "#hidden", style: { visibility: "hidden" } },
        { selector: "#deaf", style: { events: "no" } },
        { selector: "#gone", style: { display: "none" } },
      ],
      elements: [
        { data: { id: "outer" } },
        { data: { id: "inner", parent: "outer" } },
        { data: { id: "innermost", parent: "inner" } },
        { data: { id: "hidden" } },
        { data: { id: "a", parent: "innermost" }, position: { x: 0, y: 0 } },
        { data: { id: "b", parent: "outer" }, position: { x: 50, y: 0 } },
        { data: { id: "c" }, position: { x: 100, y: 0 } },
        { data: { id: "d", parent: "hidden" }, position: { x: 150, y: 0 } },
        { data: { id: "deaf", parent: "inner" }, position: { x: 200, y: 0 } },
        { data: { id: "gone" }, position: { x: 250, y: 0 } },
        { data: { id: "ab", source: "a", target: "b" } },
        { data: { id: "bc", source: "b", target: "c" } },
        { data: { id: "cd", source: "c", target: "d" } },
        { data: { id: "aa", source: "a", target: "a" } },
        { data: { id: "cgone", source: "c", target: "gone" } },
        { data: { id: "deafc", source: "deaf", target: "c" } },
      ],
    });

  it("nestingDepth equals Cytoscape's zDepth for every node and edge", () => {
    const cy = graph();
    const eles = cy.elements().toArray() as unknown as (ZEle & DepthEle & { id(): string })[];
    expect(eles.map((e) => [e.id(), nestingDepth(e)])).toEqual(eles.map((e) => [e.id(), e.zDepth()]));
    // Both kinds of node and edge depth occur.
    expect(new Set(eles.map((e) => e.zDepth()))).toEqual(new Set([0, 1, 2, MAX_INT - 1]));
  });

  it("the interactive subset, read later, is Cytoscape's filter of the same elements", () => {
    const cy = graph();
    type E = { interactive(): boolean; id(): string };
    const eles = cy.elements().toArray() as unknown as E[] & { interactive?: E[] };
    const want = eles.filter((e) => e.interactive()).map((e) => e.id());
    lazyInteractive(eles);
    expect(eles.interactive!.map((e) => e.id())).toEqual(want);
    expect(want).not.toContain("deaf");
    expect(want).not.toContain("gone");
    expect(want).toContain("ab");
    // Read once, kept: the same array every time; and it can be replaced as a plain field can.
    expect(eles.interactive).toBe(eles.interactive);
    eles.interactive = [];
    expect(eles.interactive).toEqual([]);
  });
});
