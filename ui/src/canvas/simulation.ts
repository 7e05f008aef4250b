//! Turning a simulation into what the canvas lights up, hop by hop (from the breach's spread,
//! `simulate_spread`), and into the list of attack paths the simulate panel shows (from the
//! whole answer, `simulate`).

import type { Hop, ReachedService, Simulation, SimulationSpread } from "../analysis";
import { earlierEntry } from "../simtree";

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

/** One service (or the internet) of a `SpreadLook`: its classes once every hop is shown, and the hop step that lights it (-1: from the start). */
export interface LookNode {
  id: string;
  classes: Set<SimClass>;
  step: number;
}

/** One call of a `SpreadLook` (model ids), as `LookNode`. */
export interface LookEdge {
  from: string;
  to: string;
  classes: Set<SimClass>;
  step: number;
}

/** A breach's look with every hop step shown (see `spreadLook`): `steps` hop steps, and what each lights. */
export interface SpreadLook {
  steps: number;
  nodes: LookNode[];
  edges: LookEdge[];
}

/**
 * What the canvas shows for the breach `spread` with every hop step shown and
 * `highlightedPath` chosen, with the step that lights each service and call: in one pass what
 * `simulationLook(spread, steps, steps.length, highlightedPath)` and `stepIndex(steps)` of
 * `steps = hopSchedule(spread)` give together (the tests keep those as its oracle), in the same
 * order. On the internet's breach of 2,000 services the three passes, their two maps of every
 * service and call and their keys were the click's `sim:look`, before the layer.
 */
export function spreadLook(spread: SimulationSpread, highlightedPath: string | null): SpreadLook {
  const reached = spread.reached;
  // The hop steps, in hop order (`hopSchedule`'s), and each entry's.
  const hopOf = new Map<number, number>();
  for (const r of reached) if (!hopOf.has(r.hops)) hopOf.set(r.hops, hopOf.size);
  const hops = [...hopOf.keys()];
  let sorted = true;
  for (let i = 1; i < hops.length; i++) if (hops[i - 1]! > hops[i]!) sorted = false;
  if (!sorted) {
    hops.sort((a, b) => a - b);
    hops.forEach((h, i) => hopOf.set(h, i));
  }
  // Per step: its compromised services, then its reached ones, then its calls (each call in the
  // step of the first entry whose last call it is), each in spread order.
  const compromised: number[][] = hops.map(() => []);
  const only: number[][] = hops.map(() => []);
  const calls: LookEdge[][] = hops.map(() => []);
  const edges = new Map<string, LookEdge>();
  for (let i = 0; i < reached.length; i++) {
    const r = reached[i]!;
    const step = hopOf.get(r.hops)!;
    (r.compromised ? compromised : only)[step]!.push(i);
    const last = lastCall(spread, i);
    if (!last) continue;
    const key = `${last[0]}\u0000${last[1]}`;
    if (edges.has(key)) continue;
    const e: LookEdge = { from: last[0], to: last[1], classes: new Set<SimClass>(["attack", "sim-dim"]), step };
    edges.set(key, e);
    calls[step]!.push(e);
  }
  const nodes = new Map<string, LookNode>();
  const node = (id: string, step = -1): Set<SimClass> => {
    let n = nodes.get(id);
    if (!n) nodes.set(id, (n = { id, classes: new Set(), step }));
    return n.classes;
  };
  const classes: Set<SimClass>[] = new Array(reached.length);
  for (let step = 0; step < hops.length; step++) {
    for (const i of compromised[step]!) classes[i] = node(reached[i]!.service, step);
    for (const i of only[step]!) classes[i] = node(reached[i]!.service, step);
  }
  // The classes as `simulationLook` marks them, step by step: reached, then compromised.
  for (let step = 0; step < hops.length; step++) {
    for (const i of only[step]!) classes[i]!.add("reached");
    for (const i of compromised[step]!) {
      const c = classes[i]!;
      c.delete("reached");
      c.add("compromised");
    }
  }
  node("internet");
  node(spread.origin).add("origin");
  const lookEdges = calls.flat();
  const path = highlightedPath === null ? -1 : reached.findIndex((r) => r.service === highlightedPath);
  if (path >= 0) {
    const { nodes: onPath, edges: pathEdges } = pathElements(pathCalls(spread, path), highlightedPath!);
    for (const id of onPath) node(id).add("on-path");
    for (const [a, b] of pathEdges) {
      const key = `${a}\u0000${b}`;
      let e = edges.get(key);
      if (!e) {
        edges.set(key, (e = { from: a, to: b, classes: new Set(), step: -1 }));
        lookEdges.push(e);
      }
      e.classes.add("on-path");
      e.classes.delete("sim-dim");
    }
  }
  return { steps: hops.length, nodes: [...nodes.values()], edges: lookEdges };
}

/**
 * A made-up breach over `design`'s own calls, for `SimulationLayer`'s rehearsal only: the
 * internet, then every internet-exposed service, then whatever their calls lead to, breadth
 * first, each entry extending the one it was found from. It is **not a simulation**: it ignores
 * every rule, every verdict and the assumption (the evaluator in the shell is the only thing
 * that says what an attacker reaches), and nothing of it is ever shown. It has the shape of the
 * shell's answers (the origin first, hops in order, `via` to an earlier entry or a whole `path`,
 * compromised and reached entries) so that a rehearsal runs the code a real click runs; null on a
 * design with no services. Where nothing is exposed, the breadth-first walk starts from the first
 * service. At most `entries` entries (the origin's included): the walk's first ones.
 */
export function rehearsalSpread(design: { services?: { id: string; exposure?: string }[] | null; flows?: { from: string; to: string }[] | null }, entries = Infinity): SimulationSpread | null {
  const services = design.services ?? [];
  if (services.length === 0) return null;
  const calls = new Map<string, string[]>();
  for (const f of design.flows ?? []) {
    const to = calls.get(f.from);
    if (to) to.push(f.to);
    else calls.set(f.from, [f.to]);
  }
  const known = new Set(services.map((s) => s.id));
  const reached: SimulationSpread["reached"] = [{ service: "internet", compromised: true, hops: 0 }];
  const seen = new Set<string>(["internet"]);
  let exposed = services.filter((s) => s.exposure === "internet");
  if (exposed.length === 0) exposed = [services[0]!];
  for (const s of exposed) {
    if (reached.length >= entries) break;
    seen.add(s.id);
    reached.push({ service: s.id, compromised: true, hops: 1, path: [{ from: "internet", to: s.id }] });
  }
  for (let i = 1; i < reached.length; i++) {
    const from = reached[i]!;
    for (const to of calls.get(from.service) ?? []) {
      if (reached.length >= entries) break;
      if (seen.has(to) || !known.has(to)) continue;
      seen.add(to);
      // Two in three taken over, the third only reached: a real breach has both.
      reached.push({ service: to, compromised: reached.length % 3 !== 0, hops: from.hops + 1, via: i });
    }
  }
  return { origin: "internet", reached };
}
