import { describe, expect, it } from "vitest";
import cytoscape from "cytoscape";
import fcose from "cytoscape-fcose";
import { fcoseOptions, layoutJob, runLayoutJob, type LayoutJob } from "./layoutjob";

/** Two segments of four services each, one nested in a third, a service outside, flows within and across. */
function graph() {
  const node = (id: string, parent?: string, size = 30) => ({ group: "nodes" as const, data: { id, ...(parent ? { parent } : {}) }, style: { width: size, height: size } });
  const segment = (id: string, parent?: string) => ({ group: "nodes" as const, data: { id, ...(parent ? { parent } : {}) }, style: { padding: 26 } });
  const edge = (source: string, target: string) => ({ group: "edges" as const, data: { id: `${source}>${target}`, source, target } });
  return cytoscape({
    headless: true,
    styleEnabled: true,
    elements: [
      segment("g:outer"),
      segment("g:a", "g:outer"),
      segment("g:b"),
      ...["a1", "a2", "a3", "a4"].map((id) => node(`s:${id}`, "g:a")),
      ...["b1", "b2", "b3", "b4"].map((id) => node(`s:${id}`, "g:b", 40)),
      node("s:lone"),
      edge("s:a1", "s:a2"),
      edge("s:a2", "s:a3"),
      edge("s:a3", "s:a4"),
      edge("s:b1", "s:b2"),
      edge("s:b3", "s:b4"),
      edge("s:a1", "s:b1"),
      edge("s:lone", "s:a4"),
      edge("s:lone", "s:lone"),
    ] as cytoscape.ElementDefinition[],
  });
}

describe("auto-layout as a job for a worker", () => {
  it("sends every leaf with its drawn size and segment, every segment with its padding and nesting, and the flows between distinct nodes", () => {
    const cy = graph();
    const job = layoutJob(cy);
    // Sizes as fcose measures them on the canvas (labels and borders included).
    const size = (id: string) => cy.getElementById(id).layoutDimensions({ nodeDimensionsIncludeLabels: true });
    expect(job.compounds).toEqual([
      { id: "g:outer", parent: null, padding: 26 },
      { id: "g:a", parent: "g:outer", padding: 26 },
      { id: "g:b", parent: null, padding: 26 },
    ]);
    expect(job.leaves.find((l) => l.id === "s:a1")).toEqual({ id: "s:a1", parent: "g:a", ...size("s:a1") });
    expect(job.leaves.find((l) => l.id === "s:b1")).toEqual({ id: "s:b1", parent: "g:b", ...size("s:b1") });
    expect(job.leaves.find((l) => l.id === "s:lone")).toEqual({ id: "s:lone", parent: null, ...size("s:lone") });
    expect(size("s:b1").w).toBeGreaterThan(size("s:a1").w);
    expect(job.leaves).toHaveLength(9);
    // The loop is left out: it gives fcose nothing to place by.
    expect(job.edges).toHaveLength(7);
    expect(job.edges).not.toContainEqual({ source: "s:lone", target: "s:lone" });
    // Plain data: what a worker can be sent (structured clone) is what the job is.
    expect(structuredClone(job)).toEqual(job);
  });

  it("runs fcose on the job alone and places every leaf, apart, each segment's members closer to each other than to the other segment's", () => {
    const job: LayoutJob = layoutJob(graph());
    const at = runLayoutJob(job, fcose);
    expect(Object.keys(at).sort()).toEqual(job.leaves.map((l) => l.id).sort());
    const points = Object.values(at);
    for (const p of points) expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
    expect(new Set(points.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`)).size).toBe(points.length);
    const centre = (ids: string[]) => ({ x: ids.reduce((s, id) => s + at[id]!.x, 0) / ids.length, y: ids.reduce((s, id) => s + at[id]!.y, 0) / ids.length });
    const dist = (p: { x: number; y: number }, q: { x: number; y: number }) => Math.hypot(p.x - q.x, p.y - q.y);
    const a = ["s:a1", "s:a2", "s:a3", "s:a4"];
    const b = ["s:b1", "s:b2", "s:b3", "s:b4"];
    const ca = centre(a);
    const cb = centre(b);
    for (const id of a) expect(dist(at[id]!, ca)).toBeLessThan(dist(at[id]!, cb));
    for (const id of b) expect(dist(at[id]!, cb)).toBeLessThan(dist(at[id]!, ca));
  });

  it("uses the draft quality past 800 nodes, and never animates or frames (the canvas does that with the answer)", () => {
    expect(fcoseOptions(801).quality).toBe("draft");
    expect(fcoseOptions(800).quality).toBe("default");
    expect(fcoseOptions(10)).toMatchObject({ name: "fcose", animate: false, fit: false, randomize: true });
  });
});
