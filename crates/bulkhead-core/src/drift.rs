//! Drift: the design held against what really happens (observed calls) and what is really
//! enforced (live policies' connectivity).
//!
//! [`check`] takes the design, the observed calls (aggregated flows whose `from`/`to` are
//! service ids when the caller or callee is in the inventory, or the name traffic gave them
//! when not) and optionally a live connectivity, and reports:
//! - **violations**: observed calls between known services (or from the internet) that the
//!   evaluator denies, with its decision: a service presents the credentials the design says it
//!   holds; for the internet only "is it allowed at all" is asked (what it presented is unknown);
//! - **unused allowances**: per grant (rule or intra-segment allow), the matrix entries no
//!   observed call used: candidates to tighten (only when there is traffic at all);
//! - **shadow** services (seen in traffic, not in the inventory) and endpoints (a known service
//!   called on a method and path none of its declared endpoints matches);
//! - **zombie** services (in the inventory, never called; clients excepted) and endpoints
//!   (declared, never called, on services that did receive HTTP traffic);
//! - **live drift**: every (caller, target) pair whose allowed ports differ between the design's
//!   matrix and the live connectivity, with both verdicts ([`live`] computes the live side
//!   from NetworkPolicies). The comparison is at L4: NetworkPolicy has no identities and no
//!   HTTP, so the design's side is the matrix ([`crate::matrix`]: some request on the port is
//!   allowed, credentials not asked), on each port the target declares.
//!
//! - **gateway drift** ([`gateway`]): every (caller, declared endpoint) that a live API gateway
//!   (Kong) lets through and the design denies, or the other way round.
//!
//! Everything is sorted, so the same inputs give the same report.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::eval::{AllowedBy, Caller, Decision, DenyReason, Evaluator};
use crate::evidence::request_of;
use crate::matrix::{Matrix, matrix};
use crate::model::{Design, Flow, FlowKind, INTERNET, Protocol, ServiceKind};

pub mod gateway;
pub mod live;
pub use gateway::{GatewayDifference, GatewayDrift, GatewayPolicy, compare_gateway};
pub use live::{LiveConnectivity, LivePair, LivePorts, LiveVerdict};

/// Most examples kept per list (shadow endpoints, unused entries per grant, flows per row).
pub const MAX_EXAMPLES: usize = 200;

/// What `bulkhead check` found.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Drift {
    /// The design's name.
    pub design: String,
    pub traffic: TrafficSummary,
    /// Observed calls the design denies.
    pub violations: Vec<Violation>,
    /// Allowances no observed call used, per grant; empty without traffic.
    pub unused: Vec<UnusedGrant>,
    pub shadow_services: Vec<ShadowService>,
    pub shadow_endpoints: Vec<ShadowEndpoint>,
    pub zombie_services: Vec<ZombieService>,
    pub zombie_endpoints: Vec<ZombieEndpoint>,
    /// Present when live policies were given.
    pub live: Option<LiveDrift>,
    /// Present when a gateway config (Kong) was given as live input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<GatewayDrift>,
    pub summary: DriftSummary,
    pub notes: Vec<String>,
}

/// The traffic the check saw.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrafficSummary {
    /// Aggregated observed flows (distinct caller, callee, port, method, path).
    pub flows: usize,
    /// Observed calls (sum of counts).
    pub calls: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Lines read from logs (filled in by the front end that read them).
    pub lines: u64,
    /// Lines that could not be parsed; never fatal, always reported.
    pub unparsed_lines: u64,
    /// Examples of unparsed lines, `file:line: why`.
    pub unparsed_examples: Vec<String>,
    /// Lines parsed but outside the window or not a call (e.g. replies, DNS).
    pub skipped_lines: u64,
    /// The time window applied, if any.
    pub window: Option<String>,
}

