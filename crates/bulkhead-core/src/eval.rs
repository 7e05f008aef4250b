//! The evaluator: `allowed(A → B, request)`, the one decision every other part of Bulkhead
//! (simulation, findings, the matrix the exporters' proofs compare against, the app) is built on.
//!
//! Semantics (the full text is `docs/semantics.md`):
//! 1. A call from the internet reaches only internet-facing services.
//! 2. Deny rules that cover the request win over everything.
//! 3. Otherwise an allow rule that matches (or the implicit intra-segment allow) permits the
//!    call, provided the caller presents what the rule *and* the target segment require.
//! 4. Otherwise the call is denied by default.
//!
//! Nested segments inherit: a rule to or from a segment covers every service in it and in its
//! descendants; a segment with `auth: none` or no rate limit inherits its parent's.
//!
//! Request fields left unset (`None`) mean "some request": an allow rule restricted by that
//! field still matches (some call is possible), while a deny rule restricted by it does not cover
//! the whole request. This makes L4 questions ("may A reach B on port p at all?") answerable and
//! never under-approximates what an attacker can reach. A request method `*` and path
//! templates (`/accounts/{id}`) are read the same way: an allow rule matches when *some*
//! concrete call fits both, a deny rule covers only when it covers *every* such call.
//!
//! Rules expire. [`Evaluator::at`] evaluates the design on a given date: a rule whose
//! `expires` date is before it no longer applies (an expired exception stops allowing, and a
//! call only it allowed is denied with [`DenyReason::ExpiredRule`]). The core has no clock, so
//! the date is an input; [`Evaluator::new`] evaluates without one and applies every rule.

use std::collections::{BTreeSet, HashMap};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::model::{
    Action, Auth, Credential, Design, Exposure, IntraStance, Peer, RateLimit, Rule, Segment,
};

/// Who is calling: the internet or a service (by id).
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Caller {
    Internet,
    Service(String),
}

impl Caller {
    /// `internet` or a service id, as written in flows.
    pub fn parse(s: &str) -> Caller {
        if s == crate::model::INTERNET {
            Caller::Internet
        } else {
            Caller::Service(s.to_string())
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Caller::Internet => crate::model::INTERNET,
            Caller::Service(s) => s,
        }
    }
}

/// One call. `None` fields mean "some value" (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Request {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// What a caller presents: its workload identity (bound to its network position) and the
/// bearer credentials (API keys, JWTs) it holds or has stolen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Presented {
    pub identity: Option<String>,
    pub credentials: BTreeSet<Credential>,
}

impl Presented {
    /// Does this presentation satisfy `auth`?
    pub fn satisfies(&self, auth: &Auth) -> bool {
        match auth {
            Auth::None => true,
            Auth::ApiKey { .. } | Auth::Jwt { .. } => self
                .credentials
                .iter()
                .any(|c| credential_satisfies(c, auth)),
            Auth::Mtls { identities } => match &self.identity {
                Some(id) => identities.iter().any(|a| a == "*" || a == id),
                None => false,
            },
        }
    }
}

/// Does one bearer credential satisfy `auth` on its own? (mTLS is never satisfied by a bearer
/// credential: the identity is bound to the caller's network position.)
pub fn credential_satisfies(credential: &Credential, auth: &Auth) -> bool {
    match (credential, auth) {
        (Credential::ApiKey { key: k }, Auth::ApiKey { key }) => k == key,
        (
            Credential::Jwt {
                issuer: i,
                scopes: held,
            },
            Auth::Jwt { issuer, scopes },
        ) => i == issuer && scopes.iter().all(|s| held.contains(s)),
        _ => false,
    }
}

/// Why a call was allowed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum AllowedBy {
    /// An explicit allow rule.
    Rule { rule: String },
    /// Both services are in the same leaf segment, whose intra-segment stance is `allow`.
    IntraSegment { segment: String },
}

impl AllowedBy {
    /// `rule <id>` or `intra-segment <id>`, for text output.
    pub fn label(&self) -> String {
        match self {
            AllowedBy::Rule { rule } => format!("rule `{rule}`"),
            AllowedBy::IntraSegment { segment } => format!("intra-segment allow of `{segment}`"),
        }
    }
}

/// Why a call was denied.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DenyReason {
    /// The target does not exist.
    UnknownTarget { service: String },
    /// The caller does not exist.
    UnknownCaller { service: String },
    /// Internet callers only reach internet-facing services.
    NotInternetFacing,
    /// A deny rule covers the call.
    DenyRule { rule: String },
    /// Some rule allows the caller to the target, but not on this port, method or path.
    NoMatchingRule {
        /// Rules between the two that did not match the request, with what did not match.
        near_misses: Vec<NearMiss>,
    },
    /// A rule matches but the caller lacks the credential it or the target segment requires.
    /// `rule` is the rule id, or `intra-segment:<segment>` for the implicit intra-segment allow.
    MissingCredential { rule: String, required: Auth },
    /// The only allow rule that matches has expired: its `expires` date is before the date
    /// the design is evaluated on. The first such rule in design order.
    ExpiredRule {
        rule: String,
        /// The rule's `expires` date, `YYYY-MM-DD`.
        expires: String,
    },
    /// Nothing allows it: the default is deny.
    Default,
}

/// The request field an allow rule did not match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Mismatch {
    Port,
    Method,
    Path,
}

impl Mismatch {
    pub fn label(self) -> &'static str {
        match self {
            Mismatch::Port => "port",
            Mismatch::Method => "method",
            Mismatch::Path => "path",
        }
    }
}

/// A rule that would have allowed the caller to the target but for one request field.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct NearMiss {
    pub rule: String,
    pub mismatch: Mismatch,
}

/// The evaluator's answer, always with its explanation.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    Allow {
        by: AllowedBy,
        /// Every auth requirement the call had to meet (rule's and segment's), `none` omitted.
        auth: Vec<Auth>,
        /// The rate limit that applies (rule's, else the target segment's).
        rate_limit: Option<RateLimit>,
    },
    Deny(DenyReason),
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow { .. })
    }
}

