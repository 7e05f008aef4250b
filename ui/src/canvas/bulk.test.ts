import { describe, expect, it } from "vitest";
import cytoscape, { type ElementDefinition } from "cytoscape";
import { bulk } from "./view";

const style = [
  { selector: "node", style: { label: "data(label)", width: 40, height: 40 } },
  { selector: "edge", style: { width: 2, "line-color": "#1a7f37" } },
];

/** Cytoscape's parsed style of an element (internal API, so typed here). */
const ps = (e: unknown, name: string) => (e as { pstyle(n: string): { strValue: string; pfValue: number } }).pstyle(name);

const elements = (p: string): ElementDefinition[] => [
  { group: "nodes", data: { id: `${p}seg`, label: "segment" } },
  { group: "nodes", data: { id: `${p}a`, label: "a", parent: `${p}seg` }, position: { x: 0, y: 0 } },
  { group: "nodes", data: { id: `${p}b`, label: "b", parent: `${p}seg` }, position: { x: 100, y: 0 } },
  { group: "edges", data: { id: `${p}ab`, source: `${p}a`, target: `${p}b` } },
];

/** The `bounds` and `style` events that reached the core, by element id. */
function listen(cy: cytoscape.Core): string[] {
  const seen: string[] = [];
  cy.on("bounds style", (e) => void seen.push(`${e.type}:${(e.target as cytoscape.SingularElementArgument).id()}`));
  return seen;
}

describe("bulk", () => {
  it("skips the bounds and style events of a fresh fill, and keeps them otherwise", () => {
    const cy = cytoscape({ headless: true, styleEnabled: true, style });
    const seen = listen(cy);
    bulk(cy, () => void cy.add(elements("")), true);
    expect(seen).toEqual([]);
    // The styles are applied all the same.
    expect(ps(cy.getElementById("a"), "label").strValue).toBe("a");
    expect(ps(cy.getElementById("ab"), "line-color").strValue).toBe("rgb(26,127,55)");
    bulk(cy, () => void cy.add(elements("x")));
    expect(seen.some((s) => s.startsWith("bounds:x"))).toBe(true);
    expect(seen.some((s) => s.startsWith("style:x"))).toBe(true);
    // Events are Cytoscape's own again after the batch.
    seen.length = 0;
    cy.getElementById("a").style("width", 50);
    expect(seen).toContain("style:a");
  });

  it("gives the same styles and bounds with or without the events", () => {
    const a = cytoscape({ headless: true, styleEnabled: true, style });
    const b = cytoscape({ headless: true, styleEnabled: true, style });
    bulk(a, () => void a.add(elements("")), true);
    bulk(b, () => void b.add(elements("")));
    expect(a.elements().map((e) => [e.id(), ps(e, "width").pfValue, ps(e, "label").strValue])).toEqual(b.elements().map((e) => [e.id(), ps(e, "width").pfValue, ps(e, "label").strValue]));
    expect(a.elements().boundingBox()).toEqual(b.elements().boundingBox());
  });
});
