//! A fast first layout for services that have no saved position: each segment's members in a
//! grid, nested segments inside their parents, top-level boxes packed in rows. Linear time, so a
//! 2,000-service design opens at once; the fcose auto-layout is there for a nicer result.

import type { Design } from "../generated/bulkhead";
import { leafSegments } from "../model/design";
import { segmentLabel } from "./elements";

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

/**
 * Lays `boxes` left to right in rows about `targetWidth` wide: the width and height of the whole,
 * and each box's top-left, given to `at` if there is one (the tries of `packFramed` only size).
 */
function layRows(boxes: Box[], targetWidth: number, at?: (b: Box, x: number, y: number) => void): { w: number; h: number } {
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
    at?.(b, x, y);
    x += b.w + GAP;
    w = Math.max(w, x - GAP);
    rowH = Math.max(rowH, b.h);
  }
  return { w, h: y + rowH };
}

/** Pack boxes left to right in rows about `targetWidth` wide. */
function packRow(boxes: Box[], targetWidth: number): Box {
  const place = new Map<string, { x: number; y: number }>();
  const { w, h } = layRows(boxes, targetWidth, (b, x, y) => {
    for (const [id, p] of b.place) place.set(id, { x: p.x + x, y: p.y + y });
  });
  return { w, h, place };
}

/** Width over height of the frame the layout should fill: the canvas beside the side panel. */
const ASPECT = 1.35;

/**
 * Rows of `boxes` whose overall shape fits a frame of `aspect` best, i.e. that can be drawn the
 * largest when fitted into it. Tries row widths from the widest box to one single row; each try
 * is linear, so this stays linear in the number of boxes. The tries only size the rows
 * (`layRows`); the members are placed once, for the best: placing every member of every box at
 * each of the 25 tries, at every level of nesting, was most of the layout of a large estate.
 */
function packFramed(boxes: Box[], aspect: number): Box {
  if (boxes.length <= 1) return packRow(boxes, Infinity);
  const widest = Math.max(...boxes.map((b) => b.w));
  const total = boxes.reduce((a, b) => a + b.w, 0) + GAP * (boxes.length - 1);
  let bestWidth = total;
  const first = layRows(boxes, total);
  let bestScore = Math.max(first.w / aspect, first.h);
  const tries = 24;
  for (let k = 0; k < tries; k++) {
    const width = widest + ((total - widest) * k) / tries;
    const b = layRows(boxes, width);
    const score = Math.max(b.w / aspect, b.h);
    if (score < bestScore) {
      bestWidth = width;
      bestScore = score;
    }
  }
  return packRow(boxes, bestWidth);
}