/// An observed call the design denies.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Violation {
    /// `internet` or a service id.
    pub from: String,
    pub to: String,
    pub port: Option<u32>,
    pub method: Option<String>,
    /// The path as the design knows it (an endpoint template when one matches).
    pub path: Option<String>,
    pub calls: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The evaluator's decision (always a denial), with its reason and the rule involved.
    pub decision: Decision,
    /// The decision in words.
    pub explanation: String,
    /// The observed flows behind it.
    pub flows: Vec<String>,
}

/// One grant's allowances that no observed call used.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct UnusedGrant {
    pub by: AllowedBy,
    /// Matrix entries (caller, target, port) this grant allows first.
    pub allowed: usize,
    /// Of those, entries some observed call used.
    pub used: usize,
    /// The unused entries (at most [`MAX_EXAMPLES`]).
    pub entries: Vec<UnusedEntry>,
    /// The grant allows something but nothing observed used any of it: a candidate to remove
    /// (otherwise to narrow).
    pub entirely_unused: bool,
}

/// One allowed (caller, target, port) nobody used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct UnusedEntry {
    pub from: String,
    pub to: String,
    pub port: Option<u32>,
    /// A declared flow says the application needs it (so: needed, just not seen).
    pub declared: bool,
}

/// A peer seen in traffic that the inventory does not have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ShadowService {
    /// The name traffic gave it.
    pub name: String,
    pub calls_in: u64,
    pub calls_out: u64,
    /// Known peers it talked to (at most [`MAX_EXAMPLES`]).
    pub peers: Vec<String>,
    /// Ports it was called on.
    pub ports: Vec<u32>,
}

/// A call to a known service on an endpoint it does not declare.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ShadowEndpoint {
    pub service: String,
    pub method: Option<String>,
    pub path: String,
    pub calls: u64,
    /// Callers (at most [`MAX_EXAMPLES`]).
    pub callers: Vec<String>,
}

/// A service in the inventory that no observed call reached.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ZombieService {
    pub service: String,
    /// Calls it made itself (a worker that only calls out is alive, just never called).
    pub calls_out: u64,
    /// Declared flows into it (the design expects it to be called).
    pub declared_callers: Vec<String>,
}

/// A declared endpoint never called, on a service that received HTTP calls.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ZombieEndpoint {
    pub service: String,
    pub method: String,
    pub path: String,
}

/// Live connectivity compared with the design.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct LiveDrift {
    pub source: String,
    /// NetworkPolicies behind the live side.
    pub policies: usize,
    /// Pairs compared (callers × targets of mapped services, plus the internet).
    pub pairs_compared: usize,
    pub differences: Vec<LiveDifference>,
    pub unmapped_services: Vec<String>,
    pub unmapped_workloads: Vec<String>,
}

/// One pair whose verdicts differ.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct LiveDifference {
    pub from: String,
    pub to: String,
    /// The design's verdict on the target's declared ports.
    pub design: PairVerdict,
    /// The live verdict on the same ports.
    pub live: PairVerdict,
    /// `design-only` (the live policies do not allow what the design does),
    /// `live-only` (they allow what the design denies) or `ports` (both allow something, on
    /// different ports, or the live side only for some pods or addresses).
    pub kind: LiveDifferenceKind,
    /// Each declared port whose verdicts differ.
    pub ports: Vec<PortDifference>,
    /// Why the live policies decide as they do (each side's policies and rules), when the
    /// policies are at hand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub live_why: Vec<String>,
}

/// One port of a pair on which the design and the live policies disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PortDifference {
    /// A port the target declares, or `null` when it declares none ("any port").
    pub port: Option<u32>,
    pub protocol: Option<Protocol>,
    /// Does the design allow some request on it?
    pub design: bool,
    pub live: LiveVerdict,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LiveDifferenceKind {
    DesignOnly,
    LiveOnly,
    Ports,
}

