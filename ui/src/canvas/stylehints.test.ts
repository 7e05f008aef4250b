import { describe, expect, it } from "vitest";
import cytoscape, { type Core, type StylesheetJson } from "cytoscape";
import { generateDesign, rng } from "../fixtures/generate";
import { INTERNET_NODE, toElements } from "./elements";
import { stylesheet } from "./style";
import { cytoscapeStyleHints, installStyleHints, updateStyleHints, type HintsStyle } from "./stylehints";

type Ele = Parameters<HintsStyle["updateStyleHints"]>[0];
const KEYS = ["styleKey", "labelDimsKey", "labelKey", "labelStyleKey", "sourceLabelKey", "sourceLabelStyleKey", "targetLabelKey", "targetLabelStyleKey", "nodeKey", "hasPie", "hasStripe"] as const;

/** A generated estate (nested segments, services of every kind and badge, flows of every kind and verdict, the internet) on a headless canvas. */
function canvas(sheet: StylesheetJson): Core {
  const defs = toElements(generateDesign(60, 5), null).map((d, i) => (d.group === "edges" ? { ...d, data: { ...d.data, verdict: (["allow", "deny", "pending"] as const)[i % 3] } } : d));
  const first = defs.find((d) => d.data.id.startsWith("s:"))!.data.id;
  return cytoscape({
    headless: true,
    styleEnabled: true,
    style: sheet,
    elements: [...defs, { group: "nodes", data: { id: INTERNET_NODE, ref: INTERNET_NODE, type: "internet", label: "Internet" } }, { group: "edges", data: { id: "f:from-internet", ref: "from-internet", type: "flow", source: INTERNET_NODE, target: first, flowKind: "observed", verdict: "allow", label: "1.2k calls :443", width: 4.08 } }],
  });
}

/** What `updateStyleHints` leaves on an element: every per-group hash and every derived key. */
function hints(ele: Ele): unknown {
  const p = ele._private as unknown as Record<string, unknown> & { styleKeys: Record<string, [number, number]> };
  return { groups: JSON.parse(JSON.stringify(p.styleKeys)) as unknown, keys: KEYS.map((k) => p[k]) };
}

/**
 * Every element's hints from Cytoscape's own function and from ours, each run from the same
 * starting state (the style key before), and what each returned (whether the key changed).
 */
function compare(cy: Core): number {
  const style = cy.style() as unknown as HintsStyle;
  const theirs = cytoscapeStyleHints(cy);
  const eles = cy.elements().toArray() as unknown as Ele[];
  for (const ele of eles) {
    const before = ele._private.styleKey;
    const changedTheirs = theirs.call(style, ele);
    const expected = hints(ele);
    ele._private.styleKey = before;
    const changedOurs = updateStyleHints.call(style, ele);
    expect(hints(ele)).toEqual(expected);
    expect(changedOurs).toBe(changedTheirs);
  }
  return eles.length;
}

const clean = (cy: Core) => (cy.elements() as unknown as { cleanStyle(): void }).cleanStyle();

describe("updateStyleHints", () => {
  it("makes Cytoscape's keys for every element of the stylesheet, light and dark, small and large", () => {
    for (const theme of ["light", "dark"] as const) {
      for (const large of [false, true]) {
        const cy = canvas(stylesheet(theme, large));
        clean(cy);
        expect(compare(cy)).toBeGreaterThan(150);
      }
    }
  }, 60_000);

  it("makes Cytoscape's keys after selections, fades, focus, bypasses and mapped numbers", () => {
    for (const seed of [1, 2, 3]) {
      const cy = canvas(stylesheet("light", seed === 2));
      clean(cy);
      const r = rng(seed);
      const all = cy.elements();
      all.filter(() => r() < 0.2).select();
      all.filter(() => r() < 0.3).addClass("faded");
      cy.nodes('[type = "service"]').filter(() => r() < 0.1).addClass("focus");
      // Bypasses: fractions under 128 (raised by Cytoscape's `cleanNum`), over it, units, strings.
      cy.nodes('[type = "service"]').filter(() => r() < 0.1).style({ width: 37.25, "border-width": 2.5, "text-margin-y": 130.5, label: "a bypassed label", "background-color": "#123456" });
      cy.edges().filter(() => r() < 0.1).style({ width: 0.3, opacity: 0.42, "line-dash-pattern": [3, 1.5] });
      clean(cy);
      compare(cy);
    }
  }, 60_000);

  it("is what Cytoscape calls once installed, and installing twice keeps Cytoscape's own", () => {
    const cy = canvas(stylesheet("light", true));
    const original = (Object.getPrototypeOf(cy.style()) as HintsStyle).updateStyleHints;
    installStyleHints(cy);
    installStyleHints(cy);
    const proto = Object.getPrototypeOf(cy.style()) as HintsStyle;
    expect(proto.updateStyleHints).toBe(updateStyleHints);
    expect(cytoscapeStyleHints(cy)).toBe(original);
    // A canvas styled with it has the keys Cytoscape's own gives.
    clean(cy);
    compare(cy);
    proto.updateStyleHints = original;
  }, 60_000);
});
