import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { setFilter } from "./setFilter";

describe("setFilter", () => {
  it("patches the filter and keeps the other fields", () => {
    const s = setFilter.perform(setFilter.perform(smallState(), { text: "pay" }), { dataClass: "card" });
    expect(s.filter).toEqual({ text: "pay", tag: null, segment: null, dataClass: "card" });
  });
});