/// A verdict on a pair: allowed or not, on which ports, and why (design side).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct PairVerdict {
    pub allowed: bool,
    /// Allowed ports among the target's declared ones (`null`: the target declares none).
    pub ports: Vec<Option<u32>>,
    /// Live side: declared ports allowed for some pods (or public addresses) only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partly: Vec<Option<u32>>,
    /// What allows it in the design (empty for the live side).
    pub by: Vec<AllowedBy>,
    /// Live side: everything the policies allow on the pair, declared ports or not (e.g.
    /// `all traffic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<String>,
}

/// Counts, and whether the check fails.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DriftSummary {
    pub violations: usize,
    pub violating_calls: u64,
    pub unused_grants: usize,
    pub unused_entries: usize,
    pub shadow_services: usize,
    pub shadow_endpoints: usize,
    pub zombie_services: usize,
    pub zombie_endpoints: usize,
    pub live_differences: usize,
    /// (caller, endpoint) pairs where the live gateway and the design disagree.
    #[serde(default)]
    pub gateway_differences: usize,
}

/// Which kinds of drift fail a check (exit non-zero).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    Violations,
    Live,
    Shadow,
    Unused,
    Zombies,
}

impl DriftKind {
    pub const ALL: [DriftKind; 5] = [
        DriftKind::Violations,
        DriftKind::Live,
        DriftKind::Shadow,
        DriftKind::Unused,
        DriftKind::Zombies,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DriftKind::Violations => "violations",
            DriftKind::Live => "live",
            DriftKind::Shadow => "shadow",
            DriftKind::Unused => "unused",
            DriftKind::Zombies => "zombies",
        }
    }

    pub fn parse(s: &str) -> Option<DriftKind> {
        DriftKind::ALL.into_iter().find(|k| k.name() == s)
    }
}

impl DriftSummary {
    /// How many findings of `kind` there are.
    pub fn count(&self, kind: DriftKind) -> usize {
        match kind {
            DriftKind::Violations => self.violations,
            DriftKind::Live => self.live_differences + self.gateway_differences,
            DriftKind::Shadow => self.shadow_services + self.shadow_endpoints,
            DriftKind::Unused => self.unused_grants,
            DriftKind::Zombies => self.zombie_services + self.zombie_endpoints,
        }
    }

    /// Does any of `kinds` have findings?
    pub fn fails(&self, kinds: &[DriftKind]) -> bool {
        kinds.iter().any(|k| self.count(*k) > 0)
    }
}

/// Aggregation key of a call.
type CallKey = (String, String, Option<u32>, Option<String>, Option<String>);

#[derive(Default)]
struct CallAgg {
    calls: u64,
    first: Option<String>,
    last: Option<String>,
    flows: BTreeSet<String>,
}

fn min_time(a: &mut Option<String>, b: &Option<String>) {
    if let Some(b) = b
        && a.as_ref().is_none_or(|a| b < a)
    {
        *a = Some(b.clone());
    }
}

fn max_time(a: &mut Option<String>, b: &Option<String>) {
    if let Some(b) = b
        && a.as_ref().is_none_or(|a| b > a)
    {
        *a = Some(b.clone());
    }
}