/** Positions for every service (and the internet node) in the design, ignoring saved ones. */
export function packLayout(design: Design): Map<string, { x: number; y: number }> {
  const leaf = leafSegments(design);
  const labelWidths = new Map((design.segments ?? []).map((s) => [s.id, labelWidth(s)]));
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
    // As wide as the segment's label too (drawn centred above it), so neighbours' labels never meet.
    const w = Math.max(packed.w + 2 * PAD, labelWidths.get(seg) ?? 0);
    const left = (w - packed.w) / 2;
    const place = new Map<string, { x: number; y: number }>();
    for (const [id, p] of packed.place) place.set(id, { x: p.x + left, y: p.y + PAD });
    return { w, h: packed.h + 2 * PAD, place };
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
// A segment's label (17 px bold, cut at 400 px) is centred over its box and can be wider than it:
// a small segment with a long name. 10.5 px a character is a little more than is drawn (room is
// harmless, a label over a neighbour is not). `packLayout` and `separateSiblings` leave room for
// it; the check made when a file is opened (`repairLayout`) does not count it, so a saved layout
// whose neighbouring labels touch (Online Boutique's) is opened as it was saved.
const SEG_LABEL_CHAR_W = 10.5;
const SEG_LABEL_MAX_W = 400;

function labelWidth(s: { id: string; name?: string; level?: string; trust?: string }): number {
  return Math.min(SEG_LABEL_MAX_W, segmentLabel(s).length * SEG_LABEL_CHAR_W);
}

function nodeBox(p: { x: number; y: number }): Box2 {
  return { x1: p.x - NODE_HALF_W, y1: p.y - NODE_ABOVE, x2: p.x + NODE_HALF_W, y2: p.y + NODE_BELOW };
}

/**
 * What the canvas actually draws around each element, measured from Cytoscape (`CanvasView.
 * drawnExtents`), for `segmentBoxes` and `separateSiblings` to use instead of the estimates above.
 * The estimates miss a few pixels here and there (a badge's bounds expansion, a thick border at
 * each nesting level, a label's real height), and a few pixels were enough for two boxes the
 * estimates put just apart to touch on the canvas. Each part is relative, so it still holds once
 * the element has moved: a service's box to its centre; a segment's padding and border to the box
 * of what it holds; its label to the top centre of its body.
 */
export interface Drawn {
  /** A service's box (body, badges, label), relative to its position. */
  services: ReadonlyMap<string, Box2>;
  /** A segment's `pad` (how far its body reaches past its children's boxes, each side, >= 0) and
   * its label's box relative to the top centre of its body (null: no label drawn). */
  segments: ReadonlyMap<string, { pad: Box2; label: Box2 | null }>;
}

function serviceBox(id: string, p: { x: number; y: number }, drawn?: Drawn): Box2 {
  const r = drawn?.services.get(id);
  return r ? { x1: p.x + r.x1, y1: p.y + r.y1, x2: p.x + r.x2, y2: p.y + r.y2 } : nodeBox(p);
}

function intersects(a: Box2, b: Box2): boolean {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}

/**
 * Where the canvas will draw each segment's box for these service positions (a segment's box
 * wraps its members' nodes and its child segments, plus padding and the label on top; with
 * `labels`, also as wide as its label). Segments with no positioned service inside have no box.
 */
export function segmentBoxes(design: Design, positions: Readonly<Record<string, { x: number; y: number } | undefined>>, labels = false, drawn?: Drawn): Map<string, Box2> {
  return segmentBoxer(design, labels, drawn)(positions);
}

/**
 * `segmentBoxes` for one design asked many times: the nesting, the members and the label
 * widths are worked out once, and each call boxes only the segments asked for (with what is
 * inside them), or all. `separateSiblings` asks once per sibling group; working the whole design
 * out again for each of them took seconds on 2,000 services in 670 segments.
 */
function segmentBoxer(design: Design, labels: boolean, drawn?: Drawn): (positions: Readonly<Record<string, { x: number; y: number } | undefined>>, segments?: readonly string[]) => Map<string, Box2> {
  const leaf = leafSegments(design);
  const segIds = new Set((design.segments ?? []).map((s) => s.id));
  const children = new Map<string, string[]>();
  const widths = new Map<string, number>();
  const push = (m: Map<string, string[]>, key: string, v: string) => {
    const list = m.get(key);
    if (list) list.push(v);
    else m.set(key, [v]);
  };
  for (const s of design.segments ?? []) {
    if (s.parent && segIds.has(s.parent) && s.parent !== s.id) push(children, s.parent, s.id);
    if (labels) widths.set(s.id, labelWidth(s));
  }
  const members = new Map<string, string[]>();
  for (const [svc, seg] of leaf) push(members, seg, svc);
  const all = (design.segments ?? []).map((s) => s.id);
  return (positions, segments = all) => {
    const out = new Map<string, Box2>();
    const visiting = new Set<string>();
    const boxOf = (seg: string): Box2 | null => {
      if (out.has(seg)) return out.get(seg)!;
      if (visiting.has(seg)) return null; // a parent cycle: the validator reports it
      visiting.add(seg);
      // The union of the members' and child segments' boxes.
      let inner: Box2 | null = null;
      const add = (b: Box2) => {
        if (!inner) inner = { ...b };
        else (inner.x1 = Math.min(inner.x1, b.x1), inner.y1 = Math.min(inner.y1, b.y1), inner.x2 = Math.max(inner.x2, b.x2), inner.y2 = Math.max(inner.y2, b.y2));
      };
      for (const id of members.get(seg) ?? []) {
        const p = positions[id];
        if (p) add(serviceBox(id, p, drawn));
      }
      for (const c of children.get(seg) ?? []) {
        const b = boxOf(c);
        if (b) add(b);
      }
      const u = inner as Box2 | null;
      if (u === null) return null;
      const measured = drawn?.segments.get(seg);
      if (measured) {
        // As Cytoscape sizes a compound: its children's boxes (labels included) plus its padding
        // and border; then its label, wherever it reaches.
        const { pad, label } = measured;
        const box = { x1: u.x1 - pad.x1, y1: u.y1 - pad.y1, x2: u.x2 + pad.x2, y2: u.y2 + pad.y2 };
        if (label) {
          const cx = (box.x1 + box.x2) / 2;
          const top = box.y1;
          box.x1 = Math.min(box.x1, cx + label.x1);
          box.x2 = Math.max(box.x2, cx + label.x2);
          box.y1 = Math.min(box.y1, top + label.y1);
          box.y2 = Math.max(box.y2, top + label.y2);
        }
        out.set(seg, box);
        return box;
      }
      const box = { x1: u.x1 - SEG_PAD, y1: u.y1 - SEG_PAD - SEG_LABEL, x2: u.x2 + SEG_PAD, y2: u.y2 + SEG_PAD };
      const widen = ((widths.get(seg) ?? 0) - (box.x2 - box.x1)) / 2;
      if (widen > 0) (box.x1 -= widen, box.x2 += widen);
      out.set(seg, box);
      return box;
    };
    for (const s of segments) boxOf(s);
    return out;
  };
}

/**
 * Pairs of siblings that the saved positions draw on top of each other: two segments with the
 * same parent (or both top-level), or a segment and a service that sits beside it (same parent)
 * but inside its box. Each pair as `a|b` (`g:` segment, `s:` service ids), sorted. With `drawn`,
 * by the boxes measured on the canvas.
 */
export function overlappingSiblings(design: Design, positions: Readonly<Record<string, { x: number; y: number } | undefined>>, labels = false, drawn?: Drawn): string[] {
  const boxes = segmentBoxes(design, positions, labels, drawn);
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
    if (p) add(leaf.get(s.id) ?? null, { id: `s:${s.id}`, box: serviceBox(s.id, p, drawn), segment: false });
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
 * of each other (a hand-edited or imported file, or a segment just made around services from
 * different places): boxes that overlap read as nesting that is not there. A design without
 * saved positions, or with a clean layout, comes back unchanged.
 */
export function repairLayout(design: Design, drawn?: Readonly<Record<string, { x: number; y: number }>>): Design {
  const saved = design.layout?.positions;
  // `drawn`: where the canvas shows services that have no saved position (e.g. a generated
  // design, placed by `packLayout` when it was opened), so they count too.
  const shown = drawn ? { ...drawn, ...saved } : saved;
  if (!shown || Object.keys(shown).length === 0) return design;
  if (overlappingSiblings(design, shown).length === 0) return design;
  const packed = packLayout(design);
  // Services only: the internet node is not part of the model (the canvas places it itself).
  const positions = Object.fromEntries([...packed.keys()].filter((k) => k !== "internet").sort().map((k) => [k, packed.get(k)!]));
  return { ...design, layout: { ...design.layout, positions } };
}

/** Room left between two sibling boxes that `separateSiblings` pushed apart. */
const SEPARATION = 30;
/** Room `separateSiblings` keeps around every box, pushed apart or not (see there). */
const MARGIN = 12;

/**
 * `positions` with sibling segments (and the services beside them) moved off each other, each
 * segment moving with everything inside it. fcose only repels compound nodes, so its layouts
 * often draw one segment over another, which reads as nesting that is not in the design. Works
 * from the innermost segments out (a segment's box is only known once its children are apart),
 * pushing each overlapping pair apart along the axis that needs the smaller move, half each.
 * A group still tangled after a bounded number of rounds is shelved in rows instead. With
 * `drawn` (measured on the canvas), boxes are the ones Cytoscape draws; without it, estimates.
 */
export function separateSiblings(design: Design, positions: Readonly<Record<string, { x: number; y: number } | undefined>>, drawn?: Drawn): Record<string, { x: number; y: number }> {
  const out: Record<string, { x: number; y: number }> = {};
  for (const [id, p] of Object.entries(positions)) if (p) out[id] = { x: p.x, y: p.y };
  const leaf = leafSegments(design);
  const segIds = new Set((design.segments ?? []).map((s) => s.id));
  const parentOf = new Map<string, string | null>();
  for (const s of design.segments ?? []) parentOf.set(s.id, s.parent && segIds.has(s.parent) && s.parent !== s.id ? s.parent : null);
  const depth = (seg: string | null): number => {
    let d = 0;
    for (let cur = seg, seen = 0; cur !== null && seen <= segIds.size; cur = parentOf.get(cur) ?? null, seen++) d++;
    return d;
  };
  // Every service inside each segment, nested ones included (what moves with the segment).
  const inside = new Map<string, string[]>();
  for (const [svc, seg] of leaf) {
    for (let cur: string | null = seg, seen = 0; cur !== null && seen <= segIds.size; cur = parentOf.get(cur) ?? null, seen++) {
      const list = inside.get(cur);
      if (list) list.push(svc);
      else inside.set(cur, [svc]);
    }
  }
  // Sibling groups by parent ("" for the top level), innermost first.
  const groups = new Map<string, { segments: string[]; services: string[] }>();
  const group = (parent: string | null) => {
    const key = parent ?? "";
    if (!groups.has(key)) groups.set(key, { segments: [], services: [] });
    return groups.get(key)!;
  };
  for (const s of design.segments ?? []) group(parentOf.get(s.id) ?? null).segments.push(s.id);
  for (const s of design.services ?? []) if (out[s.id]) group(leaf.get(s.id) ?? null).services.push(s.id);
  const order = [...groups.keys()].sort((a, b) => depth(b || null) - depth(a || null));
  const boxesOf = segmentBoxer(design, true, drawn);
  for (const key of order) {
    const g = groups.get(key)!;
    if (g.segments.length === 0) continue;
    const boxes = boxesOf(out, g.segments);
    // Each box with a margin: the estimates can be a few pixels smaller than what is drawn (up
    // to 9 measured), so boxes they put just apart would still touch on the canvas. Measured
    // boxes (`drawn`) are exact; the margin stays as room between boxes fcose left close.
    const grow = (b: Box2): Box2 => ({ x1: b.x1 - MARGIN, y1: b.y1 - MARGIN, x2: b.x2 + MARGIN, y2: b.y2 + MARGIN });
    const items = [
      ...g.segments.flatMap((id) => {
        const box = boxes.get(id);
        return box ? [{ segment: true, box: grow(box), moves: inside.get(id) ?? [] }] : [];
      }),
      ...g.services.map((id) => ({ segment: false, box: grow(serviceBox(id, out[id]!, drawn)), moves: [id] })),
    ];
    const shift = items.map(() => ({ x: 0, y: 0 }));
    // Overlapping pairs pushed apart in each round. A group that sorts itself out has fewer
    // every few rounds; hundreds of boxes scattered on top of each other (fcose's draft layout
    // of 2,000 services leaves two such groups of ~300 segments) keep about as many however
    // many rounds run, and end up shelved below anyway: those stop pushing after 10 rounds that
    // did not cut the count by a tenth (200 rounds of them took seconds of the window's time).
    const pushed: number[] = [];
    for (let round = 0; round < 200; round++) {
      let moved = false;
      let pairs = 0;
      for (let i = 0; i < items.length; i++) {
        for (let j = i + 1; j < items.length; j++) {
          const a = items[i]!;
          const b = items[j]!;
          if ((!a.segment && !b.segment) || !intersects(a.box, b.box)) continue;
          const dx = Math.min(a.box.x2, b.box.x2) - Math.max(a.box.x1, b.box.x1) + SEPARATION;
          const dy = Math.min(a.box.y2, b.box.y2) - Math.max(a.box.y1, b.box.y1) + SEPARATION;
          const alongX = dx <= dy;
          // b goes the way its centre already lies from a's (right/down on a tie), a the other way.
          const sign = alongX ? (b.box.x1 + b.box.x2 >= a.box.x1 + a.box.x2 ? 1 : -1) : b.box.y1 + b.box.y2 >= a.box.y1 + a.box.y2 ? 1 : -1;
          const half = ((alongX ? dx : dy) / 2) * sign;
          const move = (k: number, d: number) => {
            const it = items[k]!;
            if (alongX) (it.box.x1 += d, it.box.x2 += d, (shift[k]!.x += d));
            else (it.box.y1 += d, it.box.y2 += d, (shift[k]!.y += d));
          };
          move(i, -half);
          move(j, half);
          moved = true;
          pairs++;
        }
      }
      if (!moved) break;
      pushed.push(pairs);
      if (round >= 10 && pairs > 0.9 * pushed[round - 10]!) break;
    }
    if (items.some((a, i) => items.some((b, j) => j > i && (a.segment || b.segment) && intersects(a.box, b.box)))) {
      // Still tangled (hundreds of boxes scattered on top of each other): shelve the group in
      // rows, in reading order of where the layout put them, which cannot overlap.
      const order = items.map((_, k) => k).sort((a, b) => items[a]!.box.y1 - items[b]!.box.y1 || items[a]!.box.x1 - items[b]!.box.x1);
      const area = items.reduce((sum, it) => sum + (it.box.x2 - it.box.x1 + SEPARATION) * (it.box.y2 - it.box.y1 + SEPARATION), 0);
      const rowW = Math.max(...items.map((it) => it.box.x2 - it.box.x1), Math.sqrt(area * ASPECT));
      const x0 = Math.min(...items.map((it) => it.box.x1));
      const y0 = Math.min(...items.map((it) => it.box.y1));
      let x = x0;
      let y = y0;
      let rowH = 0;
      for (const k of order) {
        const it = items[k]!;
        const w = it.box.x2 - it.box.x1;
        const h = it.box.y2 - it.box.y1;
        if (x > x0 && x + w > x0 + rowW) (x = x0, (y += rowH + SEPARATION), (rowH = 0));
        const dx = x - it.box.x1;
        const dy = y - it.box.y1;
        it.box = { x1: x, y1: y, x2: x + w, y2: y + h };
        shift[k]!.x += dx;
        shift[k]!.y += dy;
        x += w + SEPARATION;
        rowH = Math.max(rowH, h);
      }
    }
    items.forEach((it, k) => {
      const d = shift[k]!;
      if (d.x === 0 && d.y === 0) return;
      for (const id of it.moves) {
        const p = out[id];
        if (p) out[id] = { x: p.x + d.x, y: p.y + d.y };
      }
    });
  }
  return out;
}
