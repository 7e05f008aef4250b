//! A class set on (or cleared from) thousands of elements at once, the filter's fade, with only
//! what that class changes applied. Cytoscape restyles an element whose classes change as if
//! everything about it could have changed: in a graph with segments it restyles the element's
//! ancestors and descendants too (`updateStyle`), matches every selector of the stylesheet
//! against each of them again, re-applies every mapped property (labels, widths), hashes each
//! one's whole style again (labels and badge images character by character), emits a `style`
//! event per element that bubbles up through its segments, and the renderer then takes each of
//! them as changed. Fading 2,000 services and their flows was 330 ms of that in WebKitGTK, for
//! an opacity.
//!
//! `setClass` keeps Cytoscape's model as it is and does the part of that work the class can
//! change: the element's class set, the match of the stylesheet's rules that name the class
//! (only those can match differently), the properties those rules set, looked up in Cytoscape's
//! own cascade for the element's new set of matching rules (so a later rule still wins, and the
//! property falls back to the earlier rule or the default when the class goes). When those
//! properties are only read as the element is drawn (`PAINTED`: the fade's opacity), nothing the
//! renderer keeps of the element depends on them: its textures are keyed by hashes of other
//! properties and take the opacity when they are drawn, its geometry and label are unchanged.
//! Only the layered textures (elements drawn together, at their opacity) and our overview
//! (./overview.ts, told by `PAINT_STYLE_EVENT`) are redrawn. Any other property goes the way of
//! Cytoscape's next frame: the style hashes again, every renderer cache told of the element.
//! Anything this cannot do exactly (a rule naming the class that relates elements, a mapped
//! property, transitions, an element not styled yet) goes through Cytoscape's own
//! `toggleClass`. A Vitest oracle (classstyle.test.ts) compares the result with Cytoscape's
//! restyle of every element.

import type { Core } from "cytoscape";

/**
 * Emitted once on the core, with the elements, after `setClass` changed only `PAINTED`
 * properties of them: what draws elements by itself (./overview.ts) reads them again.
 */
export const PAINT_STYLE_EVENT = "bulkhead:paintstyle";

/**
 * Properties Cytoscape's canvas renderer reads only when it draws an element (as the alpha it
 * draws the element's textures, lines and labels with): no texture key, bounds or rendered style
 * depends on them. (A change to or from zero also changes visibility and the drawing order:
 * `applyParsedProperty`'s triggers see to that, as in any restyle.)
 */
const PAINTED = new Set(["opacity", "text-opacity"]);

/** A parsed style property as Cytoscape keeps it on an element or in a rule. */
interface Prop {
  name: string;
  mapped?: unknown;
  bypass?: boolean;
  mapping?: unknown;
}

/** One rule of the stylesheet (a "context"): its selector and its properties. */
interface Context {
  selector: { inputText?: string; compoundCount?: number; edgeCount?: number; matches(ele: ClassEle): boolean } | null;
  properties: Prop[];
  mappedProperties: Prop[];
}

/** What `setClass` uses of Cytoscape's style object (internal, so typed here). */
interface StyleInternals extends ArrayLike<Context> {
  getContextStyle(meta: { key: string }): Record<string, Prop | undefined>;
  applyParsedProperty(ele: ClassEle, prop: Prop | { name: string; delete?: true; deleteBypassed?: true }): boolean;
  updateStyleHints(ele: ClassEle): boolean;
}

/** What `setClass` reads and writes of an element (internal, so typed here). */
export interface ClassEle {
  _private: {
    classes: Set<string>;
    style: Record<string, Prop | undefined>;
    styleCxtKey?: string;
    styleDirty?: boolean;
  };
}

/** What `setClass` tells the renderer (internal). */
interface RendererHooks {
  /** Run by Cytoscape's next frame for every element whose style or geometry changed. */
  onUpdateEleCalcsFns?: ((willDraw: boolean, eles: unknown) => void)[];
  data?: { lyrTxrCache?: { invalidateElements(eles: unknown): void } };
  webgl?: boolean;
}

