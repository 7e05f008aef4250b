import { describe, expect, it } from "vitest";
import { smallSimulation } from "../fixtures/simulation";
import { attackPaths, hopSchedule, pathElements } from "./simulation";

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
