import { describe, expect, it } from "vitest";
import { authSummary, defaultAuth } from "./policy";

describe("auth helpers", () => {
  it("summarises each auth type", () => {
    expect(authSummary(null)).toBe("no auth");
    expect(authSummary({ type: "api_key", key: "k" })).toBe("API key `k`");
    expect(authSummary({ type: "jwt", issuer: "idp", scopes: ["a", "b"] })).toBe("JWT from idp [a, b]");
    expect(authSummary({ type: "mtls", identities: [] })).toBe("mTLS (no identity allowed)");
  });
  it("defaults are valid shapes", () => {
    expect(defaultAuth("mtls")).toEqual({ type: "mtls", identities: ["*"] });
    expect(defaultAuth("jwt")).toEqual({ type: "jwt", issuer: "", scopes: [] });
  });
});
