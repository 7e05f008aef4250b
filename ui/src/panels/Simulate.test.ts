import { describe, expect, it } from "vitest";
import { smallSimulation } from "../fixtures/simulation";
import { credentialText, hopText, reduction } from "./Simulate";

describe("simulate panel helpers", () => {
  it("explains a hop", () => {
    const db = smallSimulation().reached[2]!;
    expect(hopText(db.path[2]!)).toBe("allowed inside segment `core`; taken over");
    expect(hopText({ ...db.path[1]!, stolen: [{ type: "api_key", key: "billing" }], exploited: false })).toBe("allowed by rule `r-edge-core`; using stolen API key `billing`; called, not taken over");
  });
  it("describes credentials and the reduction against a flat network", () => {
    expect(credentialText({ type: "jwt", issuer: "idp", scopes: ["a"] })).toBe("JWT from idp [a]");
    expect(reduction(smallSimulation())).toBe("30% less than on a flat network (5 services, score 37)");
  });
});