/// Check `design` as it stands on `today` against `observed` calls (plus the design's own
/// observed flows) and, if given, `live` connectivity: an exception whose `expires` date is
/// before `today` no longer allows a call. `traffic` carries what the front end counted while
/// reading logs.
pub fn check(
    design: &Design,
    observed: &[Flow],
    live: Option<&LiveConnectivity>,
    mut traffic: TrafficSummary,
    today: crate::date::Date,
) -> Drift {
    let eval = Evaluator::at(design, today);
    let known = |id: &str| id == INTERNET || design.service(id).is_some();
    let mut notes = Vec::new();

    // 1. Aggregate every observed call by what the design can say about it.
    let calls = aggregate(design, observed);
    traffic.flows = calls.len();
    traffic.calls = calls
        .values()
        .map(|a| a.calls)
        .fold(0u64, u64::saturating_add);
    for a in calls.values() {
        min_time(&mut traffic.first_seen, &a.first);
        max_time(&mut traffic.last_seen, &a.last);
    }

    // 2. Violations, shadow services and endpoints, and who was called.
    let mut violations = Vec::new();
    let mut shadow: BTreeMap<String, ShadowService> = BTreeMap::new();
    // (service, method, path) → (calls, callers)
    type EndpointKey = (String, Option<String>, String);
    let mut shadow_ep: BTreeMap<EndpointKey, (u64, BTreeSet<String>)> = BTreeMap::new();
    let mut shadow_ep_overflow = 0usize;
    let mut calls_in: BTreeMap<&str, u64> = BTreeMap::new();
    let mut calls_out: BTreeMap<&str, u64> = BTreeMap::new();
    let mut l7_targets: BTreeSet<&str> = BTreeSet::new();
    let mut used_endpoints: BTreeSet<(&str, usize)> = BTreeSet::new();
    let mut used_pairs: BTreeMap<(&str, &str), BTreeSet<Option<u32>>> = BTreeMap::new();
    for ((from, to, port, method, path), a) in &calls {
        let (from_known, to_known) = (known(from), known(to));
        let mut note_shadow = |name: &str, inbound: bool, peer: &str| {
            let s = shadow
                .entry(name.to_string())
                .or_insert_with(|| ShadowService {
                    name: name.to_string(),
                    calls_in: 0,
                    calls_out: 0,
                    peers: Vec::new(),
                    ports: Vec::new(),
                });
            if inbound {
                s.calls_in = s.calls_in.saturating_add(a.calls);
                if let Some(p) = port
                    && !s.ports.contains(p)
                {
                    s.ports.push(*p);
                }
            } else {
                s.calls_out = s.calls_out.saturating_add(a.calls);
            }
            if known(peer) && !s.peers.iter().any(|x| x == peer) && s.peers.len() < MAX_EXAMPLES {
                s.peers.push(peer.to_string());
            }
        };
        if !from_known {
            note_shadow(from, false, to);
        }
        if !to_known {
            note_shadow(to, true, from);
        }
        // Any caller, known or not, keeps a service from being a zombie.
        if from_known && from != to {
            *calls_out.entry(from.as_str()).or_default() += a.calls;
        }
        if to_known && from != to {
            *calls_in.entry(to.as_str()).or_default() += a.calls;
        }
        if !(from_known && to_known) || from == to {
            continue;
        }
        used_pairs
            .entry((from.as_str(), to.as_str()))
            .or_default()
            .insert(*port);
        let target = design.service(to);
        if let (Some(t), Some(p)) = (target, path) {
            l7_targets.insert(to.as_str());
            match t
                .endpoints
                .iter()
                .position(|e| matching_endpoint_is(e, method.as_deref(), p))
            {
                Some(i) => {
                    used_endpoints.insert((to.as_str(), i));
                }
                None if !t.endpoints.is_empty() => {
                    let key = (to.clone(), method.clone(), p.clone());
                    if shadow_ep.len() < MAX_EXAMPLES || shadow_ep.contains_key(&key) {
                        let e = shadow_ep.entry(key).or_default();
                        e.0 = e.0.saturating_add(a.calls);
                        if e.1.len() < MAX_EXAMPLES {
                            e.1.insert(from.clone());
                        }
                    } else {
                        shadow_ep_overflow += 1;
                    }
                }
                None => {}
            }
        }
        let decision = decide_call(&eval, from, to, *port, method, path);
        if !decision.is_allowed() {
            violations.push(Violation {
                from: from.clone(),
                to: to.clone(),
                port: *port,
                method: method.clone(),
                path: path.clone(),
                calls: a.calls,
                first_seen: a.first.clone(),
                last_seen: a.last.clone(),
                explanation: explain_denial(&decision),
                decision,
                flows: a.flows.iter().cloned().collect(),
            });
        }
    }
    if shadow_ep_overflow > 0 {
        notes.push(format!(
            "{shadow_ep_overflow} more undeclared endpoint(s) not listed (limit {MAX_EXAMPLES})"
        ));
    }
    let shadow_endpoints: Vec<ShadowEndpoint> = shadow_ep
        .into_iter()
        .map(
            |((service, method, path), (calls, callers))| ShadowEndpoint {
                service,
                method,
                path,
                calls,
                callers: callers.into_iter().collect(),
            },
        )
        .collect();
    let mut shadow_services: Vec<ShadowService> = shadow.into_values().collect();
    for s in &mut shadow_services {
        s.peers.sort();
        s.ports.sort_unstable();
    }

    // 3. Unused allowances and zombies: only meaningful with traffic.
    let has_traffic = !calls.is_empty();
    let m = matrix(&eval);
    let mut unused = Vec::new();
    let mut zombie_services = Vec::new();
    let mut zombie_endpoints = Vec::new();
    if has_traffic {
        unused = unused_grants(design, &m, &used_pairs);
        for s in &design.services {
            if s.kind == ServiceKind::Client || calls_in.contains_key(s.id.as_str()) {
                continue;
            }
            let mut declared_callers: Vec<String> = design
                .flows
                .iter()
                .filter(|f| f.kind == FlowKind::Declared && f.to == s.id)
                .map(|f| f.from.clone())
                .collect();
            declared_callers.sort();
            declared_callers.dedup();
            zombie_services.push(ZombieService {
                service: s.id.clone(),
                calls_out: calls_out.get(s.id.as_str()).copied().unwrap_or(0),
                declared_callers,
            });
        }
        for s in &design.services {
            if !l7_targets.contains(s.id.as_str()) {
                continue;
            }
            for (i, e) in s.endpoints.iter().enumerate() {
                if !used_endpoints.contains(&(s.id.as_str(), i)) {
                    zombie_endpoints.push(ZombieEndpoint {
                        service: s.id.clone(),
                        method: e.method.clone(),
                        path: e.path.clone(),
                    });
                }
            }
        }
    } else {
        notes.push(
            "no observed traffic: unused allowances and zombies are not computed (pass \
             `--traffic` or add observed flows)"
                .into(),
        );
    }

    // 4. Live connectivity.
    let live = live.map(|l| compare_live(design, &m, l));

    let summary = DriftSummary {
        violations: violations.len(),
        violating_calls: violations
            .iter()
            .map(|v| v.calls)
            .fold(0u64, u64::saturating_add),
        unused_grants: unused.len(),
        unused_entries: unused.iter().map(|u| u.allowed - u.used).sum(),
        shadow_services: shadow_services.len(),
        shadow_endpoints: shadow_endpoints.len(),
        zombie_services: zombie_services.len(),
        zombie_endpoints: zombie_endpoints.len(),
        live_differences: live.as_ref().map(|l| l.differences.len()).unwrap_or(0),
        gateway_differences: 0,
    };
    Drift {
        design: design.name.clone(),
        traffic,
        violations,
        unused,
        shadow_services,
        shadow_endpoints,
        zombie_services,
        zombie_endpoints,
        live,
        gateway: None,
        summary,
        notes,
    }
}

