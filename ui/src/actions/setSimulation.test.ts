import { describe, expect, it } from "vitest";
import { smallState } from "../fixtures/small";
import { setSimulation } from "./setSimulation";

describe("setSimulation", () => {
  it("changing origin drops the highlighted path", () => {
    let s = setSimulation.perform(smallState(), { active: true, highlightedPath: "db" });
    expect(s.simulation.highlightedPath).toBe("db");
    s = setSimulation.perform(s, { origin: "api" });
    expect(s.simulation).toMatchObject({ active: true, origin: "api", highlightedPath: null });
  });
  it("highlighting a path keeps the run", () => {
    const s = setSimulation.perform(smallState(), { highlightedPath: "pay" });
    expect(s.simulation.highlightedPath).toBe("pay");
  });
});
