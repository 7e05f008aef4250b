//! Istio security policies (`security.istio.io/v1`).
//!
//! Per namespace an allow-nothing AuthorizationPolicy (default deny), then per service:
//! - an ALLOW AuthorizationPolicy whose rules name each caller by the principal of its workload
//!   identity (`ns/sa` becomes `cluster.local/ns/<ns>/sa/<sa>`), with the port, and for
//!   inventoried endpoints the method and path (Istio 1.22+ path templates `{*}`, `{**}`); a JWT
//!   requirement becomes `requestPrincipals` for the issuer plus a `when` per scope claim;
//! - PeerAuthentication STRICT when its segment requires mTLS;
//! - RequestAuthentication with one `jwtRules` entry per issuer its callers must present.
//!
//! The staged variant marks every AuthorizationPolicy `istio.io/dry-run: "true"` (evaluated and
//! logged, not enforced), adds an AUDIT policy per namespace, and uses PERMISSIVE mTLS.

use std::collections::{BTreeMap, BTreeSet};

use bulkhead_core::eval::Presented;
use bulkhead_core::model::{Auth, RateLimit, Service};

use crate::access::{Access, CallerRef, allowed_by_name, allowed_by_ref_str, allowed_by_str};
use crate::gaps::{Gaps, describe_auth, describe_rate};
use crate::names::prefixed;
use crate::netpol::{selectable, write_head, write_selector};
use crate::yaml::{Writer, push_int, push_json_string};
use crate::{ExportError, Gap, Header, Options, OutputFile, paths};

/// The principal of Istio's default ingress gateway: how internet traffic arrives in the mesh.
pub const INGRESS_PRINCIPAL: &str =
    "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account";

const API: &str = "security.istio.io/v1";

/// The Istio principal of a workload identity.
pub fn principal(identity: &str) -> String {
    if let Some(rest) = identity.strip_prefix("spiffe://") {
        return rest.to_string();
    }
    let parts: Vec<&str> = identity.split('/').collect();
    if parts.len() == 2 && parts.iter().all(|p| !p.is_empty()) {
        format!("cluster.local/ns/{}/sa/{}", parts[0], parts[1])
    } else {
        identity.to_string()
    }
}

