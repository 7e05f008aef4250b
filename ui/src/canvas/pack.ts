//! A fast first layout for services that have no saved position: each segment's members in a
//! grid, nested segments inside their parents, top-level boxes packed in rows. Linear time, so a
//! 2,000-service design opens at once; the fcose auto-layout is there for a nicer result.

import type { Design } from "../generated/bulkhead";
import { leafSegments } from "../model/design";

export const CELL_W = 150;
export const CELL_H = 90;
const PAD = 50;
const GAP = 70;

interface Box {
  w: number;
  h: number;
  /** Positions relative to the box's top-left. */
  place: Map<string, { x: number; y: number }>;
}

function gridBox(ids: string[]): Box {
  const cols = Math.max(1, Math.ceil(Math.sqrt(ids.length * 1.6)));
  const place = new Map<string, { x: number; y: number }>();
  ids.forEach((id, i) => place.set(id, { x: (i % cols) * CELL_W + CELL_W / 2, y: Math.floor(i / cols) * CELL_H + CELL_H / 2 }));
  const rows = Math.ceil(ids.length / cols);
  return { w: ids.length ? Math.min(ids.length, cols) * CELL_W : 0, h: rows * CELL_H, place };
}

/** Pack boxes left to right in rows about `targetWidth` wide. */
function packRow(boxes: Box[], targetWidth: number): Box {
  const place = new Map<string, { x: number; y: number }>();
  let x = 0;
  let y = 0;
  let rowH = 0;
  let w = 0;
  for (const b of boxes) {
    if (x > 0 && x + b.w > targetWidth) {
      x = 0;
      y += rowH + GAP;
      rowH = 0;
    }
    for (const [id, p] of b.place) place.set(id, { x: p.x + x, y: p.y + y });
    x += b.w + GAP;
    w = Math.max(w, x - GAP);
    rowH = Math.max(rowH, b.h);
  }
  return { w, h: y + rowH, place };
}

/** Width over height of the frame the layout should fill: the canvas beside the side panel. */
const ASPECT = 1.35;

/**
 * Rows of `boxes` whose overall shape fits a frame of `aspect` best, i.e. that can be drawn the
 * largest when fitted into it. Tries row widths from the widest box to one single row; each try
 * is linear, so this stays linear in the number of boxes.
 */
function packFramed(boxes: Box[], aspect: number): Box {
  if (boxes.length <= 1) return packRow(boxes, Infinity);
  const widest = Math.max(...boxes.map((b) => b.w));
  const total = boxes.reduce((a, b) => a + b.w, 0) + GAP * (boxes.length - 1);
  let best = packRow(boxes, total);
  let bestScore = Math.max(best.w / aspect, best.h);
  const tries = 24;
  for (let k = 0; k < tries; k++) {
    const b = packRow(boxes, widest + ((total - widest) * k) / tries);
    const score = Math.max(b.w / aspect, b.h);
    if (score < bestScore) {
      best = b;
      bestScore = score;
    }
  }
  return best;
}

/** Positions for every service (and the internet node) in the design, ignoring saved ones. */
export function packLayout(design: Design): Map<string, { x: number; y: number }> {
  const leaf = leafSegments(design);
  const segIds = new Set((design.segments ?? []).map((s) => s.id));
  const children = new Map<string | null, string[]>();
  for (const s of design.segments ?? []) {
    const p = s.parent && segIds.has(s.parent) && s.parent !== s.id ? s.parent : null;
    children.set(p, [...(children.get(p) ?? []), s.id]);
  }
  const members = new Map<string | null, string[]>();
  for (const s of design.services ?? []) {
    const seg = leaf.get(s.id) ?? null;
    members.set(seg, [...(members.get(seg) ?? []), s.id]);
  }
  const visiting = new Set<string>();
  const boxOf = (seg: string): Box => {
    if (visiting.has(seg)) return { w: 0, h: 0, place: new Map() }; // parent cycle: the validator reports it
    visiting.add(seg);
    const inner = [gridBox(members.get(seg) ?? []), ...(children.get(seg) ?? []).map(boxOf)].filter((b) => b.place.size > 0);
    const packed = packFramed(inner, ASPECT);
    const place = new Map<string, { x: number; y: number }>();
    for (const [id, p] of packed.place) place.set(id, { x: p.x + PAD, y: p.y + PAD });
    return { w: packed.w + 2 * PAD, h: packed.h + 2 * PAD, place };
  };
  const top = [...(children.get(null) ?? []).map(boxOf)];
  const loose = members.get(null) ?? [];
  if (loose.length) top.push(gridBox(loose));
  const all = packFramed(top, ASPECT);
  const out = new Map(all.place);
  if ((design.flows ?? []).some((f) => f.from === "internet")) out.set("internet", { x: -200, y: -150 });
  return out;
}

