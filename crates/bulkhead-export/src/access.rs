//! The evaluator's answers, gathered once per export, that every target renders.
//!
//! Nothing here decides anything: each grant is a [`Decision`] returned by
//! [`Evaluator::decide`] for one caller, one service and one of its ports (L4), or one of its
//! endpoints (L7). Requests leave the credentials unchecked (`presented: None`): the network
//! layer cannot see credentials, so the L4 answer is "could some caller at this position make
//! an allowed call", and the auth the decision carries is what a target must check on top (or
//! report that it cannot). A service calling itself is not listed (every enforcement point
//! allows it), as in the matrix.

use std::collections::BTreeMap;

use bulkhead_core::date::Date;
use bulkhead_core::eval::{
    AllowedBy, AllowedByRef, Caller, Evaluator, Grant as EvalGrant, GrantRef, Presented, Request,
    Verdict,
};
use bulkhead_core::matrix::{Matrix, matrix};
use bulkhead_core::model::{Auth, Design, Endpoint, Port, RateLimit, Service};

/// Positions by id.
type IdIndex<'d> = std::collections::HashMap<&'d str, usize, foldhash::fast::FixedState>;

/// Who calls: the internet, or a service by index into `design.services`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallerRef {
    Internet,
    Service(usize),
}

/// One allowed port of a service for one caller, as the evaluator decided it.
#[derive(Clone, Debug)]
pub struct PortGrant<'d> {
    /// `None` when the service declares no ports: the evaluator answered for "some port".
    pub port: Option<&'d Port>,
    pub by: AllowedBy,
    /// Auth the call must present (rule's and segment's), which L4 targets cannot check.
    pub auth: Vec<Auth>,
    pub rate_limit: Option<RateLimit>,
    /// Further grants that also allow the call (a caller may satisfy one of them instead).
    pub also: Vec<EvalGrant>,
}

/// Everything one caller may reach on one service at L4.
#[derive(Clone, Debug)]
pub struct Grant<'d> {
    pub caller: CallerRef,
    pub ports: Vec<PortGrant<'d>>,
}

/// One endpoint decision (L7).
#[derive(Clone, Debug)]
pub struct EndpointGrant<'d> {
    pub endpoint: &'d Endpoint,
    /// Its position in the service's `endpoints`.
    pub index: usize,
    pub by: AllowedBy,
    pub auth: Vec<Auth>,
    pub rate_limit: Option<RateLimit>,
    /// Further grants that also allow the call.
    pub also: Vec<EvalGrant>,
}

/// The design's whole L4 answer, plus on-demand L7 answers, from the evaluator.
pub struct Access<'d> {
    pub design: &'d Design,
    pub eval: Evaluator<'d>,
    /// Service indices sorted by id: the order every target writes services in.
    pub order: Vec<usize>,
    /// For each service (by index), the callers that may reach it, internet first, then
    /// services by id.
    pub inbound: Vec<Vec<Grant<'d>>>,
    /// Rules and segments by id, hashed with foldhash rather than SipHash: renderers look a
    /// rule up per allowed pair.
    rule_index: IdIndex<'d>,
    segment_index: IdIndex<'d>,
    /// Deny rules restricted to methods or paths (in design order): the only rules an L4 allow
    /// cannot enforce, looked at per allowed pair by the L7 targets.
    partial_denies: Vec<usize>,
    /// The design's semantic hash, computed on first use and shared by every target (it
    /// serializes the whole design).
    hash: std::sync::OnceLock<String>,
    /// Each service's [`crate::names::dns_label`], computed on first use: gateways name a
    /// caller once per verdict.
    labels: std::sync::OnceLock<Vec<String>>,
    /// Each caller (the internet last) as the evaluator resolves it (`None`: the internet),
    /// with what it presents when it calls with only what it holds
    /// ([`Evaluator::own_presentation`]), gathered on first use: the gateways ask about one
    /// caller once per endpoint.
    presented: Vec<std::sync::OnceLock<(Option<usize>, Presented)>>,
    /// Per service, the index the evaluator resolves its id to: its own, unless a (duplicated,
    /// invalid) id names an earlier service too. Resolved once so that a decision per
    /// (caller, endpoint) looks no id up.
    resolved: Vec<usize>,
    /// The NetworkPolicy ingress policies, rendered on first use: both variants write them
    /// word for word ([`crate::netpol::Ingress`]), so exporting both renders them once.
    netpol: std::sync::OnceLock<crate::netpol::Ingress>,
}