pub fn render<'d>(
    access: &Access<'d>,
    header: &Header<'_>,
    options: &Options,
) -> Result<(Vec<OutputFile>, Vec<Gap>), ExportError> {
    let staged = options.staged;
    let mut gaps = Gaps::new(access);
    // Each namespace's documents after its default deny, streamed as YAML text.
    let mut per_ns: BTreeMap<&'d str, String> = BTreeMap::new();
    for &i in &access.order {
        if let Some((ns, _)) = selectable(access.service(i)) {
            per_ns.entry(ns).or_default();
        }
    }
    // Each service's principal, once (a service calls many targets).
    let principals: Vec<Option<String>> = access
        .design
        .services
        .iter()
        .map(|s| s.identity.as_deref().map(principal))
        .collect();
    // The same for every internet-facing service: formatted once.
    let internet_gap = format!(
        "calls from the internet are matched as coming through Istio's ingress gateway (principal `{INGRESS_PRINCIPAL}`); change it if your gateway runs under another identity"
    );
    // Reused for every grouping key.
    let mut key = String::new();
    let mut op_json = String::new();

    for &t in &access.order {
        let target = access.service(t);
        let grants = &access.inbound[t];
        let Some((ns, labels)) = selectable(target) else {
            for g in grants {
                for p in &g.ports {
                    gaps.add(
                        allowed_by_name(&p.by),
                        format!(
                            "service `{}` has no namespace or pod labels, so no Istio policy selects it; the calls this rule allows to it are not expressed here",
                            target.id
                        ),
                    );
                }
            }
            continue;
        };
        let body = per_ns.entry(ns).or_default();

        // PeerAuthentication: STRICT where the segment requires mTLS.
        if let Auth::Mtls { .. } = access.eval.segment_auth(&target.id) {
            let seg = access.eval.segment_of(&target.id).unwrap_or_default();
            body.push_str("---\n");
            let mut w = Writer::doc_map(body);
            let name = prefixed("bh-mtls-", &target.id);
            write_meta(
                &mut w,
                "PeerAuthentication",
                &name,
                ns,
                target,
                Some(("bulkhead.dev/segment", seg)),
                false,
            );
            w.map("spec");
            write_selector(&mut w, "selector", labels);
            w.map("mtls");
            w.str("mode", if staged { "PERMISSIVE" } else { "STRICT" });
            w.finish();
        }

        // Each endpoint's method and Istio paths, once per service (many callers list them).
        let ops_of: Vec<(String, Vec<String>)> = target
            .endpoints
            .iter()
            .map(|e| (e.method.to_ascii_uppercase(), paths::istio(&e.path)))
            .collect();
        // (source, when, operation) -> principals, keyed by the JSON of the three (the order
        // the rules are written in); rules used; JWT issuers needed.
        let mut rules: BTreeMap<String, RuleDraft<'_>> = BTreeMap::new();
        let mut used: BTreeSet<String> = BTreeSet::new();
        let mut issuers: BTreeSet<String> = BTreeSet::new();
        for g in grants {
            let principal_of_caller: &str = match g.caller {
                CallerRef::Internet => {
                    for p in &g.ports {
                        gaps.add(allowed_by_str(&p.by), &internet_gap);
                    }
                    INGRESS_PRINCIPAL
                }
                CallerRef::Service(c) => match &principals[c] {
                    Some(p) => p,
                    None => {
                        for p in &g.ports {
                            gaps.add(
                                allowed_by_name(&p.by),
                                format!(
                                    "caller `{}` has no workload identity, so Istio cannot tell it apart; its calls to `{}` are not allowed here",
                                    access.service(c).id, target.id
                                ),
                            );
                        }
                        continue;
                    }
                },
            };
            let identity = match g.caller {
                CallerRef::Service(c) => access.service(c).identity.as_deref(),
                CallerRef::Internet => None,
            };
            let mut caller = CallerOps {
                gaps: &mut gaps,
                rules: &mut rules,
                used: &mut used,
                issuers: &mut issuers,
                key: &mut key,
                op_json: &mut op_json,
                access,
                caller: g.caller,
                identity,
                principal: principal_of_caller,
            };
            for p in &g.ports {
                let port = p.port.map(|p| p.port);
                if target.endpoints.is_empty() {
                    let rule = allowed_by_name(&p.by);
                    let op = Op {
                        port,
                        method: None,
                        paths: &[],
                    };
                    let alts =
                        std::iter::once(p.auth.iter()).chain(p.also.iter().map(|g| g.auth.iter()));
                    caller.add(op, &rule, alts, p.rate_limit.as_ref());
                    if let Some(r) = access.rule(&rule)
                        && (!r.methods.is_empty() || !r.paths.is_empty())
                    {
                        caller.gaps.add(
                            &r.id,
                            format!("`{}` has no inventoried endpoints, so the rule's methods and paths are not enforced (port-level allow); import its API spec to get L7 rules", target.id),
                        );
                    }
                } else {
                    let eps = access.endpoint_grant_refs(g.caller, t, port);
                    if eps.is_empty() {
                        caller.gaps.add(
                            allowed_by_name(&p.by),
                            format!(
                                "it allows `{}` to reach `{}` at L4, but none of `{}`'s inventoried endpoints; with L7 rules that call is not expressed",
                                access.caller_id(g.caller), target.id, target.id
                            ),
                        );
                    }
                    for (index, grants) in &eps {
                        let (m, paths) = &ops_of[*index];
                        let op = Op {
                            port,
                            method: (m != "*").then_some(m.as_str()),
                            paths,
                        };
                        // The first grant decides; a caller may satisfy a later one's auth.
                        let first = grants[0];
                        let alts = grants.iter().map(|g| g.auth.into_iter().flatten());
                        caller.add(op, &allowed_by_ref_str(first.by), alts, first.rate_limit);
                    }
                }
            }
        }

        // Merge rules that differ only by operation into one rule per (source, when,
        // principals), keyed (and so ordered) by the JSON of the three. Within a group the
        // operations are distinct: `rules` had one entry per (source, when, operation).
        let mut merged: BTreeMap<String, Merged<'_>> = BTreeMap::new();
        for draft in rules.into_values() {
            key.clear();
            key.push('[');
            source_json(&mut key, &draft.request_principals);
            key.push(',');
            if draft.scopes.is_empty() {
                key.push_str("null");
            } else {
                when_json(&mut key, &draft.scopes);
            }
            key.push(',');
            string_list_json(&mut key, draft.principals.iter());
            key.push(']');
            match merged.get_mut(key.as_str()) {
                Some(slot) => slot.to.push(draft.op),
                None => {
                    merged.insert(
                        key.clone(),
                        Merged {
                            request_principals: draft.request_principals,
                            scopes: draft.scopes,
                            principals: draft.principals,
                            to: vec![draft.op],
                        },
                    );
                }
            }
        }
        if !merged.is_empty() {
            body.push_str("---\n");
            let mut w = Writer::doc_map(body);
            let name = prefixed("bh-allow-", &target.id);
            let used = used.into_iter().collect::<Vec<_>>().join(", ");
            write_meta(
                &mut w,
                "AuthorizationPolicy",
                &name,
                ns,
                target,
                Some(("bulkhead.dev/allowed-by", &used)),
                staged,
            );
            w.map("spec");
            write_selector(&mut w, "selector", labels);
            w.str("action", "ALLOW");
            w.seq("rules");
            let mut number = String::new();
            for r in merged.values() {
                w.item_map();
                w.seq("from");
                w.item_map();
                w.map("source");
                if !r.request_principals.is_empty() {
                    w.str_seq("requestPrincipals", &r.request_principals);
                }
                w.str_seq("principals", &r.principals);
                w.end();
                w.end();
                w.end();
                w.seq("to");
                for op in &r.to {
                    w.item_map();
                    w.map("operation");
                    if let Some(port) = op.port {
                        number.clear();
                        push_int(&mut number, u64::from(port));
                        w.seq("ports");
                        w.item_str(&number);
                        w.end();
                    }
                    if let Some(m) = &op.method {
                        w.str_seq("methods", [m]);
                    }
                    if !op.paths.is_empty() {
                        w.str_seq("paths", op.paths);
                    }
                    w.end();
                    w.end();
                }
                w.end();
                if !r.scopes.is_empty() {
                    w.seq("when");
                    for s in &r.scopes {
                        w.item_map();
                        w.str("key", SCOPE_CLAIM);
                        w.str_seq("values", [s]);
                        w.end();
                    }
                    w.end();
                }
                w.end();
            }
            w.finish();
        }
        if !issuers.is_empty() {
            body.push_str("---\n");
            let mut w = Writer::doc_map(body);
            let name = prefixed("bh-jwt-", &target.id);
            write_meta(
                &mut w,
                "RequestAuthentication",
                &name,
                ns,
                target,
                None,
                false,
            );
            w.map("spec");
            write_selector(&mut w, "selector", labels);
            w.seq("jwtRules");
            for i in &issuers {
                w.item_map();
                w.str("issuer", i);
                w.bool("forwardOriginalToken", true);
                w.end();
            }
            w.finish();
        }
    }

    let gaps = gaps.into_vec();
    let ns_head = header.render_pointer("#", &gaps, "kustomization.yaml");
    let mut files = Vec::new();
    let resources: Vec<String> = per_ns.keys().map(|ns| format!("{ns}.yaml")).collect();
    for (ns, body) in per_ns {
        let mut contents = String::with_capacity(ns_head.len() + body.len() + 512);
        contents.push_str(&ns_head);
        contents.push_str("---\n");
        let mut w = Writer::doc_map(&mut contents);
        let dry_run: &[(&str, &str)] = if staged {
            &[("istio.io/dry-run", "true")]
        } else {
            &[]
        };
        write_head(
            &mut w,
            API,
            "AuthorizationPolicy",
            "bh-default-deny",
            ns,
            dry_run,
        );
        w.map("spec");
        w.finish();
        if staged {
            contents.push_str("---\n");
            let mut w = Writer::doc_map(&mut contents);
            write_head(&mut w, API, "AuthorizationPolicy", "bh-audit", ns, &[]);
            w.map("spec");
            w.str("action", "AUDIT");
            w.seq("rules");
            w.item_map();
            w.finish();
        }
        contents.push_str(&body);
        files.push(OutputFile {
            path: format!("{ns}.yaml"),
            contents,
        });
    }
    files.push(header.kustomization(&gaps, resources));
    Ok((files, gaps))
}

