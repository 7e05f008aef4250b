import { describe, expect, it } from "vitest";
import { smallSimulation } from "../fixtures/simulation";
import { attackPaths, hopSchedule, pathElements, simulationLook } from "./simulation";

describe("hopSchedule", () => {
  it("orders compromise by hop and attaches the last call of each path to its hop", () => {
    const steps = hopSchedule(smallSimulation());
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
    const db = smallSimulation().reached[2]!;
    expect(pathElements(db.path, db.service)).toEqual({
      nodes: ["internet", "web", "api", "db"],
      edges: [["internet", "web"], ["web", "api"], ["api", "db"]],
    });
  });
});

describe("simulationLook", () => {
  const sorted = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));
  const edges = (look: ReturnType<typeof simulationLook>) => Object.fromEntries([...look.edges.values()].map((e) => [`${e.from}→${e.to}`, [...e.classes].sort()]));

  it("marks every hop, keeps every involved service bright and draws the attacker's calls", () => {
    const sim = smallSimulation();
    const steps = hopSchedule(sim);
    const look = simulationLook(sim, steps, steps.length, null);
    expect(sorted(look.nodes)).toEqual({ internet: ["origin"], web: ["compromised"], api: ["compromised"], db: ["compromised"], pay: ["reached"] });
    expect(edges(look)).toEqual({ "internet→web": ["attack", "sim-dim"], "web→api": ["attack", "sim-dim"], "api→db": ["attack", "sim-dim"], "api→pay": ["attack", "sim-dim"] });
  });

  it("animated: only the first hop is painted, but later hops' services are not dimmed either", () => {
    const sim = smallSimulation();
    const look = simulationLook(sim, hopSchedule(sim), 1, null);
    expect(sorted(look.nodes)).toEqual({ internet: ["origin"], web: ["compromised"], api: [], db: [], pay: [] });
    expect(edges(look)).toEqual({ "internet→web": ["attack", "sim-dim"] });
  });

  it("the chosen path stands out, its calls undimmed", () => {
    const sim = smallSimulation();
    const steps = hopSchedule(sim);
    const look = simulationLook(sim, steps, steps.length, "db");
    expect(sorted(look.nodes)).toMatchObject({ internet: ["on-path", "origin"], web: ["compromised", "on-path"], db: ["compromised", "on-path"], pay: ["reached"] });
    expect(edges(look)).toMatchObject({ "api→db": ["attack", "on-path"], "api→pay": ["attack", "sim-dim"] });
  });
});
