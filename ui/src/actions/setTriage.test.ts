import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { setTriage } from "./setTriage";

describe("setTriage", () => {
  it("records and replaces a decision, sorted by finding key", () => {
    let s = setTriage.perform(smallState(), { finding: "BH005:web", status: "accepted", reason: " behind WAF " });
    s = setTriage.perform(s, { finding: "BH001:api", status: "mitigated", reason: "mTLS in mesh" });
    s = setTriage.perform(s, { finding: "BH005:web", status: "false_positive", reason: "not internet-facing" });
    expect(s.design.triage).toEqual([
      { finding: "BH001:api", status: "mitigated", reason: "mTLS in mesh" },
      { finding: "BH005:web", status: "false_positive", reason: "not internet-facing" },
    ]);
  });
  it("clears a decision and drops the empty list", () => {
    const s1 = setTriage.perform(smallState(), { finding: "BH005:web", status: "accepted", reason: "x" });
    const s2 = setTriage.perform(s1, { finding: "BH005:web", status: null });
    expect(s2.design).not.toHaveProperty("triage");
  });
});