/// An auth requirement in words, e.g. ``API key `settlement-api-key` ``.
pub fn describe_auth(auth: &Auth) -> String {
    match auth {
        Auth::None => "nothing".into(),
        Auth::ApiKey { key } => format!("API key `{key}`"),
        Auth::Jwt { issuer, scopes } if scopes.is_empty() => format!("a JWT from `{issuer}`"),
        Auth::Jwt { issuer, scopes } => format!(
            "a JWT from `{issuer}` with scope(s) {}",
            scopes
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Auth::Mtls { identities } if identities.iter().any(|s| s == "*") => {
            "mTLS (any identity)".into()
        }
        Auth::Mtls { identities } if identities.len() > 3 => format!(
            "mTLS as one of {} identities (`{}`, `{}`, …)",
            identities.len(),
            identities[0],
            identities[1]
        ),
        Auth::Mtls { identities } => format!(
            "mTLS as {}",
            identities
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    }
}

impl DenyReason {
    /// The reason in a sentence.
    pub fn describe(&self) -> String {
        match self {
            DenyReason::UnknownTarget { service } => format!("unknown target `{service}`"),
            DenyReason::UnknownCaller { service } => format!("unknown caller `{service}`"),
            DenyReason::NotInternetFacing => "the target is not internet-facing".into(),
            DenyReason::DenyRule { rule } => format!("deny rule `{rule}` covers it"),
            DenyReason::NoMatchingRule { near_misses } => format!(
                "no allow rule matches ({})",
                near_misses
                    .iter()
                    .map(|m| format!("`{}` differs in {}", m.rule, m.mismatch.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            DenyReason::MissingCredential { rule, required } => format!(
                "`{rule}` requires {} which the caller does not hold",
                describe_auth(required)
            ),
            DenyReason::ExpiredRule { rule, expires } => {
                format!("rule `{rule}` would allow it but expired on {expires}")
            }
            DenyReason::Default => "no rule allows it (default deny)".into(),
        }
    }
}

impl Decision {
    /// The decision in a sentence: `allowed by rule `x` (needs ...; rate limit ...)` or
    /// `denied: ...`.
    pub fn describe(&self) -> String {
        match self {
            Decision::Allow {
                by,
                auth,
                rate_limit,
            } => {
                let mut s = format!("allowed by {}", by.label());
                let mut extras = Vec::new();
                if !auth.is_empty() {
                    extras.push(format!(
                        "presenting {}",
                        auth.iter()
                            .map(describe_auth)
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ));
                }
                if let Some(r) = rate_limit {
                    extras.push(format!(
                        "rate limit {}/{}",
                        r.requests,
                        match r.per {
                            crate::model::Period::Second => "s",
                            crate::model::Period::Minute => "min",
                            crate::model::Period::Hour => "h",
                        }
                    ));
                }
                if !extras.is_empty() {
                    s.push_str(&format!(" ({})", extras.join("; ")));
                }
                s
            }
            Decision::Deny(r) => format!("denied: {}", r.describe()),
        }
    }
}

/// One way the design allows a call: an allow rule (or the intra-segment allow) that matches
/// the request and is not overridden by a deny rule, with what the caller must present.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, JsonSchema)]
pub struct Grant {
    pub by: AllowedBy,
    /// Auth requirements (rule's, then the target segment's); empty means none.
    pub auth: Vec<Auth>,
    /// The rate limit that applies (rule's, else the target segment's).
    pub rate_limit: Option<RateLimit>,
}

/// Every way the design allows a call, in the order [`Evaluator::decide`] tries them.
#[derive(Clone, Debug, PartialEq)]
pub struct Grants {
    /// The grants, first one first. Empty when nothing allows the call.
    pub grants: Vec<Grant>,
    /// Allow rules between the two that did not match the request.
    pub near_misses: Vec<NearMiss>,
    /// Allow rules that match the request but have expired, in design order. Empty when the
    /// evaluator has no date.
    pub expired: Vec<Expired>,
}

/// An allow rule that would match a request but has expired.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expired {
    pub rule: String,
    /// The rule's `expires` date, `YYYY-MM-DD`.
    pub expires: String,
}

/// The callers [`Evaluator::possible_callers`] returns for one target.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PossibleCallers {
    /// Some allow rule into the target comes from the internet (or from `any`).
    pub internet: bool,
    /// Service indices into `design.services`, ascending, without duplicates. May include the
    /// target itself.
    pub services: Vec<usize>,
}

/// A design compiled for fast, repeated evaluation.
///
/// INVARIANT: built from a design that passed validation; unknown ids are answered as denials,
/// never panics, so an unvalidated design still gets sound (if unhelpful) answers.
#[derive(Debug)]
pub struct Evaluator<'d> {
    design: &'d Design,
    service_index: HashMap<&'d str, usize>,
    /// For each service, its leaf segment (index into `design.segments`).
    leaf: Vec<Option<usize>>,
    /// For each segment, itself and its ancestors, nearest first.
    chain: Vec<Vec<usize>>,
    segment_index: HashMap<&'d str, usize>,
    /// Rules by what their `to` names, so a decision only looks at rules that can apply; each
    /// list ascending (design order). `to: any` rules, per service the rules naming it, and
    /// per leaf segment the `to: any` rules plus the rules naming the segment or an ancestor.
    /// A rule's `to` names one thing, so a service's two lists never share a rule.
    rules_to_any: Vec<u32>,
    rules_to_service: Vec<Vec<u32>>,
    rules_to_leaf: Vec<Vec<u32>>,
    /// Per rule: what its `from` names, resolved to indices once.
    rule_from: Vec<Side>,
    /// Per segment: the services in it or in its nested segments, ascending.
    segment_members: Vec<Vec<usize>>,
    /// Per service: the segment whose auth (other than `none`) and rate limit it inherits.
    seg_auth: Vec<Option<usize>>,
    seg_rate: Vec<Option<usize>>,
    /// The date the design is evaluated on, if any.
    date: Option<Date>,
    /// Per rule: has it expired on `date`? All false without a date.
    expired: Vec<bool>,
}

impl<'d> Evaluator<'d> {
    /// An evaluator that applies every rule, whatever its `expires` date: for callers with no
    /// notion of "now" (property tests, exporters' proofs of a fixed design). Anything that
    /// answers a user about today should use [`Evaluator::at`].
    pub fn new(design: &'d Design) -> Self {
        Self::build(design, None)
    }

    /// An evaluator for the design as it stands on `date`: a rule whose `expires` date is
    /// before `date` no longer applies (it expires at the end of that day). An `expires` that
    /// is not a date (a validation error) never expires.
    pub fn at(design: &'d Design, date: Date) -> Self {
        Self::build(design, Some(date))
    }

    /// The date the design is evaluated on ([`Evaluator::at`]), if any.
    pub fn date(&self) -> Option<Date> {
        self.date
    }

    /// Has the rule at `index` in `design.rules` expired on the evaluation date? Always false
    /// without a date.
    pub fn rule_expired(&self, index: usize) -> bool {
        self.expired.get(index).copied().unwrap_or(false)
    }

    fn build(design: &'d Design, date: Option<Date>) -> Self {
        let service_index = design
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect::<HashMap<_, _>>();
        let segment_index = design
            .segments
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect::<HashMap<_, _>>();
        let chain = (0..design.segments.len())
            .map(|i| {
                let mut out = vec![i];
                let mut cur = i;
                // Bounded walk: a parent cycle (a validation error) must not hang us.
                while let Some(p) = design.segments[cur].parent.as_deref() {
                    match segment_index.get(p) {
                        Some(&pi) if !out.contains(&pi) => {
                            out.push(pi);
                            cur = pi;
                        }
                        _ => break,
                    }
                }
                out
            })
            .collect::<Vec<_>>();
        // A service's leaf segment is the deepest segment listing it.
        let mut leaf: Vec<Option<usize>> = vec![None; design.services.len()];
        for (si, seg) in design.segments.iter().enumerate() {
            for m in &seg.members {
                if let Some(&i) = service_index.get(m.as_str()) {
                    let deeper = match leaf[i] {
                        None => true,
                        Some(old) => chain[si].len() > chain[old].len(),
                    };
                    if deeper {
                        leaf[i] = Some(si);
                    }
                }
            }
        }
        let mut segment_members = vec![Vec::new(); design.segments.len()];
        for (i, l) in leaf.iter().enumerate() {
            if let Some(l) = *l {
                for &s in &chain[l] {
                    segment_members[s].push(i);
                }
            }
        }
        let mut rules_to_any: Vec<u32> = Vec::new();
        let mut rules_by_service_id: HashMap<&str, Vec<u32>> = HashMap::new();
        let mut rules_to_segment: Vec<Vec<u32>> = vec![Vec::new(); design.segments.len()];
        for (ri, r) in design.rules.iter().enumerate() {
            let ri = ri as u32;
            match &r.to {
                Peer::Any => rules_to_any.push(ri),
                Peer::Internet => {}
                Peer::Service(s) => rules_by_service_id.entry(s.as_str()).or_default().push(ri),
                Peer::Segment(s) => {
                    if let Some(&si) = segment_index.get(s.as_str()) {
                        rules_to_segment[si].push(ri);
                    }
                }
            }
        }
        // By id, not index, so that every service with a (duplicated) id gets its rules.
        let rules_to_service = design
            .services
            .iter()
            .map(|s| {
                rules_by_service_id
                    .get(s.id.as_str())
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        let rules_to_leaf = chain
            .iter()
            .map(|c| {
                let mut v = rules_to_any.clone();
                for &s in c {
                    v.extend_from_slice(&rules_to_segment[s]);
                }
                v.sort_unstable();
                v
            })
            .collect();
        let rule_from = design
            .rules
            .iter()
            .map(|r| match &r.from {
                Peer::Any => Side::Any,
                Peer::Internet => Side::Internet,
                Peer::Service(s) => service_index
                    .get(s.as_str())
                    .map_or(Side::Nothing, |&i| Side::Service(i)),
                Peer::Segment(s) => segment_index
                    .get(s.as_str())
                    .map_or(Side::Nothing, |&i| Side::Segment(i)),
            })
            .collect();
        let expired = design
            .rules
            .iter()
            .map(|r| {
                date.is_some_and(|today| {
                    r.expires
                        .as_deref()
                        .and_then(Date::parse)
                        .is_some_and(|exp| exp < today)
                })
            })
            .collect();
        let inherited = |svc: usize, pick: &dyn Fn(&Segment) -> bool| -> Option<usize> {
            let l = leaf[svc]?;
            chain[l]
                .iter()
                .copied()
                .find(|&s| pick(&design.segments[s]))
        };
        let seg_auth = (0..design.services.len())
            .map(|i| inherited(i, &|s| s.policy.auth != Auth::None))
            .collect();
        let seg_rate = (0..design.services.len())
            .map(|i| inherited(i, &|s| s.policy.rate_limit.is_some()))
            .collect();
        Evaluator {
            design,
            service_index,
            leaf,
            chain,
            segment_index,
            rules_to_any,
            rules_to_service,
            rules_to_leaf,
            rule_from,
            segment_members,
            seg_auth,
            seg_rate,
            date,
            expired,
        }
    }

    pub fn design(&self) -> &'d Design {
        self.design
    }

    pub fn service_index(&self, id: &str) -> Option<usize> {
        self.service_index.get(id).copied()
    }

    /// The leaf segment id of a service, if it is segmented.
    pub fn segment_of(&self, service: &str) -> Option<&'d str> {
        let i = self.service_index(service)?;
        self.leaf_segment(i)
    }

    /// The leaf segment id of the service at `index` in `design.services`.
    pub fn leaf_segment(&self, index: usize) -> Option<&'d str> {
        self.leaf
            .get(index)
            .copied()
            .flatten()
            .map(|s| self.design.segments[s].id.as_str())
    }

    /// The service's segment and its ancestors, nearest first.
    pub fn segment_chain(&self, service: &str) -> Vec<&'d str> {
        self.service_index(service)
            .and_then(|i| self.leaf[i])
            .map(|s| {
                self.chain[s]
                    .iter()
                    .map(|&c| self.design.segments[c].id.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn in_segment(&self, service: usize, segment: &str) -> bool {
        let Some(&target) = self.segment_index.get(segment) else {
            return false;
        };
        self.leaf[service].is_some_and(|l| self.chain[l].contains(&target))
    }

    /// The services (indices) a rule side names: a segment's members including nested
    /// segments, one service, or every service for `any`. `internet` names no service.
    pub fn members(&self, peer: &Peer) -> Vec<usize> {
        self.members_borrowed(peer).into_owned()
    }

    /// [`Evaluator::members`], borrowed where the evaluator already holds the list (a
    /// segment's members, one service), so enumerating every rule's pairs allocates little.
    pub fn members_borrowed(&self, peer: &Peer) -> std::borrow::Cow<'_, [usize]> {
        use std::borrow::Cow;
        match peer {
            Peer::Any => Cow::Owned((0..self.design.services.len()).collect()),
            Peer::Internet => Cow::Borrowed(&[]),
            Peer::Service(s) => self
                .service_index
                .get(s.as_str())
                .map_or(Cow::Borrowed(&[]), |i| {
                    Cow::Borrowed(std::slice::from_ref(i))
                }),
            Peer::Segment(s) => self
                .segment_index
                .get(s.as_str())
                .map_or(Cow::Borrowed(&[]), |&si| {
                    Cow::Borrowed(self.segment_members[si].as_slice())
                }),
        }
    }

    /// The leaf segment (index into `design.segments`) of the service at `index`.
    pub fn leaf_segment_index(&self, index: usize) -> Option<usize> {
        self.leaf.get(index).copied().flatten()
    }

    /// Does a rule's `from` name this caller?
    pub fn peer_matches_caller(&self, peer: &Peer, caller: &Caller) -> bool {
        match (peer, caller) {
            (Peer::Any, _) => true,
            (Peer::Internet, Caller::Internet) => true,
            (Peer::Segment(s), Caller::Service(c)) => {
                self.service_index(c).is_some_and(|i| self.in_segment(i, s))
            }
            (Peer::Service(s), Caller::Service(c)) => s == c,
            _ => false,
        }
    }

    /// Does a rule's `to` name the service at index `target`?
    pub fn peer_matches_target(&self, peer: &Peer, target: usize) -> bool {
        match peer {
            Peer::Any => true,
            Peer::Internet => false,
            Peer::Segment(s) => self.in_segment(target, s),
            Peer::Service(s) => self.design.services[target].id == *s,
        }
    }

    /// The auth the target's segment requires: the nearest segment in its chain with a
    /// requirement other than `none`.
    pub fn segment_auth(&self, target: &str) -> Auth {
        self.service_index(target)
            .and_then(|i| self.segment_auth_at(i))
            .cloned()
            .unwrap_or_default()
    }

    /// The rate limit the target's segment sets, inherited like auth.
    pub fn segment_rate_limit(&self, target: &str) -> Option<RateLimit> {
        self.service_index(target)
            .and_then(|i| self.segment_rate_at(i))
            .cloned()
    }

    /// The auth (never `none`) the segment of the service at index `t` requires, borrowed
    /// from the design.
    fn segment_auth_at(&self, t: usize) -> Option<&'d Auth> {
        self.seg_auth[t].map(|s| &self.design.segments[s].policy.auth)
    }

    fn segment_rate_at(&self, t: usize) -> Option<&'d RateLimit> {
        self.seg_rate[t].and_then(|s| self.design.segments[s].policy.rate_limit.as_ref())
    }

    /// What a service presents when it calls with only what it holds itself.
    pub fn own_presentation(&self, caller: &Caller) -> Presented {
        match caller {
            Caller::Internet => Presented::default(),
            Caller::Service(id) => match self.service_index(id).map(|i| &self.design.services[i]) {
                Some(s) => Presented {
                    identity: s.identity.clone(),
                    credentials: s.credentials.iter().cloned().collect(),
                },
                None => Presented::default(),
            },
        }
    }

    /// Decide one call, presenting the caller's own credentials.
    pub fn allowed(&self, caller: &Caller, target: &str, req: &Request) -> Decision {
        let presented = self.own_presentation(caller);
        self.decide(caller, target, req, Some(&presented))
    }

    /// The name a decision gives to a grant of [`Evaluator::scan`]: its rule id, or
    /// `intra-segment:<segment>`.
    fn scanned_name(&self, item: Scanned) -> String {
        match item {
            Scanned::Intra(segment) => {
                format!("intra-segment:{}", self.design.segments[segment].id)
            }
            Scanned::Grant(ri) | Scanned::NearMiss(ri, _) | Scanned::Expired(ri) => {
                self.design.rules[ri].id.clone()
            }
        }
    }

    /// The rules that can apply to calls into service `t`, in design order (which decides
    /// which allow rule is reported first), without allocating: a merge of two ascending,
    /// disjoint lists.
    fn rules_into(&self, t: usize) -> MergedRules<'_> {
        let by_segment = match self.leaf[t] {
            Some(l) => &self.rules_to_leaf[l],
            None => &self.rules_to_any,
        };
        MergedRules {
            a: by_segment,
            b: &self.rules_to_service[t],
        }
    }

    /// Does a rule's resolved `from` name the caller (`None`: the internet)?
    fn side_names_caller(&self, side: Side, caller: Option<usize>) -> bool {
        match (side, caller) {
            (Side::Any, _) => true,
            (Side::Internet, None) => true,
            (Side::Service(s), Some(c)) => s == c,
            (Side::Segment(s), Some(c)) => self.leaf[c].is_some_and(|l| self.chain[l].contains(&s)),
            _ => false,
        }
    }

    /// What a call into `t` needs, by rule (`None`: the intra-segment allow): the rule's auth
    /// and the segment's, each only when it is not `none`, the segment's only when it differs
    /// from the rule's; both must hold.
    fn required_at(&self, rule: Option<usize>, t: usize) -> [Option<&'d Auth>; 2] {
        let own = rule
            .and_then(|ri| self.design.rules[ri].auth.as_ref())
            .filter(|a| **a != Auth::None);
        let segment = self.segment_auth_at(t).filter(|a| Some(*a) != own);
        [own, segment]
    }

    /// The core of every decision: which rules into `t` apply to the caller (`None`: the
    /// internet) for `req`, by index, in the order they are tried. Appends to `out` (cleared
    /// first) and returns the covering deny rule, if any, instead.
    fn scan(
        &self,
        caller: Option<usize>,
        t: usize,
        req: &Request,
        out: &mut Vec<Scanned>,
    ) -> Result<(), ScanDenied> {
        out.clear();
        if caller.is_none() && self.design.services[t].exposure != Exposure::Internet {
            return Err(ScanDenied::NotInternetFacing);
        }
        let applies = |ri: usize| self.side_names_caller(self.rule_from[ri], caller);
        // 1. Deny rules that cover the whole request (expired ones no longer do).
        for ri in self.rules_into(t) {
            let r = &self.design.rules[ri];
            if r.action == Action::Deny && applies(ri) && !self.rule_expired(ri) && covers(r, req) {
                return Err(ScanDenied::DenyRule(ri));
            }
        }
        // 2. Allow rules, in design order; expired ones are kept aside to explain a denial.
        for ri in self.rules_into(t) {
            let r = &self.design.rules[ri];
            if r.action != Action::Allow || !applies(ri) {
                continue;
            }
            match (self.rule_expired(ri), mismatch(r, req)) {
                (true, None) => out.push(Scanned::Expired(ri)),
                (true, Some(_)) => {}
                (false, Some(m)) => out.push(Scanned::NearMiss(ri, m)),
                (false, None) => out.push(Scanned::Grant(ri)),
            }
        }
        // 3. The implicit intra-segment allow.
        if let (Some(ci), Some(tl)) = (caller, self.leaf[t])
            && self.leaf[ci] == Some(tl)
            && self.design.segments[tl].policy.intra == IntraStance::Allow
        {
            out.push(Scanned::Intra(tl));
        }
        Ok(())
    }

    /// Every way the design allows `caller → target` for `req`, ignoring credentials, in the
    /// order [`Evaluator::decide`] tries them; or the reason no grant can apply at all
    /// (unknown ids, not internet-facing, a covering deny rule).
    pub fn grants(
        &self,
        caller: &Caller,
        target: &str,
        req: &Request,
    ) -> Result<Grants, DenyReason> {
        let Some(t) = self.service_index(target) else {
            return Err(DenyReason::UnknownTarget {
                service: target.to_string(),
            });
        };
        self.grants_at(caller, t, req)
    }

    /// [`Evaluator::grants`] with the target given by index.
    pub fn grants_at(
        &self,
        caller: &Caller,
        t: usize,
        req: &Request,
    ) -> Result<Grants, DenyReason> {
        let caller_index = match caller {
            Caller::Service(c) => match self.service_index(c) {
                Some(i) => Some(i),
                None => return Err(DenyReason::UnknownCaller { service: c.clone() }),
            },
            Caller::Internet => None,
        };
        self.grants_by_index(caller_index, t, req)
    }

    /// [`Evaluator::grants_at`] with the caller given by index too (`None`: the internet), as
    /// [`Evaluator::service_index`] resolves its id: the L7 exports ask once per (caller,
    /// endpoint) and know the index. An index out of range is answered as an unknown service
    /// (named `#<index>`), never a panic.
    pub fn grants_by_index(
        &self,
        caller: Option<usize>,
        t: usize,
        req: &Request,
    ) -> Result<Grants, DenyReason> {
        self.check_indices(caller, t)?;
        let mut scanned = Vec::new();
        match self.scan(caller, t, req, &mut scanned) {
            Err(ScanDenied::NotInternetFacing) => return Err(DenyReason::NotInternetFacing),
            Err(ScanDenied::DenyRule(ri)) => {
                return Err(DenyReason::DenyRule {
                    rule: self.design.rules[ri].id.clone(),
                });
            }
            Ok(()) => {}
        }
        let seg_rate = self.segment_rate_at(t);
        let required = |rule: Option<usize>| -> Vec<Auth> {
            self.required_at(rule, t)
                .into_iter()
                .flatten()
                .cloned()
                .collect()
        };
        let mut out = Grants {
            grants: Vec::new(),
            near_misses: Vec::new(),
            expired: Vec::new(),
        };
        for item in scanned {
            match item {
                Scanned::Grant(ri) => {
                    let r = &self.design.rules[ri];
                    out.grants.push(Grant {
                        by: AllowedBy::Rule { rule: r.id.clone() },
                        auth: required(Some(ri)),
                        rate_limit: r.rate_limit.as_ref().or(seg_rate).cloned(),
                    });
                }
                Scanned::Intra(segment) => out.grants.push(Grant {
                    by: AllowedBy::IntraSegment {
                        segment: self.design.segments[segment].id.clone(),
                    },
                    auth: required(None),
                    rate_limit: seg_rate.cloned(),
                }),
                Scanned::NearMiss(ri, mismatch) => out.near_misses.push(NearMiss {
                    rule: self.design.rules[ri].id.clone(),
                    mismatch,
                }),
                Scanned::Expired(ri) => {
                    let r = &self.design.rules[ri];
                    out.expired.push(Expired {
                        rule: r.id.clone(),
                        expires: r.expires.clone().unwrap_or_default(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// [`Evaluator::grants_by_index`]'s grants borrowed from the design, in the same order
    /// (empty where it finds none or refuses the call): the L7 exports ask once per (caller,
    /// endpoint), and copying every grant's rule id and auth list was most of that cost.
    pub fn grant_refs_by_index(
        &self,
        caller: Option<usize>,
        t: usize,
        req: &Request,
    ) -> Vec<GrantRef<'d>> {
        let mut scanned = Vec::new();
        if self.check_indices(caller, t).is_err()
            || self.scan(caller, t, req, &mut scanned).is_err()
        {
            return Vec::new();
        }
        let seg_rate = self.segment_rate_at(t);
        scanned
            .iter()
            .filter_map(|item| match *item {
                Scanned::Grant(ri) => {
                    let r = &self.design.rules[ri];
                    Some(GrantRef {
                        by: AllowedByRef::Rule(&r.id),
                        auth: self.required_at(Some(ri), t),
                        rate_limit: r.rate_limit.as_ref().or(seg_rate),
                    })
                }
                Scanned::Intra(segment) => Some(GrantRef {
                    by: AllowedByRef::IntraSegment(&self.design.segments[segment].id),
                    auth: self.required_at(None, t),
                    rate_limit: seg_rate,
                }),
                Scanned::NearMiss(..) | Scanned::Expired(_) => None,
            })
            .collect()
    }

    /// What the reach graph needs of one L4 call (`Request::default()`), without building
    /// [`Grants`]: for each grant in order, the auth it requires (borrowed from the design, so
    /// equal requirements are the same address). The same scan as [`Evaluator::grants_at`];
    /// `None` when no grant can apply (not internet-facing, a covering deny rule). `buf` is
    /// scratch space reused across calls.
    pub(crate) fn l4_requirements<'s>(
        &'s self,
        caller: Option<usize>,
        t: usize,
        buf: &'s mut Vec<Scanned>,
    ) -> Option<impl Iterator<Item = [Option<&'d Auth>; 2]> + 's> {
        self.scan(caller, t, &L4, buf).ok()?;
        Some(buf.iter().filter_map(move |item| match *item {
            Scanned::Grant(ri) => Some(self.required_at(Some(ri), t)),
            Scanned::Intra(_) => Some(self.required_at(None, t)),
            Scanned::NearMiss(..) | Scanned::Expired(_) => None,
        }))
    }

    /// Is the allow rule at `index` one that can grant on the evaluation date (an allow rule
    /// that has not expired)? For enumerating candidate pairs.
    pub fn rule_can_grant(&self, index: usize) -> bool {
        self.design
            .rules
            .get(index)
            .is_some_and(|r| r.action == Action::Allow && !self.rule_expired(index))
    }

    /// Every caller that *some* request into service `t` could be allowed from: the callers an
    /// allow rule into `t` names in its `from` (nested segments included), plus the target's
    /// leaf-segment mates when that segment allows intra-segment calls. A caller outside this
    /// set gets no grant for any request (default deny: step 4 of the semantics), so a batch
    /// query (the matrix) asks [`Evaluator::grants_at`] only about these; it still decides each
    /// of them. Deny rules and the internet-facing check are not applied here: this is a
    /// superset, never a decision. `t` out of range gives nobody.
    pub fn possible_callers(&self, t: usize) -> PossibleCallers {
        let mut out = PossibleCallers::default();
        if t >= self.design.services.len() {
            return out;
        }
        let n = self.design.services.len();
        // Sparse: most targets have a handful of possible callers out of many services.
        let mut services = Vec::new();
        for ri in self.rules_into(t) {
            let r = &self.design.rules[ri];
            if r.action != Action::Allow {
                continue;
            }
            match &r.from {
                Peer::Any => {
                    out.internet = true;
                    out.services = (0..n).collect();
                    return out;
                }
                Peer::Internet => out.internet = true,
                Peer::Service(s) => services.extend(self.service_index(s)),
                Peer::Segment(s) => {
                    if let Some(&si) = self.segment_index.get(s.as_str()) {
                        services.extend_from_slice(&self.segment_members[si]);
                    }
                }
            }
        }
        if let Some(tl) = self.leaf[t]
            && self.design.segments[tl].policy.intra == IntraStance::Allow
        {
            services.extend(
                self.segment_members[tl]
                    .iter()
                    .copied()
                    .filter(|&i| self.leaf[i] == Some(tl)),
            );
        }
        services.sort_unstable();
        services.dedup();
        out.services = services;
        out
    }

    /// Decide one call. With `presented == None`, credentials are not checked: the answer is
    /// whether the design allows the pair at all for a caller that presents what is required
    /// (the `auth` field of the decision says what that is).
    ///
    /// The same answer as picking from [`Evaluator::grants`] (the first grant whose auth the
    /// caller satisfies), but the grants are looked at where they stand in the design and only
    /// the deciding one is copied: the gateways' exports decide every (caller, endpoint) pair,
    /// and copying every grant's rule id and auth list was most of the cost.
    pub fn decide(
        &self,
        caller: &Caller,
        target: &str,
        req: &Request,
        presented: Option<&Presented>,
    ) -> Decision {
        let Some(t) = self.service_index(target) else {
            return Decision::Deny(DenyReason::UnknownTarget {
                service: target.to_string(),
            });
        };
        let caller_index = match caller {
            Caller::Service(c) => match self.service_index(c) {
                Some(i) => Some(i),
                None => {
                    return Decision::Deny(DenyReason::UnknownCaller { service: c.clone() });
                }
            },
            Caller::Internet => None,
        };
        self.decide_at(caller_index, t, req, presented)
    }

    /// [`Evaluator::decide`] with the caller (`None`: the internet) and the target given by
    /// index into `design.services`, as [`Evaluator::service_index`] resolves their ids: the
    /// gateways' exports decide every (caller, endpoint) pair and know both indices, so they
    /// need not hash both ids again per decision. An index out of range is answered as an unknown service
    /// (named `#<index>`), never a panic.
    pub fn decide_at(
        &self,
        caller: Option<usize>,
        t: usize,
        req: &Request,
        presented: Option<&Presented>,
    ) -> Decision {
        let mut scanned = Vec::new();
        let found = match self.find_at(caller, t, req, presented, &mut scanned) {
            Ok(found) => found,
            Err(denied) => return Decision::Deny(denied),
        };
        match found {
            Found::Allow {
                by,
                auth,
                rate_limit,
            } => Decision::Allow {
                by: by.to_owned(),
                auth: auth.into_iter().flatten().cloned().collect(),
                rate_limit: rate_limit.cloned(),
            },
            Found::Missing(item, missing) => Decision::Deny(DenyReason::MissingCredential {
                rule: self.scanned_name(item),
                required: missing.clone(),
            }),
            Found::Expired(ri) => {
                let r = &self.design.rules[ri];
                Decision::Deny(DenyReason::ExpiredRule {
                    rule: r.id.clone(),
                    expires: r.expires.clone().unwrap_or_default(),
                })
            }
            Found::NoGrant => {
                let near_misses: Vec<NearMiss> = scanned
                    .iter()
                    .filter_map(|item| match *item {
                        Scanned::NearMiss(ri, mismatch) => Some(NearMiss {
                            rule: self.design.rules[ri].id.clone(),
                            mismatch,
                        }),
                        _ => None,
                    })
                    .collect();
                if near_misses.is_empty() {
                    Decision::Deny(DenyReason::Default)
                } else {
                    Decision::Deny(DenyReason::NoMatchingRule { near_misses })
                }
            }
        }
    }

    /// [`Evaluator::decide_at`]'s answer borrowed from the design: what allowed the call, the
    /// auth it required and its rate limit, or only the kind of denial. The same decision (it
    /// is [`Evaluator::decide_at`]'s own first step), without copying a rule id, auth
    /// requirements and a rate limit per decision: the gateways' exports decide every (caller,
    /// endpoint) pair, millions on a large design.
    pub fn verdict_at(
        &self,
        caller: Option<usize>,
        t: usize,
        req: &Request,
        presented: Option<&Presented>,
    ) -> Verdict<'d> {
        let mut scanned = Vec::new();
        match self.find_at(caller, t, req, presented, &mut scanned) {
            Ok(Found::Allow {
                by,
                auth,
                rate_limit,
            }) => Verdict::Allow {
                by,
                auth,
                rate_limit,
            },
            Ok(Found::Missing(..)) => Verdict::Deny(DenyKind::MissingCredential),
            Ok(Found::Expired(_)) => Verdict::Deny(DenyKind::ExpiredRule),
            Ok(Found::NoGrant) => {
                if scanned.iter().any(|i| matches!(i, Scanned::NearMiss(..))) {
                    Verdict::Deny(DenyKind::NoMatchingRule)
                } else {
                    Verdict::Deny(DenyKind::Default)
                }
            }
            Err(denied) => Verdict::Deny(DenyKind::of(&denied)),
        }
    }

    /// A caller and target given by service index are in range; one out of range is answered
    /// as an unknown service named `#<index>`, never a panic.
    fn check_indices(&self, caller: Option<usize>, t: usize) -> Result<(), DenyReason> {
        let n = self.design.services.len();
        if t >= n {
            return Err(DenyReason::UnknownTarget {
                service: format!("#{t}"),
            });
        }
        if let Some(c) = caller.filter(|&c| c >= n) {
            return Err(DenyReason::UnknownCaller {
                service: format!("#{c}"),
            });
        }
        Ok(())
    }

    /// The decision of [`Evaluator::decide_at`] by indices, with `scanned` left holding the
    /// scan (for the near misses); `Err` for a denial decided before any grant is looked at.
    fn find_at(
        &self,
        caller: Option<usize>,
        t: usize,
        req: &Request,
        presented: Option<&Presented>,
        scanned: &mut Vec<Scanned>,
    ) -> Result<Found<'d>, DenyReason> {
        self.check_indices(caller, t)?;
        match self.scan(caller, t, req, scanned) {
            Err(ScanDenied::NotInternetFacing) => return Err(DenyReason::NotInternetFacing),
            Err(ScanDenied::DenyRule(ri)) => {
                return Err(DenyReason::DenyRule {
                    rule: self.design.rules[ri].id.clone(),
                });
            }
            Ok(()) => {}
        }
        // The first grant the caller lacks a credential for, and the first requirement of it
        // that the caller does not meet.
        let mut first_missing: Option<(Scanned, &'d Auth)> = None;
        for &item in scanned.iter() {
            let rule = match item {
                Scanned::Grant(ri) => Some(ri),
                Scanned::Intra(_) => None,
                Scanned::NearMiss(..) | Scanned::Expired(_) => continue,
            };
            let required = self.required_at(rule, t);
            let missing =
                presented.and_then(|p| required.into_iter().flatten().find(|a| !p.satisfies(a)));
            match missing {
                Some(missing) => {
                    first_missing.get_or_insert((item, missing));
                }
                None => {
                    // Only grants get here (the loop skips the other kinds).
                    let (by, rate_limit) = match item {
                        Scanned::Intra(segment) => (
                            AllowedByRef::IntraSegment(&self.design.segments[segment].id),
                            self.segment_rate_at(t),
                        ),
                        Scanned::Grant(ri) | Scanned::NearMiss(ri, _) | Scanned::Expired(ri) => {
                            let r = &self.design.rules[ri];
                            (
                                AllowedByRef::Rule(&r.id),
                                r.rate_limit.as_ref().or(self.segment_rate_at(t)),
                            )
                        }
                    };
                    return Ok(Found::Allow {
                        by,
                        auth: required,
                        rate_limit,
                    });
                }
            }
        }
        if let Some((item, missing)) = first_missing {
            return Ok(Found::Missing(item, missing));
        }
        if let Some(ri) = scanned.iter().find_map(|item| match *item {
            Scanned::Expired(ri) => Some(ri),
            _ => None,
        }) {
            return Ok(Found::Expired(ri));
        }
        Ok(Found::NoGrant)
    }
}

/// What [`Evaluator::find_at`] found, by index and borrowed from the design.
enum Found<'d> {
    Allow {
        by: AllowedByRef<'d>,
        auth: [Option<&'d Auth>; 2],
        rate_limit: Option<&'d RateLimit>,
    },
    /// No grant applies with what the caller presents: the first it lacks a credential for.
    Missing(Scanned, &'d Auth),
    /// Only an expired allow rule matches (the first in design order).
    Expired(usize),
    /// Nothing allows the call (the scan holds the near misses, if any).
    NoGrant,
}

/// [`Evaluator::verdict_at`]'s answer: [`Decision`] borrowed from the design, with only the kind
/// of a denial.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict<'d> {
    Allow {
        by: AllowedByRef<'d>,
        /// The auth requirements the call had to meet (the rule's, then the target segment's),
        /// `none` omitted: [`Decision::Allow`]'s `auth` is the present ones in this order.
        auth: [Option<&'d Auth>; 2],
        rate_limit: Option<&'d RateLimit>,
    },
    Deny(DenyKind),
}

/// A [`Grant`] borrowed from the design ([`Evaluator::grant_refs_by_index`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GrantRef<'d> {
    pub by: AllowedByRef<'d>,
    /// The rule's auth, then the target segment's (`none` omitted): [`Grant`]'s `auth` is the
    /// present ones in this order.
    pub auth: [Option<&'d Auth>; 2],
    pub rate_limit: Option<&'d RateLimit>,
}

impl GrantRef<'_> {
    pub fn to_owned(self) -> Grant {
        Grant {
            by: self.by.to_owned(),
            auth: self.auth.into_iter().flatten().cloned().collect(),
            rate_limit: self.rate_limit.cloned(),
        }
    }
}

/// [`AllowedBy`] borrowed from the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AllowedByRef<'d> {
    Rule(&'d str),
    IntraSegment(&'d str),
}

impl AllowedByRef<'_> {
    pub fn to_owned(self) -> AllowedBy {
        match self {
            AllowedByRef::Rule(rule) => AllowedBy::Rule { rule: rule.into() },
            AllowedByRef::IntraSegment(segment) => AllowedBy::IntraSegment {
                segment: segment.into(),
            },
        }
    }
}

/// The variant of a [`DenyReason`], without its details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DenyKind {
    UnknownTarget,
    UnknownCaller,
    NotInternetFacing,
    DenyRule,
    NoMatchingRule,
    MissingCredential,
    ExpiredRule,
    Default,
}

impl DenyKind {
    pub fn of(reason: &DenyReason) -> Self {
        match reason {
            DenyReason::UnknownTarget { .. } => DenyKind::UnknownTarget,
            DenyReason::UnknownCaller { .. } => DenyKind::UnknownCaller,
            DenyReason::NotInternetFacing => DenyKind::NotInternetFacing,
            DenyReason::DenyRule { .. } => DenyKind::DenyRule,
            DenyReason::NoMatchingRule { .. } => DenyKind::NoMatchingRule,
            DenyReason::MissingCredential { .. } => DenyKind::MissingCredential,
            DenyReason::ExpiredRule { .. } => DenyKind::ExpiredRule,
            DenyReason::Default => DenyKind::Default,
        }
    }
}

/// A rule side resolved to indices (see [`Evaluator::rules_into`]'s users).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    Any,
    Internet,
    Service(usize),
    Segment(usize),
    /// Names something that does not exist (a validation error): matches nobody.
    Nothing,
}

/// The L4 request: every field unset.
const L4: Request = Request {
    port: None,
    method: None,
    path: None,
};

/// One step of [`Evaluator::scan`]'s answer, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scanned {
    /// An allow rule that matches the request.
    Grant(usize),
    /// The intra-segment allow of this leaf segment.
    Intra(usize),
    /// An allow rule that differs from the request in one field.
    NearMiss(usize, Mismatch),
    /// An expired allow rule that would match.
    Expired(usize),
}

/// Why [`Evaluator::scan`] found that no grant can apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScanDenied {
    NotInternetFacing,
    DenyRule(usize),
}

/// Two ascending, disjoint lists of rule indices merged in order.
struct MergedRules<'a> {
    a: &'a [u32],
    b: &'a [u32],
}

