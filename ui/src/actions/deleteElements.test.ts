import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { deleteElements } from "./deleteElements";

describe("deleteElements", () => {
  it("deleting a service removes its memberships, flows and positions", () => {
    const st = { ...smallState(), selection: { kind: "service" as const, ids: ["web", "api"] } };
    const s = deleteElements.perform(st, { kind: "service", ids: ["web"] });
    expect(s.design.services?.map((x) => x.id)).toEqual(["api", "pay", "db", "mail"]);
    expect(s.design.segments?.find((x) => x.id === "edge")?.members).toEqual([]);
    expect(s.design.flows?.map((f) => f.id)).toEqual(["f3", "f4"]);
    expect(s.design.layout?.positions).toEqual({});
    expect(s.selection).toEqual({ kind: "service", ids: ["api"] });
  });
  it("deleting a nested segment hands its members to the parent", () => {
    const s = deleteElements.perform(smallState(), { kind: "segment", ids: ["pci"] });
    expect(s.design.segments?.map((x) => x.id)).toEqual(["edge", "core"]);
    expect(s.design.segments?.find((x) => x.id === "core")?.members).toEqual(["api", "db", "pay"]);
  });
  it("deleting a parent segment lifts its children to the top level and drops its rules", () => {
    const s = deleteElements.perform(smallState(), { kind: "segment", ids: ["core"] });
    const pci = s.design.segments?.find((x) => x.id === "pci");
    expect(pci).not.toHaveProperty("parent");
    expect(s.design.rules?.map((r) => r.id)).toEqual(["r-net-edge"]);
  });
  it("deletes flows and rules by id", () => {
    const s1 = deleteElements.perform(smallState(), { kind: "flow", ids: ["f2", "f3"] });
    expect(s1.design.flows?.map((f) => f.id)).toEqual(["f1", "f4"]);
    const s2 = deleteElements.perform(smallState(), { kind: "rule", ids: ["r-net-edge"] });
    expect(s2.design.rules?.map((r) => r.id)).toEqual(["r-edge-core"]);
  });
});
