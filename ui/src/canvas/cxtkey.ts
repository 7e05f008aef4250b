//! Which rules of the stylesheet an element matches, worked out once per kind of element while a
//! fresh canvas is filled. Cytoscape (3.35, `getContextMeta`) tests every rule's selector against
//! every element it styles: on the 2,000-service estate 45 rules for each of 7,897 elements,
//! 108–155 ms of the open's cold style pass in WebKitGTK. But the selectors (ours and Cytoscape's
//! default rules before them) read only an element's group, some data fields, its classes,
//! whether it is selected or pressed (`:active`), and whether it is a parent, a loop or a flow
//! to a parent (`:parent`, `:childless`, `:compound`, `:loop`); thousands of elements agree on all of those,
//! so the match string Cytoscape makes for the first element of a kind is the one it would make
//! for every other. Where a selector reads anything else (a relation such as `node > node`,
//! another state) nothing is remembered and Cytoscape tests every element.

/** A selector this reads the inputs of: a group, data tests, classes, the states `kindOf` reads, in any order. */
const SIMPLE = /^(?:node|edge)?(?:\[\s*[?!]?\s*[\w-]+\s*(?:=\s*"[^"\\]*"\s*)?\]|\.[\w-]+|:selected|:active|:parent|:childless|:compound|:loop)*$/;
const FIELD = /\[\s*[?!]?\s*([\w-]+)/g;

/** What `getContextMeta` uses of Cytoscape's style and elements (internal, so typed here). */
interface Context {
  selector?: { inputText?: string; matches(ele: unknown): boolean } | null;
}
export interface CxtStyle {
  length: number;
  [i: number]: Context;
  getPropertiesDiff(prev: string, next: string): string[];
  getContextMeta(ele: CxtEle): { key: string; diffPropNames: string[]; empty: boolean };
}
export interface CxtEle {
  _private: {
    group: string;
    data: Record<string, unknown>;
    classes: Set<string>;
    selected: boolean;
    active?: boolean;
    styleCxtKey?: string;
    children?: unknown[];
    source?: CxtEle;
    target?: CxtEle;
  };
}

/** `isParent()` as Cytoscape answers it for a node. */
const parent = (ele: CxtEle | undefined) => (ele?._private.children?.length ?? 0) !== 0;

/**
 * The data fields the stylesheet's selectors read, or null when a selector reads more than the
 * group, data, classes, selection and the states `kindOf` reads (then no element's match may be
 * taken for another's).
 */
export function selectorFields(style: CxtStyle): string[] | null {
  const fields = new Set<string>();
  for (let i = 0; i < style.length; i++) {
    const selector = style[i]!.selector;
    if (!selector) continue; // the core's rules: Cytoscape matches no element with them
    const text = (selector.inputText ?? "").replace(/\s*,\s*/g, ",");
    for (const part of text.split(",")) {
      if (part === "core") continue;
      if (!SIMPLE.test(part)) return null;
      for (const m of part.matchAll(FIELD)) fields.add(m[1]!);
    }
  }
  return [...fields];
}

/** The inputs of every selector for `ele`, or null if a field holds something other than a plain value. */
function kindOf(ele: CxtEle, fields: readonly string[]): string | null {
  const p = ele._private;
  // The states: a node's `:parent` (and `:childless`, `:compound`); an edge's `:loop` and `:compound`.
  const states = p.group === "nodes" ? (parent(ele) ? "P" : "-") : `${p.source === p.target ? "L" : "-"}${parent(p.source) || parent(p.target) ? "C" : "-"}`;
  let key = `${p.group}|${states}|${p.selected ? 1 : 0}${p.active ? 1 : 0}|${[...p.classes].sort().join(" ")}`;
  for (const f of fields) {
    const v = p.data[f];
    if (v !== null && typeof v === "object") return null;
    key += `|${typeof v}:${String(v)}`;
  }
  return key;
}

/**
 * Runs `fn` with Cytoscape's `getContextMeta` answering from what it worked out for an earlier
 * element of the same kind. Synchronous, so no other code runs while the prototype is patched.
 */
export function withRememberedMatches(style: CxtStyle, fn: () => void): void {
  const fields = selectorFields(style);
  const proto = Object.getPrototypeOf(style) as CxtStyle;
  const original = proto.getContextMeta;
  if (!fields) return fn();
  const known = new Map<string, string>();
  proto.getContextMeta = function rememberedContextMeta(this: CxtStyle, ele: CxtEle) {
    const kind = kindOf(ele, fields);
    const cxtKey = kind === null ? undefined : known.get(kind);
    if (cxtKey === undefined) {
      const meta = original.call(this, ele);
      if (kind !== null) known.set(kind, meta.key);
      return meta;
    }
    // As Cytoscape does with the match string it made.
    const diffPropNames = this.getPropertiesDiff(ele._private.styleCxtKey || "", cxtKey);
    ele._private.styleCxtKey = cxtKey;
    return { key: cxtKey, diffPropNames, empty: diffPropNames.length === 0 };
  };
  try {
    fn();
  } finally {
    proto.getContextMeta = original;
  }
}