impl Drift {
    /// Adds the comparison with a live gateway (see [`gateway`]); its differences count as
    /// live drift.
    pub fn with_gateway(&mut self, g: GatewayDrift) {
        self.summary.gateway_differences = g.differences.len();
        self.gateway = Some(g);
    }
}

/// Every observed call (the design's observed flows plus `observed`), aggregated by caller,
/// target, port, method and path.
fn aggregate(design: &Design, observed: &[Flow]) -> BTreeMap<CallKey, CallAgg> {
    let mut calls: BTreeMap<CallKey, CallAgg> = BTreeMap::new();
    let all_observed = design
        .flows
        .iter()
        .filter(|f| f.kind == FlowKind::Observed)
        .chain(observed.iter());
    for f in all_observed {
        let req = request_of(f, design.service(&f.to));
        let a = calls
            .entry((f.from.clone(), f.to.clone(), req.port, req.method, req.path))
            .or_default();
        a.calls = a.calls.saturating_add(f.count.unwrap_or(1));
        min_time(&mut a.first, &f.first_seen);
        max_time(&mut a.last, &f.last_seen);
        if a.flows.len() < MAX_EXAMPLES {
            a.flows.insert(f.id.clone());
        }
    }
    calls
}

/// The evaluator's verdict on one observed call between known services (or from the internet).
fn decide_call(
    eval: &Evaluator<'_>,
    from: &str,
    to: &str,
    port: Option<u32>,
    method: &Option<String>,
    path: &Option<String>,
) -> Decision {
    let req = crate::eval::Request {
        port,
        method: method.clone(),
        path: path.clone(),
    };
    // A service presents what the design says it holds. What an internet caller presented
    // is not in the traffic and not in the design (it is checked at the edge), so the
    // question there is whether the design allows the call at all.
    let caller = Caller::parse(from);
    match caller {
        Caller::Internet => eval.decide(&caller, to, &req, None),
        Caller::Service(_) => eval.allowed(&caller, to, &req),
    }
}