/// The claim each JWT scope is checked against.
const SCOPE_CLAIM: &str = "request.auth.claims[scope]";

/// `apiVersion`, `kind` and `metadata` of a per-service object: name, namespace, the
/// managed-by label, and the annotations (the service, one more if given, Istio's dry-run
/// flag if asked).
fn write_meta(
    w: &mut Writer<'_>,
    kind: &str,
    name: &str,
    ns: &str,
    svc: &Service,
    extra: Option<(&str, &str)>,
    dry_run: bool,
) {
    let mut annotations = vec![("bulkhead.dev/service", svc.id.as_str())];
    annotations.extend(extra);
    if dry_run {
        annotations.push(("istio.io/dry-run", "true"));
    }
    write_head(w, API, kind, name, ns, &annotations);
}

/// One allowed operation: the port, the method (none for any), the path templates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Op<'a> {
    port: Option<u32>,
    method: Option<&'a str>,
    paths: &'a [String],
}

impl Op<'_> {
    /// The operation as the JSON the rules are ordered by.
    fn push_json(&self, out: &mut String) {
        out.push('{');
        let mut sep = "";
        if let Some(port) = self.port {
            out.push_str("\"ports\":[\"");
            push_int(out, u64::from(port));
            out.push_str("\"]");
            sep = ",";
        }
        if let Some(m) = &self.method {
            out.push_str(sep);
            out.push_str("\"methods\":");
            string_list_json(out, [m]);
            sep = ",";
        }
        if !self.paths.is_empty() {
            out.push_str(sep);
            out.push_str("\"paths\":");
            string_list_json(out, self.paths);
        }
        out.push('}');
    }
}

