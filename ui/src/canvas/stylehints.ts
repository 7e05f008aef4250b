//! Cytoscape's style hints, the same numbers worked out faster. After applying an element's
//! style, Cytoscape (3.35, `updateStyleHints`) hashes every property the element has into one
//! running hash per property group (label dimensions, node body, border, background image…) and
//! from those derives the keys its renderer caches by: textures, label sizes and places, node
//! shapes. A string property is hashed a character at a time, and each character went through
//! four closures that looked the group's hash up again in the element's key table: on the
//! 2,000-service estate that is about 770,000 characters per open (the badges' data URLs, the
//! flows' colours as `rgb(…)` strings, the font family, the labels): a third of applying the
//! styles (`bulk:style`) in Chromium's profile of the open. In WebKitGTK, with the code warm, the
//! same page ran Cytoscape's over every element in 35–93 ms and this one in 23–81 ms; in the
//! first, cold pass (an open) no gain was shown (docs/performance-app.md, session 11). Here the same hashes (`hashInt`, `hashIntAlt`: the same expressions on
//! the same values in the same order) run in a loop over local numbers; the derived keys are
//! worked out as Cytoscape does, with its own label hash. So every key is the number Cytoscape
//! would have made, and nothing that is cached or drawn changes (`stylehints.test.ts` compares
//! every key with Cytoscape's own function, element by element).

import type { Core } from "cytoscape";

// Cytoscape's hash constants and helpers (util/hash.mjs), restated exactly.
const SEED = 9261;
const SEED_ALT = 5381;
const K = 65599;
/** `cleanNum` in Cytoscape: small fractions raised so their digits reach the 32-bit hash. */
const N = 2000000000;
type Pair = [number, number];
const hashInt = (num: number, seed: number): number => (seed * K + num) | 0;
const hashIntAlt = (num: number, seed: number): number => ((seed << 5) + seed + num) | 0;
const combine = (h: Pair): number => h[0] * 0x200000 + h[1];
const hashArrays = (a: Pair, b: Pair): Pair => [hashInt(a[0], b[0]), hashIntAlt(a[1], b[1])];

/** A property as Cytoscape keeps it on an element (internal, so typed here). */
interface ParsedProp {
  strValue: string;
  pfValue?: number | null;
  value?: unknown;
  units?: string | null;
}
interface PropInfo {
  type: { number?: boolean; multiple?: boolean };
  groupKey: string;
  enums?: unknown;
  hashOverride?: (ele: HintEle, prop: ParsedProp) => number | null | undefined;
}
interface HintEle {
  removed(): boolean;
  _private: {
    group: string;
    style: Record<string, ParsedProp | undefined>;
    styleKeys: Record<string, Pair>;
    styleKey: number | null;
    labelDimsKey: number | null;
    labelKey: number | null;
    labelStyleKey: number | null;
    sourceLabelKey?: number | null;
    sourceLabelStyleKey?: number | null;
    targetLabelKey?: number | null;
    targetLabelStyleKey?: number | null;
    nodeKey?: number | null;
    hasPie?: boolean | null;
    hasStripe?: boolean | null;
  };
}
export interface HintsStyle {
  properties: Record<string, PropInfo>;
  propertyGroupKeys: string[];
  getPropertiesHash(ele: HintEle, names: string[], seed: Pair): Pair;
  updateStyleHints(ele: HintEle): boolean;
}

/** Marks the function installed, and keeps Cytoscape's own (for the tests). */
const ORIGINAL = Symbol("cytoscape's updateStyleHints");
type Installed = HintsStyle["updateStyleHints"] & { [ORIGINAL]?: HintsStyle["updateStyleHints"] };

/**
 * Cytoscape's `updateStyleHints`, restated with the hashing in local variables. Returns whether
 * the element's overall style key changed, as Cytoscape's does.
 */
