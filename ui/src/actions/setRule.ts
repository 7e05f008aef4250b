//! Add or edit an access rule (the segment matrix's cell editor and the rule inspector use it).
//! With `id` absent a new rule is created; otherwise the rule is patched.

import type { Rule } from "../generated/bulkhead";
import { slug, uniqueId } from "../model/design";
import { mapById, type Action } from "./action";
import { dropEmpty } from "./updateService";

export type SetRuleArgs = { id: string; patch: Partial<Omit<Rule, "id">> } | { id?: undefined; rule: Omit<Rule, "id"> };

function peerSlug(p: Rule["from"]): string {
  if (typeof p === "string") return p;
  return "segment" in p ? p.segment : p.service;
}

export const setRule: Action<SetRuleArgs> = {
  name: "setRule",
  perform(state, args) {
    const d = state.design;
    if (args.id === undefined) {
      const id = uniqueId(d, `r-${slug(peerSlug(args.rule.from))}-${slug(peerSlug(args.rule.to))}`);
      const rule = dropEmpty({ id, ...args.rule }) as Rule;
      return { ...state, design: { ...d, rules: [...(d.rules ?? []), rule] }, selection: { kind: "rule", ids: [id] } };
    }
    const { id, patch } = args;
    if (!(d.rules ?? []).some((r) => r.id === id)) return state;
    return { ...state, design: { ...d, rules: mapById(d.rules, id, (r) => dropEmpty({ ...r, ...patch })) } };
  },
};
