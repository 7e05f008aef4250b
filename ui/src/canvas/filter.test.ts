import { describe, expect, it } from "vitest";
import { smallDesign } from "../fixtures/small";
import { allTags, matchesFilter } from "./filter";

const none = { text: "", tag: null, segment: null, dataClass: null };

describe("matchesFilter", () => {
  const d = smallDesign();
  it("is null without a filter", () => expect(matchesFilter(none, d)).toBeNull());
  it("matches name, id and tag text case-insensitively", () => {
    expect([...matchesFilter({ ...none, text: "ORDERS" }, d)!]).toEqual(["api", "db"]);
    expect([...matchesFilter({ ...none, text: "pci" }, d)!]).toEqual(["pay"]);
  });
  it("filters by segment including nested segments", () => {
    expect([...matchesFilter({ ...none, segment: "core" }, d)!]).toEqual(["api", "pay", "db"]);
  });
  it("filters by data class and tag together", () => {
    expect([...matchesFilter({ ...none, dataClass: "card" }, d)!]).toEqual(["pay", "db"]);
    expect([...matchesFilter({ ...none, dataClass: "card", tag: "pci" }, d)!]).toEqual(["pay"]);
  });
  it("lists tags", () => expect(allTags(d)).toEqual(["edge", "pci"]));
});
