//! Accept (part of) the least-privilege proposal: replace the design with the backend's
//! `propose_apply` result (rules added, narrowed or removed, intra-segment allows closed) as one
//! undoable edit. Only rules and segments' intra stance change; the canvas layout is kept.

import type { Design } from "../generated/bulkhead";
import type { Action } from "./action";

export interface ApplyProposalArgs {
  /** The backend's design with the accepted changes applied. */
  design: Design;
}

export const applyProposal: Action<ApplyProposalArgs> = {
  name: "applyProposal",
  perform(state, { design }) {
    return { ...state, design: { ...design, layout: state.design.layout ?? design.layout } };
  },
};
