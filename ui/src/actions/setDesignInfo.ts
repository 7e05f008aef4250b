//! Rename the design or edit its description; also add or edit data classes.

import type { DataClass } from "../generated/bulkhead";
import type { Action } from "./action";
import { dropEmpty } from "./updateService";

export interface SetDesignInfoArgs {
  name?: string;
  description?: string | null;
  /** Add or replace a data class by id. */
  dataClass?: DataClass;
}

export const setDesignInfo: Action<SetDesignInfoArgs> = {
  name: "setDesignInfo",
  perform(state, { name, description, dataClass }) {
    let d = state.design;
    if (name !== undefined && name !== d.name) d = { ...d, name };
    if (description !== undefined && description !== d.description) d = dropEmpty({ ...d, description: description || null });
    if (dataClass) {
      const list = d.data_classes ?? [];
      const i = list.findIndex((x) => x.id === dataClass.id);
      d = { ...d, data_classes: i >= 0 ? list.map((x, j) => (j === i ? dataClass : x)) : [...list, dataClass] };
    }
    return d === state.design ? state : { ...state, design: d };
  },
};
