import { describe, expect, it } from "vitest";
import { smallDesign, smallState } from "../fixtures/small";
import { applyImport } from "./applyImport";

describe("applyImport", () => {
  const merged = () => {
    const d = smallDesign();
    return { ...d, services: [...(d.services ?? []), { id: "search", name: "Search", kind: "api" as const }], layout: { positions: {} } };
  };
  it("takes the merged design and keeps current positions", () => {
    const s = applyImport.perform(smallState(), { merged: merged(), accepted: [] });
    expect(s.design.services?.map((x) => x.id)).toContain("search");
    expect(s.design.layout?.positions?.web).toEqual({ x: 0, y: 0 });
  });
  it("accepting a proposal moves members out of their old segments", () => {
    const proposal = [{ id: "catalog", name: "Catalog", level: "application" as const, trust: "medium" as const, members: ["search", "web"] }];
    const s = applyImport.perform(smallState(), { merged: merged(), accepted: proposal });
    expect(s.design.segments?.find((x) => x.id === "edge")?.members).toEqual([]);
    expect(s.design.segments?.find((x) => x.id === "catalog")?.members).toEqual(["search", "web"]);
  });
});
