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
use bulkhead_core::model::{Auth, Service};

use crate::access::{Access, CallerRef, allowed_by_name};
use crate::gaps::{Gaps, describe_auth, describe_rate};
use crate::names::prefixed;
use crate::netpol::{labels_value, managed, selectable};
use crate::yaml::{Node, push_yaml, to_yaml};
use crate::{ExportError, Gap, Header, Options, OutputFile, paths};
use crate::{obj, seq};

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
    let mut per_ns: BTreeMap<String, Vec<Node<'d>>> = BTreeMap::new();
    for &i in &access.order {
        if let Some((ns, _)) = selectable(access.service(i)) {
            per_ns.entry(ns.to_string()).or_default();
        }
    }
    // `dry_run`: whether the object takes Istio's dry-run annotation (only authorization
    // policies do, and only in the staged variant).
    let meta = |name: String,
                ns: &'d str,
                svc: &'d Service,
                extra: Vec<(&'static str, String)>,
                dry_run: bool| {
        let mut annotations = vec![("bulkhead.dev/service".into(), Node::from(&svc.id))];
        for (k, v) in extra {
            annotations.push((k.into(), Node::from(v)));
        }
        if dry_run && staged {
            annotations.push(("istio.io/dry-run".into(), Node::from("true")));
        }
        obj!({"name": name, "namespace": ns, "labels": managed(), "annotations": Node::Map(annotations)})
    };

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
        let selector = obj!({"matchLabels": labels_value(labels)});
        let mut docs = Vec::new();

        // PeerAuthentication: STRICT where the segment requires mTLS.
        if let Auth::Mtls { .. } = access.eval.segment_auth(&target.id) {
            let seg = access.eval.segment_of(&target.id).unwrap_or_default();
            let m = meta(
                prefixed("bh-mtls-", &target.id),
                ns,
                target,
                vec![("bulkhead.dev/segment", seg.to_string())],
                false,
            );
            docs.push(obj!({
                "apiVersion": API,
                "kind": "PeerAuthentication",
                "metadata": m,
                "spec": obj!({"selector": selector.clone(), "mtls": obj!({"mode": if staged { "PERMISSIVE" } else { "STRICT" }})}),
            }));
        }

        // (from, when) -> operations; rules used; JWT issuers needed.
        let mut rules: BTreeMap<String, RuleDraft<'d>> = BTreeMap::new();
        let mut used = BTreeSet::new();
        let mut issuers = BTreeSet::new();
        for g in grants {
            let principal_of_caller = match g.caller {
                CallerRef::Internet => {
                    for p in &g.ports {
                        gaps.add(
                            allowed_by_name(&p.by),
                            format!("calls from the internet are matched as coming through Istio's ingress gateway (principal `{INGRESS_PRINCIPAL}`); change it if your gateway runs under another identity"),
                        );
                    }
                    INGRESS_PRINCIPAL.to_string()
                }
                CallerRef::Service(c) => match &access.service(c).identity {
                    Some(id) => principal(id),
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
                CallerRef::Service(c) => access.service(c).identity.clone(),
                CallerRef::Internet => None,
            };
            for p in &g.ports {
                let port = p.port.map(|p| p.port.to_string());
                // Operations with the auth alternatives that allow them.
                let mut ops: Vec<Operation<'d>> = Vec::new();
                if target.endpoints.is_empty() {
                    let mut op = Node::map();
                    if let Some(port) = &port {
                        op.insert("ports", seq![port.clone()]);
                    }
                    let alts = std::iter::once(p.auth.clone())
                        .chain(p.also.iter().map(|g| g.auth.clone()))
                        .collect();
                    ops.push(Operation {
                        op,
                        rule: allowed_by_name(&p.by),
                        alts,
                        rate: p.rate_limit.clone(),
                    });
                    if let Some(r) = access.rule(&allowed_by_name(&p.by))
                        && (!r.methods.is_empty() || !r.paths.is_empty())
                    {
                        gaps.add(
                            &r.id,
                            format!("`{}` has no inventoried endpoints, so the rule's methods and paths are not enforced (port-level allow); import its API spec to get L7 rules", target.id),
                        );
                    }
                } else {
                    let eps = access.endpoint_grants(g.caller, t, p.port.map(|p| p.port));
                    if eps.is_empty() {
                        gaps.add(
                            allowed_by_name(&p.by),
                            format!(
                                "it allows `{}` to reach `{}` at L4, but none of `{}`'s inventoried endpoints; with L7 rules that call is not expressed",
                                access.caller_id(g.caller), target.id, target.id
                            ),
                        );
                    }
                    for e in eps {
                        let mut op = Node::map();
                        if let Some(port) = &port {
                            op.insert("ports", seq![port.clone()]);
                        }
                        let m = e.endpoint.method.to_ascii_uppercase();
                        if m != "*" {
                            op.insert("methods", seq![m]);
                        }
                        op.insert("paths", paths::istio(&e.endpoint.path));
                        let alts = std::iter::once(e.auth.clone())
                            .chain(e.also.iter().map(|g| g.auth.clone()))
                            .collect();
                        ops.push(Operation {
                            op,
                            rule: allowed_by_name(&e.by),
                            alts,
                            rate: e.rate_limit.clone(),
                        });
                    }
                }
                for Operation {
                    op,
                    rule,
                    alts,
                    rate,
                } in ops
                {
                    if let Some(rl) = rate
                        .as_ref()
                        .filter(|rl| gaps.once((&rule, "istio-rate", *rl)))
                    {
                        gaps.add(&rule, format!("rate limit {} is not enforced: Istio authorization has no rate limits; enforce it with kong or nginx", describe_rate(rl)));
                    }
                    let mut any = false;
                    let mut seen = BTreeSet::new();
                    let op_json = op.to_json();
                    for auth in alts {
                        if !seen.insert(format!("{auth:?}")) {
                            continue;
                        }
                        let Some((request_principals, when)) =
                            translate(&mut gaps, &rule, &auth, identity.as_deref(), &mut issuers)
                        else {
                            continue;
                        };
                        any = true;
                        let mut source = Node::map();
                        if !request_principals.is_empty() {
                            source.insert("requestPrincipals", request_principals);
                        }
                        let when = Node::Seq(when);
                        // The order of rules: as serde_json wrote the tuple before.
                        let key = format!("[{},{},{op_json}]", source.to_json(), when.to_json());
                        let slot = rules.entry(key).or_insert_with(|| RuleDraft {
                            source,
                            when: if when.is_empty_collection() {
                                None
                            } else {
                                Some(when)
                            },
                            principals: BTreeSet::new(),
                            to: vec![op.clone()],
                        });
                        slot.principals.insert(principal_of_caller.clone());
                        used.insert(rule.clone());
                    }
                    if !any {
                        gaps.add(
                            &rule,
                            format!(
                                "`{}` allows `{}` only with an mTLS identity it does not have (`{}`), so Istio never lets that call through",
                                rule, access.caller_id(g.caller), identity.clone().unwrap_or_default()
                            ),
                        );
                    }
                }
            }
        }

        // Merge rules that differ only by principal set into one rule per (source, when, principals).
        let mut merged: BTreeMap<String, RuleDraft<'d>> = BTreeMap::new();
        for draft in rules.into_values() {
            let key = format!(
                "[{},{},{}]",
                draft.source.to_json(),
                draft
                    .when
                    .as_ref()
                    .map_or_else(|| "null".into(), Node::to_json),
                Node::from(draft.principals.iter().collect::<Vec<_>>()).to_json()
            );
            let slot = merged.entry(key).or_insert_with(|| RuleDraft {
                to: Vec::new(),
                ..draft.clone()
            });
            for op in draft.to {
                let op = obj!({"operation": op});
                if !slot.to.contains(&op) {
                    slot.to.push(op);
                }
            }
        }
        if !merged.is_empty() {
            let rules: Vec<Node<'d>> = merged
                .into_values()
                .map(
                    |RuleDraft {
                         mut source,
                         principals,
                         when,
                         to,
                     }| {
                        source.insert("principals", principals.into_iter().collect::<Vec<_>>());
                        let mut r = obj!({
                            "from": vec![obj!({"source": source})],
                            "to": to,
                        });
                        if let Some(w) = when {
                            r.insert("when", w);
                        }
                        r
                    },
                )
                .collect();
            docs.push(obj!({
                "apiVersion": API,
                "kind": "AuthorizationPolicy",
                "metadata": meta(prefixed("bh-allow-", &target.id), ns, target, vec![("bulkhead.dev/allowed-by", used.into_iter().collect::<Vec<_>>().join(", "))], true),
                "spec": obj!({"selector": selector.clone(), "action": "ALLOW", "rules": rules})
            }));
        }
        if !issuers.is_empty() {
            let m = meta(
                prefixed("bh-jwt-", &target.id),
                ns,
                target,
                Vec::new(),
                false,
            );
            docs.push(obj!({
                "apiVersion": API,
                "kind": "RequestAuthentication",
                "metadata": m,
                "spec": obj!({
                    "selector": selector.clone(),
                    "jwtRules": issuers.into_iter().map(|i| obj!({"issuer": i, "forwardOriginalToken": true})).collect::<Vec<_>>(),
                }),
            }));
        }
        per_ns.entry(ns.to_string()).or_default().extend(docs);
    }

    let gaps = gaps.into_vec();
    let head = header.render("#", &gaps);
    let ns_head = header.render_pointer("#", &gaps, "kustomization.yaml");
    let mut files = Vec::new();
    let resources: Vec<String> = per_ns.keys().map(|ns| format!("{ns}.yaml")).collect();
    for (ns, docs) in per_ns {
        let mut contents = ns_head.clone();
        let mut deny_meta =
            obj!({"name": "bh-default-deny", "namespace": ns.as_str(), "labels": managed()});
        if staged {
            deny_meta.insert("annotations", obj!({"istio.io/dry-run": "true"}));
        }
        let mut all = vec![obj!({
            "apiVersion": API,
            "kind": "AuthorizationPolicy",
            "metadata": deny_meta,
            "spec": Node::map(),
        })];
        if staged {
            all.push(obj!({
                "apiVersion": API,
                "kind": "AuthorizationPolicy",
                "metadata": obj!({"name": "bh-audit", "namespace": ns.as_str(), "labels": managed()}),
                "spec": obj!({"action": "AUDIT", "rules": seq![Node::map()]}),
            }));
        }
        all.extend(docs);
        for d in &all {
            contents.push_str("---\n");
            push_yaml(&mut contents, d);
        }
        files.push(OutputFile {
            path: format!("{ns}.yaml"),
            contents,
        });
    }
    files.push(OutputFile {
        path: "kustomization.yaml".into(),
        contents: format!(
            "{head}{}",
            to_yaml(&obj!({
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": resources,
            }))
        ),
    });
    Ok((files, gaps))
}

