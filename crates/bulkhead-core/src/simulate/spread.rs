//! A breach's spread: which services it reaches, at which hop, which it takes over, and along
//! which calls — what the desktop app's canvas highlights, without what only the side panel
//! shows (each hop's decision and stolen credentials, exposed data, the blast radius, the
//! choke points, the flat comparison).
//!
//! It is the same run as the [`Simulation`](super::Simulation)'s, listed in the same order,
//! with the same paths as its tree form ([`super::tree::SimulationTree`]): both are built from
//! one `PathShape` of the fixpoint's outcome. The app asks for the spread first and draws it,
//! then for the whole simulation: on the internet's breach of a 2,000-service estate the spread
//! is the fixpoint and 141 KB of JSON, the whole answer the report, the cut and 1.1 MB.

use schemars::JsonSchema;
use serde::Serialize;

use super::{Outcome, PathShape, node_id};
use crate::model::Design;

/// `simulate_spread`'s answer.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct SimulationSpread {
    /// `internet` or the breached service's id.
    pub origin: String,
    /// Every service the attacker can call, in the simulation's `reached` order (the origin
    /// first, then by hops and id).
    pub reached: Vec<SpreadEntry>,
}

/// One reached service, as the simulation's `reached` entry at the same index.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct SpreadEntry {
    pub service: String,
    /// Whether the attacker took it over.
    pub compromised: bool,
    /// Number of hops from the origin along its attack path.
    pub hops: usize,
    /// Index of an earlier entry whose attack path this one's extends by one call, from that
    /// entry's service to this one (the tree form's `via`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(default)]
    pub via: Option<usize>,
    /// The whole attack path's calls when `via` is absent (none for the origin).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schemars(default)]
    pub path: Vec<SpreadCall>,
}

/// One call of an attack path.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct SpreadCall {
    /// `internet` or a service id.
    pub from: String,
    pub to: String,
}

/// The spread of `out`, a run from `origin` on a graph of `design`'s `n` services.
pub(super) fn spread(design: &Design, n: usize, origin: usize, out: &Outcome) -> SimulationSpread {
    let shape = PathShape::of(design, n, origin, out);
    let call = |b: usize| -> Option<SpreadCall> {
        let (a, _) = out.parent[b]?;
        Some(SpreadCall {
            from: node_id(design, a as usize),
            to: design.services[b].id.clone(),
        })
    };
    let reached = shape
        .order
        .iter()
        .zip(&shape.via)
        .map(|(&b, &via)| SpreadEntry {
            service: design.services[b].id.clone(),
            compromised: out.compromise[b] > 0.0,
            hops: out.hops[b] as usize,
            via,
            path: if via.is_some() {
                Vec::new()
            } else {
                shape.whole(out, b).into_iter().filter_map(call).collect()
            },
        })
        .collect();
    SimulationSpread {
        origin: node_id(design, origin),
        reached,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Assumption, SimulateOptions, simulate_spread, simulate_tree};
    use super::*;
    use crate::eval::{Caller, Evaluator};
    use crate::generate::{GenerateOptions, generate};

    /// The spread of every origin and assumption of `design` is the whole simulation's reached
    /// services (in order, taken or not, hops) and its paths' tree, call by call; returns how
    /// many entries extend an earlier one.
    fn same_as_the_simulation(design: &Design) -> usize {
        let eval = Evaluator::new(design);
        let origins = std::iter::once(Caller::Internet)
            .chain(design.services.iter().map(|s| Caller::parse(&s.id)));
        let mut extended = 0;
        for origin in origins {
            for assumption in [
                Assumption::Worst,
                Assumption::Known,
                Assumption::Probabilistic,
            ] {
                let opts = SimulateOptions {
                    assumption,
                    ..SimulateOptions::default()
                };
                let tree = simulate_tree(&eval, &origin, &opts).unwrap();
                let spread = simulate_spread(&eval, &origin, &opts).unwrap();
                let sim = &tree.simulation;
                let what = format!("from {} ({assumption:?})", sim.origin);
                assert_eq!(spread.origin, sim.origin, "{what}");
                assert_eq!(spread.reached.len(), sim.reached.len(), "{what}");
                for (i, ((e, r), p)) in spread
                    .reached
                    .iter()
                    .zip(&sim.reached)
                    .zip(&tree.paths)
                    .enumerate()
                {
                    assert_eq!(
                        (&e.service, e.compromised, e.hops),
                        (&r.service, r.compromised, r.hops),
                        "{what}: {i}"
                    );
                    assert_eq!(e.via, p.via, "{what}: {}", r.service);
                    let calls: Vec<(&str, &str)> = p
                        .path
                        .iter()
                        .map(|h| (h.from.as_str(), h.to.as_str()))
                        .collect();
                    match e.via {
                        Some(j) => {
                            assert!(e.path.is_empty(), "{what}: {}", r.service);
                            assert_eq!(
                                calls,
                                [(sim.reached[j].service.as_str(), r.service.as_str())],
                                "{what}"
                            );
                            extended += 1;
                        }
                        None => {
                            let mine: Vec<(&str, &str)> = e
                                .path
                                .iter()
                                .map(|c| (c.from.as_str(), c.to.as_str()))
                                .collect();
                            assert_eq!(mine, calls, "{what}: {}", r.service);
                        }
                    }
                }
            }
        }
        extended
    }

    #[test]
    fn the_spread_is_the_simulations_reach_and_paths_on_fintech() {
        let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/fintech.bulkhead.json");
        let design: Design = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        assert!(same_as_the_simulation(&design) > 0);
    }

    #[test]
    fn the_spread_is_the_simulations_reach_and_paths_on_generated_estates() {
        for (services, seed) in [(60, 1), (120, 7)] {
            let design = generate(&GenerateOptions {
                services,
                peers: 10,
                seed,
            });
            assert!(same_as_the_simulation(&design) > 0);
            // Without segments: the flat network the design then is.
            let flat = Design {
                segments: Vec::new(),
                ..design
            };
            assert!(same_as_the_simulation(&flat) > 0);
        }
    }
}
