import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { updateSegment } from "./updateSegment";

describe("updateSegment", () => {
  it("edits trust and policy auth", () => {
    const s = updateSegment.perform(smallState(), {
      id: "core",
      patch: { trust: "high", policy: { auth: { type: "jwt", issuer: "https://idp", scopes: ["orders"] }, intra: "deny", default_action: "deny" } },
    });
    const core = s.design.segments?.find((x) => x.id === "core");
    expect(core?.trust).toBe("high");
    expect(core?.policy?.auth).toEqual({ type: "jwt", issuer: "https://idp", scopes: ["orders"] });
    expect(core?.members).toEqual(["api", "db"]);
  });
  it("refuses to nest a segment inside its own descendant", () => {
    const st = smallState();
    expect(updateSegment.perform(st, { id: "core", patch: { parent: "pci" } })).toBe(st);
  });
  it("clears the parent when set to null", () => {
    const s = updateSegment.perform(smallState(), { id: "pci", patch: { parent: null } });
    expect(s.design.segments?.find((x) => x.id === "pci")).not.toHaveProperty("parent");
  });
});