/// One observed call, aggregated as [`check`] aggregates them, with the evaluator's verdict:
/// what a traffic overlay draws (volume, allowed or denied, and by which rule).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct ObservedCall {
    /// Service id or `internet`; for a peer not in the inventory, the name traffic gave it.
    pub from: String,
    pub to: String,
    pub port: Option<u32>,
    pub method: Option<String>,
    /// The inventoried endpoint template when one matches, else the path seen.
    pub path: Option<String>,
    pub calls: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The evaluator's decision, exactly as [`check`] asks it; `None` when the caller or the
    /// target is not in the inventory (a shadow service) or the service calls itself.
    pub decision: Option<Decision>,
    /// Why it is denied, in words ([`explain_denial`]); `None` when allowed or not decided.
    pub explanation: Option<String>,
    /// Ids of the flows that make up the call (at most [`MAX_EXAMPLES`]).
    pub flows: Vec<String>,
}

/// Every observed call (the design's observed flows plus `observed`) with its verdict as of
/// `today` (as [`check`] decides it), sorted by caller, target, port, method and path.
pub fn observed_calls(
    design: &Design,
    observed: &[Flow],
    today: crate::date::Date,
) -> Vec<ObservedCall> {
    let eval = Evaluator::at(design, today);
    let known = |id: &str| id == INTERNET || design.service(id).is_some();
    aggregate(design, observed)
        .into_iter()
        .map(|((from, to, port, method, path), a)| {
            let decision = (known(&from) && known(&to) && from != to)
                .then(|| decide_call(&eval, &from, &to, port, &method, &path));
            let explanation = decision
                .as_ref()
                .filter(|d| !d.is_allowed())
                .map(explain_denial);
            ObservedCall {
                from,
                to,
                port,
                method,
                path,
                calls: a.calls,
                first_seen: a.first,
                last_seen: a.last,
                decision,
                explanation,
                flows: a.flows.into_iter().collect(),
            }
        })
        .collect()
}

/// Does endpoint `e` match the (already resolved) call?
fn matching_endpoint_is(e: &crate::model::Endpoint, method: Option<&str>, path: &str) -> bool {
    method.is_none_or(|m| crate::eval::method_matches(&e.method, m))
        && (e.path == path || crate::eval::path_matches(&e.path, path))
}

