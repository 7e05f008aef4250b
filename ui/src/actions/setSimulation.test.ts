import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { setSimulation } from "./setSimulation";

describe("setSimulation", () => {
  it("changing origin drops the highlighted path", () => {
    let s = setSimulation.perform(smallState(), { active: true, highlightedPath: 2 });
    expect(s.simulation.highlightedPath).toBe(2);
    s = setSimulation.perform(s, { origin: { service: "api" } });
    expect(s.simulation).toMatchObject({ active: true, origin: { service: "api" }, highlightedPath: null });
  });
  it("highlighting a path keeps the run", () => {
    const s = setSimulation.perform(smallState(), { highlightedPath: 0 });
    expect(s.simulation.highlightedPath).toBe(0);
  });
});
