//! A [`Simulation`] with its attack paths as the tree they form: how the desktop app's
//! `simulate` command sends it over IPC (the CLI's JSON is the [`Simulation`] itself).
//!
//! In the core's report every reached service's path is the path of the position its last hop
//! came from plus that hop (`report` builds them parent-first from the fixpoint's `parent`
//! edges; in the probabilistic run too, since a settled position's parent never changes:
//! later calls are at most as likely as it). Sent whole, a breach from the internet that
//! reaches 2,000 services repeats each hop, with the evaluator's decision, once per service
//! behind it (2,000 services, 7,214 hops: 2.5 MB of compact JSON). Sent as a tree, each
//! reached service's path is one hop and the index of the service whose path it extends, and
//! the UI rebuilds the paths (`ui/src/simtree.ts`). Where a path is not such an extension it is sent whole, so the tree
//! form always expands back to exactly the core's answer ([`expand`]). The engine builds this
//! form directly (`simulate::report_tree`, `simulate_tree_on`): the CLI's [`Simulation`] is
//! its expansion, and [`to_tree`] folds a written-out simulation the same way.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::{Hop, Simulation};

/// `simulate`'s answer: the [`Simulation`] with every `reached[i].path` left empty, and the
/// paths in `paths` (`paths[i]` is `reached[i]`'s).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct SimulationTree {
    #[serde(flatten)]
    pub simulation: Simulation,
    /// Per entry of `reached`, its attack path as an extension of an earlier entry's.
    pub paths: Vec<TreePath>,
}

/// One attack path: `reached[via]`'s path followed by `path` (one hop in the common case), or
/// `path` alone when `via` is absent.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct TreePath {
    /// Index of an earlier entry of `reached` whose attack path this one starts with.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(default)]
    pub via: Option<usize>,
    /// The hops after `reached[via]`'s path, or the whole path when `via` is absent.
    pub path: Vec<Hop>,
}

/// The tree form of `sim`: each path that is an earlier reached service's path plus one hop
/// names that service (the one the hop comes from) and keeps only the hop.
pub fn to_tree(mut sim: Simulation) -> SimulationTree {
    let index: HashMap<&str, usize> = sim
        .reached
        .iter()
        .enumerate()
        .map(|(i, r)| (r.service.as_str(), i))
        .collect();
    // For each entry: the earlier entry whose path is all of its own but the last hop.
    let vias: Vec<Option<usize>> = sim
        .reached
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let last = r.path.last()?;
            let j = *index.get(last.from.as_str())?;
            (j < i && sim.reached[j].path == r.path[..r.path.len() - 1]).then_some(j)
        })
        .collect();
    let paths = sim
        .reached
        .iter_mut()
        .zip(vias)
        .map(|(r, via)| {
            let mut path = std::mem::take(&mut r.path);
            if via.is_some() {
                path.drain(..path.len() - 1);
            }
            TreePath { via, path }
        })
        .collect();
    SimulationTree {
        simulation: sim,
        paths,
    }
}

