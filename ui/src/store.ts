//! The one place state changes: `dispatch(action, args)` runs the action, records the previous
//! design for undo when the design changed, and notifies subscribers.

import type { Action } from "./actions/action";
import { emptyHistory, initialState, recordEdit, redo as redoState, undo as undoState, type AppState, type History } from "./state";

export type Listener = (state: AppState, prev: AppState) => void;

export class Store {
  private state: AppState;
  private history: History = emptyHistory();
  private listeners = new Set<Listener>();

  constructor(state: AppState = initialState()) {
    this.state = state;
  }

  get(): AppState {
    return this.state;
  }

  canUndo(): boolean {
    return this.history.past.length > 0;
  }

  canRedo(): boolean {
    return this.history.future.length > 0;
  }

  dispatch<A>(action: Action<A>, args: A): AppState {
    const prev = this.state;
    let next = action.perform(prev, args);
    if (next === prev) return prev;
    if (action.name === "loadDesign") {
      // A different file: undo must not step back into the previous file.
      this.history = emptyHistory();
    } else if (next.design !== prev.design) {
      this.history = recordEdit(this.history, prev.design);
      next = { ...next, revision: prev.revision + 1 };
    }
    this.set(next, prev);
    return next;
  }

  undo(): void {
    const [s, h] = undoState(this.state, this.history);
    this.history = h;
    if (s !== this.state) this.set(s, this.state);
  }

  redo(): void {
    const [s, h] = redoState(this.state, this.history);
    this.history = h;
    if (s !== this.state) this.set(s, this.state);
  }

  subscribe(f: Listener): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  private set(next: AppState, prev: AppState): void {
    this.state = next;
    for (const f of this.listeners) f(next, prev);
  }
}
