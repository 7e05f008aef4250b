import { describe, expect, it } from "vitest";
import cytoscape, { type Core, type ElementDefinition, type StylesheetJson } from "cytoscape";
import { generateDesign, rng } from "../fixtures/generate";
import { INTERNET_NODE, toElements } from "./elements";
import { stylesheet } from "./style";
import { selectorFields, withRememberedMatches, type CxtStyle } from "./cxtkey";

/** A generated estate with the internet, some elements already selected or with classes, as a fresh canvas would get them. */
function definitions(seed: number): ElementDefinition[] {
  const r = rng(seed);
  const defs = toElements(generateDesign(60, seed), null).map((d, i) => ({ ...d, data: { ...d.data, ...(d.group === "edges" ? { verdict: (["allow", "deny", "pending"] as const)[i % 3] } : {}) } })) as ElementDefinition[];
  defs.push({ group: "nodes", data: { id: INTERNET_NODE, ref: INTERNET_NODE, type: "internet", label: "Internet" } });
  // Elements whose data match others' but whose states do not: an empty segment (childless), a
  // flow to a segment (compound) and a flow from a service to itself (a loop).
  const seg = defs.find((d) => d.data.type === "segment")!;
  const flow = defs.find((d) => d.group === "edges")!;
  defs.push({ group: "nodes", data: { ...seg.data, id: "g:empty", parent: undefined } });
  defs.push({ group: "edges", data: { ...flow.data, id: "f:to-segment", target: seg.data.id } });
  defs.push({ group: "edges", data: { ...flow.data, id: "f:loop", target: flow.data.source } });
  for (const d of defs) {
    if (r() < 0.15) d.selected = true;
    if (r() < 0.15) d.classes = r() < 0.5 ? "faded" : "focus draw-source";
  }
  return defs;
}

const clean = (cy: Core) => (cy.elements() as unknown as { cleanStyle(): void }).cleanStyle();
type Ele = { id(): string; pstyle(name: string): { strValue?: unknown } | undefined; _private: { style: Record<string, unknown>; styleCxtKey: string; styleKey: unknown; labelStyleKey: unknown; nodeKey: unknown } };

/** Every element's matched rules, every property it shows and its style keys. */
function styled(cy: Core): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const ele of cy.elements().toArray() as unknown as Ele[]) {
    const p = ele._private;
    const props: Record<string, unknown> = {};
    for (const name of Object.keys(p.style).sort()) props[name] = ele.pstyle(name)?.strValue;
    out[ele.id()] = { key: p.styleCxtKey, props, keys: [p.styleKey, p.labelStyleKey, p.nodeKey] };
  }
  return out;
}

/** Compares the two ways; answers how many elements Cytoscape matched itself with the memo. */
function compare(sheet: StylesheetJson, seed: number): { matched: number; elements: number } {
  const plain = cytoscape({ headless: true, styleEnabled: true, style: sheet, elements: definitions(seed) });
  const remembered = cytoscape({ headless: true, styleEnabled: true, style: sheet, elements: definitions(seed) });
  clean(plain);
  const style = remembered.style() as unknown as CxtStyle;
  const proto = Object.getPrototypeOf(style) as CxtStyle;
  const cytoscapes = proto.getContextMeta;
  let matched = 0;
  proto.getContextMeta = function counted(this: CxtStyle, ele) {
    matched++;
    return cytoscapes.call(this, ele);
  };
  try {
    withRememberedMatches(style, () => clean(remembered));
  } finally {
    proto.getContextMeta = cytoscapes;
  }
  expect(styled(remembered)).toEqual(styled(plain));
  return { matched, elements: remembered.elements().length };
}

describe("withRememberedMatches", () => {
  it("reads the fields of every selector of the stylesheet", () => {
    for (const large of [false, true]) {
      const cy = cytoscape({ headless: true, styleEnabled: true, style: stylesheet("light", large) });
      expect(selectorFields(cy.style() as unknown as CxtStyle)?.sort()).toEqual(["flowKind", "internet", "kind", "level", "sensitivity", "trust", "type", "verdict", "weak"]);
    }
  });

  it("styles a fresh canvas as Cytoscape does, element by element (light and dark, small and large, selected and classed elements)", () => {
    let seed = 1;
    for (const theme of ["light", "dark"] as const) {
      for (const large of [false, true]) {
        const { matched, elements } = compare(stylesheet(theme, large), seed++);
        // Most elements took the match of an earlier one of their kind.
        expect(matched).toBeLessThan(elements / 2);
      }
    }
  }, 60_000);

  it("remembers nothing where a selector reads more than the group, data, classes and selection", () => {
    const sheet = [...stylesheet("light", true), { selector: "node > node", style: { "border-width": 7 } }, { selector: "node:parent", style: { "background-opacity": 0.3 } }];
    const cy = cytoscape({ headless: true, styleEnabled: true, style: sheet });
    expect(selectorFields(cy.style() as unknown as CxtStyle)).toBeNull();
    const { matched, elements } = compare(sheet, 9);
    expect(matched).toBe(elements);
  }, 60_000);
});
