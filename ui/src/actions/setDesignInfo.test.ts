import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { setDesignInfo } from "./setDesignInfo";

describe("setDesignInfo", () => {
  it("renames and adds a data class; same name is a no-op", () => {
    const st = smallState();
    expect(setDesignInfo.perform(st, { name: "Small shop" })).toBe(st);
    const s = setDesignInfo.perform(st, { name: "Shop", dataClass: { id: "health", sensitivity: "restricted", crown_jewel: true } });
    expect(s.design.name).toBe("Shop");
    expect(s.design.data_classes?.at(-1)).toEqual({ id: "health", sensitivity: "restricted", crown_jewel: true });
  });
  it("replaces a data class with the same id", () => {
    const s = setDesignInfo.perform(smallState(), { dataClass: { id: "pii", sensitivity: "restricted" } });
    expect(s.design.data_classes?.find((d) => d.id === "pii")).toEqual({ id: "pii", sensitivity: "restricted" });
  });
});
