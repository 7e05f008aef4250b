import { describe, expect, it } from "vitest";
import { smallSimulation } from "../fixtures/simulation";
import { hopSchedule, pathElements } from "./simulation";

describe("hopSchedule", () => {
  it("orders compromise by hop and attaches each call to the hop it lands on", () => {
    const steps = hopSchedule(smallSimulation());
    expect(steps.map((s) => [s.hop, s.compromised, s.reached, s.edges])).toEqual([
      [1, ["web"], [], [["internet", "web"]]],
      [2, ["api"], [], [["web", "api"]]],
      [3, ["db"], ["pay"], [["api", "db"], ["api", "pay"]]],
    ]);
  });
});

describe("pathElements", () => {
  it("lists a path's nodes and calls", () => {
    expect(pathElements(smallSimulation().paths[0]!)).toEqual({
      nodes: ["internet", "web", "api", "db"],
      edges: [["internet", "web"], ["web", "api"], ["api", "db"]],
    });
  });
});
