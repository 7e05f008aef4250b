//! Which of Cytoscape's style caches a style change clears. Cytoscape keeps, per element, a
//! cache of state derived from its style (`visible()`, `interactive()`, `takesUpSpace()`,
//! `isBundledBezier()`); every style property it applies to an element clears, in a graph with
//! compound nodes, that cache for the element, all of its descendants and ancestors and every
//! edge of those (`dirtyStyleCache`), even when the value did not change. Mapped properties
//! (`label: data(label)`) are applied again whenever an element is restyled, and so are the
//! ancestors of a selected service: selecting one service in the 2,000-service estate cleared
//! the caches of its top-level segment's whole subtree, thousands of elements, and the next
//! frame walked every one of their ancestors again (60 ms of a select in Chromium, more in
//! WebKitGTK); a filter's fade did the same.
//!
//! Here a property clears those caches only when it can change what they hold: the properties
//! the derived state reads (`DERIVED`) clear what Cytoscape clears, any other property (a
//! colour, a border, a label) clears nothing. Opacity is read only as zero or not
//! (`visible()`), so 1 → 0.12 (the filter's fade) clears nothing either. Bounds and z-order
//! triggers are checked as before.

import type { Core } from "cytoscape";

/**
 * The style properties Cytoscape 3.35's cached derived state reads: `eleTakesUpSpace` (display,
 * width, height), `eleInteractive` and `parentInteractive` (events, visibility), `eleVisible`
 * (visibility, opacity as zero or not), `isBundledBezier` (curve-style).
 */
const DERIVED = new Set(["display", "width", "height", "events", "visibility", "curve-style"]);

/** An element as the caches are kept on it (Cytoscape internals, typed here). */
export interface CachedEle {
  dirtyStyleCache(): unknown;
}

/**
 * Whether the change of `name` from `from` to `to` (`shownValues`) can change the derived state
 * of the element or of its relatives. A value that did not change cannot.
 */
export function changesDerivedState(name: string, from: unknown, to: unknown): boolean {
  if (name === "opacity") return from == null || to == null ? from !== to : (from === 0) !== (to === 0);
  return DERIVED.has(name) && !unchanged(from, to);
}

/** A parsed style property as the trigger checks see it: its `pfValue`, else its `value`. */
interface Parsed {
  value: unknown;
  pfValue?: unknown;
}

/**
 * `from` and `to` as the element shows them. Cytoscape keeps no value for a property at its
 * default and passes `null` for it, which its triggers read as "could be anything": a fade from
 * the default opacity (1) to 0.12 then counted as a change from zero and re-sorted the drawing
 * order of every element.
 */
export function shownValues(style: { getDefaultProperty(name: string): Parsed | undefined }, name: string, from: unknown, to: unknown): [unknown, unknown] {
  if (from != null && to != null) return [from, to];
  const d = style.getDefaultProperty(name);
  const fallback = d == null ? null : (d.pfValue ?? d.value);
  return [from ?? fallback, to ?? fallback];
}

/** Nothing the element shows changed (arrays are new objects on every parse: counted as changed). */
export function unchanged(from: unknown, to: unknown): boolean {
  return from === to && (from === null || typeof from !== "object");
}

interface StyleProto {
  getDefaultProperty(name: string): Parsed | undefined;
  checkTriggers(this: StyleProto, ele: CachedEle, name: string, from: unknown, to: unknown): void;
  checkZOrderTrigger(ele: CachedEle, name: string, from: unknown, to: unknown): void;
  checkBoundsTrigger(ele: CachedEle, name: string, from: unknown, to: unknown): void;
  checkConnectedEdgesBoundsTrigger(ele: CachedEle, name: string, from: unknown, to: unknown): void;
  checkParallelEdgesBoundsTrigger(ele: CachedEle, name: string, from: unknown, to: unknown): void;
  __bulkheadStyleCache?: true;
}

/**
 * Replace Cytoscape's `checkTriggers` (run for every style property applied to an element) with
 * one that clears the derived-state caches only where `changesDerivedState`, then checks the bounds and
 * z-order triggers as Cytoscape does. Installed once on Cytoscape's style prototype (shared by
 * every instance); `bulk` (./view.ts) swaps it for its own during a batch.
 */
export function installStyleCacheInvalidation(cy: Core): void {
  const style = Object.getPrototypeOf(cy.style()) as StyleProto;
  if (style.__bulkheadStyleCache || typeof style.checkTriggers !== "function" || typeof style.checkZOrderTrigger !== "function") return;
  style.__bulkheadStyleCache = true;
  style.checkTriggers = function checkTriggersWhereChanged(this: StyleProto, ele, name, rawFrom, rawTo) {
    const [from, to] = shownValues(this, name, rawFrom, rawTo);
    // Nothing changed: no cache to clear, no trigger can fire.
    if (unchanged(from, to)) return;
    if (changesDerivedState(name, from, to)) ele.dirtyStyleCache();
    this.checkZOrderTrigger(ele, name, from, to);
    this.checkBoundsTrigger(ele, name, from, to);
    this.checkConnectedEdgesBoundsTrigger(ele, name, from, to);
    this.checkParallelEdgesBoundsTrigger(ele, name, from, to);
  };
}
