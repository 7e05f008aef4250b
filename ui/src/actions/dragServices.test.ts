import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { Store } from "../store";
import { dragServices } from "./dragServices";

describe("dragServices", () => {
  it("moves into the drop segment and stores the position in one undo step", () => {
    const store = new Store(smallState());
    const before = store.get().design;
    store.dispatch(dragServices, { positions: { mail: { x: 300, y: 40 } }, move: { services: ["mail"], segment: "core" } });
    const d = store.get().design;
    expect(d.segments?.find((s) => s.id === "core")?.members).toEqual(["api", "db", "mail"]);
    expect(d.layout?.positions?.mail).toEqual({ x: 300, y: 40 });
    store.undo();
    expect(store.get().design).toBe(before);
  });
  it("a drag within the segment only changes layout", () => {
    const st = smallState();
    const s = dragServices.perform(st, { positions: { api: { x: 1, y: 1 } } });
    expect(s.design.segments).toBe(st.design.segments);
  });
});