impl<'d> Access<'d> {
    /// Gathers the evaluator's L4 answer ([`bulkhead_core::matrix::matrix`]) per target, for
    /// the design as it stands on `today`: a rule whose `expires` date is before it no longer
    /// applies, so an expired exception allows nothing in any export (and an expired deny no
    /// longer denies). [`Access::expired_rules`] lists them for the reports.
    ///
    /// The answers are asked of the evaluator by index, target by target, and land in
    /// [`Access::inbound`] directly: the same decisions as going through the [`Matrix`]
    /// ([`Access::with_matrix`] with [`matrix`]), without copying both ids into every entry,
    /// sorting the entries by id and looking both ids up again (most of the matrix phase on
    /// large designs). `tests/fast_path.rs` checks that every export is byte-identical.
    pub fn new(design: &'d Design, today: Date) -> Self {
        let eval = Evaluator::at(design, today);
        // A (duplicated, invalid) id that resolves to another service's index: the matrix's
        // by-id bookkeeping decides where its answers go, so take that path.
        let unique = design
            .services
            .iter()
            .enumerate()
            .all(|(i, s)| eval.service_index(&s.id) == Some(i));
        if !unique {
            return Self::with_matrix(design, today, matrix);
        }
        let mut per_target: Vec<Vec<(CallerRef, Vec<PortGrant<'d>>)>> =
            Vec::with_capacity(design.services.len());
        for (t, target) in design.services.iter().enumerate() {
            let possible = eval.possible_callers(t);
            let callers = possible
                .internet
                .then_some(CallerRef::Internet)
                .into_iter()
                .chain(
                    possible
                        .services
                        .iter()
                        .filter(|&&c| c != t)
                        .map(|&c| CallerRef::Service(c)),
                );
            let mut grants = Vec::new();
            for caller in callers {
                let index = match caller {
                    CallerRef::Internet => None,
                    CallerRef::Service(c) => Some(c),
                };
                let mut ports = Vec::new();
                // The matrix's requests: each declared port (none declared: "some port").
                let asked: Vec<Option<&'d Port>> = if target.ports.is_empty() {
                    vec![None]
                } else {
                    target.ports.iter().map(Some).collect()
                };
                for port in asked {
                    let req = Request {
                        port: port.map(|p| p.port),
                        method: None,
                        path: None,
                    };
                    let Ok(g) = eval.grants_by_index(index, t, &req) else {
                        continue;
                    };
                    let mut g = g.grants.into_iter();
                    let Some(first) = g.next() else {
                        continue;
                    };
                    // The matrix names a port by number and protocol: the first declared.
                    let port = port.and_then(|p| {
                        target
                            .ports
                            .iter()
                            .find(|tp| tp.port == p.port && tp.protocol == p.protocol)
                    });
                    ports.push(PortGrant {
                        port,
                        by: first.by,
                        auth: first.auth,
                        rate_limit: first.rate_limit,
                        also: g.collect(),
                    });
                }
                if !ports.is_empty() {
                    grants.push((caller, ports));
                }
            }
            per_target.push(grants);
        }
        Self::assemble(design, eval, per_target)
    }

    /// [`Access::new`], with the design hash ([`Access::design_hash`]) computed on a second
    /// thread meanwhile: it serializes the whole design, about as long as gathering the
    /// answers, and every export needs it.
    pub fn new_hashing_beside(design: &'d Design, today: Date) -> Self {
        std::thread::scope(|scope| {
            let hash = scope.spawn(|| crate::names::design_hash(design));
            let access = Self::new(design, today);
            // A panic in the hash thread is one in this thread (none is expected).
            let hash = hash.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            let _ = access.hash.set(hash);
            access
        })
    }

