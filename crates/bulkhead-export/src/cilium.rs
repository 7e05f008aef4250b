//! CiliumNetworkPolicy (`cilium.io/v2`) with L7 HTTP rules.
//!
//! Per namespace a default deny (`ingress: [{}]` selects the namespace's endpoints and allows
//! nothing), then one policy per service: callers by their pod labels and namespace
//! (`k8s:io.kubernetes.pod.namespace`), the internet as the `world` entity, and on each allowed
//! port the HTTP method and path of every inventoried endpoint the evaluator allows that caller.
//! A service without inventoried endpoints gets an L4 allow (and the rule's methods and paths
//! are reported as not enforced).

use std::collections::{BTreeMap, BTreeSet};

use bulkhead_core::model::Peer;

use crate::access::{Access, CallerRef, allowed_by_name};
use crate::gaps::{Gaps, describe_auth, describe_rate, list};
use crate::names::prefixed;
use crate::netpol::{labels_value, managed, selectable, selector_overlaps};
use crate::workloads::protocol;
use crate::yaml::{Node, push_yaml, to_yaml};
use crate::{ExportError, Gap, Header, Options, OutputFile, Target, paths};
use crate::{obj, seq};

/// Callers that share one `toPorts` list: the list, their endpoint selectors and entities.
type PeerGroup<'d> = (Vec<Node<'d>>, Vec<Node<'d>>, Vec<&'static str>);

pub fn render<'d>(
    access: &Access<'d>,
    header: &Header<'_>,
    options: &Options,
) -> Result<(Vec<OutputFile>, Vec<Gap>), ExportError> {
    if options.staged {
        return Err(ExportError::NoStagedMode {
            target: Target::Cilium,
            why: "Cilium's policy audit mode is an agent-wide setting (`policy-audit-mode`), not part of a policy; stage with `--target istio --staged` or `--target nginx --staged`",
        });
    }
    let mut gaps = Gaps::new(access);
    let overlaps = selector_overlaps(access);
    let mut per_ns: BTreeMap<String, Vec<Node<'d>>> = BTreeMap::new();
    for &i in &access.order {
        if let Some((ns, _)) = selectable(access.service(i)) {
            per_ns.entry(ns.to_string()).or_default();
        }
    }

    for &t in &access.order {
        let target = access.service(t);
        let grants = &access.inbound[t];
        if grants.is_empty() {
            continue;
        }
        let Some((ns, labels)) = selectable(target) else {
            for g in grants {
                for p in &g.ports {
                    gaps.add(
                        allowed_by_name(&p.by),
                        format!(
                            "service `{}` has no namespace or pod labels, so no Cilium policy selects it; the calls this rule allows to it are not expressed here",
                            target.id
                        ),
                    );
                }
            }
            continue;
        };
        let l7 = !target.endpoints.is_empty();
        // toPorts (as canonical JSON) -> callers sharing it.
        let mut groups: BTreeMap<String, PeerGroup<'d>> = BTreeMap::new();
        let mut rules_used = BTreeSet::new();
        for g in grants {
            let (selector, entity) = match g.caller {
                CallerRef::Internet => (None, Some("world")),
                CallerRef::Service(c) => {
                    let caller = access.service(c);
                    match selectable(caller) {
                        Some((cns, clabels)) => {
                            let mut m = labels_value(clabels);
                            m.insert("k8s:io.kubernetes.pod.namespace", cns);
                            (Some(obj!({"matchLabels": m})), None)
                        }
                        None => {
                            for p in &g.ports {
                                gaps.add(
                                    allowed_by_name(&p.by),
                                    format!(
                                        "caller `{}` has no namespace or pod labels, so no Cilium policy can match it; its calls to `{}` are not allowed here",
                                        caller.id, target.id
                                    ),
                                );
                            }
                            continue;
                        }
                    }
                }
            };
            let mut to_ports = Vec::new();
            for p in &g.ports {
                let rule = allowed_by_name(&p.by);
                let first_time = gaps.once((&rule, "cilium", &p.auth, &p.rate_limit));
                for a in p.auth.iter().filter(|_| first_time) {
                    gaps.add(
                        &rule,
                        format!(
                            "the calls it allows require {}, which a Cilium policy cannot check; enforce it with istio, kong or nginx",
                            describe_auth(a)
                        ),
                    );
                }
                if let Some(rl) = p.rate_limit.as_ref().filter(|_| first_time) {
                    gaps.add(
                        &rule,
                        format!(
                            "rate limit {} is not enforced: Cilium policies have no rate limits; enforce it with kong or nginx",
                            describe_rate(rl)
                        ),
                    );
                }
                if !overlaps[t].is_empty() && gaps.once((&rule, "overlap", t)) {
                    gaps.add(&rule, format!("the pod labels of `{}` also select other services' pods, which get the same allows", target.id));
                }
                let mut entry = Node::map();
                if let Some(port) = p.port {
                    entry.insert(
                        "ports",
                        seq![obj!({"port": port.port.to_string(), "protocol": protocol(port.protocol)})],
                    );
                }
                if l7 {
                    let eps = access.endpoint_grants(g.caller, t, p.port.map(|p| p.port));
                    if eps.is_empty() {
                        gaps.add(
                            &rule,
                            format!(
                                "it allows `{}` to reach `{}` at L4, but none of `{}`'s inventoried endpoints; with L7 rules that call is not expressed",
                                access.caller_id(g.caller), target.id, target.id
                            ),
                        );
                        continue;
                    }
                    uninventoried_paths(&mut gaps, access, &rule);
                    let mut http: BTreeSet<(String, String)> = BTreeSet::new();
                    for e in &eps {
                        rules_used.insert(allowed_by_name(&e.by));
                        http.insert((
                            e.endpoint.method.to_ascii_uppercase(),
                            paths::regex(&e.endpoint.path),
                        ));
                    }
                    let http: Vec<Node<'d>> = http
                        .into_iter()
                        .map(|(m, path)| {
                            if m == "*" {
                                obj!({"path": path})
                            } else {
                                obj!({"method": m, "path": path})
                            }
                        })
                        .collect();
                    entry.insert("rules", obj!({"http": http}));
                } else {
                    l4_only(&mut gaps, access, g.caller, t, &rule);
                }
                rules_used.insert(rule);
                if !entry.is_empty_collection() {
                    to_ports.push(entry);
                }
            }
            if to_ports.is_empty() && g.ports.iter().all(|p| p.port.is_some()) {
                continue;
            }
            let to_ports = Node::Seq(to_ports);
            let key = to_ports.to_json();
            let Node::Seq(to_ports) = to_ports else {
                unreachable!("built as a sequence just above")
            };
            let slot = groups
                .entry(key)
                .or_insert_with(|| (to_ports, Vec::new(), Vec::new()));
            if let Some(sel) = selector {
                slot.1.push(sel);
            }
            if let Some(e) = entity {
                slot.2.push(e);
            }
        }
        if groups.is_empty() {
            continue;
        }
        let ingress: Vec<Node<'d>> = groups
            .into_values()
            .flat_map(|(to_ports, endpoints, entities)| {
                let mut rules = Vec::new();
                for (key, peers) in [
                    ("fromEndpoints", endpoints.into_iter().collect::<Vec<_>>()),
                    (
                        "fromEntities",
                        entities.into_iter().map(Node::from).collect(),
                    ),
                ] {
                    if peers.is_empty() {
                        continue;
                    }
                    let mut r = Node::map();
                    r.insert(key, peers);
                    if !to_ports.is_empty() {
                        r.insert("toPorts", to_ports.clone());
                    }
                    rules.push(r);
                }
                rules
            })
            .collect();
        per_ns.entry(ns.to_string()).or_default().push(obj!({
            "apiVersion": "cilium.io/v2",
            "kind": "CiliumNetworkPolicy",
            "metadata": obj!({
                "name": prefixed("bh-allow-", &target.id),
                "namespace": ns,
                "labels": managed(),
                "annotations": obj!({
                    "bulkhead.dev/service": &target.id,
                    "bulkhead.dev/allowed-by": rules_used.into_iter().collect::<Vec<_>>().join(", "),
                }),
            }),
            "spec": obj!({
                "endpointSelector": obj!({"matchLabels": labels_value(labels)}),
                "ingress": ingress,
            })
        }));
    }

    let gaps = gaps.into_vec();
    let head = header.render("#", &gaps);
    let ns_head = header.render_pointer("#", &gaps, "kustomization.yaml");
    let mut files = Vec::new();
    for (ns, policies) in &per_ns {
        let mut contents = ns_head.clone();
        contents.push_str("---\n");
        push_yaml(
            &mut contents,
            &obj!({
                "apiVersion": "cilium.io/v2",
                "kind": "CiliumNetworkPolicy",
                "metadata": obj!({"name": "bh-default-deny", "namespace": ns.as_str(), "labels": managed()}),
                "spec": obj!({"endpointSelector": Node::map(), "ingress": seq![Node::map()]}),
            }),
        );
        for p in policies {
            contents.push_str("---\n");
            push_yaml(&mut contents, p);
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
                "resources": per_ns.keys().map(|ns| format!("{ns}.yaml")).collect::<Vec<_>>(),
            }))
        ),
    });
    Ok((files, gaps))
}

