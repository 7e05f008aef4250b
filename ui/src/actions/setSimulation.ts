//! Simulation settings: origin, assumption, on/off, the highlighted attack path, animation.

import type { SimulationSettings } from "../state";
import type { Action } from "./action";

export const setSimulation: Action<Partial<SimulationSettings>> = {
  name: "setSimulation",
  perform(state, patch) {
    const changesRun = patch.origin !== undefined || patch.assumption !== undefined || patch.active === false;
    return {
      ...state,
      simulation: {
        ...state.simulation,
        // A new run's paths differ: a highlight index from the old run would point at the wrong path.
        ...(changesRun ? { highlightedPath: null } : {}),
        ...patch,
      },
    };
  },
};
