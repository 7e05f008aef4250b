//! Shadow services on the canvas: peers the drift check saw in traffic that the design does not
//! have. Each is a "ghost" node (dashed, translucent, in no segment) so the drift panel can
//! focus it and the overlay can draw its calls; adopting one into the design (the
//! `adoptShadow` action) replaces the ghost with a real service node.
//!
//! Ghosts are overlay elements like the traffic edges (`type = "traffic"`, so the canvas's
//! design sync leaves them alone), with `role = "shadow-service"` and the class `ghost`. They
//! are placed in columns right of the design's graph, never inside a segment, and are not
//! selectable or draggable: they are not part of the design.

import type { Core, ElementDefinition, StylesheetJson } from "cytoscape";
import type { ShadowService } from "../analysis";
import { volume } from "./elements";

/** Most ghosts drawn (the drift panel lists at most this many shadow services too). */
export const MAX_GHOSTS = 300;
/** Room for one ghost in its column. */
const ROW = 90;
const COLUMN = 170;

export const ghostId = (name: string) => `shadow:${name}`;

export interface GhostData {
  id: string;
  type: "traffic";
  role: "shadow-service";
  /** The name traffic gave the peer. */
  ref: string;
  label: string;
  calls_in: number;
  calls_out: number;
}

/** Where the design's graph is, in model coordinates (`cy.elements().boundingBox()`). */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * Ghost nodes for the shadow services that are not services of the design (`isService` takes
 * the name), busiest first, in columns to the right of `graph`.
 */
export function ghostNodes(shadows: readonly ShadowService[], isService: (name: string) => boolean, graph: Box | null): ElementDefinition[] {
  const shown = shadows
    .filter((s) => !isService(s.name))
    .sort((a, b) => b.calls_in + b.calls_out - (a.calls_in + a.calls_out) || a.name.localeCompare(b.name))
    .slice(0, MAX_GHOSTS);
  const box = graph && Number.isFinite(graph.x2) ? graph : { x1: 0, y1: 0, x2: 0, y2: 0 };
  const perColumn = Math.max(4, Math.floor((box.y2 - box.y1) / ROW));
  return shown.map((s, i): ElementDefinition => {
    const data: GhostData = {
      id: ghostId(s.name),
      type: "traffic",
      role: "shadow-service",
      ref: s.name,
      label: `${s.name}\nshadow · ${volume(s.calls_in + s.calls_out)} calls`,
      calls_in: s.calls_in,
      calls_out: s.calls_out,
    };
    return {
      group: "nodes",
      data: data as unknown as ElementDefinition["data"],
      position: { x: box.x2 + COLUMN * (1 + Math.floor(i / perColumn)), y: box.y1 + ROW / 2 + ROW * (i % perColumn) },
      classes: "ghost",
      selectable: false,
      grabbable: false,
    };
  });
}

/** Replace the ghosts on `cy` (their traffic edges go with them; re-add those afterwards). */
export function applyGhosts(cy: Core, defs: ElementDefinition[]): void {
  cy.batch(() => {
    cy.nodes('[role = "shadow-service"]').remove();
    if (defs.length) cy.add(defs);
  });
}

/** The ghosts' style: a dashed outline, a faint fill, no segment. Added after the design's. */
export function ghostStyle(colours: { pending: string; text: string; textBg: string }): StylesheetJson {
  return [
    {
      selector: "node.ghost",
      style: {
        shape: "round-rectangle",
        width: 44,
        height: 44,
        "background-color": colours.pending,
        "background-opacity": 0.12,
        "border-width": 2,
        "border-style": "dashed",
        "border-color": colours.pending,
        label: "data(label)",
        "text-wrap": "wrap",
        "text-valign": "bottom",
        "text-margin-y": 4,
        "font-size": 11,
        "font-style": "italic",
        color: colours.text,
        "text-background-color": colours.textBg,
        "text-background-opacity": 0.7,
        opacity: 0.85,
        "z-index": 15,
      },
    },
    { selector: "node.ghost.focus", style: { "underlay-color": "#d4a72c", "underlay-padding": 8, "underlay-opacity": 0.8, opacity: 1 } },
  ];
}