/// Per grant: its matrix entries, and which of them observed calls used.
fn unused_grants(
    design: &Design,
    m: &Matrix,
    used_pairs: &BTreeMap<(&str, &str), BTreeSet<Option<u32>>>,
) -> Vec<UnusedGrant> {
    let declared: BTreeSet<(&str, &str)> = design
        .flows
        .iter()
        .filter(|f| f.kind == FlowKind::Declared)
        .map(|f| (f.from.as_str(), f.to.as_str()))
        .collect();
    let mut per: BTreeMap<AllowedBy, (usize, usize, Vec<UnusedEntry>)> = BTreeMap::new();
    for e in &m.entries {
        let used = used_pairs
            .get(&(e.from.as_str(), e.to.as_str()))
            .is_some_and(|ports| {
                ports
                    .iter()
                    .any(|p| p.is_none() || e.port.is_none() || *p == e.port)
            });
        let g = per.entry(e.by.clone()).or_default();
        g.0 += 1;
        if used {
            g.1 += 1;
        } else if g.2.len() < MAX_EXAMPLES {
            g.2.push(UnusedEntry {
                from: e.from.clone(),
                to: e.to.clone(),
                port: e.port,
                declared: declared.contains(&(e.from.as_str(), e.to.as_str())),
            });
        }
    }
    per.into_iter()
        .filter(|(_, (allowed, used, _))| used < allowed)
        .map(|(by, (allowed, used, entries))| UnusedGrant {
            by,
            allowed,
            used,
            entries,
            entirely_unused: used == 0,
        })
        .collect()
}

/// The live connectivity against the design's matrix, pair by pair on the target's declared
/// ports.
fn compare_live(design: &Design, m: &Matrix, live: &LiveConnectivity) -> LiveDrift {
    let unmapped: BTreeSet<&str> = live.unmapped_services.iter().map(String::as_str).collect();
    type PortsAndGrants = (BTreeSet<Option<u32>>, BTreeSet<AllowedBy>);
    let mut design_pairs: BTreeMap<(&str, &str), PortsAndGrants> = BTreeMap::new();
    for e in &m.entries {
        let d = design_pairs
            .entry((e.from.as_str(), e.to.as_str()))
            .or_default();
        d.0.insert(e.port);
        d.1.insert(e.by.clone());
    }
    let live_pairs: BTreeMap<(&str, &str), &LivePair> = live
        .pairs
        .iter()
        .map(|p| ((p.from.as_str(), p.to.as_str()), p))
        .collect();
    let callers: Vec<&str> = std::iter::once(INTERNET)
        .chain(design.services.iter().map(|s| s.id.as_str()))
        .filter(|c| !unmapped.contains(c))
        .collect();
    let mut compared = 0usize;
    let mut differences = Vec::new();
    for &from in &callers {
        for t in &design.services {
            let to = t.id.as_str();
            if from == to || unmapped.contains(to) {
                continue;
            }
            compared += 1;
            // The target's declared ports, each with its protocol (the first declared).
            let mut declared: Vec<(Option<u32>, Option<Protocol>)> = Vec::new();
            for p in &t.ports {
                if !declared.iter().any(|(q, _)| *q == Some(p.port)) {
                    declared.push((Some(p.port), Some(p.protocol)));
                }
            }
            if declared.is_empty() {
                declared.push((None, None));
            }
            declared.sort_by_key(|d| d.0);
            let (d_ports, by) = design_pairs
                .get(&(from, to))
                .map(|(p, b)| (p.clone(), b.iter().cloned().collect::<Vec<_>>()))
                .unwrap_or_default();
            let lp = live_pairs.get(&(from, to));
            let mut ports = Vec::new();
            let mut verdicts = Vec::new();
            for &(port, protocol) in &declared {
                let d = d_ports.contains(&port);
                let l = lp.map_or(LiveVerdict::Denied, |lp| {
                    lp.verdict(protocol.unwrap_or_default(), port)
                });
                verdicts.push((port, d, l));
                if d != (l == LiveVerdict::Allowed) {
                    ports.push(PortDifference {
                        port,
                        protocol,
                        design: d,
                        live: l,
                    });
                }
            }
            if ports.is_empty() {
                continue;
            }
            let design_allowed: Vec<Option<u32>> =
                verdicts.iter().filter(|v| v.1).map(|v| v.0).collect();
            let live_allowed: Vec<Option<u32>> = verdicts
                .iter()
                .filter(|v| v.2 == LiveVerdict::Allowed)
                .map(|v| v.0)
                .collect();
            let live_partly: Vec<Option<u32>> = verdicts
                .iter()
                .filter(|v| v.2 == LiveVerdict::Partly)
                .map(|v| v.0)
                .collect();
            let live_any = !live_allowed.is_empty() || !live_partly.is_empty();
            let kind = match (design_allowed.is_empty(), live_any) {
                (false, false) => LiveDifferenceKind::DesignOnly,
                (true, true) => LiveDifferenceKind::LiveOnly,
                _ => LiveDifferenceKind::Ports,
            };
            differences.push(LiveDifference {
                from: from.to_string(),
                to: to.to_string(),
                design: PairVerdict {
                    allowed: !design_allowed.is_empty(),
                    ports: design_allowed,
                    partly: Vec::new(),
                    by,
                    connections: None,
                },
                live: PairVerdict {
                    allowed: !live_allowed.is_empty(),
                    ports: live_allowed,
                    partly: live_partly,
                    by: Vec::new(),
                    connections: Some(lp.map_or_else(
                        || "none".to_string(),
                        |lp| match &lp.some {
                            Some(some) => {
                                format!("{} (some pods or addresses: {some})", lp.allowed)
                            }
                            None => lp.allowed.to_string(),
                        },
                    )),
                },
                kind,
                ports,
                live_why: Vec::new(),
            });
        }
    }
    LiveDrift {
        source: live.source.clone(),
        policies: live.policies,
        pairs_compared: compared,
        differences,
        unmapped_services: live.unmapped_services.clone(),
        unmapped_workloads: live.unmapped_workloads.clone(),
    }
}

