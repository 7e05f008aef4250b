//! Read-only helpers over the design model: lookups, segment tree, ids. No semantics here
//! (nothing about what is allowed): that is the backend's evaluator.

import type { Design, Segment, Sensitivity, Service } from "../generated/bulkhead";

export const SENSITIVITY_ORDER: readonly Sensitivity[] = ["public", "internal", "confidential", "restricted"];

/** The current file format, as written by `bulkhead-core` (`model::FORMAT`). */
export const FORMAT = "bulkhead/1";

/** An empty design, used until the backend's `design_new` answers (and in tests). */
export function emptyDesign(name = "Untitled"): Design {
  return { format: FORMAT, name, data_classes: [], services: [], segments: [], rules: [], flows: [], layout: { positions: {} } };
}

/** The leaf segment listing `service`: the deepest segment whose `members` has it. */
export function segmentOf(design: Design, service: string): Segment | undefined {
  let best: Segment | undefined;
  let bestDepth = -1;
  for (const seg of design.segments ?? []) {
    if (seg.members?.includes(service)) {
      const d = depth(design, seg.id);
      if (d > bestDepth) {
        best = seg;
        bestDepth = d;
      }
    }
  }
  return best;
}

/** Nesting depth of a segment (0 for a top-level one). Bounded: a parent cycle stops the walk. */
export function depth(design: Design, segment: string): number {
  const byId = new Map((design.segments ?? []).map((s) => [s.id, s]));
  let d = 0;
  let cur = byId.get(segment);
  const seen = new Set<string>();
  while (cur?.parent && !seen.has(cur.id) && d < 64) {
    seen.add(cur.id);
    cur = byId.get(cur.parent);
    if (cur) d++;
  }
  return d;
}

/** `segment` and its ancestors, nearest first (bounded against parent cycles). */
export function ancestors(design: Design, segment: string, byId: ReadonlyMap<string, Segment> = segmentMap(design)): string[] {
  const out: string[] = [];
  let cur = byId.get(segment);
  while (cur && !out.includes(cur.id) && out.length < 64) {
    out.push(cur.id);
    cur = cur.parent ? byId.get(cur.parent) : undefined;
  }
  return out;
}

/** The highest sensitivity among the data classes a service holds, if any. */
export function highestSensitivity(design: Design, service: Service): Sensitivity | undefined {
  const byId = new Map((design.data_classes ?? []).map((d) => [d.id, d]));
  let best = -1;
  for (const id of service.data_held ?? []) {
    const dc = byId.get(id);
    if (dc) best = Math.max(best, SENSITIVITY_ORDER.indexOf(dc.sensitivity));
  }
  return best >= 0 ? SENSITIVITY_ORDER[best] : undefined;
}

/** A fresh id from `base` not used by any element kind in the design: `base`, `base-2`, ... */
export function uniqueId(design: Design, base: string): string {
  const used = new Set<string>();
  for (const xs of [design.services, design.segments, design.rules, design.flows, design.data_classes]) {
    for (const x of xs ?? []) used.add(x.id);
  }
  const clean = slug(base) || "item";
  if (!used.has(clean)) return clean;
  for (let i = 2; i < 100_000; i++) {
    const id = `${clean}-${i}`;
    if (!used.has(id)) return id;
  }
  return `${clean}-${Date.now()}`;
}

/** Lowercase, dash-separated id text. */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
}

export function displayName(x: { id: string; name?: string }): string {
  return x.name && x.name.length > 0 ? x.name : x.id;
}

/** Index of an element by id, for JSON pointers (`/services/3`). */
export function pointerOf(design: Design, kind: "service" | "segment" | "rule" | "flow", id: string): string | undefined {
  const list = kind === "service" ? design.services : kind === "segment" ? design.segments : kind === "rule" ? design.rules : design.flows;
  const i = (list ?? []).findIndex((x) => x.id === id);
  return i >= 0 ? `/${kind}s/${i}` : undefined;
}

export function segmentMap(design: Design): Map<string, Segment> {
  return new Map((design.segments ?? []).map((s) => [s.id, s]));
}

/** Every service's leaf segment in one pass (for the canvas on large designs). */
export function leafSegments(design: Design): Map<string, string> {
  const byId = segmentMap(design);
  const depths = new Map<string, number>();
  for (const s of design.segments ?? []) depths.set(s.id, ancestors(design, s.id, byId).length - 1);
  const out = new Map<string, string>();
  const best = new Map<string, number>();
  for (const s of design.segments ?? []) {
    const d = depths.get(s.id) ?? 0;
    for (const m of s.members ?? []) {
      if ((best.get(m) ?? -1) < d) {
        best.set(m, d);
        out.set(m, s.id);
      }
    }
  }
  return out;
}
