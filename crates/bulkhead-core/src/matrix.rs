//! The matrix: the evaluator's whole answer at L4, every allowed (caller, target, port).
//!
//! The exporters' proofs compare what their configs enforce against this, so it is defined
//! precisely:
//! - callers are `internet` and every service; targets are every service; a service calling
//!   itself is not listed (every enforcement point allows it);
//! - for each pair and each port the target declares, the request is `{port: p}` with method
//!   and path unset ("some request on p"); a target that declares no ports gets one entry with
//!   `port: null`, meaning "any port";
//! - the entry exists iff [`Evaluator::decide`] with `presented: None` allows the request, i.e.
//!   some allow rule (or the intra-segment allow) matches it and no deny rule covers it. A deny
//!   rule restricted to methods or paths does not remove an L4 entry: other calls on the port
//!   are still allowed;
//! - `by`, `auth` and `rate_limit` are exactly that decision (the first grant); `also` lists
//!   the other grants, in the order the evaluator tries them, because a caller may satisfy a
//!   later grant's auth instead (e.g. a JWT *or* an API key).
//!
//! Entries are sorted by caller (`internet` first), then target, then port.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;

use crate::eval::{AllowedBy, Caller, Decision, Evaluator, Grant, Request};
use crate::model::{Auth, Protocol, RateLimit};

/// Every allowed (caller, target, port) of a design.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Matrix {
    pub entries: Vec<MatrixEntry>,
}

/// One allowed caller → target port.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct MatrixEntry {
    /// `internet` or a service id.
    pub from: String,
    /// Service id.
    pub to: String,
    /// A port the target declares, or `null` when it declares none (any port).
    pub port: Option<u32>,
    /// The port's protocol (`null` with `port: null`).
    pub protocol: Option<Protocol>,
    /// What allows it: the first grant, as `decide(.., presented: None)` reports.
    pub by: AllowedBy,
    /// What the caller must present under `by` (empty: nothing).
    pub auth: Vec<Auth>,
    pub rate_limit: Option<RateLimit>,
    /// Further grants that also allow the call, in evaluation order.
    pub also: Vec<Grant>,
}

impl MatrixEntry {
    /// Is there a grant that needs no credential at all?
    pub fn open_without_auth(&self) -> bool {
        self.auth.is_empty() || self.also.iter().any(|g| g.auth.is_empty())
    }
}

/// The matrix rolled up by leaf segment.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct SegmentMatrix {
    pub entries: Vec<SegmentMatrixEntry>,
}

/// One side of a segment-matrix entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SegmentSide {
    Internet,
    /// Services in no segment.
    Unsegmented,
    /// A leaf segment (by id).
    Segment(String),
}

impl SegmentSide {
    pub fn label(&self) -> String {
        match self {
            SegmentSide::Internet => "internet".into(),
            SegmentSide::Unsegmented => "(unsegmented)".into(),
            SegmentSide::Segment(s) => s.clone(),
        }
    }
}

/// All allowed service pairs from one segment into another.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct SegmentMatrixEntry {
    pub from: SegmentSide,
    pub to: SegmentSide,
    /// Allowed (caller, target) service pairs.
    pub pairs: usize,
    /// Every (caller, target) pair between the two sides, allowed or not.
    pub possible_pairs: usize,
    /// Ports allowed (`null`: any port).
    pub ports: Vec<Option<u32>>,
    /// Distinct auth requirements of the first grants (empty list: some pair needs none).
    pub auth: Vec<Auth>,
    /// Whether some allowed pair needs no credential.
    pub unauthenticated: bool,
    /// Rules (and intra-segment allows) that grant these pairs.
    pub by: Vec<AllowedBy>,
}

/// Compute the matrix of a design.
///
/// Only the callers [`Evaluator::possible_callers`] names for a target are asked about it
/// (everyone else is denied by default), so the cost is `O(allowed-or-nearly pairs × ports ×
/// rules touching the target)` instead of `O(services²)`; each listed pair is still decided by
/// [`Evaluator::grants_at`]. [`matrix_exhaustive`] asks every pair and gives the same matrix.
pub fn matrix(eval: &Evaluator) -> Matrix {
    let design = eval.design();
    let mut entries = Vec::new();
    for ti in 0..design.services.len() {
        let possible = eval.possible_callers(ti);
        if possible.internet {
            push_entries(eval, &Caller::Internet, ti, &mut entries);
        }
        for ci in possible.services {
            if ci == ti {
                continue;
            }
            let caller = Caller::Service(design.services[ci].id.clone());
            push_entries(eval, &caller, ti, &mut entries);
        }
    }
    sort_entries(&mut entries);
    Matrix { entries }
}

