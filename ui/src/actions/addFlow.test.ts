import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { addFlow } from "./addFlow";

describe("addFlow", () => {
  it("adds a declared flow and selects it", () => {
    const s = addFlow.perform(smallState(), { from: "mail", to: "db", port: 5432 });
    expect(s.design.flows?.at(-1)).toEqual({ id: "mail-to-db", from: "mail", to: "db", kind: "declared", port: 5432 });
    expect(s.selection).toEqual({ kind: "flow", ids: ["mail-to-db"] });
  });
  it("accepts the internet as caller but refuses self-loops and unknown services", () => {
    expect(addFlow.perform(smallState(), { from: "internet", to: "api" }).design.flows?.at(-1)?.from).toBe("internet");
    const st = smallState();
    expect(addFlow.perform(st, { from: "api", to: "api" })).toBe(st);
    expect(addFlow.perform(st, { from: "api", to: "nope" })).toBe(st);
  });
});
