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
    const packed = packRow(inner, Math.max(600, Math.sqrt(inner.reduce((a, b) => a + b.w * b.h, 0)) * 1.3));
    const place = new Map<string, { x: number; y: number }>();
    for (const [id, p] of packed.place) place.set(id, { x: p.x + PAD, y: p.y + PAD });
    return { w: packed.w + 2 * PAD, h: packed.h + 2 * PAD, place };
  };
  const top = [...(children.get(null) ?? []).map(boxOf)];
  const loose = members.get(null) ?? [];
  if (loose.length) top.push(gridBox(loose));
  const area = top.reduce((a, b) => a + b.w * b.h, 0);
  const all = packRow(top, Math.max(1200, Math.sqrt(area) * 1.5));
  const out = new Map(all.place);
  if ((design.flows ?? []).some((f) => f.from === "internet")) out.set("internet", { x: -200, y: -150 });
  return out;
}
