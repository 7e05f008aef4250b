import { describe, expect, it } from "vitest";
import cytoscape from "cytoscape";
import { changesDerivedState, installStyleCacheInvalidation } from "./stylecache";

describe("changesDerivedState", () => {
  it("counts only the properties Cytoscape's derived state reads, and opacity only across zero", () => {
    expect(changesDerivedState("display", "element", "none")).toBe(true);
    expect(changesDerivedState("visibility", "visible", "hidden")).toBe(true);
    expect(changesDerivedState("width", 46, 0)).toBe(true);
    expect(changesDerivedState("curve-style", "bezier", "haystack")).toBe(true);
    expect(changesDerivedState("display", "element", "element")).toBe(false);
    expect(changesDerivedState("opacity", 1, 0.12)).toBe(false);
    expect(changesDerivedState("opacity", 0.12, 0)).toBe(true);
    expect(changesDerivedState("opacity", null, 0.12)).toBe(true);
    expect(changesDerivedState("label", "a", "b")).toBe(false);
    expect(changesDerivedState("border-width", 1.5, 4)).toBe(false);
  });
});

/** A segment holding a nested segment with two services and a flow, the look mapped from data. */
function graph() {
  const cy = cytoscape({
    headless: true,
    styleEnabled: true,
    style: [
      { selector: "node", style: { label: "data(label)", width: 40, height: 40 } },
      { selector: ".faded", style: { opacity: 0.12 } },
      { selector: ".gone", style: { display: "none" } },
      { selector: ":selected", style: { "border-width": 4 } },
    ],
    elements: [
      { data: { id: "top", label: "top" } },
      { data: { id: "inner", label: "inner", parent: "top" } },
      { data: { id: "a", label: "a", parent: "inner" }, position: { x: 0, y: 0 } },
      { data: { id: "b", label: "b", parent: "inner" }, position: { x: 100, y: 0 } },
      { data: { id: "c", label: "c", parent: "top" }, position: { x: 0, y: 100 } },
      { data: { id: "ab", source: "a", target: "b" } },
    ],
  });
  installStyleCacheInvalidation(cy);
  // Apply the styles (Cytoscape does it lazily), then fill every derived-state cache.
  (cy.elements() as unknown as { cleanStyle(): void }).cleanStyle();
  cy.elements().forEach((e) => void e.visible());
  return cy;
}

const cached = (cy: cytoscape.Core, id: string) => (cy.getElementById(id) as unknown as { _private: { styleCache: unknown } })._private.styleCache != null;

describe("installStyleCacheInvalidation", () => {
  it("keeps the relatives' caches when a service is selected or faded, and the drawing order", () => {
    const cy = graph();
    const notified: string[] = [];
    const notify = (cy as unknown as { notify(event: string, eles?: unknown): void }).notify.bind(cy);
    (cy as unknown as { notify(event: string, eles?: unknown): void }).notify = (event, eles) => {
      notified.push(event);
      notify(event, eles);
    };
    cy.getElementById("a").select();
    cy.getElementById("b").addClass("faded");
    // Cytoscape applies styles lazily: ask for them.
    (cy.elements() as unknown as { cleanStyle(): void }).cleanStyle();
    for (const id of ["top", "inner", "c", "ab"]) expect(cached(cy, id), id).toBe(true);
    expect(cy.getElementById("b").visible()).toBe(true);
    // From the default opacity (1) to 0.12 is no change from zero: the order stays.
    expect(notified).not.toContain("zorder");
  });

  it("clears them, as Cytoscape does, when the derived state can change", () => {
    const cy = graph();
    cy.getElementById("inner").addClass("gone");
    (cy.elements() as unknown as { cleanStyle(): void }).cleanStyle();
    // The hidden segment's members and their flow see it at once.
    expect(cy.getElementById("a").visible()).toBe(false);
    expect(cy.getElementById("ab").visible()).toBe(false);
    expect(cy.getElementById("c").visible()).toBe(true);
    cy.getElementById("inner").removeClass("gone");
    cy.getElementById("b").addClass("faded");
    cy.getElementById("b").style("opacity", 0);
    (cy.elements() as unknown as { cleanStyle(): void }).cleanStyle();
    expect(cy.getElementById("a").visible()).toBe(true);
    expect(cy.getElementById("b").visible()).toBe(false);
  });
});