/// `["a","b"]`.
fn string_list_json<S: AsRef<str>>(out: &mut String, items: impl IntoIterator<Item = S>) {
    out.push('[');
    for (i, s) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(out, s.as_ref());
    }
    out.push(']');
}

/// A rule's `source` before its principals: `{"requestPrincipals":[...]}` or `{}`.
fn source_json(out: &mut String, request_principals: &[String]) {
    if request_principals.is_empty() {
        out.push_str("{}");
    } else {
        out.push_str("{\"requestPrincipals\":");
        string_list_json(out, request_principals);
        out.push('}');
    }
}

/// A rule's `when`: one scope claim condition per scope.
fn when_json(out: &mut String, scopes: &[String]) {
    out.push('[');
    for (i, s) in scopes.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"key\":");
        push_json_string(out, SCOPE_CLAIM);
        out.push_str(",\"values\":");
        string_list_json(out, [s]);
        out.push('}');
    }
    out.push(']');
}

/// One AuthorizationPolicy rule being assembled: who (request principals, scopes, principals)
/// may do one operation.
struct RuleDraft<'a> {
    request_principals: Vec<String>,
    scopes: Vec<String>,
    principals: BTreeSet<String>,
    op: Op<'a>,
}

/// Rules merged by who may call: their operations.
struct Merged<'a> {
    request_principals: Vec<String>,
    scopes: Vec<String>,
    principals: BTreeSet<String>,
    to: Vec<Op<'a>>,
}

