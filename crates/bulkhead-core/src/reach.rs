//! The reach graph: the evaluator's L4 answer compiled into adjacency lists, the input of the
//! breach simulation and the all-origins closure.
//!
//! Node `i < n` is `design.services[i]`; node `n` is the internet. There is an edge `A → B` when
//! the evaluator allows some request from A to B (`Request::default()`, L4) for a caller that
//! presents what a grant requires, *and* that requirement can be met by an attacker at A:
//! - an mTLS requirement only by A's own identity (it is bound to A's network position);
//! - an API key or JWT requirement by A's own credentials (a *free* edge) or by credentials
//!   stolen elsewhere (a *conditional* edge, listing which credentials would do).
//!
//! Candidate pairs come from the allow rules (their `from` × `to` members) and the intra-segment
//! allows, so compiling costs about the number of allowed pairs, not `n²`; every candidate is
//! then decided by [`Evaluator::grants_at`], never by logic of its own.

use std::collections::BTreeMap;

use crate::eval::{Caller, Evaluator, Request, credential_satisfies};
use crate::model::{Action, Auth, Credential, Exposure, IntraStance, Peer};

/// Marks an edge that needs no stolen credential.
pub const FREE: u32 = u32::MAX;

/// One edge of the reach graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub to: u32,
    /// [`FREE`], or an index into [`ReachGraph::conditions`].
    pub condition: u32,
}

/// What stolen credentials open a conditional edge: any one alternative, each a list of
/// requirements that must all hold, each requirement met by any one of the listed credential
/// indices.
pub type Condition = Vec<Vec<Vec<u32>>>;

/// The compiled reach graph of a design.
#[derive(Clone, Debug)]
pub struct ReachGraph {
    /// Number of services; node `n` is the internet.
    pub n: usize,
    offsets: Vec<u32>,
    edges: Vec<Edge>,
    pub conditions: Vec<Condition>,
    /// Every credential some service holds, deduplicated and sorted.
    pub credentials: Vec<Credential>,
    /// Per service, indices into `credentials` of what it holds.
    pub held: Vec<Vec<u32>>,
}

impl ReachGraph {
    /// The internet's node index.
    pub fn internet(&self) -> usize {
        self.n
    }