    /// [`Access::new`] with the matrix computed by `compute` instead (tests pass
    /// [`bulkhead_core::matrix::matrix_exhaustive`] to check the fast matrix changes no output).
    pub fn with_matrix(
        design: &'d Design,
        today: Date,
        compute: fn(&Evaluator<'_>) -> Matrix,
    ) -> Self {
        let eval = Evaluator::at(design, today);
        let m = compute(&eval);
        let mut per_target: Vec<BTreeMap<CallerRef, Vec<PortGrant<'d>>>> =
            vec![BTreeMap::new(); design.services.len()];
        for e in m.entries {
            let (Some(t), caller) = (eval.service_index(&e.to), e.from.as_str()) else {
                continue;
            };
            let caller = if caller == bulkhead_core::model::INTERNET {
                CallerRef::Internet
            } else {
                match eval.service_index(caller) {
                    Some(c) => CallerRef::Service(c),
                    None => continue,
                }
            };
            let target = &design.services[t];
            let port = e.port.and_then(|p| {
                target
                    .ports
                    .iter()
                    .find(|tp| tp.port == p && Some(tp.protocol) == e.protocol)
            });
            if e.port.is_some() && port.is_none() {
                continue;
            }
            per_target[t].entry(caller).or_default().push(PortGrant {
                port,
                by: e.by,
                auth: e.auth,
                rate_limit: e.rate_limit,
                also: e.also,
            });
        }
        let per_target = per_target
            .into_iter()
            .map(|callers| callers.into_iter().collect())
            .collect();
        Self::assemble(design, eval, per_target)
    }

    /// The [`Access`] of the evaluator's L4 answers, per target: each caller's allowed ports
    /// (callers in any order, ports in the matrix's order).
    fn assemble(
        design: &'d Design,
        eval: Evaluator<'d>,
        per_target: Vec<Vec<(CallerRef, Vec<PortGrant<'d>>)>>,
    ) -> Self {
        let mut order: Vec<usize> = (0..design.services.len()).collect();
        order.sort_by(|&a, &b| design.services[a].id.cmp(&design.services[b].id));
        // Callers in a stable order: internet first, then services by id.
        let rank: Vec<usize> = {
            let mut r = vec![0; design.services.len()];
            for (pos, &i) in order.iter().enumerate() {
                r[i] = pos;
            }
            r
        };
        let inbound = per_target
            .into_iter()
            .map(|callers| {
                let mut grants: Vec<Grant<'d>> = callers
                    .into_iter()
                    .map(|(caller, mut ports)| {
                        ports.sort_by_key(|p| p.port.map(|p| (p.port, p.protocol as u8)));
                        ports.dedup_by_key(|p| p.port.map(|p| (p.port, p.protocol as u8)));
                        Grant { caller, ports }
                    })
                    .collect();
                grants.sort_by_key(|g| match g.caller {
                    CallerRef::Internet => 0,
                    CallerRef::Service(i) => rank[i] + 1,
                });
                grants
            })
            .collect();
        let rule_index = design
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let segment_index = design
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let partial_denies = design
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.action == bulkhead_core::model::Action::Deny
                    && (!r.methods.is_empty() || !r.paths.is_empty())
            })
            .map(|(i, _)| i)
            .collect();
        Access {
            design,
            order,
            inbound,
            rule_index,
            segment_index,
            partial_denies,
            hash: std::sync::OnceLock::new(),
            labels: std::sync::OnceLock::new(),
            presented: (0..=design.services.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            resolved: design
                .services
                .iter()
                .enumerate()
                .map(|(i, s)| eval.service_index(&s.id).unwrap_or(i))
                .collect(),
            netpol: std::sync::OnceLock::new(),
            eval,
        }
    }

    /// The [`crate::names::dns_label`] of the service at index `i`, computed once per design.
    pub fn label(&self, i: usize) -> &str {
        &self.labels.get_or_init(|| {
            self.design
                .services
                .iter()
                .map(|s| crate::names::dns_label(&s.id))
                .collect()
        })[i]
    }

    /// The date the export is as of.
    pub fn today(&self) -> Option<Date> {
        self.eval.date()
    }

    /// Rules that expired before [`Access::today`], in design order: left out of every
    /// export.
    pub fn expired_rules(&self) -> impl Iterator<Item = &'d bulkhead_core::model::Rule> + '_ {
        self.design
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| self.eval.rule_expired(*i))
            .map(|(_, r)| r)
    }

