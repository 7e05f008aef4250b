import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { setRule } from "./setRule";

describe("setRule", () => {
  it("creates a rule with an id derived from its peers", () => {
    const s = setRule.perform(smallState(), {
      rule: { from: { segment: "core" }, to: { segment: "pci" }, action: "allow", ports: [443], auth: { type: "mtls", identities: ["core/api"] } },
    });
    expect(s.design.rules?.at(-1)).toEqual({
      id: "r-core-pci",
      from: { segment: "core" },
      to: { segment: "pci" },
      action: "allow",
      ports: [443],
      auth: { type: "mtls", identities: ["core/api"] },
    });
    expect(s.selection).toEqual({ kind: "rule", ids: ["r-core-pci"] });
  });
  it("patches an existing rule, removing cleared fields", () => {
    const s = setRule.perform(smallState(), { id: "r-edge-core", patch: { action: "deny", ports: [], justification: "incident 42" } });
    expect(s.design.rules?.[0]).toEqual({ id: "r-edge-core", from: { segment: "edge" }, to: { segment: "core" }, action: "deny", justification: "incident 42" });
  });
  it("ignores an unknown rule id", () => {
    const st = smallState();
    expect(setRule.perform(st, { id: "nope", patch: { action: "deny" } })).toBe(st);
  });
});
