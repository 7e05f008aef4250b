import { describe, expect, it } from "vitest";
import { smallDesign } from "../fixtures/small";
import { cellText, peerOf, rulesBetween } from "./Matrix";

describe("matrix helpers", () => {
  it("maps keys to peers", () => {
    expect(peerOf("internet")).toBe("internet");
    expect(peerOf("core")).toEqual({ segment: "core" });
  });
  it("finds the rules a cell edits", () => {
    const rules = smallDesign().rules ?? [];
    expect(rulesBetween(rules, "edge", "core").map((r) => r.id)).toEqual(["r-edge-core"]);
    expect(rulesBetween(rules, "internet", "edge").map((r) => r.id)).toEqual(["r-net-edge"]);
    expect(rulesBetween(rules, "core", "edge")).toEqual([]);
  });
  it("renders cells", () => {
    expect(cellText(undefined)).toBe("—");
    expect(cellText({ from: "a", to: "b", allowed: "some", ports: [443, 8080], auth: [], rules: ["r"] })).toBe("◐ 443,8080");
    expect(cellText({ from: "a", to: "b", allowed: "all", ports: [], auth: [], rules: ["r"] })).toBe("✓ any");
  });
});
