//! The evaluator: `allowed(A → B, request)`, the one decision every other part of Bulkhead
//! (simulation, findings, exporters' proofs, the app) is built on.
//!
//! Semantics (see `docs/semantics.md`):
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
//! never under-approximates what an attacker can reach.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::model::{
    Action, Auth, Credential, Design, Exposure, IntraStance, Peer, RateLimit, Rule,
};

/// Who is calling.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Request {
    pub port: Option<u32>,
    pub method: Option<String>,
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
            Auth::ApiKey { key } => self
                .credentials
                .iter()
                .any(|c| matches!(c, Credential::ApiKey { key: k } if k == key)),
            Auth::Jwt { issuer, scopes } => self.credentials.iter().any(|c| match c {
                Credential::Jwt {
                    issuer: i,
                    scopes: held,
                } => i == issuer && scopes.iter().all(|s| held.contains(s)),
                Credential::ApiKey { .. } => false,
            }),
            Auth::Mtls { identities } => match &self.identity {
                Some(id) => identities.iter().any(|a| a == "*" || a == id),
                None => false,
            },
        }
    }
}

/// Why a call was allowed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum AllowedBy {
    /// An explicit allow rule.
    Rule { rule: String },
    /// Both services are in the same segment, whose intra-segment stance is `allow`.
    IntraSegment { segment: String },
}

/// Why a call was denied.
#[derive(Clone, Debug, PartialEq, Serialize)]
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
    MissingCredential { rule: String, required: Auth },
    /// Nothing allows it: the default is deny.
    Default,
}

/// A rule that would have allowed the caller to the target but for one request field.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NearMiss {
    pub rule: String,
    /// `port`, `method` or `path`.
    pub mismatch: &'static str,
}

/// The evaluator's answer, always with its explanation.
#[derive(Clone, Debug, PartialEq, Serialize)]
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
}