/// Everything one caller's operations on one service are added to.
struct CallerOps<'a, 'd, 'o> {
    gaps: &'a mut Gaps,
    rules: &'a mut BTreeMap<String, RuleDraft<'o>>,
    used: &'a mut BTreeSet<String>,
    issuers: &'a mut BTreeSet<String>,
    key: &'a mut String,
    op_json: &'a mut String,
    access: &'a Access<'d>,
    caller: CallerRef,
    identity: Option<&'d str>,
    principal: &'a str,
}

impl<'o> CallerOps<'_, '_, 'o> {
    /// Adds one allowed operation, once per distinct auth alternative (any one suffices) the
    /// caller can satisfy.
    fn add<'x, A: Iterator<Item = &'x Auth> + Clone>(
        &mut self,
        op: Op<'o>,
        rule: &str,
        alts: impl Iterator<Item = A>,
        rate: Option<&RateLimit>,
    ) {
        if let Some(rl) = rate.filter(|rl| self.gaps.once((rule, "istio-rate", *rl))) {
            self.gaps.add(rule, format!("rate limit {} is not enforced: Istio authorization has no rate limits; enforce it with kong or nginx", describe_rate(rl)));
        }
        let mut any = false;
        let mut seen: Vec<A> = Vec::new();
        self.op_json.clear();
        op.push_json(self.op_json);
        for auth in alts {
            if seen.iter().any(|s| s.clone().eq(auth.clone())) {
                continue;
            }
            seen.push(auth.clone());
            let Some((request_principals, scopes)) =
                translate(self.gaps, rule, auth, self.identity, self.issuers)
            else {
                continue;
            };
            any = true;
            self.key.clear();
            self.key.push('[');
            source_json(self.key, &request_principals);
            self.key.push(',');
            when_json(self.key, &scopes);
            self.key.push(',');
            self.key.push_str(self.op_json);
            self.key.push(']');
            match self.rules.get_mut(self.key.as_str()) {
                Some(slot) => {
                    if !slot.principals.contains(self.principal) {
                        slot.principals.insert(self.principal.to_string());
                    }
                }
                None => {
                    self.rules.insert(
                        self.key.clone(),
                        RuleDraft {
                            request_principals,
                            scopes,
                            principals: BTreeSet::from([self.principal.to_string()]),
                            op,
                        },
                    );
                }
            }
            if !self.used.contains(rule) {
                self.used.insert(rule.to_string());
            }
        }
        if !any {
            self.gaps.add(
                rule,
                format!(
                    "`{}` allows `{}` only with an mTLS identity it does not have (`{}`), so Istio never lets that call through",
                    rule,
                    self.access.caller_id(self.caller),
                    self.identity.unwrap_or_default()
                ),
            );
        }
    }
}

/// One auth alternative as Istio conditions: request principals and the scopes a `when`
/// checks. `None` when the caller can never satisfy it (an mTLS identity list without its
/// identity).
fn translate<'x>(
    gaps: &mut Gaps,
    rule: &str,
    auth: impl Iterator<Item = &'x Auth>,
    identity: Option<&str>,
    issuers: &mut BTreeSet<String>,
) -> Option<(Vec<String>, Vec<String>)> {
    let mut request_principals = Vec::new();
    let mut scopes_needed = Vec::new();
    for a in auth {
        match a {
            Auth::None => {}
            Auth::Mtls { .. } => {
                let p = Presented {
                    identity: identity.map(str::to_string),
                    ..Presented::default()
                };
                if !p.satisfies(a) {
                    return None;
                }
            }
            Auth::Jwt { issuer, scopes } => {
                if !issuers.contains(issuer) {
                    issuers.insert(issuer.clone());
                }
                request_principals.push(format!("{issuer}/*"));
                scopes_needed.extend(scopes.iter().cloned());
            }
            Auth::ApiKey { .. } if gaps.once((rule, "istio-key", a)) => gaps.add(
                rule,
                format!(
                    "the calls it allows require {}, which Istio cannot check; enforce it with kong or nginx",
                    describe_auth(a)
                ),
            ),
            Auth::ApiKey { .. } => {}
        }
    }
    Some((request_principals, scopes_needed))
}