impl Iterator for MergedRules<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let take_a = match (self.a.first(), self.b.first()) {
            (Some(x), Some(y)) => x < y,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let list = if take_a { &mut self.a } else { &mut self.b };
        let (first, rest) = list.split_first()?;
        *list = rest;
        Some(*first as usize)
    }
}

/// `bulkhead why`: one decision with the context a reader needs.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Explanation {
    /// `internet` or a service id.
    pub from: String,
    pub to: String,
    pub request: Request,
    /// The caller's segment and its ancestors, nearest first.
    pub from_segments: Vec<String>,
    /// The target's segment and its ancestors, nearest first.
    pub to_segments: Vec<String>,
    /// The decision with the caller's own identity and credentials.
    pub decision: Decision,
    /// The decision for a caller that presents whatever is required: whether the design allows
    /// the call at all.
    pub with_required_credentials: Decision,
    /// Every grant that would allow the call, in evaluation order.
    pub grants: Vec<Grant>,
    /// The date the design was evaluated on (`YYYY-MM-DD`): rules that expired before it no
    /// longer apply. Absent when evaluated without a date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluated_on: Option<String>,
}

impl Evaluator<'_> {
    /// Explain one call: both decisions and the grants behind them.
    pub fn explain(&self, caller: &Caller, target: &str, req: &Request) -> Explanation {
        let chain = |id: &str| -> Vec<String> {
            self.segment_chain(id)
                .into_iter()
                .map(str::to_string)
                .collect()
        };
        Explanation {
            from: caller.id().to_string(),
            to: target.to_string(),
            request: req.clone(),
            from_segments: match caller {
                Caller::Internet => Vec::new(),
                Caller::Service(c) => chain(c),
            },
            to_segments: chain(target),
            decision: self.allowed(caller, target, req),
            with_required_credentials: self.decide(caller, target, req, None),
            grants: self
                .grants(caller, target, req)
                .map(|g| g.grants)
                .unwrap_or_default(),
            evaluated_on: self.date.map(|d| d.to_string()),
        }
    }
}

