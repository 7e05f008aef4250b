//! The `simulate` answer's attack paths, rebuilt from the tree form the shell sends them in
//! (`bulkhead_core::simulate::tree`, see `docs/ipc.md`): the simulation comes with every
//! `reached[i].path` empty and `paths[i]` naming the earlier entry whose path `reached[i]`'s
//! extends (`via`) with only the hops after it. A full-reach breach's answer is then one hop per
//! service instead of every path written out (2,000 services: 7,214 hops, 2.5 MB of JSON). The
//! rebuilt paths share their hop objects, so the UI holds each hop once however many paths go
//! through it.

import type { ReachedService, Simulation, SimulationTree } from "./analysis";

/**
 * The core's `Simulation` from its tree form: `reached[i].path` is `reached[via].path` followed
 * by `paths[i].path` (all of it when `via` is absent). Throws when the paths do not match
 * `reached` one to one or a `via` does not name an earlier entry: the shell never sends either,
 * and a path cannot be made up for it.
 */
export function expandSimulation(tree: SimulationTree): Simulation {
  const { paths, ...sim } = tree;
  if (paths.length !== sim.reached.length) {
    throw new Error(`simulate: ${paths.length} paths for ${sim.reached.length} reached services`);
  }
  const reached: ReachedService[] = [];
  sim.reached.forEach((r, i) => {
    const { path } = paths[i]!;
    const via = earlierEntry("simulate", paths[i]!.via, i, r.service);
    reached.push({ ...r, path: via === null ? path : reached[via]!.path.concat(path) });
  });
  return { ...sim, reached };
}

/**
 * The earlier entry that `reached[i]`'s path extends (`via`, in the answer of `command`), or null
 * when it has none. Throws when `via` does not name an earlier entry: the shell never sends one,
 * and a path cannot be made up for it.
 */
export function earlierEntry(command: string, via: number | null | undefined, i: number, service: string): number | null {
  if (via === undefined || via === null) return null;
  if (!Number.isInteger(via) || via < 0 || via >= i) {
    throw new Error(`${command}: the path of reached[${i}] (${service}) extends reached[${via}], which is not an earlier entry`);
  }
  return via;
}