/// The tree form's paths written out again: the inverse of [`to_tree`] (what the UI's
/// `expandSimulation` does). `None` when the paths do not match `reached` one to one or a
/// `via` does not name an earlier entry.
pub fn expand(tree: SimulationTree) -> Option<Simulation> {
    let SimulationTree {
        simulation: mut sim,
        paths,
    } = tree;
    if paths.len() != sim.reached.len() {
        return None;
    }
    for (i, p) in paths.into_iter().enumerate() {
        let path = match p.via {
            Some(j) if j < i => {
                let mut full = sim.reached[j].path.clone();
                full.extend(p.path);
                full
            }
            Some(_) => return None,
            None => p.path,
        };
        sim.reached[i].path = path;
    }
    Some(sim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{AllowedBy, Decision, DenyReason};
    use crate::simulate::{Assumption, BlastRadius, ChokePoints, FlatComparison, ReachedService};
    use proptest::prelude::*;

    fn hop(from: &str, to: &str, allow: bool, exploited: bool) -> Hop {
        Hop {
            from: from.to_string(),
            to: to.to_string(),
            decision: if allow {
                Decision::Allow {
                    by: AllowedBy::Rule {
                        rule: format!("{from}->{to}"),
                    },
                    auth: Vec::new(),
                    rate_limit: None,
                }
            } else {
                Decision::Deny(DenyReason::Default)
            },
            stolen: Vec::new(),
            exploited,
        }
    }

    fn reached(service: String, path: Vec<Hop>) -> ReachedService {
        ReachedService {
            service,
            compromised: true,
            probability: None,
            compromise_probability: None,
            hops: path.len(),
            exposed: Vec::new(),
            path,
        }
    }

    fn simulation(origin: &str, reached: Vec<ReachedService>) -> Simulation {
        Simulation {
            origin: origin.to_string(),
            assumption: Assumption::Worst,
            flat_estate: false,
            notes: Vec::new(),
            compromised: reached.iter().map(|r| r.service.clone()).collect(),
            reached,
            stolen_credentials: Vec::new(),
            exposed_data: Vec::new(),
            blast_radius: BlastRadius::default(),
            choke_points: ChokePoints::default(),
            flat: FlatComparison {
                blast_radius: BlastRadius::default(),
                reduction_pct: 0.0,
            },
        }
    }

    /// A random simulation from the internet: service `i`'s path extends the path of `parent[i]`
    /// (an earlier service, or the internet) by one hop, except where `broken[i]` replaces it
    /// with a path that extends nothing (a hop of another decision, or one hop fewer), and the
    /// order is shuffled by `order` so that some extensions name a later entry.
    fn arbitrary_simulation() -> impl Strategy<Value = Simulation> {
        (1usize..40)
            .prop_flat_map(|n| {
                (
                    proptest::collection::vec(any::<prop::sample::Index>(), n),
                    proptest::collection::vec(0u8..6, n),
                    proptest::collection::vec(any::<bool>(), n),
                    Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
                )
            })
            .prop_map(|(parents, broken, allow, order)| {
                let n = parents.len();
                let mut paths: Vec<Vec<Hop>> = Vec::with_capacity(n);
                for i in 0..n {
                    let me = format!("s{i}");
                    // Parent: `i` (out of 0..=i) means the internet.
                    let p = parents[i].index(i + 1);
                    let (from, mut path) = if p == i {
                        ("internet".to_string(), Vec::new())
                    } else {
                        (format!("s{p}"), paths[p].clone())
                    };
                    match broken[i] {
                        0 => path.push(hop(&from, &me, !allow[i], false)),
                        1 if !path.is_empty() => {
                            path.pop();
                            path.push(hop(&from, &me, allow[i], true));
                        }
                        _ => path.push(hop(&from, &me, allow[i], true)),
                    }
                    paths.push(path);
                }
                let mut reached_all: Vec<Option<ReachedService>> = paths
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| Some(reached(format!("s{i}"), p)))
                    .collect();
                let ordered = order
                    .iter()
                    .filter_map(|&i| reached_all[i].take())
                    .collect();
                simulation("internet", ordered)
            })
    }

    proptest! {
        #[test]
        fn tree_form_expands_back_to_the_simulation(sim in arbitrary_simulation()) {
            let tree = to_tree(sim.clone());
            for (i, p) in tree.paths.iter().enumerate() {
                if let Some(j) = p.via {
                    prop_assert!(j < i);
                }
            }
            prop_assert_eq!(expand(tree), Some(sim));
        }
    }

    #[test]
    fn an_extension_carries_one_hop_and_a_path_that_extends_nothing_is_kept_whole() {
        let a = hop("internet", "a", true, true);
        let b = hop("a", "b", true, true);
        let c = hop("b", "c", true, false);
        // `d`'s last hop comes from `a`, but its path does not start with `a`'s.
        let d = vec![hop("internet", "x", true, true), hop("a", "d", true, true)];
        let sim = simulation(
            "internet",
            vec![
                reached("a".into(), vec![a.clone()]),
                reached("b".into(), vec![a.clone(), b.clone()]),
                reached("c".into(), vec![a.clone(), b.clone(), c.clone()]),
                reached("d".into(), d.clone()),
            ],
        );
        let tree = to_tree(sim.clone());
        assert!(tree.simulation.reached.iter().all(|r| r.path.is_empty()));
        let links: Vec<(Option<usize>, Vec<Hop>)> =
            tree.paths.iter().map(|p| (p.via, p.path.clone())).collect();
        assert_eq!(
            links,
            vec![
                (None, vec![a]),
                (Some(0), vec![b]),
                (Some(1), vec![c]),
                (None, d)
            ]
        );
        assert_eq!(expand(tree), Some(sim));
    }

    #[test]
    fn a_via_that_names_no_earlier_entry_or_paths_that_do_not_match_do_not_expand() {
        let sim = simulation(
            "internet",
            vec![reached("a".into(), vec![hop("internet", "a", true, true)])],
        );
        let mut tree = to_tree(sim);
        tree.paths[0].via = Some(0);
        assert_eq!(expand(tree.clone()), None);
        tree.paths[0].via = None;
        tree.paths.push(tree.paths[0].clone());
        assert_eq!(expand(tree), None);
    }

    /// Every origin and assumption of the fintech example: the core's paths are a tree (every
    /// path but the origin's first hops extends another), and the tree form expands back.
    #[test]
    fn the_engines_paths_are_a_tree_and_expand_back() {
        let p = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/fintech.bulkhead.json");
        let design: crate::Design =
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        let eval = crate::eval::Evaluator::new(&design);
        let origins = std::iter::once("internet".to_string())
            .chain(design.services.iter().map(|s| s.id.clone()));
        let mut extensions = 0;
        for origin in origins {
            for assumption in [
                Assumption::Worst,
                Assumption::Known,
                Assumption::Probabilistic,
            ] {
                let caller = crate::eval::Caller::parse(&origin);
                let options = crate::simulate::SimulateOptions {
                    assumption,
                    ..Default::default()
                };
                let sim = crate::simulate::simulate(&eval, &caller, &options).unwrap();
                let tree = to_tree(sim.clone());
                // The engine's own tree form (what the app sends) is the same tree.
                assert_eq!(
                    crate::simulate::simulate_tree(&eval, &caller, &options).unwrap(),
                    tree,
                    "{origin} {assumption:?}"
                );
                for p in &tree.paths {
                    // Whole paths only where there is nothing to extend: the origin, and
                    // the internet's first hops.
                    if p.via.is_none() {
                        assert!(p.path.len() <= 1, "{origin} {assumption:?}: {p:?}");
                    } else {
                        assert_eq!(p.path.len(), 1);
                        extensions += 1;
                    }
                }
                assert_eq!(expand(tree), Some(sim));
            }
        }
        assert!(extensions > 0);
    }
}
