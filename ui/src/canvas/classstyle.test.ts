import { describe, expect, it } from "vitest";
import cytoscape, { type Core, type StylesheetJson } from "cytoscape";
import { generateDesign, rng } from "../fixtures/generate";
import { INTERNET_NODE, toElements } from "./elements";
import { stylesheet } from "./style";
import { installStyleCacheInvalidation } from "./stylecache";
import { PAINT_STYLE_EVENT, rulesNaming, setClass, type ClassEle } from "./classstyle";

/** A generated estate (nested segments, services of every kind, flows of every verdict, the internet) on a headless canvas. */
function canvas(sheet: StylesheetJson): Core {
  const defs = toElements(generateDesign(40, 3), null).map((d, i) => (d.group === "edges" ? { ...d, data: { ...d.data, verdict: (["allow", "deny", "pending"] as const)[i % 3] } } : d));
  const cy = cytoscape({ headless: true, styleEnabled: true, style: sheet, elements: [...defs, { group: "nodes", data: { id: INTERNET_NODE, ref: INTERNET_NODE, type: "internet", label: "Internet" } }, { group: "edges", data: { id: "f:from-internet", ref: "from-internet", type: "flow", source: INTERNET_NODE, target: defs.find((d) => d.data.id.startsWith("s:"))!.data.id, flowKind: "declared", verdict: "allow", label: "", width: 2 } }] });
  installStyleCacheInvalidation(cy);
  clean(cy);
  return cy;
}

const clean = (cy: Core) => (cy.elements() as unknown as { cleanStyle(): void }).cleanStyle();
/** Cytoscape's parsed style of one element (internal, so typed here). */
const shown = (ele: unknown, name: string) => (ele as { pstyle(name: string): { value: unknown; pfValue: unknown } }).pstyle(name);
const internals = (cy: Core) => cy.elements().toArray() as unknown as (ClassEle & { pstyle(name: string): unknown; _private: { data: { id: string }; nodeKey: unknown; labelStyleKey: unknown; labelDimsKey: unknown } })[];

/**
 * Each element's style as Cytoscape shows it (a property at its default may be kept either as
 * no value or as the default's own object, depending on the element's history, even in
 * Cytoscape's own restyles: so every property either canvas keeps is read through `pstyle`),
 * its classes, its matched rules and the hashes the renderer keys its caches by (the body, the
 * label, the label's size).
 */
function snapshots(a: Core, b: Core): [Record<string, unknown>, Record<string, unknown>] {
  clean(a);
  clean(b);
  const [x, y] = [internals(a), internals(b)];
  const out: [Record<string, unknown>, Record<string, unknown>] = [{}, {}];
  x.forEach((ex, i) => {
    const ey = y[i]!;
    const names = new Set([...Object.keys(ex._private.style), ...Object.keys(ey._private.style)]);
    [ex, ey].forEach((ele, k) => {
      const p = ele._private;
      const style: Record<string, unknown> = {};
      for (const name of names) style[name] = (shown(ele, name) as { strValue?: unknown } | null)?.strValue;
      out[k]![p.data.id] = { classes: [...p.classes].sort(), style, key: p.styleCxtKey, hashes: [p.nodeKey, p.labelStyleKey, p.labelDimsKey] };
    });
  });
  return out;
}

/**
 * The same random sequence of fades, selections and clears on two canvases, one through
 * `setClass`, the other through Cytoscape's own `addClass`/`removeClass`; their styles compared
 * after every step.
 */
function compareWithCytoscape(sheet: StylesheetJson, seed: number): void {
  const fast = canvas(sheet);
  const slow = canvas(sheet);
  const r = rng(seed);
  const ids = fast.elements('[type = "service"], edge').map((e) => e.id());
  for (let step = 0; step < 10; step++) {
    const pick = ids.filter(() => r() < 0.4);
    const on = r() < 0.6;
    setClass(fast, pick.map((id) => fast.getElementById(id)[0] as unknown as ClassEle), "faded", on);
    const coll = slow.collection(pick.map((id) => slow.getElementById(id)) as unknown as string);
    if (on) coll.addClass("faded");
    else coll.removeClass("faded");
    // Selections change the cascade under the fade (`:selected` sets an opacity of its own).
    const sel = ids.filter(() => r() < 0.05);
    const unselect = r() < 0.5;
    for (const cy of [fast, slow]) {
      if (unselect) cy.$(":selected").unselect();
      for (const id of sel) cy.getElementById(id).select();
    }
    const [f, s] = snapshots(fast, slow);
    expect(f, `step ${step}`).toEqual(s);
  }
}

