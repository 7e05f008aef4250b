//! Search and filter: which services match the current filter (null when no filter is set).

import type { Design } from "../generated/bulkhead";
import type { Filter } from "../state";
import { ancestors, leafSegments, segmentMap } from "../model/design";

export function isFilterActive(f: Filter): boolean {
  return f.text.trim() !== "" || f.tag !== null || f.segment !== null || f.dataClass !== null;
}

export function matchesFilter(f: Filter, design: Design): Set<string> | null {
  if (!isFilterActive(f)) return null;
  const text = f.text.trim().toLowerCase();
  const leaf = f.segment ? leafSegments(design) : null;
  const segs = segmentMap(design);
  const out = new Set<string>();
  for (const s of design.services ?? []) {
    if (text && ![s.id, s.name ?? "", ...(s.tags ?? [])].some((x) => x.toLowerCase().includes(text))) continue;
    if (f.tag && !(s.tags ?? []).includes(f.tag)) continue;
    if (f.segment && leaf) {
      const l = leaf.get(s.id);
      if (!l || !ancestors(design, l, segs).includes(f.segment)) continue;
    }
    if (f.dataClass && !(s.data_held ?? []).includes(f.dataClass) && !(s.endpoints ?? []).some((e) => (e.data_classes ?? []).includes(f.dataClass ?? ""))) continue;
    out.add(s.id);
  }
  return out;
}

/** Every tag used by a service, sorted, for the filter's tag list. */
export function allTags(design: Design): string[] {
  return [...new Set((design.services ?? []).flatMap((s) => s.tags ?? []))].sort();
}
