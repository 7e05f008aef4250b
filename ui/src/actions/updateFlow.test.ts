import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { updateFlow } from "./updateFlow";

describe("updateFlow", () => {
  it("changes kind and clears a field set to null", () => {
    const s = updateFlow.perform(smallState(), { id: "f2", patch: { kind: "observed", count: 42, port: null } });
    expect(s.design.flows?.find((f) => f.id === "f2")).toEqual({ id: "f2", from: "web", to: "api", kind: "observed", count: 42 });
  });
});