/// A denial in words, naming the rule involved.
pub fn explain_denial(d: &Decision) -> String {
    match d {
        Decision::Allow { by, .. } => format!("allowed by {}", by.label()),
        Decision::Deny(reason) => match reason {
            DenyReason::UnknownTarget { service } => format!("`{service}` is not in the design"),
            DenyReason::UnknownCaller { service } => format!("`{service}` is not in the design"),
            DenyReason::NotInternetFacing => {
                "the target is not internet-facing, so the internet may not call it".into()
            }
            DenyReason::DenyRule { rule } => format!("denied by deny rule `{rule}`"),
            DenyReason::NoMatchingRule { near_misses } => {
                let parts: Vec<String> = near_misses
                    .iter()
                    .map(|n| {
                        let what = serde_json::to_value(n.mismatch)
                            .ok()
                            .and_then(|v| v.as_str().map(String::from))
                            .unwrap_or_default();
                        format!("`{}` (wrong {what})", n.rule)
                    })
                    .collect();
                format!("no rule matches; near misses: {}", parts.join(", "))
            }
            DenyReason::MissingCredential { rule, required } => {
                let what = match required {
                    crate::model::Auth::None => "nothing".to_string(),
                    crate::model::Auth::ApiKey { key } => format!("API key `{key}`"),
                    crate::model::Auth::Jwt { issuer, scopes } => {
                        format!("a JWT from `{issuer}` with scopes [{}]", scopes.join(", "))
                    }
                    crate::model::Auth::Mtls { .. } => "an allowed mTLS identity".to_string(),
                };
                format!("`{rule}` allows it, but the caller does not hold {what}")
            }
            DenyReason::ExpiredRule { rule, expires } => {
                format!("`{rule}` allowed it until it expired on {expires}")
            }
            DenyReason::Default => "no rule allows it (default deny)".into(),
        },
    }
}

#[cfg(test)]
mod tests;