export function updateStyleHints(this: HintsStyle, ele: HintEle): boolean {
  const _p = ele._private;
  const oldStyleKey = _p.styleKey;
  if (ele.removed()) return false;
  const isNode = _p.group === "nodes";
  const grKeys = this.propertyGroupKeys;
  const keys = _p.styleKeys;
  for (let i = 0; i < grKeys.length; i++) keys[grKeys[i]!] = [SEED, SEED_ALT];
  const style = _p.style;
  const names = Object.keys(style);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const parsed = style[name];
    if (parsed == null) continue;
    const info = this.properties[name]!;
    const type = info.type;
    const key = keys[info.groupKey]!;
    let h1 = key[0];
    let h2 = key[1];
    let norm: unknown;
    if (info.hashOverride != null) norm = info.hashOverride(ele, parsed);
    else if (parsed.pfValue != null) norm = parsed.pfValue;
    // Might not be a number if the property allows keywords.
    const numberVal = info.enums == null ? parsed.value : null;
    const haveNorm = norm != null;
    const haveNum = haveNorm || numberVal != null;
    if (type.number && haveNum && !type.multiple) {
      // `as number`: Cytoscape applies the same arithmetic to whatever the value is.
      const raw = (haveNorm ? norm : numberVal) as number;
      const v = -128 < raw && raw < 128 && Math.floor(raw) !== raw ? N - ((raw * 1024) | 0) : raw;
      h1 = (h1 * K + v) | 0;
      h2 = ((h2 << 5) + h2 + v) | 0;
      const units = parsed.units;
      if (!haveNorm && units != null) {
        for (let j = 0; j < units.length; j++) {
          const ch = units.charCodeAt(j);
          h1 = (h1 * K + ch) | 0;
          h2 = ((h2 << 5) + h2 + ch) | 0;
        }
      }
    } else {
      const s = parsed.strValue;
      for (let j = 0; j < s.length; j++) {
        const ch = s.charCodeAt(j);
        h1 = (h1 * K + ch) | 0;
        h2 = ((h2 << 5) + h2 + ch) | 0;
      }
    }
    key[0] = h1;
    key[1] = h2;
  }
  // The overall style key and the derived keys, as Cytoscape works them out.
  let hash: Pair = [SEED, SEED_ALT];
  for (let i = 0; i < grKeys.length; i++) {
    const gr = keys[grKeys[i]!]!;
    hash = [hashInt(gr[0], hash[0]), hashIntAlt(gr[1], hash[1])];
  }
  _p.styleKey = combine(hash);
  const labelDims = keys.labelDimensions!;
  _p.labelDimsKey = combine(labelDims);
  const labelKeys = this.getPropertiesHash(ele, ["label"], labelDims);
  _p.labelKey = combine(labelKeys);
  _p.labelStyleKey = combine(hashArrays(keys.commonLabel!, labelKeys));
  if (!isNode) {
    const sourceLabelKeys = this.getPropertiesHash(ele, ["source-label"], labelDims);
    _p.sourceLabelKey = combine(sourceLabelKeys);
    _p.sourceLabelStyleKey = combine(hashArrays(keys.commonLabel!, sourceLabelKeys));
    const targetLabelKeys = this.getPropertiesHash(ele, ["target-label"], labelDims);
    _p.targetLabelKey = combine(targetLabelKeys);
    _p.targetLabelStyleKey = combine(hashArrays(keys.commonLabel!, targetLabelKeys));
  } else {
    const { nodeBody, nodeBorder, nodeOutline, backgroundImage, compound, pie, stripe } = keys;
    const nodeKeys = [nodeBody, nodeBorder, nodeOutline, backgroundImage, compound, pie, stripe].filter((k): k is Pair => k != null).reduce(hashArrays, [SEED, SEED_ALT]);
    _p.nodeKey = combine(nodeKeys);
    _p.hasPie = pie != null && pie[0] !== SEED && pie[1] !== SEED_ALT;
    _p.hasStripe = stripe != null && stripe[0] !== SEED && stripe[1] !== SEED_ALT;
  }
  return oldStyleKey !== _p.styleKey;
}

/**
 * Puts `updateStyleHints` in place of Cytoscape's on the style prototype (shared by every
 * Cytoscape instance in the page; once). Cytoscape calls it as a method of the style, so every
 * restyle (the open, a select, a fade through Cytoscape) takes it.
 */
export function installStyleHints(cy: Core): void {
  const proto = Object.getPrototypeOf(cy.style()) as HintsStyle;
  const current = proto.updateStyleHints as Installed;
  if (current[ORIGINAL]) return;
  const installed = updateStyleHints as Installed;
  installed[ORIGINAL] = current;
  proto.updateStyleHints = installed;
}

/** Cytoscape's own `updateStyleHints` (the one `installStyleHints` replaced), for the tests. */
export function cytoscapeStyleHints(cy: Core): HintsStyle["updateStyleHints"] {
  const current = (Object.getPrototypeOf(cy.style()) as HintsStyle).updateStyleHints as Installed;
  return current[ORIGINAL] ?? current;
}
