import { describe, expect, it } from "vitest";
import type { ObservedCall, ShadowService } from "../analysis";
import { MAX_GHOSTS, ghostId, ghostNodes, type GhostData } from "./ghosts";
import { trafficEdges, type TrafficEdgeData } from "./traffic";

const shadow = (name: string, calls_in: number, calls_out = 0, peers: string[] = []): ShadowService => ({ name, calls_in, calls_out, peers, ports: [] });

describe("shadow services as ghost nodes", () => {
  const graph = { x1: 0, y1: 0, x2: 1000, y2: 400 };

  it("one ghost per shadow service not in the design, busiest first, right of the graph and in no segment", () => {
    const nodes = ghostNodes([shadow("kube-dns", 8), shadow("prometheus", 0, 7, ["api"]), shadow("api", 99)], (n) => n === "api", graph);
    const data = nodes.map((n) => n.data as unknown as GhostData);
    expect(data.map((d) => d.id)).toEqual(["shadow:kube-dns", "shadow:prometheus"]);
    expect(data[0]).toMatchObject({ type: "traffic", role: "shadow-service", ref: "kube-dns", calls_in: 8 });
    expect(data[0]!.label).toContain("kube-dns");
    for (const n of nodes) {
      expect(n.classes).toBe("ghost");
      expect(n.selectable).toBe(false);
      expect(n.grabbable).toBe(false);
      expect((n.data as { parent?: string }).parent).toBeUndefined();
      expect(n.position!.x).toBeGreaterThan(graph.x2);
    }
    // Distinct places: no two ghosts on top of each other.
    const places = new Set(nodes.map((n) => `${n.position!.x},${n.position!.y}`));
    expect(places.size).toBe(nodes.length);
  });

  it("is bounded, and wraps into columns", () => {
    const many = Array.from({ length: MAX_GHOSTS + 50 }, (_, i) => shadow(`peer-${i}`, 1));
    const nodes = ghostNodes(many, () => false, graph);
    expect(nodes.length).toBe(MAX_GHOSTS);
    expect(new Set(nodes.map((n) => n.position!.x)).size).toBeGreaterThan(1);
    expect(new Set(nodes.map((n) => `${n.position!.x},${n.position!.y}`)).size).toBe(MAX_GHOSTS);
  });

  it("the overlay draws a shadow peer's calls to its ghost", () => {
    const calls: ObservedCall[] = [{ from: "prometheus", to: "api", calls: 7, decision: null, flows: [] }];
    const onCanvas = new Set(["s:api", ghostId("prometheus")]);
    const edges = trafficEdges(calls, (id) => onCanvas.has(id)).map((e) => e.data as unknown as TrafficEdgeData);
    expect(edges.map((e) => [e.source, e.target, e.verdict, e.calls])).toEqual([["shadow:prometheus", "s:api", "unknown", 7]]);
    // Without the ghost there is nothing to draw it to.
    expect(trafficEdges(calls, (id) => id === "s:api")).toEqual([]);
  });
});
