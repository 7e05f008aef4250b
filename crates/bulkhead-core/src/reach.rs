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

use std::collections::HashMap;

use crate::eval::{Caller, Evaluator, Request, credential_satisfies};
use crate::model::{Auth, Credential, IntraStance, Peer};

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
#[derive(Clone, Debug, PartialEq, Eq)]
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
    ///
    /// Every candidate pair is decided by the evaluator's own scan (the one behind
    /// [`Evaluator::grants_at`]), by index and into reused scratch space: no strings are
    /// compared or cloned per pair. Which credentials satisfy a requirement is computed once
    /// per distinct requirement (keyed by its address in the design: the evaluator hands out
    /// requirements borrowed from the rules and segments that state them).
    pub fn compile(eval: &Evaluator) -> ReachGraph {
        let design = eval.design();
        let n = design.services.len();
        let internet = n;
        let (credentials, held) = credential_index(design);

        let pairs = candidate_pairs(eval);
        let mut offsets = Vec::with_capacity(n + 2);
        let mut edges = Vec::with_capacity(pairs.len());
        let mut conditions: Vec<Condition> = Vec::new();
        // Which credentials satisfy each bearer requirement: index into `satisfying`, found
        // by the requirement's address (cheap), else by its value (rules that repeat one
        // requirement share it), else computed through the credential index.
        let bearer = BearerIndex::new(&credentials);
        let mut by_address: HashMap<*const Auth, usize> = HashMap::new();
        let mut by_value: HashMap<&Auth, usize> = HashMap::new();
        let mut satisfying: Vec<Vec<u32>> = Vec::new();
        let mut scratch = Vec::new();
        let mut p = 0;
        for a in 0..=n {
            offsets.push(edges.len() as u32);
            let (caller, identity, own): (Option<usize>, Option<&str>, &[Credential]) =
                if a == internet {
                    (None, None, &[])
                } else {
                    (
                        Some(a),
                        design.services[a].identity.as_deref(),
                        &design.services[a].credentials,
                    )
                };
            while p < pairs.len() && pairs[p].0 as usize == a {
                let b = pairs[p].1 as usize;
                p += 1;
                let Some(grants) = eval.l4_requirements(caller, b, &mut scratch) else {
                    continue;
                };
                let mut alternatives: Condition = Vec::new();
                let mut free = false;
                for required in grants {
                    let mut alt: Vec<Vec<u32>> = Vec::new();
                    let mut possible = true;
                    for auth in required.into_iter().flatten() {
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
                                let k = *by_address.entry(std::ptr::from_ref(auth)).or_insert_with(
                                    || {
                                        *by_value.entry(auth).or_insert_with(|| {
                                            satisfying.push(bearer.satisfying(&credentials, auth));
                                            satisfying.len() - 1
                                        })
                                    },
                                );
                                possible &= !satisfying[k].is_empty();
                                alt.push(satisfying[k].clone());
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
                push_edge(&mut edges, &mut conditions, b, free, alternatives);
            }
        }
        offsets.push(edges.len() as u32);
        ReachGraph {
            n,
            offsets,
            edges,
            conditions,
            credentials,
            held,
        }
    }

    /// The straightforward construction [`ReachGraph::compile`] must equal: every (caller,
    /// target) pair, each decided through the public [`Evaluator::grants_at`] with owned
    /// [`Grants`](crate::eval::Grants). Quadratic; for tests and the benchmark's baseline.
    pub fn compile_reference(eval: &Evaluator) -> ReachGraph {
        let design = eval.design();
        let n = design.services.len();
        let (credentials, held) = credential_index(design);
        let mut offsets = Vec::with_capacity(n + 2);
        let mut edges = Vec::new();
        let mut conditions: Vec<Condition> = Vec::new();
        let req = Request::default();
        for a in 0..=n {
            offsets.push(edges.len() as u32);
            let (caller, presented) = if a == n {
                (Caller::Internet, crate::eval::Presented::default())
            } else {
                let c = Caller::Service(design.services[a].id.clone());
                let p = eval.own_presentation(&c);
                (c, p)
            };
            for b in (0..n).filter(|&b| b != a) {
                let Ok(g) = eval.grants_at(&caller, b, &req) else {
                    continue;
                };
                let mut alternatives: Condition = Vec::new();
                let mut free = false;
                for grant in &g.grants {
                    let mut alt = Vec::new();
                    let mut possible = true;
                    for auth in &grant.auth {
                        if matches!(auth, Auth::Mtls { .. }) || presented.satisfies(auth) {
                            possible &= presented.satisfies(auth);
                            continue;
                        }
                        let any_of: Vec<u32> = credentials
                            .iter()
                            .enumerate()
                            .filter(|(_, c)| credential_satisfies(c, auth))
                            .map(|(i, _)| i as u32)
                            .collect();
                        possible &= !any_of.is_empty();
                        alt.push(any_of);
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
                push_edge(&mut edges, &mut conditions, b, free, alternatives);
            }
        }
        offsets.push(edges.len() as u32);
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

/// Bearer credentials by what they can satisfy, so that finding the credentials that meet a
/// requirement looks at a few candidates rather than at every credential in the estate (which
/// made compiling quadratic: requirements and credentials both grow with the estate).
struct BearerIndex<'c> {
    api_keys: HashMap<&'c str, Vec<u32>>,
    /// JWTs by issuer, and by (issuer, one scope they carry).
    jwt_issuer: HashMap<&'c str, Vec<u32>>,
    jwt_scope: HashMap<(&'c str, &'c str), Vec<u32>>,
}

impl<'c> BearerIndex<'c> {
    fn new(credentials: &'c [Credential]) -> Self {
        let mut index = BearerIndex {
            api_keys: HashMap::new(),
            jwt_issuer: HashMap::new(),
            jwt_scope: HashMap::new(),
        };
        for (i, c) in credentials.iter().enumerate() {
            let i = i as u32;
            match c {
                Credential::ApiKey { key } => index.api_keys.entry(key).or_default().push(i),
                Credential::Jwt { issuer, scopes } => {
                    index.jwt_issuer.entry(issuer).or_default().push(i);
                    let mut seen: Vec<&str> = Vec::new();
                    for s in scopes {
                        if !seen.contains(&s.as_str()) {
                            seen.push(s);
                            index.jwt_scope.entry((issuer, s)).or_default().push(i);
                        }
                    }
                }
            }
        }
        index
    }

    /// Indices (ascending) of the credentials that satisfy `auth`: the candidates the index
    /// gives, each confirmed by the evaluator's [`credential_satisfies`].
    fn satisfying(&self, credentials: &[Credential], auth: &Auth) -> Vec<u32> {
        let candidates: &[u32] = match auth {
            Auth::ApiKey { key } => self.api_keys.get(key.as_str()).map_or(&[], Vec::as_slice),
            Auth::Jwt { issuer, scopes } => match scopes.first() {
                Some(s) => self
                    .jwt_scope
                    .get(&(issuer.as_str(), s.as_str()))
                    .map_or(&[], Vec::as_slice),
                None => self
                    .jwt_issuer
                    .get(issuer.as_str())
                    .map_or(&[], Vec::as_slice),
            },
            Auth::None | Auth::Mtls { .. } => &[],
        };
        candidates
            .iter()
            .copied()
            .filter(|&i| credential_satisfies(&credentials[i as usize], auth))
            .collect()
    }
}

/// Every credential some service holds (deduplicated, sorted) and, per service, the indices
/// of what it holds.
fn credential_index(design: &crate::model::Design) -> (Vec<Credential>, Vec<Vec<u32>>) {
    // Deduplicate by hash first: estates repeat a few distinct credentials many times, and
    // ordering every copy by comparing strings was the slowest part of compiling.
    let mut distinct: HashMap<&Credential, u32> = HashMap::new();
    for s in &design.services {
        for c in &s.credentials {
            distinct.entry(c).or_insert(0);
        }
    }
    let mut sorted: Vec<&Credential> = distinct.keys().copied().collect();
    sorted.sort_unstable();
    for (i, c) in sorted.iter().enumerate() {
        distinct.insert(c, i as u32);
    }
    let credentials: Vec<Credential> = sorted.into_iter().cloned().collect();
    let held = design
        .services
        .iter()
        .map(|s| {
            let mut h: Vec<u32> = s.credentials.iter().map(|c| distinct[c]).collect();
            h.sort_unstable();
            h.dedup();
            h
        })
        .collect();
    (credentials, held)
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
    for (_, r) in (design.rules.iter().enumerate()).filter(|&(i, _)| eval.rule_can_grant(i)) {
        let to = eval.members_borrowed(&r.to);
        if to.is_empty() {
            continue;
        }
        let from = eval.members_borrowed(&r.from);
        let from_internet = matches!(r.from, Peer::Any | Peer::Internet).then_some(internet);
        for a in from.iter().copied().chain(from_internet) {
            for &b in to.iter() {
                if a != b {
                    pairs.push((a as u32, b as u32));
                }
            }
        }
    }
    // Members of each leaf segment whose intra-segment stance is `allow`.
    let mut by_leaf: Vec<Vec<usize>> = vec![Vec::new(); design.segments.len()];
    for i in 0..n {
        if let Some(l) = eval.leaf_segment_index(i)
            && design.segments[l].policy.intra == IntraStance::Allow
        {
            by_leaf[l].push(i);
        }
    }
    for members in &by_leaf {
        for &a in members {
            for &b in members {
                if a != b {
                    pairs.push((a as u32, b as u32));
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

/// Adds the edge to `b` that `compile` and `compile_reference` both derive: free when some
/// alternative needs no credential, conditional on the alternatives when there are any, and
/// no edge at all when nothing allows the step.
fn push_edge(
    edges: &mut Vec<Edge>,
    conditions: &mut Vec<Condition>,
    b: usize,
    free: bool,
    alternatives: Condition,
) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::generate::{GenerateOptions, generate};

    /// The fast construction equals the straightforward one on generated estates (which hold
    /// an expired exception, a wildcard rule, JWT and mTLS requirements), undated and dated.
    #[test]
    fn compile_equals_reference_on_generated_estates() {
        for seed in 0..4 {
            let d = generate(&GenerateOptions {
                services: 60 + seed as usize * 45,
                peers: 3 + 2 * seed as usize,
                seed,
            });
            let e = Evaluator::new(&d);
            assert_eq!(
                ReachGraph::compile(&e),
                ReachGraph::compile_reference(&e),
                "seed {seed}"
            );
            let e = Evaluator::at(&d, Date::parse("2026-11-28").unwrap());
            let fast = ReachGraph::compile(&e);
            assert_eq!(
                fast,
                ReachGraph::compile_reference(&e),
                "seed {seed}, dated"
            );
            assert!(
                fast.edge_count() > d.services.len(),
                "seed {seed}: a real graph"
            );
        }
    }
}