/// Pick the decision from the grants: the first grant whose auth the caller satisfies. What
/// [`Evaluator::decide`] answered before it stopped copying every grant, kept as the oracle of
/// its property test.
#[cfg(test)]
fn decide_from_grants(g: Grants, presented: Option<&Presented>) -> Decision {
    let satisfied = |auth: &[Auth]| presented.is_none_or(|p| auth.iter().all(|a| p.satisfies(a)));
    let mut first_missing: Option<(String, Auth)> = None;
    for grant in g.grants {
        if satisfied(&grant.auth) {
            return Decision::Allow {
                by: grant.by,
                auth: grant.auth,
                rate_limit: grant.rate_limit,
            };
        }
        if first_missing.is_none() {
            let p = presented.cloned().unwrap_or_default();
            let missing = grant
                .auth
                .into_iter()
                .find(|a| !p.satisfies(a))
                .unwrap_or_default();
            let rule = match grant.by {
                AllowedBy::Rule { rule } => rule,
                AllowedBy::IntraSegment { segment } => format!("intra-segment:{segment}"),
            };
            first_missing = Some((rule, missing));
        }
    }
    if let Some((rule, required)) = first_missing {
        return Decision::Deny(DenyReason::MissingCredential { rule, required });
    }
    if let Some(Expired { rule, expires }) = g.expired.into_iter().next() {
        return Decision::Deny(DenyReason::ExpiredRule { rule, expires });
    }
    if !g.near_misses.is_empty() {
        return Decision::Deny(DenyReason::NoMatchingRule {
            near_misses: g.near_misses,
        });
    }
    Decision::Deny(DenyReason::Default)
}

