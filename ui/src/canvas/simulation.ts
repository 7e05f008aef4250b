//! Turning a simulation result into what the canvas lights up, hop by hop, and into the list of
//! attack paths the simulate panel shows.

import type { Hop, ReachedService, Simulation } from "../analysis";

export interface HopStep {
  hop: number;
  compromised: string[];
  reached: string[];
  /** Calls (from, to) the attacker makes to get here. */
  edges: [string, string][];
}

/** Steps in hop order (hop 0 is a breached origin service). */
export function hopSchedule(sim: Simulation): HopStep[] {
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
  for (const r of sim.reached) {
    const s = step(r.hops);
    (r.compromised ? s.compromised : s.reached).push(r.service);
    const last = r.path[r.path.length - 1];
    if (last) {
      const key = `${last.from}\u0000${last.to}`;
      if (!seen.has(key)) {
        seen.add(key);
        s.edges.push([last.from, last.to]);
      }
    }
  }
  return [...steps.values()].sort((a, b) => a.hop - b.hop);
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
export function pathElements(hops: Hop[], target: string): { nodes: string[]; edges: [string, string][] } {
  const first = hops[0];
  const nodes = first ? [first.from, ...hops.map((h) => h.to)] : [target];
  return { nodes, edges: hops.map((h) => [h.from, h.to]) };
}