/// An L7 target lists only inventoried endpoints: where the allowing rule has no path
/// restriction, other paths it would allow are denied here. Said once per rule.
fn uninventoried_paths(gaps: &mut Gaps, access: &Access<'_>, rule: &str) {
    let unrestricted = access.rule(rule).is_none_or(|r| r.paths.is_empty());
    if unrestricted {
        gaps.add(
            rule,
            "L7 rules list only the inventoried endpoints of the services it reaches; requests to paths outside the inventory, which this rule would allow, are denied here",
        );
    }
}

/// A service without inventoried endpoints gets an L4 allow: the allowing rule's methods and
/// paths, and deny rules restricted to methods or paths between the two, are not enforced.
fn l4_only(gaps: &mut Gaps, access: &Access<'_>, caller: CallerRef, target: usize, rule: &str) {
    let tname = &access.service(target).id;
    if let Some(r) = access.rule(rule)
        && (!r.methods.is_empty() || !r.paths.is_empty())
    {
        gaps.add(
            rule,
            format!(
                "`{tname}` has no inventoried endpoints, so the rule's methods {} and paths {} are not enforced (L4 allow); import its API spec to get L7 rules",
                if r.methods.is_empty() { "(any)".into() } else { list(&r.methods) },
                if r.paths.is_empty() { "(any)".into() } else { list(&r.paths) },
            ),
        );
    }
    let c = access.caller(caller);
    for r in access.partial_denies() {
        if access.eval.peer_matches_caller(&r.from, &c)
            && access.eval.peer_matches_target(&r.to, target)
            && !matches!(r.to, Peer::Internet)
        {
            gaps.add(
                &r.id,
                format!(
                    "`{tname}` has no inventoried endpoints, so this deny (methods {}, paths {}) is not enforced: the port stays open",
                    if r.methods.is_empty() { "(any)".into() } else { list(&r.methods) },
                    if r.paths.is_empty() { "(any)".into() } else { list(&r.paths) },
                ),
            );
        }
    }
}
