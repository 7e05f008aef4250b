import { describe, expect, it } from "vitest";
import { smallSimulation } from "../fixtures/simulation";
import { spreadOf } from "../fixtures/spread";
import { generateDesign, rng } from "../fixtures/generate";
import type { SimulationSpread } from "../analysis";
import { attackPaths, lastCall, pathCalls, pathElements, rehearsalSpread, spreadLook, type SimClass } from "./simulation";

// The look as the app built it until session 12 (three passes: the hop steps, the look, the
// step index), kept as the oracle `spreadLook` is compared with.

interface HopStep {
  hop: number;
  compromised: string[];
  reached: string[];
  /** Calls (from, to) the attacker makes to get here. */
  edges: [string, string][];
}

/** Steps in hop order (hop 0 is a breached origin service). */
function hopSchedule(spread: SimulationSpread): HopStep[] {
  const steps = new Map<number, HopStep>();
  const step = (hop: number): HopStep => {
    let s = steps.get(hop);
    if (!s) {
      s = { hop, compromised: [], reached: [], edges: [] };
      steps.set(hop, s);
    }
    return s;
  };
  const seen = new Set<string>();
  spread.reached.forEach((r, i) => {
    const s = step(r.hops);
    (r.compromised ? s.compromised : s.reached).push(r.service);
    const last = lastCall(spread, i);
    if (last) {
      const key = `${last[0]}\u0000${last[1]}`;
      if (!seen.has(key)) {
        seen.add(key);
        s.edges.push(last);
      }
    }
  });
  return [...steps.values()].sort((a, b) => a.hop - b.hop);
}

/** The hop step (index in `hopSchedule`'s list) that lights each service and call (key `from\u0000to`). */
interface StepIndex {
  nodes: Map<string, number>;
  edges: Map<string, number>;
}

function stepIndex(steps: readonly HopStep[]): StepIndex {
  const nodes = new Map<string, number>();
  const edges = new Map<string, number>();
  steps.forEach((st, i) => {
    for (const id of [...st.compromised, ...st.reached]) if (!nodes.has(id)) nodes.set(id, i);
    for (const [a, b] of st.edges) {
      const key = `${a}\u0000${b}`;
      if (!edges.has(key)) edges.set(key, i);
    }
  });
  return { nodes, edges };
}

/** How a simulation looks on the canvas, by model id (`internet` for the internet). */
interface SimulationLook {
  /** Services (and the internet) lit up and not dimmed; every other service is dimmed. */
  nodes: Map<string, Set<SimClass>>;
  /** Calls drawn as the attacker's (`attack`) or on the chosen path (`on-path`); other flows are dimmed. */
  edges: Map<string, { from: string; to: string; classes: Set<SimClass> }>;
}

/**
 * What the canvas shows for the breach `spread` with its first `shown` hop steps painted (all of them, or one
 * when the hops are animated) and `highlightedPath` (a reached service) chosen: every service
 * the run involves is not dimmed, even one a later hop reaches; reached and compromised ones
 * are marked; the path's services and calls stand out.
 */
function simulationLook(spread: SimulationSpread, steps: readonly HopStep[], shown: number, highlightedPath: string | null): SimulationLook {
  const nodes = new Map<string, Set<SimClass>>();
  const edges = new Map<string, { from: string; to: string; classes: Set<SimClass> }>();
  const node = (id: string): Set<SimClass> => {
    let c = nodes.get(id);
    if (!c) nodes.set(id, (c = new Set()));
    return c;
  };
  const edge = (from: string, to: string): Set<SimClass> => {
    const key = `${from}\u0000${to}`;
    let e = edges.get(key);
    if (!e) edges.set(key, (e = { from, to, classes: new Set() }));
    return e.classes;
  };
  for (const st of steps) for (const id of [...st.compromised, ...st.reached]) node(id);
  node("internet");
  node(spread.origin).add("origin");
  for (const st of steps.slice(0, shown)) {
    for (const id of st.reached) node(id).add("reached");
    for (const id of st.compromised) {
      const c = node(id);
      c.delete("reached");
      c.add("compromised");
    }
    // Dimmed like every flow, but the attack style draws them at full strength.
    for (const [a, b] of st.edges) edge(a, b).add("attack").add("sim-dim");
  }
  const path = highlightedPath === null ? -1 : spread.reached.findIndex((r) => r.service === highlightedPath);
  if (path >= 0) {
    const { nodes: onPath, edges: calls } = pathElements(pathCalls(spread, path), highlightedPath!);
    for (const id of onPath) node(id).add("on-path");
    for (const [a, b] of calls) {
      const c = edge(a, b);
      c.add("on-path");
      c.delete("sim-dim");
    }
  }
  return { nodes, edges };
}


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