/**
 * The rules whose match depends on `cls` (their selector names it), with the properties they
 * set; null when one of them relates elements (a parent, a child, a flow's end), whose matches
 * other elements' classes change, or sets a mapped property: `setClass` then leaves the class to
 * Cytoscape.
 */
export function rulesNaming(style: ArrayLike<Context>, cls: string): { indices: number[]; names: string[] } | null {
  const token = new RegExp(`\\.${cls.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}(?![\\w-])`);
  const indices: number[] = [];
  const names = new Set<string>();
  for (let i = 0; i < style.length; i++) {
    const sel = style[i]!.selector;
    if (!sel || !token.test(sel.inputText ?? "")) continue;
    if ((sel.compoundCount ?? 0) > 0 || (sel.edgeCount ?? 0) > 0) return null;
    if (style[i]!.mappedProperties.length) return null;
    indices.push(i);
    for (const p of style[i]!.properties) names.add(p.name);
  }
  return { indices, names: [...names] };
}

/**
 * Set (`on`) or clear the class `cls` on `eles`, applying only the style it changes (see the
 * module doc). Elements that already have it as asked are left alone. Returns how many changed.
 */
export function setClass(cy: Core, eles: readonly ClassEle[], cls: string, on: boolean): number {
  const style = cy.style() as unknown as StyleInternals;
  const rules = rulesNaming(style, cls);
  const changed: ClassEle[] = [];
  const slow: ClassEle[] = [];
  const r = (cy as unknown as { renderer(): RendererHooks | undefined }).renderer?.();
  // The whole-style hash (`styleKey`) is read only by the WebGL renderer: with only painted
  // properties changed, the hashes the canvas renderer reads cannot change.
  const painted = !!rules && rules.names.every((n) => PAINTED.has(n)) && !r?.webgl;
  for (const ele of eles) {
    const p = ele._private;
    if (p.classes.has(cls) === on) continue;
    const key = p.styleCxtKey;
    // Not styled yet (or already due a restyle, which reads the classes), or something this
    // cannot apply exactly: Cytoscape's own path.
    if (!rules || p.styleDirty || !key || key.length !== style.length || hasTransitions(p.style)) {
      slow.push(ele);
      continue;
    }
    if (on) p.classes.add(cls);
    else p.classes.delete(cls);
    let next = key;
    for (const i of rules.indices) {
      const bit = style[i]!.selector!.matches(ele) ? "t" : "f";
      if (next[i] !== bit) next = next.slice(0, i) + bit + next.slice(i + 1);
    }
    if (next === key) continue;
    const cascade = style.getContextStyle({ key: next });
    // As Cytoscape's `applyContextStyle` does for a property whose rule changed: the winner of
    // the new cascade, or the property deleted back to its default (or to the value under a
    // bypass) when no rule sets it any more.
    for (const name of rules.names) {
      const want = cascade[name];
      const have = p.style[name];
      if (want === have) continue;
      if (want) style.applyParsedProperty(ele, want);
      else if (have) style.applyParsedProperty(ele, have.bypass ? { name, deleteBypassed: true } : { name, delete: true });
    }
    p.styleCxtKey = next;
    if (!painted) style.updateStyleHints(ele);
    changed.push(ele);
  }
  if (slow.length) cy.collection(slow as unknown as string).toggleClass(cls, on);
  if (changed.length) {
    const coll = cy.collection(changed as unknown as string);
    if (painted) {
      r?.data?.lyrTxrCache?.invalidateElements(coll);
      cy.emit(PAINT_STYLE_EVENT, [coll]);
    } else {
      // What the renderer's next frame does with an element whose style changed: its caches
      // compare their keys, the layered textures, the overview and the simulation layer drop
      // what they kept of it. Its geometry is unchanged, so nothing is recalculated.
      for (const fn of r?.onUpdateEleCalcsFns ?? []) fn(true, coll);
    }
    (cy as unknown as { notify(event: string, eles?: unknown): void }).notify("style", coll);
  }
  return changed.length + slow.length;
}

function hasTransitions(style: Record<string, Prop | undefined>): boolean {
  const t = style["transition-property"] as { value?: unknown } | undefined;
  return !!t && Array.isArray(t.value) && t.value.length > 0;
}