/** An axis-aligned box in model coordinates. */
export interface Box2 {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

// What the stylesheet draws around a service's centre (46 px node, label up to 150 px wide
// below it) and around a segment's content (26 px padding, a 17 px bold label on top).
const NODE_HALF_W = 75;
const NODE_ABOVE = 23;
const NODE_BELOW = 50;
const SEG_PAD = 26;
const SEG_LABEL = 24;

function nodeBox(p: { x: number; y: number }): Box2 {
  return { x1: p.x - NODE_HALF_W, y1: p.y - NODE_ABOVE, x2: p.x + NODE_HALF_W, y2: p.y + NODE_BELOW };
}

function intersects(a: Box2, b: Box2): boolean {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}

/**
 * Where the canvas will draw each segment's box for these service positions (a segment's box
 * wraps its members' nodes and its child segments, plus padding and the label on top). Segments
 * with no positioned service inside have no box.
 */
export function segmentBoxes(design: Design, positions: Readonly<Record<string, { x: number; y: number } | undefined>>): Map<string, Box2> {
  const leaf = leafSegments(design);
  const segIds = new Set((design.segments ?? []).map((s) => s.id));
  const children = new Map<string, string[]>();
  for (const s of design.segments ?? []) {
    if (s.parent && segIds.has(s.parent) && s.parent !== s.id) children.set(s.parent, [...(children.get(s.parent) ?? []), s.id]);
  }
  const members = new Map<string, string[]>();
  for (const [svc, seg] of leaf) members.set(seg, [...(members.get(seg) ?? []), svc]);
  const out = new Map<string, Box2>();
  const visiting = new Set<string>();
  const boxOf = (seg: string): Box2 | null => {
    if (out.has(seg)) return out.get(seg)!;
    if (visiting.has(seg)) return null; // a parent cycle: the validator reports it
    visiting.add(seg);
    const inner: Box2[] = [];
    for (const id of members.get(seg) ?? []) {
      const p = positions[id];
      if (p) inner.push(nodeBox(p));
    }
    for (const c of children.get(seg) ?? []) {
      const b = boxOf(c);
      if (b) inner.push(b);
    }
    if (inner.length === 0) return null;
    const box = {
      x1: Math.min(...inner.map((b) => b.x1)) - SEG_PAD,
      y1: Math.min(...inner.map((b) => b.y1)) - SEG_PAD - SEG_LABEL,
      x2: Math.max(...inner.map((b) => b.x2)) + SEG_PAD,
      y2: Math.max(...inner.map((b) => b.y2)) + SEG_PAD,
    };
    out.set(seg, box);
    return box;
  };
  for (const s of design.segments ?? []) boxOf(s.id);
  return out;
}

/**
 * Pairs of siblings that the saved positions draw on top of each other: two segments with the
 * same parent (or both top-level), or a segment and a service that sits beside it (same parent)
 * but inside its box. Each pair as `a|b` (`g:` segment, `s:` service ids), sorted.
 */
export function overlappingSiblings(design: Design, positions: Readonly<Record<string, { x: number; y: number } | undefined>>): string[] {
  const boxes = segmentBoxes(design, positions);
  const leaf = leafSegments(design);
  const segIds = new Set((design.segments ?? []).map((s) => s.id));
  const groups = new Map<string, { id: string; box: Box2; segment: boolean }[]>();
  const add = (parent: string | null | undefined, item: { id: string; box: Box2; segment: boolean }) => {
    const key = parent ?? "";
    groups.set(key, [...(groups.get(key) ?? []), item]);
  };
  for (const s of design.segments ?? []) {
    const box = boxes.get(s.id);
    if (box) add(s.parent && segIds.has(s.parent) ? s.parent : null, { id: `g:${s.id}`, box, segment: true });
  }
  for (const s of design.services ?? []) {
    const p = positions[s.id];
    if (p) add(leaf.get(s.id) ?? null, { id: `s:${s.id}`, box: nodeBox(p), segment: false });
  }
  const out: string[] = [];
  for (const items of groups.values()) {
    const segs = items.filter((i) => i.segment);
    for (let i = 0; i < segs.length; i++) {
      const a = segs[i]!;
      for (const b of items) {
        if (b === a || (b.segment && segs.indexOf(b) < i)) continue;
        if (intersects(a.box, b.box)) out.push([a.id, b.id].sort().join("|"));
      }
    }
  }
  return out.sort();
}

/**
 * The design with a segment-respecting layout when its saved one draws sibling segments on top
 * of each other (a hand-edited or imported file): boxes that overlap read as nesting that is not
 * there. A design without saved positions, or with a clean layout, comes back unchanged.
 */
export function repairLayout(design: Design): Design {
  const saved = design.layout?.positions;
  if (!saved || Object.keys(saved).length === 0) return design;
  if (overlappingSiblings(design, saved).length === 0) return design;
  const packed = packLayout(design);
  // Services only: the internet node is not part of the model (the canvas places it itself).
  const positions = Object.fromEntries([...packed.keys()].filter((k) => k !== "internet").sort().map((k) => [k, packed.get(k)!]));
  return { ...design, layout: { ...design.layout, positions } };
}
