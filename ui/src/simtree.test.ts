import { describe, expect, it } from "vitest";
import type { Hop, ReachedService, SimulationTree, TreePath } from "./analysis";
import { expandSimulation } from "./simtree";

const hop = (from: string, to: string): Hop => ({ from, to, decision: { decision: "allow", by: { by: "rule", rule: `${from}-${to}` }, auth: [], rate_limit: null }, stolen: [], exploited: true });
const entry = (service: string, hops: number): ReachedService => ({ service, compromised: true, hops, exposed: [], path: [] });

/** A tree-form answer: `[service, path, via?]` per reached service. */
function tree(nodes: [string, Hop[], number?][]): SimulationTree {
  const reached = nodes.map(([s], i) => entry(s, i));
  const paths = nodes.map(([, path, via]): TreePath => (via === undefined ? { path } : { via, path }));
  return {
    origin: "internet",
    assumption: "worst",
    flat_estate: false,
    notes: ["n"],
    reached,
    paths,
    compromised: reached.map((r) => r.service),
    stolen_credentials: [],
    exposed_data: [],
    blast_radius: { services: reached.length, compromised: reached.length, score: 3, crown_jewels: [] },
    choke_points: { targets: [], cut: [], verified: true },
    flat: { blast_radius: { services: 3, compromised: 3, score: 3, crown_jewels: [] }, reduction_pct: 0 },
  };
}

describe("expandSimulation", () => {
  const a = hop("internet", "a");
  const b = hop("a", "b");
  const c = hop("b", "c");
  const x = [hop("internet", "x"), hop("a", "d")];

  it("writes each path out as its via's path plus its own hops, and keeps whole paths as sent", () => {
    const sim = expandSimulation(tree([["a", [a]], ["b", [b], 0], ["c", [c], 1], ["d", x]]));
    expect(sim.reached.map((r) => [r.service, r.hops, r.path.map((h) => `${h.from}>${h.to}`)])).toEqual([
      ["a", 0, ["internet>a"]],
      ["b", 1, ["internet>a", "a>b"]],
      ["c", 2, ["internet>a", "a>b", "b>c"]],
      ["d", 3, ["internet>x", "a>d"]],
    ]);
    expect("paths" in sim).toBe(false);
    expect(sim.notes).toEqual(["n"]);
    expect(sim.compromised).toEqual(["a", "b", "c", "d"]);
    expect(sim.blast_radius.score).toBe(3);
  });

  it("shares the hop objects between the paths that go through them", () => {
    const sim = expandSimulation(tree([["a", [a]], ["b", [b], 0], ["c", [c], 1]]));
    expect(sim.reached[2]!.path[0]).toBe(sim.reached[0]!.path[0]);
    expect(sim.reached[2]!.path[1]).toBe(sim.reached[1]!.path[1]);
    // The rebuilt paths are new arrays: extending one never changes another.
    expect(sim.reached[1]!.path).not.toBe(sim.reached[0]!.path);
    expect(sim.reached[0]!.path).toHaveLength(1);
  });

  it("refuses a via that is not an earlier entry, and paths that do not match reached, saying which", () => {
    expect(() => expandSimulation(tree([["a", [a], 0]]))).toThrow(/reached\[0\] \(a\) extends reached\[0\]/);
    expect(() => expandSimulation(tree([["a", [a]], ["b", [b], 5]]))).toThrow(/reached\[1\] \(b\)/);
    expect(() => expandSimulation(tree([["a", [a]], ["b", [b], 0.5]]))).toThrow(/not an earlier entry/);
    const short = tree([["a", [a]], ["b", [b], 0]]);
    expect(() => expandSimulation({ ...short, paths: short.paths.slice(1) })).toThrow(/1 paths for 2 reached services/);
  });

  it("expands a long chain in one pass (depth is not recursion)", () => {
    const nodes: [string, Hop[], number?][] = [["s0", [hop("internet", "s0")]]];
    for (let i = 1; i < 5000; i++) nodes.push([`s${i}`, [hop(`s${i - 1}`, `s${i}`)], i - 1]);
    const sim = expandSimulation(tree(nodes));
    expect(sim.reached[4999]!.path).toHaveLength(5000);
    expect(sim.reached[4999]!.path[4998]!.to).toBe("s4998");
  });
});
