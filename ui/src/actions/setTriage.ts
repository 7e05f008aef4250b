//! Mark a finding accepted, mitigated or a false positive with a reason (`design.triage`), or
//! clear its triage with `status: null`.

import type { TriageStatus } from "../generated/bulkhead";
import type { Action } from "./action";

export interface SetTriageArgs {
  finding: string;
  status: TriageStatus | null;
  reason?: string;
}

export const setTriage: Action<SetTriageArgs> = {
  name: "setTriage",
  perform(state, { finding, status, reason = "" }) {
    const d = state.design;
    const rest = (d.triage ?? []).filter((t) => t.finding !== finding);
    if (status === null) {
      if (rest.length === (d.triage ?? []).length) return state;
      const { triage: _old, ...withoutTriage } = d;
      return { ...state, design: rest.length ? { ...d, triage: rest } : withoutTriage };
    }
    const triage = [...rest, { finding, status, reason: reason.trim() }].sort((a, b) => a.finding.localeCompare(b.finding));
    return { ...state, design: { ...d, triage } };
  },
};