/// One AuthorizationPolicy rule being assembled: who (source, `when`, principals) may do what.
#[derive(Clone)]
struct RuleDraft<'d> {
    source: Node<'d>,
    when: Option<Node<'d>>,
    principals: BTreeSet<String>,
    to: Vec<Node<'d>>,
}

/// One allowed operation with the auth alternatives (any one suffices) and its rate limit.
struct Operation<'d> {
    op: Node<'d>,
    rule: String,
    alts: Vec<Vec<Auth>>,
    rate: Option<bulkhead_core::model::RateLimit>,
}

/// One auth alternative as Istio conditions: request principals and `when` clauses. `None`
/// when the caller can never satisfy it (an mTLS identity list without its identity).
fn translate(
    gaps: &mut Gaps,
    rule: &str,
    auth: &[Auth],
    identity: Option<&str>,
    issuers: &mut BTreeSet<String>,
) -> Option<(Vec<String>, Vec<Node<'static>>)> {
    let mut request_principals = Vec::new();
    let mut when = Vec::new();
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
                issuers.insert(issuer.clone());
                request_principals.push(format!("{issuer}/*"));
                for s in scopes {
                    when.push(obj!({"key": "request.auth.claims[scope]", "values": seq![s.clone()]}));
                }
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
    Some((request_principals, when))
}
