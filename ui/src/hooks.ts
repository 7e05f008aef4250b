//! `window.__bulkhead`: read-only hooks for the real-window E2E tests and the benchmark, which
//! cannot see inside the canvas (docs/ipc.md, "Test hooks").

import type { NodeSingular } from "cytoscape";
import type { Controller } from "./controller";
import { segmentOf as leafSegmentOf } from "./model/design";
import { segId, svcId } from "./canvas/elements";
import type { PaintedSimulation } from "./canvas/simlayer";

export interface TestHooks {
  /** On-screen (client) centre of a service or segment node, or null if not on the canvas. */
  nodeCenter(id: string): { x: number; y: number } | null;
  /** The leaf segment the design now puts the service in. */
  segmentOf(id: string): string | null;
  /** How many service and segment nodes the canvas shows. */
  nodeCount(): { services: number; segments: number };
  /**
   * Pairs of sibling elements the canvas draws on top of each other (two segments with the same
   * parent, or a segment and a service beside it), as `a|b` canvas ids, from the boxes Cytoscape
   * actually drew. Empty when every segment is a closed boundary of its own.
   */
  segmentOverlaps(): string[];
  /**
   * What the simulation layer painted last (./canvas/simlayer.ts): the veil, every service shown
   * undimmed (model id or `internet`) with its ring and compromised border, the attacker's
   * calls and the chosen path's by canvas edge id.
   */
  simulationPainted(): PaintedSimulation | null;
  /** The controller itself, for Chromium UI tests only. */
  app: Controller;
}

export function testHooks(app: Controller): TestHooks {
  return {
    nodeCenter(id) {
      const cy = app.canvas?.cy;
      if (!cy) return null;
      let n = cy.getElementById(svcId(id));
      if (n.empty()) n = cy.getElementById(segId(id));
      if (n.empty()) return null;
      const rect = cy.container()?.getBoundingClientRect();
      const p = n.renderedPosition();
      return { x: (rect?.left ?? 0) + p.x, y: (rect?.top ?? 0) + p.y };
    },
    segmentOf(id) {
      return leafSegmentOf(app.store.get().design, id)?.id ?? null;
    },
    nodeCount() {
      const cy = app.canvas?.cy;
      return { services: cy?.nodes('[type = "service"]').length ?? 0, segments: cy?.nodes('[type = "segment"]').length ?? 0 };
    },
    segmentOverlaps() {
      const cy = app.canvas?.cy;
      if (!cy) return [];
      const groups = new Map<string, NodeSingular[]>();
      cy.nodes('[type = "segment"], [type = "service"]').forEach((n) => {
        const key = (n.data("parent") as string | undefined) ?? "";
        groups.set(key, [...(groups.get(key) ?? []), n]);
      });
      const out: string[] = [];
      for (const nodes of groups.values()) {
        const boxes = nodes.map((n) => ({ id: n.id(), segment: n.data("type") === "segment", b: n.boundingBox({ includeLabels: n.data("type") === "segment", includeOverlays: false }) }));
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i]!;
            const c = boxes[j]!;
            if (!a.segment && !c.segment) continue;
            if (a.b.x1 < c.b.x2 && c.b.x1 < a.b.x2 && a.b.y1 < c.b.y2 && c.b.y1 < a.b.y2) out.push([a.id, c.id].sort().join("|"));
          }
        }
      }
      return out.sort();
    },
    simulationPainted() {
      return app.canvas?.simulationPainted() ?? null;
    },
    app,
  };
}
