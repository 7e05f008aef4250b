//! Auto-layout as a job that needs no canvas: the graph's shape (every node's drawn size, the
//! segments' nesting, the flows) goes to a Web Worker (`layout.worker.ts`), which runs fcose on
//! a headless Cytoscape and answers with the position of every leaf node. fcose on 2,000
//! services takes seconds; on the page's main thread that froze the window (no spinner, no
//! input) for all of it. Off the main thread the window keeps drawing while it runs.
//!
//! The sizes are measured on the live canvas before the job is sent (labels included, as fcose's
//! `nodeDimensionsIncludeLabels` measured them), so the worker lays out the boxes the canvas draws.

import cytoscape, { type Core, type ElementDefinition } from "cytoscape";

/** The fcose options every auto-layout uses, for `nodes` nodes. */
export function fcoseOptions(nodes: number): Record<string, unknown> {
  return {
    name: "fcose",
    quality: nodes > 800 ? "draft" : "default",
    randomize: true,
    animate: false,
    fit: false,
    nodeDimensionsIncludeLabels: false,
    packComponents: true,
    nodeRepulsion: 6000,
    idealEdgeLength: 90,
    nestingFactor: 0.2,
    tile: true,
  };
}

/** What the worker is sent: plain data, nothing of the canvas. */
export interface LayoutJob {
  /** Leaf nodes (services, the internet, ghosts): their drawn size with labels. */
  leaves: { id: string; parent: string | null; w: number; h: number }[];
  /** Compound nodes (segments): their padding around their members. */
  compounds: { id: string; parent: string | null; padding: number }[];
  edges: { source: string; target: string }[];
}

export type LayoutAnswer = { ok: true; positions: Record<string, { x: number; y: number }> } | { ok: false; error: string };

/** The job for the graph `cy` shows, with each node's size as the canvas draws it. */
export function layoutJob(cy: Core): LayoutJob {
  const job: LayoutJob = { leaves: [], compounds: [], edges: [] };
  cy.nodes().forEach((n) => {
    const parent = n.parent().first();
    const p = parent.length ? parent.id() : null;
    if (n.isParent()) {
      job.compounds.push({ id: n.id(), parent: p, padding: parseFloat(String(n.style("padding"))) || 0 });
    } else {
      const d = n.layoutDimensions({ nodeDimensionsIncludeLabels: true });
      job.leaves.push({ id: n.id(), parent: p, w: d.w, h: d.h });
    }
  });
  const ids = new Set(cy.nodes().map((n) => n.id()));
  cy.edges().forEach((e) => {
    const source = e.source().id();
    const target = e.target().id();
    // An edge between a node and its own segment (or a loop) gives fcose nothing to place by.
    if (source !== target && ids.has(source) && ids.has(target)) job.edges.push({ source, target });
  });
  return job;
}

/**
 * Runs fcose on a headless Cytoscape built from `job` and returns every leaf's position. Pure
 * computation: the worker calls it, and so does the main thread where no worker can be made.
 * `fcose` is the extension, passed in so this module does not load it.
 */
export function runLayoutJob(job: LayoutJob, fcose: cytoscape.Ext): Record<string, { x: number; y: number }> {
  cytoscape.use(fcose);
  const elements: ElementDefinition[] = [];
  for (const c of job.compounds) elements.push({ group: "nodes", data: { id: c.id, ...(c.parent ? { parent: c.parent } : {}) }, style: { padding: c.padding } } as ElementDefinition);
  for (const l of job.leaves) elements.push({ group: "nodes", data: { id: l.id, ...(l.parent ? { parent: l.parent } : {}) }, style: { width: l.w, height: l.h } } as ElementDefinition);
  job.edges.forEach((e, i) => elements.push({ group: "edges", data: { id: `e${i}`, source: e.source, target: e.target } }));
  const cy = cytoscape({ headless: true, styleEnabled: true, elements });
  try {
    cy.layout(fcoseOptions(job.leaves.length + job.compounds.length) as unknown as cytoscape.LayoutOptions).run();
    const out: Record<string, { x: number; y: number }> = {};
    cy.nodes().forEach((n) => {
      if (!n.isParent()) out[n.id()] = { ...n.position() };
    });
    return out;
  } finally {
    cy.destroy();
  }
}
