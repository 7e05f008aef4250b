import { describe, expect, it } from "vitest";
import { smallDesign } from "../fixtures/small";
import type { FlowVerdict } from "../analysis";
import { toElements, withVerdicts, volume, segmentLabel } from "./elements";

describe("toElements", () => {
  const els = toElements(smallDesign(), null);
  const byId = new Map(els.map((e) => [e.data.id, e]));

  it("makes compound segments with nesting and labels", () => {
    expect(byId.get("g:pci")?.data).toMatchObject({ parent: "g:core", label: "PCI · data · high trust", trust: "high" });
    expect(byId.get("g:edge")?.data).not.toHaveProperty("parent");
  });
  it("puts services in their leaf segment with sensitivity colour and badges", () => {
    expect(byId.get("s:pay")?.data).toMatchObject({ parent: "g:pci", sensitivity: "restricted", internet: false, weak: false });
    expect(byId.get("s:web")?.data).toMatchObject({ parent: "g:edge", sensitivity: "public", internet: true, kind: "web" });
    expect(byId.get("s:api")?.data).toMatchObject({ weak: true, sensitivity: "confidential" });
    expect(byId.get("s:mail")?.data).not.toHaveProperty("parent");
    expect(byId.get("s:mail")?.data).toMatchObject({ sensitivity: "none" });
    expect(byId.get("s:web")?.position).toEqual({ x: 0, y: 0 });
  });
  it("adds the internet node for inbound flows and marks verdicts", () => {
    const verdicts = new Map<string, FlowVerdict>([
      ["f1", { flow: "f1", decision: { decision: "allow", by: { by: "rule", rule: "r-net-edge" }, auth: [] } }],
      ["f3", { flow: "f3", decision: { decision: "deny", reason: "default" } }],
    ]);
    const withV = new Map(toElements(smallDesign(), verdicts).map((e) => [e.data.id, e.data]));
    expect(withV.get("internet")).toMatchObject({ type: "internet" });
    expect(withV.get("f:f1")).toMatchObject({ source: "internet", target: "s:web", verdict: "allow" });
    expect(withV.get("f:f3")).toMatchObject({ verdict: "deny", flowKind: "observed", label: "1.2k calls" });
    expect(withV.get("f:f2")).toMatchObject({ verdict: "pending", label: ":8080" });
  });
  it("adds verdicts to elements made without them exactly as making them with the verdicts does", () => {
    const verdicts = new Map<string, FlowVerdict>([
      ["f1", { flow: "f1", decision: { decision: "allow", by: { by: "rule", rule: "r-net-edge" }, auth: [] } }],
      ["f3", { flow: "f3", decision: { decision: "deny", reason: "default" } }],
    ]);
    const without = toElements(smallDesign(), null);
    expect(withVerdicts(without, verdicts)).toEqual(toElements(smallDesign(), verdicts));
    expect(withVerdicts(without, null)).toEqual(without);
    expect(new Set(without.filter((e) => e.group === "edges").map((e) => (e.data as { verdict: string }).verdict))).toEqual(new Set(["pending"]));
  });
  it("skips dangling flows instead of breaking the canvas", () => {
    const d = smallDesign();
    d.flows = [...(d.flows ?? []), { id: "bad", from: "ghost", to: "api" }];
    expect(toElements(d, null).some((e) => e.data.id === "f:bad")).toBe(false);
  });
});

describe("labels", () => {
  it("formats volumes and segment labels", () => {
    expect([volume(12), volume(1200), volume(45_000), volume(3_400_000)]).toEqual(["12", "1.2k", "45k", "3.4M"]);
    expect(segmentLabel({ id: "x" })).toBe("x · application · medium trust");
  });
});