/// The first request field an allow rule does not match, if any. Unset request fields match,
/// and a templated request path matches when some concrete path fits both templates.
fn mismatch(rule: &Rule, req: &Request) -> Option<Mismatch> {
    if let Some(p) = req.port
        && !rule.ports.is_empty()
        && !rule.ports.contains(&p)
    {
        return Some(Mismatch::Port);
    }
    if let Some(m) = &req.method
        && !rule.methods.is_empty()
        && !rule.methods.iter().any(|rm| method_matches(rm, m))
    {
        return Some(Mismatch::Method);
    }
    if let Some(path) = &req.path
        && !rule.paths.is_empty()
        && !rule.paths.iter().any(|t| paths_overlap(t, path))
    {
        return Some(Mismatch::Path);
    }
    None
}

/// Does a (deny) rule cover every call the request could be? A restricted field covers an
/// unset request field never: the unset field could take a value outside it. A request method
/// `*` counts as unset; a templated request path is covered only if the rule's template
/// covers every concrete path of it.
fn covers(rule: &Rule, req: &Request) -> bool {
    let method_covered = req
        .method
        .as_deref()
        .is_some_and(|m| m != "*" && rule.methods.iter().any(|rm| method_matches(rm, m)));
    if !rule.ports.is_empty() && !req.port.is_some_and(|p| rule.ports.contains(&p)) {
        return false;
    }
    if !rule.methods.is_empty() && !method_covered {
        return false;
    }
    if !rule.paths.is_empty()
        && !req
            .path
            .as_deref()
            .is_some_and(|p| rule.paths.iter().any(|t| path_matches(t, p)))
    {
        return false;
    }
    true
}

