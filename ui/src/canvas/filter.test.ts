import { describe, expect, it } from "vitest";
import { smallDesign } from "../fixtures/small";
import { allTags, fadeChanges, matchesFilter, type FadeItem } from "./filter";

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

describe("fadeChanges", () => {
  const items: (FadeItem & { name: string })[] = [
    { name: "api", service: "api", faded: false },
    { name: "db", service: "db", faded: true },
    { name: "pay", service: "pay", faded: false },
    { name: "api->db", from: "api", to: "db", faded: false },
    { name: "api->pay", from: "api", to: "pay", faded: true },
    { name: "internet->api", from: "internet", to: "api", faded: false },
    { name: "ghost->api", from: undefined, to: "api", faded: false },
  ];
  const names = (xs: { name: string }[]) => xs.map((x) => x.name);

  it("fades the services that do not match and the flows without both ends matched, touching only what changes", () => {
    const { fade, show } = fadeChanges(new Set(["api", "db"]), items, (x) => x);
    expect(names(fade)).toEqual(["pay", "internet->api", "ghost->api"]);
    // api->db stays shown, api->pay stays faded: neither is touched.
    expect(names(show)).toEqual(["db"]);
  });

  it("shows everything again without a filter", () => {
    const { fade, show } = fadeChanges(null, items, (x) => x);
    expect(fade).toEqual([]);
    expect(names(show)).toEqual(["db", "api->pay"]);
  });

  it("fades everything when nothing matches", () => {
    const { fade, show } = fadeChanges(new Set<string>(), items, (x) => x);
    expect(names(fade)).toEqual(["api", "pay", "api->db", "internet->api", "ghost->api"]);
    expect(show).toEqual([]);
  });
});
