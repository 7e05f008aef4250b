//! `window.__bulkhead`: read-only hooks for the real-window E2E tests and the benchmark, which
//! cannot see inside the canvas (docs/ipc.md, "Test hooks").

import type { Controller } from "./controller";
import { segmentOf as leafSegmentOf } from "./model/design";
import { segId, svcId } from "./canvas/elements";

export interface TestHooks {
  /** On-screen (client) centre of a service or segment node, or null if not on the canvas. */
  nodeCenter(id: string): { x: number; y: number } | null;
  /** The leaf segment the design now puts the service in. */
  segmentOf(id: string): string | null;
  /** How many service and segment nodes the canvas shows. */
  nodeCount(): { services: number; segments: number };
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
    app,
  };
}
