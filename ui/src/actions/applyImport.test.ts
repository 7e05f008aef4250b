import { describe, expect, it } from "vitest";
import { smallDesign, smallState } from "../fixtures/small";
import { Store } from "../store";
import { applyImport } from "./applyImport";

describe("applyImport", () => {
  const merged = () => {
    const d = smallDesign();
    return { ...d, services: [...(d.services ?? []), { id: "search", name: "Search", kind: "api" as const }], layout: { positions: { search: { x: 9, y: 9 } } } };
  };
  it("takes the merged design and keeps current positions", () => {
    const s = applyImport.perform(smallState(), { merged: merged() });
    expect(s.design.services?.map((x) => x.id)).toContain("search");
    expect(s.design.layout?.positions).toEqual({ search: { x: 9, y: 9 }, web: { x: 0, y: 0 } });
  });
  it("is one undo step", () => {
    const store = new Store(smallState());
    const before = store.get().design;
    store.dispatch(applyImport, { merged: merged() });
    store.undo();
    expect(store.get().design).toBe(before);
  });
});