/// The matrix by asking the evaluator about every (caller, target, port): the straightforward
/// definition, `O(services² × rules touching the target)`. Kept as the reference that tests
/// compare [`matrix`] with; use [`matrix`].
pub fn matrix_exhaustive(eval: &Evaluator) -> Matrix {
    let design = eval.design();
    let mut callers = vec![Caller::Internet];
    callers.extend(
        design
            .services
            .iter()
            .map(|s| Caller::Service(s.id.clone())),
    );
    let mut entries = Vec::new();
    for caller in &callers {
        for (ti, target) in design.services.iter().enumerate() {
            if caller.id() == target.id && matches!(caller, Caller::Service(_)) {
                continue;
            }
            push_entries(eval, caller, ti, &mut entries);
        }
    }
    sort_entries(&mut entries);
    Matrix { entries }
}

/// The entries of one (caller, target): one per port the target declares (or one for "any
/// port" when it declares none) that the evaluator allows.
fn push_entries(eval: &Evaluator, caller: &Caller, ti: usize, entries: &mut Vec<MatrixEntry>) {
    let target = &eval.design().services[ti];
    let ports: Vec<(Option<u32>, Option<Protocol>)> = if target.ports.is_empty() {
        vec![(None, None)]
    } else {
        target
            .ports
            .iter()
            .map(|p| (Some(p.port), Some(p.protocol)))
            .collect()
    };
    for (port, protocol) in ports {
        let req = Request {
            port,
            ..Request::default()
        };
        let Ok(g) = eval.grants_at(caller, ti, &req) else {
            continue;
        };
        // INVARIANT: with no presentation the decision is the first grant.
        debug_assert_eq!(
            eval.decide(caller, &target.id, &req, None).is_allowed(),
            !g.grants.is_empty()
        );
        let mut grants = g.grants.into_iter();
        let Some(first) = grants.next() else {
            continue;
        };
        entries.push(MatrixEntry {
            from: caller.id().to_string(),
            to: target.id.clone(),
            port,
            protocol,
            by: first.by,
            auth: first.auth,
            rate_limit: first.rate_limit,
            also: grants.collect(),
        });
    }
}

fn sort_entries(entries: &mut [MatrixEntry]) {
    // Borrowed keys: a large matrix has hundreds of thousands of entries.
    fn key(e: &MatrixEntry) -> (bool, &str, &str, Option<u32>) {
        (
            e.from != crate::model::INTERNET,
            e.from.as_str(),
            e.to.as_str(),
            e.port,
        )
    }
    // Stable: a port declared for TCP and UDP gives two entries with the same key.
    entries.sort_by(|a, b| key(a).cmp(&key(b)));
}

/// Is `req` from `caller` to `target` allowed at all (some presentation would do)?
/// The same answer as the matrix, for one request.
pub fn allowed_at_all(eval: &Evaluator, caller: &Caller, target: &str, req: &Request) -> bool {
    matches!(
        eval.decide(caller, target, req, None),
        Decision::Allow { .. }
    )
}