impl<'d> Evaluator<'d> {
    pub fn new(design: &'d Design) -> Self {
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
        Evaluator {
            design,
            service_index,
            leaf,
            chain,
            segment_index,
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
        self.leaf[i].map(|s| self.design.segments[s].id.as_str())
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

    fn peer_matches_caller(&self, peer: &Peer, caller: &Caller) -> bool {
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

    fn peer_matches_target(&self, peer: &Peer, target: usize) -> bool {
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
        self.inherited(target, |seg| {
            (seg.policy.auth != Auth::None).then(|| seg.policy.auth.clone())
        })
        .unwrap_or_default()
    }

    /// The rate limit the target's segment sets, inherited like auth.
    pub fn segment_rate_limit(&self, target: &str) -> Option<RateLimit> {
        self.inherited(target, |seg| seg.policy.rate_limit.clone())
    }

    fn inherited<T>(
        &self,
        target: &str,
        pick: impl Fn(&crate::model::Segment) -> Option<T>,
    ) -> Option<T> {
        let i = self.service_index(target)?;
        let leaf = self.leaf[i]?;
        self.chain[leaf]
            .iter()
            .find_map(|&s| pick(&self.design.segments[s]))
    }

    /// What a service presents when it calls with only what it holds itself.
    pub fn own_presentation(&self, caller: &Caller) -> Presented {
        match caller {
            Caller::Internet => Presented::default(),
            Caller::Service(id) => match self.design.service(id) {
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

    /// Decide one call. With `presented == None`, credentials are not checked: the answer is
    /// whether the design allows the pair at all for a caller that presents what is required
    /// (the `auth` field of the decision says what that is).
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
        if let Caller::Service(c) = caller
            && self.service_index(c).is_none()
        {
            return Decision::Deny(DenyReason::UnknownCaller { service: c.clone() });
        }
        let target_svc = &self.design.services[t];
        if *caller == Caller::Internet && target_svc.exposure != Exposure::Internet {
            return Decision::Deny(DenyReason::NotInternetFacing);
        }

        let between: Vec<&Rule> = self
            .design
            .rules
            .iter()
            .filter(|r| {
                self.peer_matches_caller(&r.from, caller) && self.peer_matches_target(&r.to, t)
            })
            .collect();

        // 1. Deny rules that cover the whole request.
        if let Some(r) = between
            .iter()
            .find(|r| r.action == Action::Deny && covers(r, req))
        {
            return Decision::Deny(DenyReason::DenyRule { rule: r.id.clone() });
        }

        let seg_auth = self.segment_auth(target);
        let seg_rate = self.segment_rate_limit(target);
        let required = |rule_auth: Option<&Auth>| -> Vec<Auth> {
            let mut out = Vec::new();
            if let Some(a) = rule_auth
                && *a != Auth::None
            {
                out.push(a.clone());
            }
            if seg_auth != Auth::None && !out.contains(&seg_auth) {
                out.push(seg_auth.clone());
            }
            out
        };
        let satisfied =
            |auth: &[Auth]| presented.is_none_or(|p| auth.iter().all(|a| p.satisfies(a)));

        // 2. Allow rules.
        let mut first_missing: Option<(String, Auth)> = None;
        let mut near_misses = Vec::new();
        for r in between.iter().filter(|r| r.action == Action::Allow) {
            if let Some(mismatch) = mismatch(r, req) {
                near_misses.push(NearMiss {
                    rule: r.id.clone(),
                    mismatch,
                });
                continue;
            }
            let auth = required(r.auth.as_ref());
            if satisfied(&auth) {
                return Decision::Allow {
                    by: AllowedBy::Rule { rule: r.id.clone() },
                    auth,
                    rate_limit: r.rate_limit.clone().or_else(|| seg_rate.clone()),
                };
            }
            if first_missing.is_none() {
                let p = presented.cloned().unwrap_or_default();
                let missing = auth
                    .into_iter()
                    .find(|a| !p.satisfies(a))
                    .unwrap_or_default();
                first_missing = Some((r.id.clone(), missing));
            }
        }

        // 3. The implicit intra-segment allow.
        if let Caller::Service(c) = caller
            && let (Some(ci), Some(tl)) = (self.service_index(c), self.leaf[t])
            && self.leaf[ci] == Some(tl)
            && self.design.segments[tl].policy.intra == IntraStance::Allow
        {
            let auth = required(None);
            if satisfied(&auth) {
                return Decision::Allow {
                    by: AllowedBy::IntraSegment {
                        segment: self.design.segments[tl].id.clone(),
                    },
                    auth,
                    rate_limit: seg_rate,
                };
            }
            if first_missing.is_none() {
                let p = presented.cloned().unwrap_or_default();
                let missing = auth
                    .into_iter()
                    .find(|a| !p.satisfies(a))
                    .unwrap_or_default();
                first_missing = Some((
                    format!("intra-segment:{}", self.design.segments[tl].id),
                    missing,
                ));
            }
        }

        if let Some((rule, required)) = first_missing {
            return Decision::Deny(DenyReason::MissingCredential { rule, required });
        }
        if !near_misses.is_empty() {
            return Decision::Deny(DenyReason::NoMatchingRule { near_misses });
        }
        Decision::Deny(DenyReason::Default)
    }
}

/// The first request field an allow rule does not match, if any. Unset request fields match.
fn mismatch(rule: &Rule, req: &Request) -> Option<&'static str> {
    if let Some(p) = req.port
        && !rule.ports.is_empty()
        && !rule.ports.contains(&p)
    {
        return Some("port");
    }
    if let Some(m) = &req.method
        && !rule.methods.is_empty()
        && !rule.methods.iter().any(|rm| method_matches(rm, m))
    {
        return Some("method");
    }
    if let Some(path) = &req.path
        && !rule.paths.is_empty()
        && !rule.paths.iter().any(|t| path_matches(t, path))
    {
        return Some("path");
    }
    None
}

/// Does a (deny) rule cover every call the request could be? A restricted field covers an
/// unset request field only if... never: the unset field could take a value outside it.
fn covers(rule: &Rule, req: &Request) -> bool {
    let field = |restricted: bool, given: bool| !restricted || given;
    field(!rule.ports.is_empty(), req.port.is_some())
        && field(!rule.methods.is_empty(), req.method.is_some())
        && field(!rule.paths.is_empty(), req.path.is_some())
        && mismatch(rule, req).is_none()
}

/// `*` matches any method; otherwise case-insensitive equality.
pub fn method_matches(pattern: &str, method: &str) -> bool {
    pattern == "*" || method == "*" || pattern.eq_ignore_ascii_case(method)
}

/// Does the path template `pattern` match `path`? `path` may itself be a template (an
/// endpoint's), in which case a `{param}` segment in it is matched only by a `{param}` or a
/// trailing `/**` in the pattern.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let pat: Vec<&str> = pattern.trim_matches('/').split('/').collect();
    let got: Vec<&str> = path.trim_matches('/').split('/').collect();
    let is_param = |s: &str| s.starts_with('{') && s.ends_with('}');
    for (i, p) in pat.iter().enumerate() {
        if *p == "**" && i == pat.len() - 1 {
            return true;
        }
        let Some(g) = got.get(i) else {
            return false;
        };
        if is_param(p) || *p == "*" {
            continue;
        }
        if p != g {
            return false;
        }
    }
    pat.len() == got.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

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
}
