//! Merge an import preview into the design, with or without its segmentation proposal.

import type { Design, Segment } from "../generated/bulkhead";
import type { Action } from "./action";

export interface ApplyImportArgs {
  /** The backend's merged design (`ImportPreview.merged`). */
  merged: Design;
  /** Proposed segments to accept (a subset of `ImportPreview.proposal`), or empty to ignore. */
  accepted: Segment[];
}

/** Put `proposal` segments into `design`: same-id segments are replaced; their members leave other segments. */
export function withProposal(design: Design, proposal: Segment[]): Design {
  if (proposal.length === 0) return design;
  const moved = new Set(proposal.flatMap((s) => s.members ?? []));
  const ids = new Set(proposal.map((s) => s.id));
  const kept = (design.segments ?? [])
    .filter((s) => !ids.has(s.id))
    .map((s) => ((s.members ?? []).some((m) => moved.has(m)) ? { ...s, members: (s.members ?? []).filter((m) => !moved.has(m)) } : s));
  return { ...design, segments: [...kept, ...proposal] };
}

export const applyImport: Action<ApplyImportArgs> = {
  name: "applyImport",
  perform(state, { merged, accepted }) {
    // Layout positions of the current design survive the merge (the backend does not know them
    // if the user moved boxes after asking for the preview).
    const positions = { ...(merged.layout?.positions ?? {}), ...(state.design.layout?.positions ?? {}) };
    const design = withProposal({ ...merged, layout: { ...merged.layout, positions } }, accepted);
    return { ...state, design, panel: "inspector", selection: { kind: null, ids: [] } };
  },
};