    /// Edges out of `node`.
    pub fn out(&self, node: usize) -> &[Edge] {
        &self.edges[self.offsets[node] as usize..self.offsets[node + 1] as usize]
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// Index of the first edge out of `node` (edge ids are global).
    pub fn first_edge(&self, node: usize) -> usize {
        self.offsets[node] as usize
    }

    pub fn edge(&self, id: usize) -> Edge {
        self.edges[id]
    }

    /// Heap bytes used, roughly.
    pub fn bytes(&self) -> usize {
        self.offsets.len() * 4
            + self.edges.len() * std::mem::size_of::<Edge>()
            + self
                .conditions
                .iter()
                .map(|c| {
                    c.iter()
                        .map(|a| a.iter().map(|r| r.len() * 4 + 24).sum::<usize>() + 24)
                        .sum::<usize>()
                        + 24
                })
                .sum::<usize>()
            + self.held.iter().map(|h| h.len() * 4 + 24).sum::<usize>()
    }

    /// The strength with which stolen credentials (`stolen[c]` in `0..=1`, 0: not held) open
    /// a conditional edge: the best alternative's weakest requirement.
    pub fn condition_strength(&self, condition: u32, stolen: &[f64]) -> f64 {
        if condition == FREE {
            return 1.0;
        }
        self.conditions[condition as usize]
            .iter()
            .map(|alt| {
                alt.iter()
                    .map(|req| req.iter().map(|&c| stolen[c as usize]).fold(0.0, f64::max))
                    .fold(1.0, f64::min)
            })
            .fold(0.0, f64::max)
    }

    /// Does a set of held credentials (bits over `credentials`) open an edge's condition?
    pub fn condition_open(&self, condition: u32, held: &crate::bits::Bits) -> bool {
        condition == FREE
            || self.conditions[condition as usize].iter().any(|alt| {
                alt.iter()
                    .all(|req| req.iter().any(|&c| held.contains(c as usize)))
            })
    }

    /// Compile a design's reach graph.
    pub fn compile(eval: &Evaluator) -> ReachGraph {
        let design = eval.design();
        let n = design.services.len();
        let internet = n;

        let mut index: BTreeMap<&Credential, u32> = BTreeMap::new();
        for s in &design.services {
            for c in &s.credentials {
                index.insert(c, 0);
            }
        }
        let credentials: Vec<Credential> = index.keys().map(|c| (*c).clone()).collect();
        for (i, v) in index.values_mut().enumerate() {
            *v = i as u32;
        }
        let held: Vec<Vec<u32>> = design
            .services
            .iter()
            .map(|s| {
                let mut h: Vec<u32> = s.credentials.iter().map(|c| index[c]).collect();
                h.sort_unstable();
                h.dedup();
                h
            })
            .collect();

        let pairs = candidate_pairs(eval);
        let callers: Vec<Caller> = design
            .services
            .iter()
            .map(|s| Caller::Service(s.id.clone()))
            .chain(std::iter::once(Caller::Internet))
            .collect();
        let mut offsets = vec![0u32; n + 2];
        let mut edges = Vec::with_capacity(pairs.len());
        let mut conditions: Vec<Condition> = Vec::new();
        let req = Request::default();
        // Which credentials satisfy each bearer requirement, computed once per requirement.
        let mut satisfying: std::collections::HashMap<Auth, Vec<u32>> =
            std::collections::HashMap::new();
        let mut p = 0;
        for a in 0..=n {
            offsets[a] = edges.len() as u32;
            let (identity, own): (Option<&str>, &[Credential]) = if a == internet {
                (None, &[])
            } else {
                (
                    design.services[a].identity.as_deref(),
                    &design.services[a].credentials,
                )
            };
            while p < pairs.len() && pairs[p].0 as usize == a {
                let b = pairs[p].1 as usize;
                p += 1;
                if a == internet && design.services[b].exposure != Exposure::Internet {
                    continue;
                }
                let Ok(g) = eval.grants_at(&callers[a], b, &req) else {
                    continue;
                };
                let mut alternatives: Condition = Vec::new();
                let mut free = false;
                for grant in &g.grants {
                    let mut alt: Vec<Vec<u32>> = Vec::new();
                    let mut possible = true;
                    for auth in &grant.auth {
                        match auth {
                            Auth::None => {}
                            Auth::Mtls { identities } => {
                                let ok = identity.is_some_and(|id| {
                                    identities.iter().any(|x| x == "*" || x == id)
                                });
                                possible &= ok;
                            }
                            Auth::ApiKey { .. } | Auth::Jwt { .. } => {
                                if own.iter().any(|c| credential_satisfies(c, auth)) {
                                    continue;
                                }
                                let any_of: Vec<u32> = satisfying
                                    .entry(auth.clone())
                                    .or_insert_with(|| {
                                        credentials
                                            .iter()
                                            .enumerate()
                                            .filter(|(_, c)| credential_satisfies(c, auth))
                                            .map(|(i, _)| i as u32)
                                            .collect()
                                    })
                                    .clone();
                                possible &= !any_of.is_empty();
                                alt.push(any_of);
                            }
                        }
                    }
                    if !possible {
                        continue;
                    }
                    if alt.is_empty() {
                        free = true;
                        break;
                    }
                    alternatives.push(alt);
                }
                if free {
                    edges.push(Edge {
                        to: b as u32,
                        condition: FREE,
                    });
                } else if !alternatives.is_empty() {
                    edges.push(Edge {
                        to: b as u32,
                        condition: conditions.len() as u32,
                    });
                    conditions.push(alternatives);
                }
            }
        }
        offsets[n + 1] = edges.len() as u32;
        ReachGraph {
            n,
            offsets,
            edges,
            conditions,
            credentials,
            held,
        }
    }
}

/// Every (caller, target) pair some allow rule or intra-segment allow names, sorted, without
/// self-pairs; caller `n` is the internet. A superset of the allowed pairs: each still goes
/// through the evaluator.
pub fn candidate_pairs(eval: &Evaluator) -> Vec<(u32, u32)> {
    let design = eval.design();
    let n = design.services.len();
    let internet = n;
    // Candidate pairs: what some allow rule or intra-segment allow could grant.
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for r in design.rules.iter().filter(|r| r.action == Action::Allow) {
        let to = eval.members(&r.to);
        if to.is_empty() {
            continue;
        }
        let mut from = eval.members(&r.from);
        if matches!(r.from, Peer::Any | Peer::Internet) {
            from.push(internet);
        }
        for &a in &from {
            for &b in &to {
                if a != b {
                    pairs.push((a as u32, b as u32));
                }
            }
        }
    }
    let mut by_leaf: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        if let Some(l) = eval.leaf_segment(i) {
            by_leaf.entry(l).or_default().push(i);
        }
    }
    let intra_allow: std::collections::HashMap<&str, bool> = design
        .segments
        .iter()
        .map(|s| (s.id.as_str(), s.policy.intra == IntraStance::Allow))
        .collect();
    for (leaf, members) in &by_leaf {
        let open = intra_allow.get(leaf).copied().unwrap_or(false);
        if open {
            for &a in members {
                for &b in members {
                    if a != b {
                        pairs.push((a as u32, b as u32));
                    }
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();

    pairs
}

/// One allowed pair at L4 with every grant, for findings that look at the whole policy.
#[derive(Clone, Debug)]
pub struct AllowedPair {
    /// Service index, or `n` for the internet.
    pub from: usize,
    pub to: usize,
    pub grants: Vec<crate::eval::Grant>,
}

/// Every allowed (caller, target) pair at L4 (some request, some presentation), with grants.
pub fn allowed_pairs(eval: &Evaluator) -> Vec<AllowedPair> {
    let design = eval.design();
    let n = design.services.len();
    candidate_pairs(eval)
        .into_iter()
        .filter_map(|(a, b)| {
            let (a, b) = (a as usize, b as usize);
            let caller = if a == n {
                Caller::Internet
            } else {
                Caller::Service(design.services[a].id.clone())
            };
            let g = eval.grants_at(&caller, b, &Request::default()).ok()?;
            (!g.grants.is_empty()).then_some(AllowedPair {
                from: a,
                to: b,
                grants: g.grants,
            })
        })
        .collect()
}
