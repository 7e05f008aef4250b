//! What an action is: a named, pure function from state (and arguments) to state.
//! The store records the previous design for undo whenever `perform` returns a different one.

import type { AppState } from "../state";

export interface Action<A> {
  /** Stable name, used in logs and tests. */
  name: string;
  perform(state: AppState, args: A): AppState;
}

/** Replace the element with `id` in `list` by `f(element)`; unchanged list if absent. */
export function mapById<T extends { id: string }>(list: T[] | undefined, id: string, f: (x: T) => T): T[] {
  return (list ?? []).map((x) => (x.id === id ? f(x) : x));
}