/// `*` matches any method; otherwise case-insensitive equality.
pub fn method_matches(pattern: &str, method: &str) -> bool {
    pattern == "*" || method == "*" || pattern.eq_ignore_ascii_case(method)
}

fn is_param(s: &str) -> bool {
    s == "*" || (s.starts_with('{') && s.ends_with('}'))
}

/// Does the path template `pattern` cover `path`, i.e. match every concrete path `path` can
/// be? `path` may itself be a template (an endpoint's), in which case a `{param}` segment in it
/// is matched only by a `{param}` or a trailing `/**` in the pattern.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let got: Vec<&str> = path.trim_matches('/').split('/').collect();
    for (i, p) in pat.iter().enumerate() {
        if *p == "**" && i == pat.len() - 1 {
            return true;
        }
        let Some(g) = got.get(i) else {
            return false;
        };
        if *g == "**" && i == got.len() - 1 {
            // The path has any suffix; only a trailing `**` (handled above) covers that.
            return false;
        }
        if is_param(p) {
            continue;
        }
        if p != g {
            return false;
        }
    }
    pat.len() == got.len()
}

/// Is there a concrete path that both templates match?
pub fn paths_overlap(a: &str, b: &str) -> bool {
    let a: Vec<&str> = a.trim_matches('/').split('/').collect();
    let b: Vec<&str> = b.trim_matches('/').split('/').collect();
    let mut i = 0;
    loop {
        let (x, y) = (a.get(i), b.get(i));
        match (x, y) {
            (None, None) => return true,
            (Some(&"**"), _) if i == a.len() - 1 => return true,
            (_, Some(&"**")) if i == b.len() - 1 => return true,
            (Some(x), Some(y)) => {
                if !(is_param(x) || is_param(y) || x == y) {
                    return false;
                }
            }
            _ => return false,
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    /// `decide` copies only the deciding grant; its answer must be the one picked from every
    /// grant as before (`decide_from_grants` over `grants`).
    mod borrowed_decide {
        use super::*;
        use crate::generate::{GenerateOptions, generate};
        use proptest::prelude::*;

        /// Both answers for every caller (the internet and an unknown one too) into every
        /// service and an unknown one, at L4, per port, per endpoint and for a request no rule
        /// matches, presenting nothing to check, the caller's own credentials, `stranger`'s,
        /// or nothing at all: `(got, want, what was asked)`.
        fn both_answers(
            eval: &Evaluator<'_>,
            stranger: usize,
        ) -> Vec<(Decision, Decision, String)> {
            let design = eval.design();
            let mut callers = vec![Caller::Internet, Caller::Service("nope".into())];
            callers.extend(
                design
                    .services
                    .iter()
                    .map(|s| Caller::Service(s.id.clone())),
            );
            let stranger =
                eval.own_presentation(&Caller::Service(design.services[stranger].id.clone()));
            let nothing = Presented::default();
            let unknown = svc("nope");
            let mut out = Vec::new();
            for caller in &callers {
                let own = eval.own_presentation(caller);
                for target in design.services.iter().chain([&unknown]) {
                    let mut requests = vec![Request::default()];
                    requests.extend(target.ports.iter().map(|p| Request {
                        port: Some(p.port),
                        ..Request::default()
                    }));
                    requests.extend(target.endpoints.iter().map(|e| Request {
                        port: None,
                        method: Some(e.method.clone()),
                        path: Some(e.path.clone()),
                    }));
                    requests.push(Request {
                        port: Some(1),
                        method: Some("PATCH".into()),
                        path: Some("/nowhere".into()),
                    });
                    for req in &requests {
                        for presented in [None, Some(&own), Some(&stranger), Some(&nothing)] {
                            let want = match eval.grants(caller, &target.id, req) {
                                Err(reason) => Decision::Deny(reason),
                                Ok(g) => decide_from_grants(g, presented),
                            };
                            let got = eval.decide(caller, &target.id, req, presented);
                            let asked = format!(
                                "{caller:?} -> {} {req:?} presenting {presented:?}",
                                target.id
                            );
                            out.push((got, want, asked));
                        }
                    }
                }
            }
            out
        }

        fn date(late: bool) -> Date {
            Date::parse(if late { "2026-11-28" } else { "2024-01-01" }).unwrap()
        }

        /// The generated estates reach every kind of answer, so the property below compares
        /// more than denials by default.
        #[test]
        fn generated_estates_give_every_kind_of_answer() {
            let mut kinds = BTreeSet::new();
            for seed in 0..6 {
                let design = generate(&GenerateOptions {
                    services: 16,
                    peers: 4,
                    seed,
                });
                for late in [false, true] {
                    let eval = Evaluator::at(&design, date(late));
                    for (got, want, asked) in both_answers(&eval, seed as usize) {
                        assert_eq!(got, want, "{asked}");
                        kinds.insert(match got {
                            Decision::Allow { .. } => "allow",
                            Decision::Deny(DenyReason::MissingCredential { .. }) => {
                                "missing-credential"
                            }
                            Decision::Deny(DenyReason::ExpiredRule { .. }) => "expired",
                            Decision::Deny(DenyReason::NoMatchingRule { .. }) => "near-miss",
                            Decision::Deny(DenyReason::Default) => "default",
                            Decision::Deny(DenyReason::NotInternetFacing) => "not-internet-facing",
                            Decision::Deny(DenyReason::UnknownCaller { .. }) => "unknown-caller",
                            Decision::Deny(DenyReason::UnknownTarget { .. }) => "unknown-target",
                            Decision::Deny(_) => "other",
                        });
                    }
                }
            }
            for kind in [
                "allow",
                "missing-credential",
                "expired",
                "near-miss",
                "default",
                "not-internet-facing",
                "unknown-caller",
                "unknown-target",
            ] {
                assert!(kinds.contains(kind), "no `{kind}` answer in {kinds:?}");
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

            #[test]
            fn answers_as_picking_from_every_grant(
                services in 2usize..20,
                peers in 1usize..6,
                seed in any::<u64>(),
                late in any::<bool>(),
                stranger in any::<prop::sample::Index>(),
            ) {
                let design = generate(&GenerateOptions { services, peers, seed });
                let eval = Evaluator::at(&design, date(late));
                for (got, want, asked) in both_answers(&eval, stranger.index(services)) {
                    prop_assert_eq!(got, want, "{}", asked);
                }
            }
        }
    }

    fn svc(id: &str) -> Service {
        Service {
            id: id.into(),
            ..Service::default()
        }
    }

    fn seg(id: &str, members: &[&str]) -> Segment {
        Segment {
            id: id.into(),
            members: members.iter().map(|s| s.to_string()).collect(),
            ..Segment::default()
        }
    }

    fn allow(id: &str, from: Peer, to: Peer) -> Rule {
        Rule {
            id: id.into(),
            from,
            to,
            ..Rule::default()
        }
    }

    fn design() -> Design {
        let mut d = Design::new("t");
        d.services = vec![svc("web"), svc("api"), svc("db")];
        d.services[0].exposure = Exposure::Internet;
        d.segments = vec![
            seg("edge", &["web"]),
            seg("app", &["api"]),
            seg("data", &["db"]),
        ];
        d.rules = vec![
            allow("internet-web", Peer::Internet, Peer::Segment("edge".into())),
            allow(
                "web-api",
                Peer::Segment("edge".into()),
                Peer::Segment("app".into()),
            ),
            allow(
                "api-db",
                Peer::Service("api".into()),
                Peer::Service("db".into()),
            ),
        ];
        d
    }

    #[test]
    fn default_deny_and_rule_allow() {
        let d = design();
        let e = Evaluator::new(&d);
        let r = Request::default();
        let web = Caller::Service("web".into());
        assert!(e.allowed(&web, "api", &r).is_allowed());
        assert_eq!(
            e.allowed(&web, "db", &r),
            Decision::Deny(DenyReason::Default)
        );
        assert!(e.allowed(&Caller::Internet, "web", &r).is_allowed());
        assert_eq!(
            e.allowed(&Caller::Internet, "api", &r),
            Decision::Deny(DenyReason::NotInternetFacing)
        );
    }

    #[test]
    fn deny_overrides_allow_only_when_it_covers() {
        let mut d = design();
        d.rules.push(Rule {
            action: Action::Deny,
            methods: vec!["DELETE".into()],
            ..allow("no-delete", Peer::Any, Peer::Service("db".into()))
        });
        let e = Evaluator::new(&d);
        let api = Caller::Service("api".into());
        let del = Request {
            method: Some("DELETE".into()),
            ..Request::default()
        };
        assert_eq!(
            e.allowed(&api, "db", &del),
            Decision::Deny(DenyReason::DenyRule {
                rule: "no-delete".into()
            })
        );
        // Some request (e.g. GET) is still allowed.
        assert!(e.allowed(&api, "db", &Request::default()).is_allowed());
    }

    #[test]
    fn auth_needs_held_credentials() {
        let mut d = design();
        d.segments[1].policy.auth = Auth::ApiKey { key: "k".into() };
        let e = Evaluator::new(&d);
        let web = Caller::Service("web".into());
        assert!(matches!(
            e.allowed(&web, "api", &Request::default()),
            Decision::Deny(DenyReason::MissingCredential { .. })
        ));
        drop(e);
        d.services[0]
            .credentials
            .push(Credential::ApiKey { key: "k".into() });
        let e = Evaluator::new(&d);
        assert!(e.allowed(&web, "api", &Request::default()).is_allowed());
    }

    #[test]
    fn nested_segments_inherit_rules_and_auth() {
        let mut d = design();
        d.segments.push(Segment {
            parent: Some("app".into()),
            ..seg("app-inner", &["db"])
        });
        d.segments[2].members.clear();
        d.segments[1].policy.auth = Auth::Mtls {
            identities: vec!["web-id".into()],
        };
        d.services[0].identity = Some("web-id".into());
        let e = Evaluator::new(&d);
        // web -> app covers app-inner's db, and app's mTLS requirement is inherited.
        assert!(
            e.allowed(&Caller::Service("web".into()), "db", &Request::default())
                .is_allowed()
        );
        assert_eq!(e.segment_auth("db"), d.segments[1].policy.auth);
    }

    #[test]
    fn path_templates() {
        assert!(path_matches("/accounts/{id}", "/accounts/42"));
        assert!(path_matches("/accounts/{id}", "/accounts/{accountId}"));
        assert!(!path_matches("/accounts/me", "/accounts/{id}"));
        assert!(path_matches("/admin/**", "/admin/users/1"));
        assert!(!path_matches("/accounts", "/accounts/1"));
    }

    /// Regression: an allow rule for `/accounts/me` must match the endpoint template
    /// `/accounts/{id}` (some call to it is allowed); the first evaluator said no, which
    /// under-approximated an attacker's reach.
    #[test]
    fn allow_matches_overlapping_templates_deny_needs_cover() {
        let mut d = design();
        d.rules[2].paths = vec!["/accounts/me".into()];
        let e = Evaluator::new(&d);
        let api = Caller::Service("api".into());
        let req = Request {
            path: Some("/accounts/{id}".into()),
            ..Request::default()
        };
        assert!(e.allowed(&api, "db", &req).is_allowed());
        drop(e);
        d.rules.push(Rule {
            action: Action::Deny,
            paths: vec!["/accounts/me".into()],
            ..allow("deny-me", Peer::Any, Peer::Service("db".into()))
        });
        let e = Evaluator::new(&d);
        // The deny covers only one concrete path of the template: not the whole request.
        assert!(!matches!(
            e.allowed(&api, "db", &req),
            Decision::Deny(DenyReason::DenyRule { .. })
        ));
        assert!(paths_overlap("/a/{x}/c", "/a/b/{y}"));
        assert!(!paths_overlap("/a/b", "/a/c"));
        assert!(paths_overlap("/a/**", "/a/b/c"));
        assert!(!paths_overlap("/a", "/a/b"));
    }

    /// Regression: a request for "any method" (`*`, as endpoints may declare) is not covered by
    /// a deny rule for one method.
    #[test]
    fn deny_one_method_does_not_cover_any_method() {
        let mut d = design();
        d.rules.push(Rule {
            action: Action::Deny,
            methods: vec!["DELETE".into()],
            ..allow("no-delete", Peer::Any, Peer::Service("db".into()))
        });
        let e = Evaluator::new(&d);
        let req = Request {
            method: Some("*".into()),
            ..Request::default()
        };
        assert!(
            e.allowed(&Caller::Service("api".into()), "db", &req)
                .is_allowed()
        );
    }

    fn date(s: &str) -> Date {
        Date::parse(s).expect("a test date")
    }

    /// Regression: an exception past its `expires` date used to keep allowing. Evaluated on a
    /// date, it stops at the end of that day; without a date every rule applies.
    #[test]
    fn expired_allow_rule_stops_allowing() {
        let mut d = design();
        d.rules[2].expires = Some("2026-06-30".into());
        let api = Caller::Service("api".into());
        let r = Request::default();
        assert!(Evaluator::new(&d).allowed(&api, "db", &r).is_allowed());
        let on_the_day = Evaluator::at(&d, date("2026-06-30"));
        assert!(on_the_day.allowed(&api, "db", &r).is_allowed());
        let after = Evaluator::at(&d, date("2026-07-01"));
        assert_eq!(after.date(), Some(date("2026-07-01")));
        assert!(after.rule_expired(2) && !after.rule_expired(1));
        let denied = after.allowed(&api, "db", &r);
        assert_eq!(
            denied,
            Decision::Deny(DenyReason::ExpiredRule {
                rule: "api-db".into(),
                expires: "2026-06-30".into()
            })
        );
        assert_eq!(
            denied.describe(),
            "denied: rule `api-db` would allow it but expired on 2026-06-30"
        );
        // Also without credentials checked (the matrix's and the exporters' question).
        assert!(!after.decide(&api, "db", &r, None).is_allowed());
        let ex = after.explain(&api, "db", &r);
        assert!(ex.grants.is_empty());
        assert_eq!(ex.evaluated_on.as_deref(), Some("2026-07-01"));
        assert_eq!(
            Evaluator::new(&d).explain(&api, "db", &r).evaluated_on,
            None
        );
    }

    #[test]
    fn a_live_rule_still_allows_beside_an_expired_one() {
        let mut d = design();
        d.rules[2].expires = Some("2020-01-01".into());
        d.rules.push(Rule {
            ports: vec![5432],
            ..allow(
                "api-db-pg",
                Peer::Service("api".into()),
                Peer::Service("db".into()),
            )
        });
        let e = Evaluator::at(&d, date("2026-11-28"));
        let api = Caller::Service("api".into());
        let pg = Request {
            port: Some(5432),
            ..Request::default()
        };
        assert!(matches!(
            e.allowed(&api, "db", &pg),
            Decision::Allow { by: AllowedBy::Rule { rule }, .. } if rule == "api-db-pg"
        ));
        // On another port only the expired rule would have matched: that is the reason given,
        // not a near miss on the live rule's port.
        let other = Request {
            port: Some(22),
            ..Request::default()
        };
        assert!(matches!(
            e.allowed(&api, "db", &other),
            Decision::Deny(DenyReason::ExpiredRule { rule, .. }) if rule == "api-db"
        ));
    }

    #[test]
    fn an_expired_rule_that_does_not_match_is_not_the_reason() {
        let mut d = design();
        d.rules[2].expires = Some("2020-01-01".into());
        d.rules[2].ports = vec![5432];
        let e = Evaluator::at(&d, date("2026-11-28"));
        let req = Request {
            port: Some(22),
            ..Request::default()
        };
        assert_eq!(
            e.allowed(&Caller::Service("api".into()), "db", &req),
            Decision::Deny(DenyReason::Default)
        );
    }

    #[test]
    fn missing_credential_on_a_live_rule_beats_an_expired_rule() {
        let mut d = design();
        d.rules[2].expires = Some("2020-01-01".into());
        d.rules.push(Rule {
            auth: Some(Auth::ApiKey {
                key: "db-key".into(),
            }),
            ..allow(
                "api-db-keyed",
                Peer::Service("api".into()),
                Peer::Service("db".into()),
            )
        });
        let e = Evaluator::at(&d, date("2026-11-28"));
        assert!(matches!(
            e.allowed(&Caller::Service("api".into()), "db", &Request::default()),
            Decision::Deny(DenyReason::MissingCredential { rule, .. }) if rule == "api-db-keyed"
        ));
    }

    #[test]
    fn expired_deny_rule_stops_denying() {
        let mut d = design();
        d.rules.push(Rule {
            action: Action::Deny,
            expires: Some("2025-12-31".into()),
            ..allow("freeze-db", Peer::Any, Peer::Service("db".into()))
        });
        let api = Caller::Service("api".into());
        let r = Request::default();
        assert!(matches!(
            Evaluator::at(&d, date("2025-12-31")).allowed(&api, "db", &r),
            Decision::Deny(DenyReason::DenyRule { .. })
        ));
        assert!(
            Evaluator::at(&d, date("2026-01-01"))
                .allowed(&api, "db", &r)
                .is_allowed()
        );
    }

    #[test]
    fn an_expiry_that_is_not_a_date_never_expires() {
        let mut d = design();
        d.rules[2].expires = Some("someday".into());
        let e = Evaluator::at(&d, date("2999-01-01"));
        assert!(!e.rule_expired(2));
        assert!(
            e.allowed(&Caller::Service("api".into()), "db", &Request::default())
                .is_allowed()
        );
    }

    /// `possible_callers` is a superset: a caller outside it gets no grant even for the most
    /// permissive request (every field unset), so the matrix may skip it.
    #[test]
    fn possible_callers_cover_every_grant() {
        let mut designs = vec![design()];
        let mut d = design();
        d.segments[1].policy.intra = IntraStance::Allow;
        d.services.push(svc("api2"));
        d.segments[1].members.push("api2".into());
        d.rules.push(Rule {
            action: Action::Deny,
            ..allow("deny-all-db", Peer::Any, Peer::Service("db".into()))
        });
        designs.push(d);
        for seed in 1..4 {
            designs.push(crate::generate::generate(
                &crate::generate::GenerateOptions {
                    services: 70,
                    peers: 6,
                    seed,
                },
            ));
        }
        for d in &designs {
            let e = Evaluator::new(d);
            let mut callers = vec![Caller::Internet];
            callers.extend(d.services.iter().map(|s| Caller::Service(s.id.clone())));
            for t in 0..d.services.len() {
                let possible = e.possible_callers(t);
                for c in &callers {
                    let listed = match c {
                        Caller::Internet => possible.internet,
                        Caller::Service(id) => possible
                            .services
                            .binary_search(&e.service_index(id).unwrap())
                            .is_ok(),
                    };
                    let granted = e
                        .grants_at(c, t, &Request::default())
                        .is_ok_and(|g| !g.grants.is_empty());
                    assert!(
                        listed || !granted,
                        "{} -> {} is granted but not a possible caller",
                        c.id(),
                        d.services[t].id
                    );
                }
            }
            assert_eq!(
                e.possible_callers(d.services.len()),
                PossibleCallers::default()
            );
        }
    }

    /// By index, the answers are those by id; an index past the services is an unknown
    /// service, not a panic.
    #[test]
    fn by_index_answers_as_by_id() {
        let d = design();
        let e = Evaluator::new(&d);
        let r = Request::default();
        let callers = [None, Some(0), Some(1), Some(2)];
        for c in callers {
            let caller = c.map_or(Caller::Internet, |i| {
                Caller::Service(d.services[i].id.clone())
            });
            for t in 0..d.services.len() {
                let to = &d.services[t].id;
                let p = e.own_presentation(&caller);
                assert_eq!(e.decide_at(c, t, &r, Some(&p)), e.allowed(&caller, to, &r));
                assert_eq!(e.decide_at(c, t, &r, None), e.decide(&caller, to, &r, None));
                assert_eq!(e.grants_by_index(c, t, &r), e.grants(&caller, to, &r));
            }
        }
        assert_eq!(
            e.decide_at(None, 3, &r, None),
            Decision::Deny(DenyReason::UnknownTarget {
                service: "#3".into()
            })
        );
        assert_eq!(
            e.grants_by_index(Some(7), 0, &r),
            Err(DenyReason::UnknownCaller {
                service: "#7".into()
            })
        );
    }

    /// The borrowed verdict is the decision: on generated estates (with L7 requests per
    /// inventoried endpoint, with and without the caller's own credentials), every
    /// [`Evaluator::verdict_at`] equals [`Evaluator::decide_at`]'s decision projected onto
    /// its borrowed form.
    #[test]
    fn verdict_at_is_decide_at_borrowed() {
        /// A decision as the verdict can tell it.
        type Projected = Result<(AllowedBy, Vec<Auth>, Option<RateLimit>), DenyKind>;
        fn project(d: &Decision) -> Projected {
            match d {
                Decision::Allow {
                    by,
                    auth,
                    rate_limit,
                } => Ok((by.clone(), auth.clone(), rate_limit.clone())),
                Decision::Deny(reason) => Err(DenyKind::of(reason)),
            }
        }
        let mut allowed = 0;
        for seed in 0..4 {
            let d = crate::generate::generate(&crate::generate::GenerateOptions {
                services: 30,
                peers: 4,
                seed,
            });
            let e = Evaluator::new(&d);
            let n = d.services.len();
            for c in std::iter::once(None).chain((0..n).map(Some)) {
                let caller = c.map_or(Caller::Internet, |i| {
                    Caller::Service(d.services[i].id.clone())
                });
                let own = e.own_presentation(&caller);
                for t in 0..n {
                    let requests = std::iter::once(Request::default()).chain(
                        d.services[t].endpoints.iter().map(|ep| Request {
                            port: d.services[t].ports.first().map(|p| p.port),
                            method: Some(ep.method.clone()),
                            path: Some(ep.path.clone()),
                        }),
                    );
                    for r in requests {
                        // The borrowed grants are the grants, in order.
                        let owned = e.grants_by_index(c, t, &r).map_or(Vec::new(), |g| g.grants);
                        let borrowed: Vec<Grant> = e
                            .grant_refs_by_index(c, t, &r)
                            .into_iter()
                            .map(GrantRef::to_owned)
                            .collect();
                        assert_eq!(borrowed, owned, "grants {c:?} -> {t}: {r:?}");
                        for presented in [None, Some(&own)] {
                            let decision = e.decide_at(c, t, &r, presented);
                            let verdict: Projected = match e.verdict_at(c, t, &r, presented) {
                                Verdict::Allow {
                                    by,
                                    auth,
                                    rate_limit,
                                } => {
                                    allowed += 1;
                                    let auth = auth.into_iter().flatten().cloned().collect();
                                    Ok((by.to_owned(), auth, rate_limit.cloned()))
                                }
                                Verdict::Deny(kind) => Err(kind),
                            };
                            assert_eq!(verdict, project(&decision), "{c:?} -> {t}: {r:?}");
                        }
                    }
                }
            }
        }
        assert!(allowed > 100, "{allowed} allowed verdicts");
        let d = design();
        let e = Evaluator::new(&d);
        assert_eq!(
            e.verdict_at(Some(9), 0, &Request::default(), None),
            Verdict::Deny(DenyKind::UnknownCaller)
        );
    }

    #[test]
    fn decide_without_credentials_is_the_first_grant() {
        let mut d = design();
        d.rules.push(Rule {
            auth: Some(Auth::ApiKey { key: "k2".into() }),
            ..allow("api-db-2", Peer::Any, Peer::Service("db".into()))
        });
        d.rules[2].auth = Some(Auth::ApiKey { key: "k1".into() });
        let e = Evaluator::new(&d);
        let api = Caller::Service("api".into());
        let g = e.grants(&api, "db", &Request::default()).unwrap();
        assert_eq!(g.grants.len(), 2);
        match e.decide(&api, "db", &Request::default(), None) {
            Decision::Allow { by, auth, .. } => {
                assert_eq!(by, g.grants[0].by);
                assert_eq!(auth, g.grants[0].auth);
            }
            other => panic!("expected allow, got {other:?}"),
        }
        // Holding only the second rule's key picks the second grant.
        let p = Presented {
            identity: None,
            credentials: [Credential::ApiKey { key: "k2".into() }].into(),
        };
        assert!(matches!(
            e.decide(&api, "db", &Request::default(), Some(&p)),
            Decision::Allow { by: AllowedBy::Rule { rule }, .. } if rule == "api-db-2"
        ));
    }
}
