//! Delete services, segments, flows or rules, and everything that only made sense with them:
//! a deleted service leaves every segment, flow, rule and layout entry; a deleted segment hands
//! its members and child segments to its parent and takes its rules with it.

import type { Design, Peer } from "../generated/bulkhead";
import { pruneSelection, type ElementKind } from "../state";
import type { Action } from "./action";

export interface DeleteElementsArgs {
  kind: ElementKind;
  ids: string[];
}

function peerNames(p: Peer, kind: "service" | "segment", ids: Set<string>): boolean {
  return typeof p === "object" && kind in p && ids.has((p as Record<string, string>)[kind] ?? "");
}

function withoutPositions(d: Design, ids: Set<string>): Design["layout"] {
  const positions = Object.fromEntries(Object.entries(d.layout?.positions ?? {}).filter(([k]) => !ids.has(k)));
  return { ...d.layout, positions };
}

export const deleteElements: Action<DeleteElementsArgs> = {
  name: "deleteElements",
  perform(state, { kind, ids }) {
    const d = state.design;
    const gone = new Set(ids);
    let design: Design;
    switch (kind) {
      case "service":
        design = {
          ...d,
          services: (d.services ?? []).filter((s) => !gone.has(s.id)),
          segments: (d.segments ?? []).map((s) =>
            (s.members ?? []).some((m) => gone.has(m)) ? { ...s, members: (s.members ?? []).filter((m) => !gone.has(m)) } : s,
          ),
          flows: (d.flows ?? []).filter((f) => !gone.has(f.from) && !gone.has(f.to)),
          rules: (d.rules ?? []).filter((r) => !peerNames(r.from, "service", gone) && !peerNames(r.to, "service", gone)),
          layout: withoutPositions(d, gone),
        };
        break;
      case "segment": {
        const byId = new Map((d.segments ?? []).map((s) => [s.id, s]));
        // The nearest surviving ancestor of a deleted segment inherits its members and children.
        const heir = (id: string): string | undefined => {
          let cur = byId.get(id)?.parent ?? undefined;
          for (let i = 0; cur && gone.has(cur) && i < 64; i++) cur = byId.get(cur)?.parent ?? undefined;
          return cur;
        };
        const inherited = new Map<string, string[]>();
        for (const id of gone) {
          const h = heir(id);
          if (h) inherited.set(h, [...(inherited.get(h) ?? []), ...(byId.get(id)?.members ?? [])]);
        }
        design = {
          ...d,
          segments: (d.segments ?? [])
            .filter((s) => !gone.has(s.id))
            .map((s) => {
              let next = s;
              if (s.parent && gone.has(s.parent)) {
                const h = heir(s.id);
                const { parent: _dropped, ...rest } = s;
                next = h ? { ...rest, parent: h } : rest;
              }
              const extra = inherited.get(s.id);
              return extra ? { ...next, members: [...(next.members ?? []), ...extra.filter((m) => !(next.members ?? []).includes(m))] } : next;
            }),
          rules: (d.rules ?? []).filter((r) => !peerNames(r.from, "segment", gone) && !peerNames(r.to, "segment", gone)),
          layout: withoutPositions(d, gone),
        };
        break;
      }
      case "flow":
        design = { ...d, flows: (d.flows ?? []).filter((f) => !gone.has(f.id)) };
        break;
      case "rule":
        design = { ...d, rules: (d.rules ?? []).filter((r) => !gone.has(r.id)) };
        break;
    }
    return { ...state, design, selection: pruneSelection(design, state.selection) };
  },
};
