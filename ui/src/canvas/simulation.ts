//! Turning a simulation result into what the canvas lights up, hop by hop.

import type { AttackPath, Simulation } from "../analysis";

export interface HopStep {
  hop: number;
  compromised: string[];
  reached: string[];
  /** Calls (from, to) the attacker makes at this hop, from the attack paths. */
  edges: [string, string][];
}

/** Steps in hop order: hop 0 is the origin. */
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
  const hopOf = new Map<string, number>();
  for (const c of sim.compromised) {
    step(c.hop).compromised.push(c.service);
    hopOf.set(c.service, c.hop);
  }
  for (const r of sim.reached) {
    if (hopOf.has(r.service)) continue;
    step(r.hop).reached.push(r.service);
    hopOf.set(r.service, r.hop);
  }
  const seen = new Set<string>();
  for (const p of sim.paths) {
    p.hops.forEach((h, i) => {
      const key = `${h.from}\u0000${h.to}`;
      if (seen.has(key)) return;
      seen.add(key);
      step(hopOf.get(h.to) ?? i + 1).edges.push([h.from, h.to]);
    });
  }
  return [...steps.values()].sort((a, b) => a.hop - b.hop);
}

/** The services (or `internet`) and calls of one attack path. */
export function pathElements(path: AttackPath): { nodes: string[]; edges: [string, string][] } {
  const first = path.hops[0];
  const nodes = first ? [first.from, ...path.hops.map((h) => h.to)] : [path.target];
  return { nodes, edges: path.hops.map((h) => [h.from, h.to]) };
}
