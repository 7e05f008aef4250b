import { describe, expect, it } from "vitest";
import { smallSimulation } from "../fixtures/simulation";
import { originKey, parseOrigin, reduction, sortedPaths } from "./Simulate";

describe("simulate panel helpers", () => {
  it("round-trips origins", () => {
    expect(parseOrigin(originKey({ service: "api" }))).toEqual({ service: "api" });
    expect(parseOrigin(originKey("internet"))).toBe("internet");
  });
  it("puts crown-jewel paths first, shortest first", () => {
    const sim = smallSimulation();
    sim.paths.push({ target: "mail", crown_jewel: false, hops: sim.paths[0]!.hops.slice(0, 1) });
    expect(sortedPaths(sim).map((p) => p.path.target)).toEqual(["db", "pay", "mail"]);
  });
  it("states the reduction against a flat network", () => {
    expect(reduction(smallSimulation())).toBe("40% smaller than on a flat network");
  });
});
