import { describe, expect, it } from "vitest";
import { smallSimulation } from "../fixtures/simulation";
import { spreadOf } from "../fixtures/spread";
import { attackPaths, hopSchedule, lastCall, pathCalls, pathElements, simulationLook } from "./simulation";

describe("hopSchedule", () => {
  it("orders compromise by hop and attaches the last call of each path to its hop", () => {
    const steps = hopSchedule(spreadOf(smallSimulation()));
    expect(steps.map((s) => [s.hop, s.compromised, s.reached, s.edges])).toEqual([
      [1, ["web"], [], [["internet", "web"]]],
      [2, ["api"], [], [["web", "api"]]],
      [3, ["db"], ["pay"], [["api", "db"], ["api", "pay"]]],
    ]);
  });
});

describe("attackPaths", () => {
  it("lists crown-jewel paths first, shortest first", () => {
    expect(attackPaths(smallSimulation()).map((p) => [p.target, p.crownJewel, p.hops.length])).toEqual([
      ["db", true, 3],
      ["pay", true, 3],
      ["web", false, 1],
      ["api", false, 2],
    ]);
  });
});

describe("pathElements", () => {
  it("lists a path's nodes and calls", () => {
    expect(pathElements(pathCalls(spreadOf(smallSimulation()), 2), "db")).toEqual({
      nodes: ["internet", "web", "api", "db"],
      edges: [["internet", "web"], ["web", "api"], ["api", "db"]],
    });
    expect(pathElements([], "web")).toEqual({ nodes: ["web"], edges: [] });
  });
});

describe("the spread's paths", () => {
  it("are the simulation's paths, call by call, from the entries they extend or written whole", () => {
    const sim = smallSimulation();
    const spread = spreadOf(sim);
    // The internet's first hop goes whole; the others extend an earlier entry.
    expect(spread.reached.map((r) => r.via ?? null)).toEqual([null, 0, 1, 1]);
    sim.reached.forEach((r, i) => {
      expect(pathCalls(spread, i)).toEqual(r.path.map((h) => [h.from, h.to]));
      const last = r.path.at(-1);
      expect(lastCall(spread, i)).toEqual(last ? [last.from, last.to] : null);
    });
  });

  it("refuse a via that does not name an earlier entry", () => {
    const spread = spreadOf(smallSimulation());
    spread.reached[1] = { ...spread.reached[1]!, via: 1 };
    expect(() => pathCalls(spread, 1)).toThrow(/reached\[1\] \(api\) extends reached\[1\]/);
    expect(() => lastCall(spread, 1)).toThrow(/not an earlier entry/);
  });
});

describe("simulationLook", () => {
  const sorted = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));
  const edges = (look: ReturnType<typeof simulationLook>) => Object.fromEntries([...look.edges.values()].map((e) => [`${e.from}→${e.to}`, [...e.classes].sort()]));

  it("marks every hop, keeps every involved service bright and draws the attacker's calls", () => {
    const sim = spreadOf(smallSimulation());
    const steps = hopSchedule(sim);
    const look = simulationLook(sim, steps, steps.length, null);
    expect(sorted(look.nodes)).toEqual({ internet: ["origin"], web: ["compromised"], api: ["compromised"], db: ["compromised"], pay: ["reached"] });
    expect(edges(look)).toEqual({ "internet→web": ["attack", "sim-dim"], "web→api": ["attack", "sim-dim"], "api→db": ["attack", "sim-dim"], "api→pay": ["attack", "sim-dim"] });
  });

  it("animated: only the first hop is painted, but later hops' services are not dimmed either", () => {
    const sim = spreadOf(smallSimulation());
    const look = simulationLook(sim, hopSchedule(sim), 1, null);
    expect(sorted(look.nodes)).toEqual({ internet: ["origin"], web: ["compromised"], api: [], db: [], pay: [] });
    expect(edges(look)).toEqual({ "internet→web": ["attack", "sim-dim"] });
  });

  it("the chosen path stands out, its calls undimmed", () => {
    const sim = spreadOf(smallSimulation());
    const steps = hopSchedule(sim);
    const look = simulationLook(sim, steps, steps.length, "db");
    expect(sorted(look.nodes)).toMatchObject({ internet: ["on-path", "origin"], web: ["compromised", "on-path"], db: ["compromised", "on-path"], pay: ["reached"] });
    expect(edges(look)).toMatchObject({ "api→db": ["attack", "on-path"], "api→pay": ["attack", "sim-dim"] });
  });
});
