//! The evaluator's answers, gathered once per export, that every target renders.
//!
//! Nothing here decides anything: each grant is a [`Decision`] returned by
//! [`Evaluator::decide`] for one caller, one service and one of its ports (L4), or one of its
//! endpoints (L7). Requests leave the credentials unchecked (`presented: None`): the network
//! layer cannot see credentials, so the L4 answer is "could some caller at this position make
//! an allowed call", and the auth the decision carries is what a target must check on top (or
//! report that it cannot).

use bulkhead_core::eval::{AllowedBy, Caller, Decision, Evaluator, Request};
use bulkhead_core::model::{Auth, Design, Endpoint, Port, RateLimit, Service};

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
    pub by: AllowedBy,
    pub auth: Vec<Auth>,
    pub rate_limit: Option<RateLimit>,
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
}

impl<'d> Access<'d> {
    pub fn new(design: &'d Design) -> Self {
        let eval = Evaluator::new(design);
        let mut order: Vec<usize> = (0..design.services.len()).collect();
        order.sort_by(|&a, &b| design.services[a].id.cmp(&design.services[b].id));
        let callers: Vec<CallerRef> = std::iter::once(CallerRef::Internet)
            .chain(order.iter().map(|&i| CallerRef::Service(i)))
            .collect();
        let mut inbound = Vec::with_capacity(design.services.len());
        for target in &design.services {
            let mut grants = Vec::new();
            for &c in &callers {
                let caller = caller_of(design, c);
                let ports = port_grants(&eval, &caller, target);
                if !ports.is_empty() {
                    grants.push(Grant { caller: c, ports });
                }
            }
            inbound.push(grants);
        }
        Access {
            design,
            eval,
            order,
            inbound,
        }
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
        let caller = self.caller(caller);
        let svc = self.service(target);
        svc.endpoints
            .iter()
            .filter_map(|e| {
                let req = Request {
                    port,
                    method: Some(e.method.clone()),
                    path: Some(e.path.clone()),
                };
                match self.eval.decide(&caller, &svc.id, &req, None) {
                    Decision::Allow {
                        by,
                        auth,
                        rate_limit,
                    } => Some(EndpointGrant {
                        endpoint: e,
                        by,
                        auth,
                        rate_limit,
                    }),
                    Decision::Deny(_) => None,
                }
            })
            .collect()
    }

    /// The full decision for a caller presenting only what it holds itself (what a gateway that
    /// identifies the caller enforces).
    pub fn decide_as_caller(&self, caller: CallerRef, target: usize, req: &Request) -> Decision {
        self.eval
            .allowed(&self.caller(caller), &self.service(target).id, req)
    }
}

fn caller_of(design: &Design, c: CallerRef) -> Caller {
    match c {
        CallerRef::Internet => Caller::Internet,
        CallerRef::Service(i) => Caller::Service(design.services[i].id.clone()),
    }
}

fn port_grants<'d>(
    eval: &Evaluator<'d>,
    caller: &Caller,
    target: &'d Service,
) -> Vec<PortGrant<'d>> {
    let ask = |port: Option<&'d Port>| {
        let req = Request {
            port: port.map(|p| p.port),
            ..Request::default()
        };
        match eval.decide(caller, &target.id, &req, None) {
            Decision::Allow {
                by,
                auth,
                rate_limit,
            } => Some(PortGrant {
                port,
                by,
                auth,
                rate_limit,
            }),
            Decision::Deny(_) => None,
        }
    };
    if target.ports.is_empty() {
        ask(None).into_iter().collect()
    } else {
        let mut ports: Vec<&'d Port> = target.ports.iter().collect();
        ports.sort_by_key(|p| (p.port, p.protocol as u8));
        ports.dedup_by_key(|p| (p.port, p.protocol as u8));
        ports.into_iter().filter_map(|p| ask(Some(p))).collect()
    }
}

/// The name a decision gives to what allowed it: a rule id, or `intra-segment:<segment>`.
pub fn allowed_by_name(by: &AllowedBy) -> String {
    match by {
        AllowedBy::Rule { rule } => rule.clone(),
        AllowedBy::IntraSegment { segment } => format!("intra-segment:{segment}"),
    }
}