describe("spreadLook", () => {
  /** The oracle's look and step index in `spreadLook`'s form, classes sorted. */
  const reference = (spread: SimulationSpread, highlighted: string | null) => {
    const steps = hopSchedule(spread);
    const look = simulationLook(spread, steps, steps.length, highlighted);
    const at = stepIndex(steps);
    return {
      steps: steps.length,
      nodes: [...look.nodes].map(([id, classes]) => ({ id, classes: [...classes].sort(), step: at.nodes.get(id) ?? -1 })),
      edges: [...look.edges].map(([key, e]) => ({ from: e.from, to: e.to, classes: [...e.classes].sort(), step: at.edges.get(key) ?? -1 })),
    };
  };
  const sortedClasses = (look: ReturnType<typeof spreadLook>) => ({
    steps: look.steps,
    nodes: look.nodes.map((n) => ({ ...n, classes: [...n.classes].sort() })),
    edges: look.edges.map((e) => ({ ...e, classes: [...e.classes].sort() })),
  });

  /**
   * A random spread: entries extending earlier ones or with whole paths, hops out of order,
   * services listed twice and paths whose last call repeats another's (none of which the shell
   * sends, but the oracle defines an answer for them).
   */
  const randomSpread = (seed: number, n: number): SimulationSpread => {
    const random = rng(seed);
    const pick = (k: number) => Math.floor(random() * k);
    const origin = random() < 0.5 ? "internet" : "s0";
    const reached: SimulationSpread["reached"] = [];
    if (origin === "s0") reached.push({ service: "s0", compromised: true, hops: 0 });
    for (let i = reached.length; i < n; i++) {
      const service = random() < 0.05 ? `s${pick(i + 1)}` : `s${i}`;
      const compromised = random() < 0.7;
      if (i > 0 && random() < 0.7) {
        const via = pick(i);
        reached.push({ service, compromised, hops: random() < 0.1 ? pick(6) : reached[via]!.hops + 1, via });
      } else {
        const len = 1 + pick(3);
        const path = Array.from({ length: len }, (_, k) => ({ from: k === 0 ? origin : `s${pick(n)}`, to: k === len - 1 && random() < 0.9 ? service : `s${pick(n)}` }));
        reached.push({ service, compromised, hops: random() < 0.1 ? pick(6) : len, path });
      }
    }
    return { origin, reached };
  };

  it("is the three-pass look and step index, in the same order, on the small breach", () => {
    const spread = spreadOf(smallSimulation());
    for (const highlighted of [null, "db", "web", "nowhere"]) expect(sortedClasses(spreadLook(spread, highlighted))).toEqual(reference(spread, highlighted));
  });

  it("is the three-pass look and step index, in the same order, on random spreads", () => {
    for (let seed = 1; seed <= 120; seed++) {
      const spread = randomSpread(seed, 1 + (seed % 40) * 3);
      const services = spread.reached.map((r) => r.service);
      for (const highlighted of [null, services[seed % services.length]!, services.at(-1)!]) {
        expect(sortedClasses(spreadLook(spread, highlighted)), `seed ${seed}, ${highlighted}`).toEqual(reference(spread, highlighted));
      }
    }
  });
});

describe("rehearsalSpread", () => {
  const design = {
    services: [
      { id: "gw", exposure: "internet" },
      { id: "api" },
      { id: "db" },
      { id: "cache" },
      { id: "lonely" },
      { id: "edge", exposure: "internet" },
    ],
    flows: [
      { from: "gw", to: "api" },
      { from: "edge", to: "api" },
      { from: "api", to: "db" },
      { from: "api", to: "cache" },
      { from: "db", to: "api" },
      { from: "api", to: "gone" },
    ],
  };

  it("walks the design's calls breadth first from the exposed services, each entry extending the one it was found from", () => {
    const spread = rehearsalSpread(design)!;
    expect(spread.origin).toBe("internet");
    expect(spread.reached).toEqual([
      { service: "internet", compromised: true, hops: 0 },
      { service: "gw", compromised: true, hops: 1, path: [{ from: "internet", to: "gw" }] },
      { service: "edge", compromised: true, hops: 1, path: [{ from: "internet", to: "edge" }] },
      { service: "api", compromised: false, hops: 2, via: 1 },
      { service: "db", compromised: true, hops: 3, via: 3 },
      { service: "cache", compromised: true, hops: 3, via: 3 },
    ]);
  });

  it("has the shape of the shell's answers, which the look takes: every via an earlier entry and a call of the design", () => {
    const d = generateDesign(300, 5);
    const spread = rehearsalSpread(d)!;
    const calls = new Set((d.flows ?? []).map((f) => `${f.from}>${f.to}`));
    const services = new Set(spread.reached.map((r) => r.service));
    expect(services.size).toBe(spread.reached.length);
    expect(spread.reached.length).toBeGreaterThan(10);
    spread.reached.forEach((r, i) => {
      if (i > 0) expect(r.hops).toBeGreaterThanOrEqual(spread.reached[i - 1]!.hops);
      if (r.via != null) {
        expect(r.via).toBeLessThan(i);
        expect(calls.has(`${spread.reached[r.via]!.service}>${r.service}`)).toBe(true);
        expect(r.hops).toBe(spread.reached[r.via]!.hops + 1);
      }
    });
    expect(spread.reached.some((r) => r.compromised) && spread.reached.some((r) => !r.compromised)).toBe(true);
    const last = spread.reached.at(-1)!.service;
    const look = spreadLook(spread, last);
    expect(look.nodes.map((n) => n.id).sort()).toEqual([...services].sort());
    expect(look.edges.filter((e) => e.classes.has("on-path")).length).toBe(pathCalls(spread, spread.reached.length - 1).length);
  });

  it("stops at `entries` entries, the walk's first ones", () => {
    const whole = rehearsalSpread(design)!;
    expect(rehearsalSpread(design, 4)!.reached).toEqual(whole.reached.slice(0, 4));
    expect(rehearsalSpread(design, 2)!.reached).toEqual(whole.reached.slice(0, 2));
    const d = generateDesign(300, 5);
    expect(rehearsalSpread(d, 64)!.reached).toEqual(rehearsalSpread(d)!.reached.slice(0, 64));
  });

  it("starts from the first service when nothing is exposed, and is null without services", () => {
    expect(rehearsalSpread({ services: [{ id: "a" }, { id: "b" }], flows: [{ from: "a", to: "b" }] })!.reached.map((r) => [r.service, r.hops])).toEqual([
      ["internet", 0],
      ["a", 1],
      ["b", 2],
    ]);
    expect(rehearsalSpread({ services: [], flows: [] })).toBeNull();
    expect(rehearsalSpread({})).toBeNull();
  });
});
