//! Whether each flow takes up space, worked out once per segment instead of once per flow end.
//! Before placing the flows (`findEdgeControlPoints`), Cytoscape asks every flow whether it
//! takes up space (`takesUpSpace()`: the flow and both ends, and every segment around each end,
//! displayed with a size), and on first asking each flow builds a collection of the ancestors of
//! both its ends. On 2,000 services that is 5,226 flows, each walking two chains of segments
//! through new collections, on the framing of a just-opened design and again whenever a flow's
//! style cache is cleared. Here the same answers are worked out with each node's chain answered
//! once per call, and written into Cytoscape's own style cache, where its `takesUpSpace()` then
//! finds them. The answers are Cytoscape 3.35's rules, restated; Vitest checks them against
//! Cytoscape's own on nested, hidden and empty segments.

import cytoscape, { type Core } from "cytoscape";

/** What `warmTakesUpSpace` reads of an element (Cytoscape's internal API, so typed here). */
export interface SpaceEle {
  isNode(): boolean;
  removed(): boolean;
  pstyle(name: string): { value: unknown };
  width(): number;
  height(): number;
  _private: { styleCache?: Record<number, boolean | undefined> | null; parent?: SpaceEle | null; source?: SpaceEle; target?: SpaceEle };
}

/** The keys of Cytoscape's style cache under which it keeps `takesUpSpace()` and `eleTakesUpSpace`. */
export interface SpaceKeys {
  takesUpSpace: number;
  eleTakesUpSpace: number;
}

let found: SpaceKeys | null | undefined;

/**
 * The cache keys, found by asking Cytoscape once on a scratch graph: a node inside a segment
 * that is not displayed takes up space itself (`eleTakesUpSpace` true) but not with its
 * segment (`takesUpSpace()` false), which tells the two keys apart. Null when this Cytoscape
 * keeps them some other way (then nothing is warmed and Cytoscape works them out as before).
 */
export function spaceKeys(): SpaceKeys | null {
  if (found !== undefined) return found;
  found = null;
  try {
    const scratch = cytoscape({
      headless: true,
      styleEnabled: true,
      style: [{ selector: "#p", style: { display: "none" } }],
      elements: [{ data: { id: "p" } }, { data: { id: "c", parent: "p" } }],
    });
    const child = scratch.getElementById("c") as unknown as SpaceEle & { takesUpSpace(): boolean };
    // The first question applies the styles, which clears the caches it is writing to.
    child.takesUpSpace();
    for (const ele of scratch.nodes().toArray() as unknown as SpaceEle[]) ele._private.styleCache = null;
    if (child.takesUpSpace() !== false) return found;
    const cache = child._private.styleCache ?? {};
    const entries = Object.keys(cache).map((k) => [Number(k), cache[Number(k)]] as const);
    const no = entries.filter(([, v]) => v === false);
    const yes = entries.filter(([, v]) => v === true);
    if (entries.length !== 2 || no.length !== 1 || yes.length !== 1) return found;
    found = { takesUpSpace: no[0]![0], eleTakesUpSpace: yes[0]![0] };
    scratch.destroy();
  } catch {
    found = null;
  }
  return found;
}

/**
 * Cytoscape's `takesUpSpace()` of each flow in `edges` not already cached, written into its
 * style cache (with each node's and segment's own answer, `eleTakesUpSpace`, as Cytoscape
 * keeps it). A flow takes up space when it, both its ends and every segment around each end
 * are displayed (`display: element`) with a size (a node's width and height, a flow's width).
 * Styles do not change during the call, so one answer per node holds for every flow.
 */
export function warmTakesUpSpace(edges: ArrayLike<SpaceEle>, keys: SpaceKeys): void {
  // The cache is read again after each answer: reading a style not yet applied applies it,
  // which clears the element's cache (as it does in Cytoscape's own `styleCache`).
  const cacheOf = (ele: SpaceEle) => (ele._private.styleCache ??= []) as Record<number, boolean | undefined>;
  const own = (ele: SpaceEle): boolean => {
    let v = ele._private.styleCache?.[keys.eleTakesUpSpace];
    if (v == null) {
      v = ele.pstyle("display").value === "element" && ele.width() !== 0 && (ele.isNode() ? ele.height() !== 0 : true);
      cacheOf(ele)[keys.eleTakesUpSpace] = v;
    }
    return v;
  };
  // A node and every segment around it: Cytoscape checks the node, then its ancestors nearest
  // first, stopping at the first that does not take up space.
  const chains = new Map<SpaceEle, boolean>();
  const chain = (n: SpaceEle): boolean => {
    let v = chains.get(n);
    if (v === undefined) {
      const parent = n._private.parent;
      v = own(n) && (!parent || chain(parent));
      chains.set(n, v);
    }
    return v;
  };
  for (let i = 0; i < edges.length; i++) {
    const edge = edges[i]!;
    if (edge.isNode() || edge.removed()) continue;
    if (edge._private.styleCache?.[keys.takesUpSpace] != null) continue;
    const { source, target } = edge._private;
    if (!source || !target) continue;
    const v = own(edge) && chain(source) && (source === target || chain(target));
    cacheOf(edge)[keys.takesUpSpace] = v;
  }
}

/**
 * Warm each flow's `takesUpSpace()` before Cytoscape places the flows (`findEdgeControlPoints`,
 * called on the framing of a design and in frames after a flow or its ends changed).
 */
export function installSpaceMemo(cy: Core): void {
  const keys = spaceKeys();
  type Renderer = { findEdgeControlPoints?: (edges: ArrayLike<SpaceEle>) => unknown };
  const r = (cy as unknown as { renderer(): Renderer | undefined }).renderer?.();
  const place = r?.findEdgeControlPoints;
  if (!keys || !r || !place) return;
  const compound = () => (cy as unknown as { hasCompoundNodes(): boolean }).hasCompoundNodes();
  r.findEdgeControlPoints = function placeWithSpace(this: Renderer, edges: ArrayLike<SpaceEle>) {
    // Without segments Cytoscape walks no ancestors, and one flow gains nothing from a memo.
    if (edges && edges.length > 1 && compound()) warmTakesUpSpace(edges, keys);
    return place.call(this, edges);
  };
}
