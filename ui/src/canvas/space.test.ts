import { describe, expect, it } from "vitest";
import cytoscape, { type ElementDefinition } from "cytoscape";
import { spaceKeys, warmTakesUpSpace, type SpaceEle } from "./space";

/** `takesUpSpace()` and `pstyle` (Cytoscape's internal API, so typed here). */
type Internal = { takesUpSpace(): boolean; pstyle(name: string): { value: unknown }; width(): number; height(): number };
const internal = (e: unknown) => e as Internal;

/** Nested segments, one not displayed, one empty, a zero-width flow, a self-loop and a flow between segments. */
function graph() {
  const elements: ElementDefinition[] = [
    { data: { id: "top" } },
    { data: { id: "mid", parent: "top" } },
    { data: { id: "hidden", parent: "top" } },
    { data: { id: "empty" } },
    { data: { id: "a", parent: "mid" }, position: { x: 0, y: 0 } },
    { data: { id: "b", parent: "mid" }, position: { x: 100, y: 0 } },
    { data: { id: "c", parent: "hidden" }, position: { x: 0, y: 200 } },
    { data: { id: "d" }, position: { x: 300, y: 0 } },
    { data: { id: "z", parent: "top" }, position: { x: 0, y: 300 } },
    { data: { id: "ab", source: "a", target: "b" } },
    { data: { id: "ac", source: "a", target: "c" } },
    { data: { id: "ca", source: "c", target: "a" } },
    { data: { id: "ad", source: "a", target: "d" } },
    { data: { id: "aa", source: "a", target: "a" } },
    { data: { id: "thin", source: "b", target: "d" } },
    { data: { id: "dz", source: "d", target: "z" } },
    { data: { id: "gone", source: "d", target: "a" } },
  ];
  return cytoscape({
    headless: true,
    styleEnabled: true,
    style: [
      { selector: "node", style: { width: 40, height: 40 } },
      { selector: "#hidden", style: { display: "none" } },
      { selector: "#z", style: { width: 0 } },
      { selector: "#thin", style: { width: 0 } },
      { selector: "#gone", style: { display: "none" } },
    ],
    elements,
  });
}

describe("warmTakesUpSpace", () => {
  it("finds the keys of Cytoscape's style cache", () => {
    const keys = spaceKeys();
    expect(keys).not.toBeNull();
    expect(keys!.takesUpSpace).not.toBe(keys!.eleTakesUpSpace);
  });

  it("gives every flow Cytoscape's own answer, which Cytoscape then reads from its cache", () => {
    const keys = spaceKeys()!;
    const theirs = graph();
    const expected = theirs.edges().map((e) => [e.id(), internal(e).takesUpSpace()]);
    expect(expected.filter(([, v]) => v === false).length).toBeGreaterThan(3);
    const ours = graph();
    // The canvas applies every style before a frame (`bulk`), as here.
    ours.elements().forEach((e) => void internal(e).pstyle("display"));
    const edges = ours.edges().toArray() as unknown as SpaceEle[];
    warmTakesUpSpace(edges, keys);
    expect(edges.map((e) => e._private.styleCache?.[keys.takesUpSpace])).toEqual(expected.map(([, v]) => v));
    // Cytoscape answers from the cache: a wrong value written there would be what it says.
    const first = edges[0]!;
    first._private.styleCache![keys.takesUpSpace] = false;
    expect(internal(ours.getElementById("ab")).takesUpSpace()).toBe(false);
    expect(ours.edges().slice(1).map((e) => [e.id(), internal(e).takesUpSpace()])).toEqual(expected.slice(1));
    // Each node's and segment's own answer is Cytoscape's too.
    const nodes = ours.nodes().toArray() as unknown as SpaceEle[];
    const fresh = graph();
    for (const n of nodes) {
      const v = n._private.styleCache?.[keys.eleTakesUpSpace];
      if (v == null) continue;
      const id = (n as unknown as { id(): string }).id();
      const m = internal(fresh.getElementById(id));
      expect([id, v]).toEqual([id, m.pstyle("display").value === "element" && m.width() !== 0 && m.height() !== 0]);
    }
  });

  it("leaves cached answers and removed flows alone", () => {
    const keys = spaceKeys()!;
    const cy = graph();
    const ab = cy.getElementById("ab") as unknown as SpaceEle;
    (ab._private.styleCache ??= [])[keys.takesUpSpace] = false;
    const removed = cy.getElementById("ad").remove() as unknown as SpaceEle;
    warmTakesUpSpace([ab, removed], keys);
    expect(ab._private.styleCache![keys.takesUpSpace]).toBe(false);
    expect(removed._private.styleCache?.[keys.takesUpSpace]).toBeUndefined();
  });
});
