import { describe, expect, it } from "vitest";
import { moveToSegment } from "./actions/moveToSegment";
import { select } from "./actions/select";
import { loadDesign } from "./actions/loadDesign";
import { markSaved } from "./actions/markSaved";
import { smallDesign, smallState } from "./fixtures/small";
import { isDirty } from "./state";
import { Store } from "./store";

describe("Store", () => {
  it("undo and redo step through design edits only", () => {
    const store = new Store(smallState());
    const original = store.get().design;
    store.dispatch(select, { kind: "service", ids: ["api"] });
    expect(store.canUndo()).toBe(false);
    store.dispatch(moveToSegment, { services: ["api"], segment: "edge" });
    const moved = store.get().design;
    expect(store.canUndo()).toBe(true);
    store.undo();
    expect(store.get().design).toBe(original);
    store.redo();
    expect(store.get().design).toBe(moved);
    expect(store.canRedo()).toBe(false);
  });
  it("tracks unsaved changes through edits, saves and undo", () => {
    const store = new Store(smallState());
    store.dispatch(loadDesign, { design: smallDesign(), path: "/a.json" });
    expect(isDirty(store.get())).toBe(false);
    store.dispatch(moveToSegment, { services: ["api"], segment: "edge" });
    expect(isDirty(store.get())).toBe(true);
    store.dispatch(markSaved, { path: "/a.json" });
    expect(isDirty(store.get())).toBe(false);
    store.undo();
    expect(isDirty(store.get())).toBe(true);
    store.redo();
    expect(isDirty(store.get())).toBe(false);
  });
  it("is saved again when undo returns to the design as opened, and unsaved when redo leaves it", () => {
    const store = new Store(smallState());
    store.dispatch(loadDesign, { design: smallDesign(), path: "/a.json" });
    store.dispatch(moveToSegment, { services: ["api"], segment: "edge" });
    store.dispatch(moveToSegment, { services: ["db"], segment: "edge" });
    store.undo();
    expect(isDirty(store.get())).toBe(true);
    store.undo();
    expect(isDirty(store.get())).toBe(false);
    store.redo();
    expect(isDirty(store.get())).toBe(true);
  });
  it("keeps recovered work unsaved whatever is undone", () => {
    const store = new Store(smallState());
    store.dispatch(loadDesign, { design: smallDesign(), path: "/a.json", unsaved: true });
    expect(isDirty(store.get())).toBe(true);
    store.dispatch(moveToSegment, { services: ["api"], segment: "edge" });
    store.undo();
    expect(isDirty(store.get())).toBe(true);
  });
  it("loading a file clears the history", () => {
    const store = new Store(smallState());
    store.dispatch(moveToSegment, { services: ["api"], segment: "edge" });
    store.dispatch(loadDesign, { design: smallDesign(), path: "/b.json" });
    expect(store.canUndo()).toBe(false);
  });
  it("notifies subscribers with the previous state and skips no-ops", () => {
    const store = new Store(smallState());
    const seen: string[] = [];
    store.subscribe((s, p) => seen.push(`${p.selection.ids.join()}>${s.selection.ids.join()}`));
    store.dispatch(select, { kind: "service", ids: ["db"] });
    store.dispatch(select, { kind: "service", ids: ["db"] });
    expect(seen).toEqual([">db"]);
  });
});