    /// The design's semantic hash ([`crate::names::design_hash`]), computed once.
    pub fn design_hash(&self) -> &str {
        self.hash
            .get_or_init(|| crate::names::design_hash(self.design))
    }

    /// The NetworkPolicy ingress policies both variants write, rendered once.
    pub fn netpol_ingress(&self) -> &crate::netpol::Ingress {
        self.netpol.get_or_init(|| crate::netpol::ingress(self))
    }

    /// Whether [`Access::design_hash`] is computed already.
    pub fn has_design_hash(&self) -> bool {
        self.hash.get().is_some()
    }

    /// A rule by id (ids are unique in a valid design).
    pub fn rule(&self, id: &str) -> Option<&'d bulkhead_core::model::Rule> {
        self.rule_index.get(id).map(|&i| &self.design.rules[i])
    }

    /// A segment by id, without scanning every segment.
    pub fn segment(&self, id: &str) -> Option<&'d bulkhead_core::model::Segment> {
        self.segment_index
            .get(id)
            .map(|&i| &self.design.segments[i])
    }

    /// Deny rules restricted to methods or paths, in design order.
    pub fn partial_denies(&self) -> impl Iterator<Item = &'d bulkhead_core::model::Rule> + '_ {
        self.partial_denies.iter().map(|&i| &self.design.rules[i])
    }

    pub fn service(&self, i: usize) -> &'d Service {
        &self.design.services[i]
    }

    pub fn caller(&self, c: CallerRef) -> Caller {
        caller_of(self.design, c)
    }

    /// The caller's id as the design writes it (`internet` or a service id).
    pub fn caller_id(&self, c: CallerRef) -> &'d str {
        match c {
            CallerRef::Internet => bulkhead_core::model::INTERNET,
            CallerRef::Service(i) => &self.design.services[i].id,
        }
    }

    /// The inventoried endpoints of `target` that `caller` may call on `port`, each with the
    /// evaluator's decision (credentials unchecked, as for L4).
    pub fn endpoint_grants(
        &self,
        caller: CallerRef,
        target: usize,
        port: Option<u32>,
    ) -> Vec<EndpointGrant<'d>> {
        let svc = self.service(target);
        self.endpoint_grant_refs(caller, target, port)
            .into_iter()
            .map(|(index, grants)| {
                let mut grants = grants.into_iter().map(GrantRef::to_owned);
                let first = grants
                    .next()
                    .expect("endpoint_grant_refs lists allowed endpoints");
                EndpointGrant {
                    endpoint: &svc.endpoints[index],
                    index,
                    by: first.by,
                    auth: first.auth,
                    rate_limit: first.rate_limit,
                    also: grants.collect(),
                }
            })
            .collect()
    }

    /// [`Access::endpoint_grants`] borrowed from the design: each allowed endpoint's position
    /// in the service's `endpoints` and its grants, first one first (never empty).
    pub fn endpoint_grant_refs(
        &self,
        caller: CallerRef,
        target: usize,
        port: Option<u32>,
    ) -> Vec<(usize, Vec<GrantRef<'d>>)> {
        let caller = match caller {
            CallerRef::Internet => None,
            CallerRef::Service(i) => Some(self.resolved[i]),
        };
        // One request, its method and path copied over per endpoint into the same buffers.
        let mut req = Request {
            port,
            method: None,
            path: None,
        };
        self.service(target)
            .endpoints
            .iter()
            .enumerate()
            .filter_map(|(index, e)| {
                req.method.get_or_insert_default().clone_from(&e.method);
                req.path.get_or_insert_default().clone_from(&e.path);
                let grants = self.eval.grant_refs_by_index(caller, target, &req);
                (!grants.is_empty()).then_some((index, grants))
            })
            .collect()
    }

    /// The inventoried endpoints of `target` that `caller` may call on `port` (their positions
    /// in the service's `endpoints`), each with what allows it: the first grant of
    /// [`Access::endpoint_grants`], borrowed from the design ([`Evaluator::verdict_at`] without
    /// credentials decides by the first grant). For targets that name the allowing rule and
    /// nothing else of the grants.
    pub fn endpoint_rules(
        &self,
        caller: CallerRef,
        target: usize,
        port: Option<u32>,
    ) -> Vec<(usize, AllowedByRef<'d>)> {
        let caller = match caller {
            CallerRef::Internet => None,
            CallerRef::Service(i) => Some(self.resolved[i]),
        };
        let mut req = Request {
            port,
            method: None,
            path: None,
        };
        self.service(target)
            .endpoints
            .iter()
            .enumerate()
            .filter_map(|(index, e)| {
                req.method.get_or_insert_default().clone_from(&e.method);
                req.path.get_or_insert_default().clone_from(&e.path);
                match self.eval.verdict_at(caller, target, &req, None) {
                    Verdict::Allow { by, .. } => Some((index, by)),
                    Verdict::Deny(_) => None,
                }
            })
            .collect()
    }

    /// The full decision for a caller presenting only what it holds itself (what a gateway that
    /// identifies the caller enforces).
    ///
    /// The evaluator's [`Evaluator::allowed`], with the caller and its presentation gathered
    /// once per caller instead of once per request, borrowed from the design
    /// ([`Evaluator::verdict_at`]): the gateways decide every (caller, endpoint) pair.
    pub fn decide_as_caller(&self, caller: CallerRef, target: usize, req: &Request) -> Verdict<'d> {
        let slot = match caller {
            CallerRef::Internet => self.design.services.len(),
            CallerRef::Service(i) => i,
        };
        let (who, presented) = self.presented[slot].get_or_init(|| {
            let who = self.caller(caller);
            let presented = self.eval.own_presentation(&who);
            let index = match caller {
                CallerRef::Internet => None,
                CallerRef::Service(i) => Some(self.resolved[i]),
            };
            (index, presented)
        });
        self.eval
            .verdict_at(*who, self.resolved[target], req, Some(presented))
    }
}

