import { describe, expect, it } from "vitest";
import type { ObservedCall } from "../analysis";
import { decidedBy, trafficEdges, trafficWidth, type TrafficEdgeData } from "./traffic";

const allow = (rule: string) => ({ decision: "allow" as const, by: { by: "rule" as const, rule }, auth: [] });
const calls: ObservedCall[] = [
  { from: "web", to: "api", port: 8080, method: "GET", path: "/items/{id}", calls: 900, decision: allow("web-api"), flows: [] },
  { from: "web", to: "api", port: 8080, method: "POST", path: "/orders", calls: 100, decision: { decision: "allow", by: { by: "intra_segment", segment: "core" }, auth: [] }, flows: [] },
  { from: "web", to: "api", port: 8080, method: "DELETE", path: "/items/{id}", calls: 3, decision: { decision: "deny", reason: "deny_rule", rule: "no-deletes" }, flows: [] },
  { from: "internet", to: "db", port: 5432, calls: 1, decision: { decision: "deny", reason: "not_internet_facing" }, flows: [] },
  { from: "prometheus", to: "api", calls: 7, decision: null, flows: [] },
];
const onCanvas = new Set(["s:web", "s:api", "s:db", "internet"]);

describe("traffic overlay", () => {
  it("one edge per caller → target and verdict, only between nodes on the canvas", () => {
    const edges = trafficEdges(calls, (id) => onCanvas.has(id)).map((e) => e.data as unknown as TrafficEdgeData);
    expect(edges.map((e) => [e.source, e.target, e.verdict, e.calls])).toEqual([
      ["s:web", "s:api", "allow", 1000],
      ["s:web", "s:api", "deny", 3],
      ["internet", "s:db", "deny", 1],
    ]);
    // The busiest deciding grant comes first, and every one is named.
    expect(edges[0]!.label).toBe("1.0k · rule `web-api`, intra-segment `core`");
    expect(edges[0]!.decidedBy).toBe("rule `web-api`; intra-segment `core`");
    expect(edges[1]!.label).toBe("3 · denied: deny rule `no-deletes`");
    expect(edges[2]!.label).toBe("1 · denied: not internet-facing");
  });

  it("widens with volume, within bounds", () => {
    expect(trafficWidth(1)).toBe(1.5);
    expect(trafficWidth(1000)).toBeCloseTo(6);
    expect(trafficWidth(1e12)).toBe(12);
    expect(trafficWidth(0)).toBe(1.5);
  });

  it("names who decided in a few words", () => {
    expect(decidedBy(null)).toBe("not in the inventory");
    expect(decidedBy({ decision: "deny", reason: "default" })).toBe("default deny");
    expect(decidedBy({ decision: "deny", reason: "no_matching_rule", near_misses: [{ rule: "a", mismatch: "port" }] })).toBe("no rule matches (near: `a`)");
    expect(decidedBy({ decision: "deny", reason: "missing_credential", rule: "r", required: { type: "none" } })).toBe("`r` needs a credential the caller lacks");
  });
});
