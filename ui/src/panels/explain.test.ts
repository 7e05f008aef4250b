import { describe, expect, it } from "vitest";
import { explainDecision } from "./explain";

describe("explainDecision", () => {
  it("explains allows with auth and rate limit", () => {
    expect(explainDecision({ decision: "allow", by: { by: "rule", rule: "r1" }, auth: [{ type: "mtls", identities: ["a"] }], rate_limit: { requests: 10, per: "minute" } })).toBe(
      "allowed by rule `r1`; requires mTLS a; limited to 10/minute",
    );
    expect(explainDecision({ decision: "allow", by: { by: "intra_segment", segment: "core" }, auth: [] })).toBe("allowed inside segment `core`");
  });
  it("explains every deny reason", () => {
    expect(explainDecision({ decision: "deny", reason: "default" })).toMatch(/default deny/);
    expect(explainDecision({ decision: "deny", reason: "deny_rule", rule: "r9" })).toBe("denied by rule `r9`");
    expect(explainDecision({ decision: "deny", reason: "missing_credential", rule: "r2", required: { type: "api_key", key: "k" } })).toBe(
      "denied: rule `r2` needs API key `k`, which the caller does not hold",
    );
    expect(explainDecision({ decision: "deny", reason: "expired_rule", rule: "legacy", expires: "2024-06-30" })).toBe(
      "denied: rule `legacy` would allow it but expired on 2024-06-30",
    );
    expect(explainDecision({ decision: "deny", reason: "no_matching_rule", near_misses: [{ rule: "r3", mismatch: "port" }] })).toBe("denied: rule `r3` does not match the port");
  });
});