fn caller_of(design: &Design, c: CallerRef) -> Caller {
    match c {
        CallerRef::Internet => Caller::Internet,
        CallerRef::Service(i) => Caller::Service(design.services[i].id.clone()),
    }
}

/// The name a decision gives to what allowed it: a rule id, or `intra-segment:<segment>`.
pub fn allowed_by_name(by: &AllowedBy) -> String {
    allowed_by_str(by).into_owned()
}

/// [`allowed_by_name`], borrowing the rule id (the common case) instead of copying it: the
/// renderers name the rule of every allowed pair and endpoint.
pub fn allowed_by_str(by: &AllowedBy) -> std::borrow::Cow<'_, str> {
    match by {
        AllowedBy::Rule { rule } => std::borrow::Cow::Borrowed(rule),
        AllowedBy::IntraSegment { segment } => {
            std::borrow::Cow::Owned(format!("intra-segment:{segment}"))
        }
    }
}

/// [`allowed_by_str`] of a borrowed decision ([`Verdict`]).
pub fn allowed_by_ref_str(by: AllowedByRef<'_>) -> std::borrow::Cow<'_, str> {
    match by {
        AllowedByRef::Rule(rule) => std::borrow::Cow::Borrowed(rule),
        AllowedByRef::IntraSegment(segment) => {
            std::borrow::Cow::Owned(format!("intra-segment:{segment}"))
        }
    }
}
