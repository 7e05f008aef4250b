import { describe, expect, it } from "vitest";
import { smallDesign, smallState } from "../fixtures/small";
import { Store } from "../store";
import { applyProposal } from "./applyProposal";

describe("applyProposal", () => {
  const tightened = () => {
    const d = smallDesign();
    return { ...d, rules: [{ id: "r-net-edge", from: "internet" as const, to: { service: "web" }, action: "allow" as const, ports: [443] }], layout: { positions: {} } };
  };
  it("takes the backend's rules and keeps the canvas layout", () => {
    const s = applyProposal.perform(smallState(), { design: tightened() });
    expect(s.design.rules?.map((r) => r.id)).toEqual(["r-net-edge"]);
    expect(s.design.layout?.positions).toEqual({ web: { x: 0, y: 0 } });
  });
  it("is one undo step", () => {
    const store = new Store(smallState());
    const before = store.get().design;
    store.dispatch(applyProposal, { design: tightened() });
    expect(store.canUndo()).toBe(true);
    store.undo();
    expect(store.get().design).toBe(before);
  });
});
