//! Cytoscape's drawing order, sorted once per element instead of once per comparison. The
//! renderer sorts every element with a comparator that, on each of the ~n·log n comparisons,
//! reads six style properties and walks both elements' ancestors (`zDepth()` builds a
//! collection of the parents). With 7,900 elements in 670 nested segments that was 0.6 s of
//! WebKit's main thread on the first frame, and again whenever the order changes (observed
//! traffic and ghosts added or removed; the simulation draws on its own layer, ./simlayer.ts).
//! Here the same four keys are computed once per element and compared as numbers: the same
//! order (the last key, the pool index, is unique), cheaper.

import type { Core } from "cytoscape";

const MAX_INT = Number.MAX_SAFE_INTEGER;

/** What the sort reads of an element (Cytoscape's internal API, so typed here). */
export interface ZEle {
  pstyle(name: string): { value: unknown };
  isNode(): boolean;
  zDepth(): number;
  poolIndex(): number;
}

/** The keys Cytoscape's `zIndexSort` compares, in its order; `zDepth` may be a cached one. */
export function zKeys(ele: ZEle, hasCompoundNodes: boolean, zDepth: (ele: ZEle) => number = (e) => e.zDepth()): [number, number, number, number] {
  const compound = ele.pstyle("z-compound-depth").value;
  const depth = compound === "auto" ? (hasCompoundNodes ? zDepth(ele) : 0) : compound === "bottom" ? -1 : compound === "top" ? MAX_INT : 0;
  const eleDepth = ele.pstyle("z-index-compare").value === "auto" ? (ele.isNode() ? 1 : 0) : 0;
  return [depth, eleDepth, ele.pstyle("z-index").value as number, ele.poolIndex()];
}

/** `eles` in drawing order (first drawn first), as Cytoscape's comparator orders them. */
export function zSorted<E extends ZEle>(eles: readonly E[], hasCompoundNodes: boolean, zDepth?: (ele: ZEle) => number): E[] {
  const keyed = eles.map((ele) => ({ ele, k: zKeys(ele, hasCompoundNodes, zDepth) }));
  keyed.sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.k[2] - b.k[2] || a.k[3] - b.k[3]);
  return keyed.map((x) => x.ele);
}

/** What `nestingDepth` reads of an element (Cytoscape's internal API, so typed here). */
export interface DepthEle {
  isNode(): boolean;
  isParent(): boolean;
  _private: { parent?: DepthEle | null; source?: DepthEle; target?: DepthEle };
}

/**
 * Cytoscape 3.35's `zDepth()` without building a collection of each element's ancestors: a node
 * with children is drawn at the number of its ancestors, a childless node on top
 * (`MAX_SAFE_INTEGER - 1`, whatever its depth, which Cytoscape works out first all the same),
 * an edge at the larger of its ends'. The ancestors are counted along the parent pointers.
 */
export function nestingDepth(ele: DepthEle): number {
  if (!ele.isNode()) {
    const { source, target } = ele._private;
    return Math.max(source ? nestingDepth(source) : 0, target ? nestingDepth(target) : 0, 0);
  }
  if (!ele.isParent()) return MAX_INT - 1;
  let depth = 0;
  for (let p = ele._private.parent; p; p = p._private.parent) depth++;
  return depth;
}

/**
 * Give the sorted elements Cytoscape's `interactive` subset (what picking and box selection
 * search) when it is first read instead of at the sort. Working it out asks each element's
 * `interactive()`, which walks the ancestors of every node and of both ends of every edge
 * through a new collection each time: on a just-opened large design, in the first frame, which
 * draws without it; the first pointer move or tap reads it. The subset is the one Cytoscape
 * makes, of the elements as they are when it is read.
 */
export function lazyInteractive<E extends { interactive(): boolean }>(eles: E[] & { interactive?: E[] }): void {
  let subset: E[] | null = null;
  Object.defineProperty(eles, "interactive", {
    configurable: true,
    enumerable: false,
    get: () => (subset ??= eles.filter((ele) => ele.interactive())),
    set: (value: E[]) => void (subset = value),
  });
}

interface SortingRenderer {
  cy: { mutableElements(): unknown; hasCompoundNodes(): boolean };
  cachedZSortedEles: (ZEle[] & { interactive?: ZEle[] }) | null;
  getCachedZSortedEles(forceRecalc?: boolean): ZEle[];
  updateCachedGrabbedEles(): void;
  notify(event: string, eles?: unknown): unknown;
}

/**
 * Replace the renderer's `getCachedZSortedEles` with one that sorts by precomputed keys. The
 * nesting depth (the costly key: it walks the ancestors) only changes with the graph's structure,
 * so it is kept until an element is added, removed or moved to another segment; a z-index
 * change then re-sorts without walking any ancestor.
 */
export function installZOrder(cy: Core): void {
  const r = (cy as unknown as { renderer(): SortingRenderer | undefined }).renderer?.();
  if (!r || typeof r.getCachedZSortedEles !== "function" || typeof r.updateCachedGrabbedEles !== "function" || typeof r.notify !== "function") return;
  let depths = new WeakMap<ZEle, number>();
  // Through the renderer's notifications: `bulk` (./view.ts) skips the per-element `add` events.
  const notify = r.notify;
  r.notify = function forgetDepths(this: SortingRenderer, event: string, eles?: unknown) {
    if (event === "add" || event === "remove" || event === "move") depths = new WeakMap();
    return notify.call(this, event, eles);
  };
  const zDepth = (ele: ZEle): number => {
    let d = depths.get(ele);
    if (d === undefined) depths.set(ele, (d = nestingDepth(ele as unknown as DepthEle)));
    return d;
  };
  r.getCachedZSortedEles = function getZSortedByKeys(this: SortingRenderer, forceRecalc?: boolean) {
    if (!forceRecalc && this.cachedZSortedEles) return this.cachedZSortedEles;
    // The rest as Cytoscape does it: the interactive subset, and the grabbed (dragged) split.
    const all = (this.cy.mutableElements() as unknown as { toArray(): (ZEle & { interactive(): boolean })[] }).toArray();
    const eles = zSorted(all, this.cy.hasCompoundNodes(), zDepth) as ZEle[] & { interactive?: ZEle[] };
    lazyInteractive(eles as (ZEle & { interactive(): boolean })[]);
    this.cachedZSortedEles = eles;
    this.updateCachedGrabbedEles();
    return eles;
  };
}
