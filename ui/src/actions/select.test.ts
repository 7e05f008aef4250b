import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { select } from "./select";

describe("select", () => {
  it("replaces, toggles and clears the selection", () => {
    let s = select.perform(smallState(), { kind: "service", ids: ["api"] });
    expect(s.selection).toEqual({ kind: "service", ids: ["api"] });
    s = select.perform(s, { kind: "service", ids: ["db"], add: true });
    expect(s.selection.ids).toEqual(["api", "db"]);
    s = select.perform(s, { kind: "service", ids: ["api"], add: true });
    expect(s.selection.ids).toEqual(["db"]);
    s = select.perform(s, { kind: null, ids: [] });
    expect(s.selection).toEqual({ kind: null, ids: [] });
  });
  it("a different kind replaces even with add", () => {
    const s = select.perform(select.perform(smallState(), { kind: "service", ids: ["api"] }), { kind: "flow", ids: ["f1"], add: true });
    expect(s.selection).toEqual({ kind: "flow", ids: ["f1"] });
  });
  it("keeps the simulate panel open while selecting", () => {
    const st = { ...smallState(), panel: "simulate" as const };
    expect(select.perform(st, { kind: "service", ids: ["web"] }).panel).toBe("simulate");
  });
});
