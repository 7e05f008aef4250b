//! Turning a simulation into what the canvas lights up, hop by hop (from the breach's spread,
//! `simulate_spread`), and into the list of attack paths the simulate panel shows (from the
//! whole answer, `simulate`).

import type { Hop, ReachedService, Simulation, SimulationSpread } from "../analysis";
import { earlierEntry } from "../simtree";

export interface HopStep {
  hop: number;
  compromised: string[];
  reached: string[];
  /** Calls (from, to) the attacker makes to get here. */
  edges: [string, string][];
}

/**
 * The calls of `spread.reached[i]`'s attack path, in order: the path of the entry it extends
 * (`via`) and the call from that entry's service, or its own whole `path`. Throws when a `via`
 * does not name an earlier entry (the shell never sends one; a path cannot be made up for it).
 */
export function pathCalls(spread: SimulationSpread, i: number): [string, string][] {
  const calls: [string, string][] = [];
  for (let k = i; ; ) {
    const e = spread.reached[k]!;
    const via = earlierEntry("simulate_spread", e.via, k, e.service);
    if (via === null) {
      const path = e.path ?? [];
      for (let j = path.length - 1; j >= 0; j--) calls.push([path[j]!.from, path[j]!.to]);
      return calls.reverse();
    }
    calls.push([spread.reached[via]!.service, e.service]);
    k = via;
  }
}

/** The last call of `spread.reached[i]`'s attack path, or null (the origin's path is empty). */
export function lastCall(spread: SimulationSpread, i: number): [string, string] | null {
  const e = spread.reached[i]!;
  const via = earlierEntry("simulate_spread", e.via, i, e.service);
  if (via !== null) return [spread.reached[via]!.service, e.service];
  const last = e.path?.at(-1);
  return last ? [last.from, last.to] : null;
}

/** Steps in hop order (hop 0 is a breached origin service). */
export function hopSchedule(spread: SimulationSpread): HopStep[] {
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
export interface StepIndex {
  nodes: Map<string, number>;
  edges: Map<string, number>;
}

export function stepIndex(steps: readonly HopStep[]): StepIndex {
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

/** Crown-jewel data classes the run exposed. */
export function crownJewels(sim: Simulation): Set<string> {
  return new Set(sim.exposed_data.filter((d) => d.crown_jewel).map((d) => d.data_class));
}

export interface AttackPathView {
  target: string;
  crownJewel: boolean;
  hops: Hop[];
  probability: number | null;
  reached: ReachedService;
}

/** Paths to every reached service (not the origin), crown jewels first, then shortest first. */
export function attackPaths(sim: Simulation): AttackPathView[] {
  const jewels = crownJewels(sim);
  return sim.reached
    .filter((r) => r.path.length > 0)
    .map((r) => ({ target: r.service, crownJewel: r.exposed.some((d) => jewels.has(d)), hops: r.path, probability: r.probability ?? null, reached: r }))
    .sort((a, b) => Number(b.crownJewel) - Number(a.crownJewel) || a.hops.length - b.hops.length || a.target.localeCompare(b.target));
}

/** The services (or `internet`) and calls of one attack path. */
export function pathElements(calls: readonly (readonly [string, string])[], target: string): { nodes: string[]; edges: [string, string][] } {
  const first = calls[0];
  const nodes = first ? [first[0], ...calls.map((c) => c[1])] : [target];
  return { nodes, edges: calls.map(([a, b]) => [a, b]) };
}

/** What a simulation marks on the canvas; the simulation layer (./simlayer.ts) draws them. */
export const SIM_CLASSES = ["compromised", "reached", "origin", "attack", "on-path", "sim-dim"] as const;
export type SimClass = (typeof SIM_CLASSES)[number];

/** How a simulation looks on the canvas, by model id (`internet` for the internet). */
export interface SimulationLook {
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
export function simulationLook(spread: SimulationSpread, steps: readonly HopStep[], shown: number, highlightedPath: string | null): SimulationLook {
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