/// Roll a matrix up by the callers' and targets' leaf segments.
pub fn by_segment(eval: &Evaluator, m: &Matrix) -> SegmentMatrix {
    let design = eval.design();
    let side = |id: &str| -> SegmentSide {
        if id == crate::model::INTERNET {
            return SegmentSide::Internet;
        }
        match eval.segment_of(id) {
            Some(s) => SegmentSide::Segment(s.to_string()),
            None => SegmentSide::Unsegmented,
        }
    };
    // How many services each side has, for `possible_pairs`.
    let mut size: BTreeMap<SegmentSide, usize> = BTreeMap::new();
    let mut internet_facing: BTreeMap<SegmentSide, usize> = BTreeMap::new();
    for s in &design.services {
        let k = side(&s.id);
        *size.entry(k.clone()).or_default() += 1;
        if s.exposure == crate::model::Exposure::Internet {
            *internet_facing.entry(k).or_default() += 1;
        }
    }
    #[derive(Default)]
    struct Acc {
        pairs: BTreeSet<(String, String)>,
        ports: BTreeSet<Option<u32>>,
        auth: Vec<Auth>,
        unauthenticated: bool,
        by: BTreeSet<AllowedBy>,
    }
    let mut acc: BTreeMap<(SegmentSide, SegmentSide), Acc> = BTreeMap::new();
    for e in &m.entries {
        let a = acc.entry((side(&e.from), side(&e.to))).or_default();
        a.pairs.insert((e.from.clone(), e.to.clone()));
        a.ports.insert(e.port);
        if e.auth.is_empty() {
            a.unauthenticated = true;
        }
        for x in &e.auth {
            if !a.auth.contains(x) {
                a.auth.push(x.clone());
            }
        }
        a.by.insert(e.by.clone());
        a.by.extend(e.also.iter().map(|g| g.by.clone()));
    }
    let entries = acc
        .into_iter()
        .map(|((from, to), a)| {
            let to_n = match from {
                SegmentSide::Internet => internet_facing.get(&to).copied().unwrap_or(0),
                _ => size.get(&to).copied().unwrap_or(0),
            };
            let from_n = match from {
                SegmentSide::Internet => 1,
                _ => size.get(&from).copied().unwrap_or(0),
            };
            // Self-pairs are never listed.
            let possible = if from == to {
                from_n * to_n.saturating_sub(1)
            } else {
                from_n * to_n
            };
            SegmentMatrixEntry {
                from,
                to,
                pairs: a.pairs.len(),
                possible_pairs: possible,
                ports: a.ports.into_iter().collect(),
                auth: a.auth,
                unauthenticated: a.unauthenticated,
                by: a.by.into_iter().collect(),
            }
        })
        .collect();
    SegmentMatrix { entries }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn design() -> Design {
        let mut d = Design::new("m");
        let svc = |id: &str, ports: &[u32]| Service {
            id: id.into(),
            ports: ports
                .iter()
                .map(|&p| Port {
                    port: p,
                    protocol: Protocol::Tcp,
                    name: None,
                })
                .collect(),
            ..Service::default()
        };
        d.services = vec![svc("web", &[80]), svc("api", &[8080, 9090]), svc("db", &[])];
        d.services[0].exposure = Exposure::Internet;
        d.segments = vec![
            Segment {
                id: "front".into(),
                members: vec!["web".into(), "api".into()],
                policy: SegmentPolicy {
                    intra: IntraStance::Deny,
                    ..SegmentPolicy::default()
                },
                ..Segment::default()
            },
            Segment {
                id: "data".into(),
                members: vec!["db".into()],
                policy: SegmentPolicy {
                    auth: Auth::ApiKey { key: "db".into() },
                    ..SegmentPolicy::default()
                },
                ..Segment::default()
            },
        ];
        d.rules = vec![
            Rule {
                id: "in".into(),
                from: Peer::Internet,
                to: Peer::Service("web".into()),
                ..Rule::default()
            },
            Rule {
                id: "web-api".into(),
                from: Peer::Service("web".into()),
                to: Peer::Service("api".into()),
                ports: vec![8080],
                ..Rule::default()
            },
            Rule {
                id: "api-db".into(),
                from: Peer::Service("api".into()),
                to: Peer::Segment("data".into()),
                ..Rule::default()
            },
            Rule {
                id: "api-db-get-only".into(),
                from: Peer::Any,
                to: Peer::Service("db".into()),
                action: Action::Deny,
                methods: vec!["DELETE".into()],
                ..Rule::default()
            },
        ];
        d
    }

    #[test]
    fn matrix_lists_exactly_the_allowed_ports() {
        let d = design();
        let e = Evaluator::new(&d);
        let m = matrix(&e);
        let got: Vec<(String, String, Option<u32>, usize)> = m
            .entries
            .iter()
            .map(|e| (e.from.clone(), e.to.clone(), e.port, e.auth.len()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("internet".into(), "web".into(), Some(80), 0),
                ("api".into(), "db".into(), None, 1),
                ("web".into(), "api".into(), Some(8080), 0),
            ]
        );
        let sm = by_segment(&e, &m);
        let front_front = sm
            .entries
            .iter()
            .find(|x| {
                x.from == SegmentSide::Segment("front".into())
                    && x.to == SegmentSide::Segment("front".into())
            })
            .unwrap();
        assert_eq!((front_front.pairs, front_front.possible_pairs), (1, 2));
        assert_eq!(front_front.ports, vec![Some(8080)]);
    }

    /// The fast matrix (possible callers only) equals the one that asks every pair, on the
    /// hand-written design and on generated estates of several shapes.
    #[test]
    fn matrix_equals_exhaustive_matrix() {
        let mut designs = vec![design()];
        for (services, peers, seed) in [(40, 6, 1), (90, 4, 2), (150, 10, 3), (120, 6, 7)] {
            designs.push(crate::generate::generate(
                &crate::generate::GenerateOptions {
                    services,
                    peers,
                    seed,
                },
            ));
        }
        for d in &designs {
            let e = Evaluator::new(d);
            let fast = matrix(&e);
            assert!(!fast.entries.is_empty(), "{}", d.name);
            assert_eq!(fast, matrix_exhaustive(&e), "{}", d.name);
        }
    }

    #[test]
    fn matrix_agrees_with_decide_on_every_request() {
        let d = design();
        let e = Evaluator::new(&d);
        let m = matrix(&e);
        for caller in ["internet", "web", "api", "db"] {
            for t in &d.services {
                for port in [None, Some(80), Some(8080), Some(9090)] {
                    let c = Caller::parse(caller);
                    if c.id() == t.id {
                        continue;
                    }
                    let declared = t.ports.is_empty() && port.is_none()
                        || t.ports.iter().any(|p| Some(p.port) == port);
                    if !declared {
                        continue;
                    }
                    let req = Request {
                        port,
                        ..Request::default()
                    };
                    let listed = m
                        .entries
                        .iter()
                        .any(|x| x.from == caller && x.to == t.id && x.port == port);
                    assert_eq!(
                        listed,
                        allowed_at_all(&e, &c, &t.id, &req),
                        "{caller}->{} {port:?}",
                        t.id
                    );
                }
            }
        }
    }
}
