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

/** A canvas element as the fade sees it: a service (its id), or a flow (the ids at its ends). */
export type FadeItem = { service: string; faded: boolean } | { from: string | undefined; to: string | undefined; faded: boolean };

/**
 * What the filter's matches (`matchesFilter`; null: no filter) fade: every service that does not
 * match, and every flow unless both of its ends match (a flow from the internet, or from a
 * shadow service's ghost, whenever a filter is set). `items` are the canvas's services and
 * flows as `read` sees them; the answer lists those whose fading changes, each way.
 */
export function fadeChanges<T>(match: ReadonlySet<string> | null, items: Iterable<T>, read: (item: T) => FadeItem): { fade: T[]; show: T[] } {
  const fade: T[] = [];
  const show: T[] = [];
  for (const item of items) {
    const it = read(item);
    const faded = match !== null && ("service" in it ? !match.has(it.service) : !(it.from !== undefined && it.to !== undefined && match.has(it.from) && match.has(it.to)));
    if (faded !== it.faded) (faded ? fade : show).push(item);
  }
  return { fade, show };
}

/** Every tag used by a service, sorted, for the filter's tag list. */
export function allTags(design: Design): string[] {
  return [...new Set((design.services ?? []).flatMap((s) => s.tags ?? []))].sort();
}
