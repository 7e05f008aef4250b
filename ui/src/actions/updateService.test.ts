import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { updateService } from "./updateService";

describe("updateService", () => {
  it("patches fields and keeps the rest", () => {
    const s = updateService.perform(smallState(), { id: "api", patch: { exposure: "internet", data_held: ["pii", "card"] } });
    const api = s.design.services?.find((x) => x.id === "api");
    expect(api?.exposure).toBe("internet");
    expect(api?.data_held).toEqual(["pii", "card"]);
    expect(api?.name).toBe("Orders API");
  });
  it("drops emptied optional fields", () => {
    const s = updateService.perform(smallState(), { id: "web", patch: { tags: [] } });
    expect(s.design.services?.find((x) => x.id === "web")).not.toHaveProperty("tags");
  });
  it("returns the same state for an unknown id", () => {
    const st = smallState();
    expect(updateService.perform(st, { id: "nope", patch: { name: "x" } })).toBe(st);
  });
});