describe("setClass", () => {
  it("styles every element as Cytoscape's restyle does, through fades, selections and clears", () => {
    compareWithCytoscape(stylesheet("light", false), 1);
    compareWithCytoscape(stylesheet("dark", true), 2);
    // A class that changes more than painted properties: the hashes the renderer keys its
    // textures by change too.
    compareWithCytoscape([...stylesheet("light", true), { selector: "node.faded", style: { "border-color": "#123456", "text-opacity": 0.5 } }], 3);
  }, 30_000);

  it("restyles nothing through Cytoscape's whole-element path and emits no event per element", () => {
    const cy = canvas(stylesheet("light", true));
    const style = cy.style() as unknown as { apply(eles: unknown): unknown };
    const apply = style.apply.bind(style);
    let restyled = 0;
    style.apply = (eles: ArrayLike<unknown>) => ((restyled += eles.length), apply(eles));
    let events = 0;
    cy.on("style class", () => void events++);
    const told: number[] = [];
    cy.on(PAINT_STYLE_EVENT, (_e, eles: cytoscape.Collection) => void told.push(eles.length));
    const eles = cy.elements('[type = "service"], edge');
    expect(setClass(cy, eles.toArray() as unknown as ClassEle[], "faded", true)).toBe(eles.length);
    // What draws elements itself (the overview) is told once, of all of them.
    expect(told).toEqual([eles.length]);
    clean(cy);
    expect(restyled).toBe(0);
    expect(events).toBe(0);
    expect(eles.every((e) => shown(e, "opacity").value === 0.12)).toBe(true);
    // Segments keep theirs.
    expect(cy.nodes('[type = "segment"]').every((e) => shown(e, "opacity").value === 1)).toBe(true);
    // Flows go back to the stylesheet's 0.85, services to the default.
    setClass(cy, eles.toArray() as unknown as ClassEle[], "faded", false);
    expect(cy.edges().every((e) => shown(e, "opacity").value === 0.85)).toBe(true);
    expect(cy.nodes('[type = "service"]').every((e) => shown(e, "opacity").value === 1)).toBe(true);
    expect(restyled).toBe(0);
  });

  it("leaves to Cytoscape a class whose rules relate elements, and elements not styled yet", () => {
    const sheet: StylesheetJson = [
      { selector: "node", style: { label: "data(label)" } },
      { selector: ".faded", style: { opacity: 0.12 } },
      { selector: ".faded > node", style: { "border-width": 7 } },
    ];
    expect(rulesNaming(cytoscape({ headless: true, styleEnabled: true, style: sheet }).style() as never, "faded")).toBeNull();
    const cy = canvas(sheet);
    const parent = cy.nodes(":parent").first();
    setClass(cy, [parent[0] as unknown as ClassEle], "faded", true);
    clean(cy);
    expect(shown(parent.children().first(), "border-width").pfValue).toBe(7);
    // A node added and not yet styled gets the class, and its style when Cytoscape applies it.
    const added = cy.add({ group: "nodes", data: { id: "late", label: "late" } });
    setClass(cy, [added[0] as unknown as ClassEle], "faded", true);
    expect(added.hasClass("faded")).toBe(true);
    expect(shown(added, "opacity").value).toBe(0.12);
  });

  it("finds the rules naming the class, and only those", () => {
    const cy = cytoscape({ headless: true, styleEnabled: true, style: stylesheet("light") });
    const rules = rulesNaming(cy.style() as never, "faded")!;
    expect(rules.names).toEqual(["opacity"]);
    expect(rules.indices.map((i) => (cy.style() as unknown as { selector: { inputText: string } }[])[i]!.selector.inputText)).toEqual([".faded"]);
    expect(rulesNaming(cy.style() as never, "fade")!.indices).toEqual([]);
  });
});
