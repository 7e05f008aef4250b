//! Kubernetes NetworkPolicy (`networking.k8s.io/v1`): L3/L4 only.
//!
//! Per namespace: a default deny, then one policy per service that selects its pods by their
//! imported labels and allows exactly the (caller, port) pairs the evaluator allows. Callers in
//! other namespaces are matched with a `kubernetes.io/metadata.name` namespace selector; the
//! internet with `ipBlock` `0.0.0.0/0` and `::/0`. The egress variant also denies egress by
//! default, keeps DNS to kube-dns open and gives each caller the mirror-image egress allows.
//! One file per namespace plus a `kustomization.yaml`.

use std::collections::{BTreeMap, BTreeSet};

use bulkhead_core::model::Service;

use crate::access::{Access, CallerRef, PortGrant, allowed_by_name};
use crate::gaps::Gaps;
use crate::names::prefixed;
use crate::workloads::protocol;
use crate::yaml::{Node, push_yaml, to_yaml};
use crate::{ExportError, Gap, Header, Options, OutputFile, Target};
use crate::{obj, seq};

const NAME: &str = "NetworkPolicy";

/// A port set key: `None` is "every port" (the service declares none).
type PortKey = Option<Vec<(&'static str, u32)>>;

pub fn render<'d>(
    access: &Access<'d>,
    header: &Header<'_>,
    egress: bool,
    options: &Options,
) -> Result<(Vec<OutputFile>, Vec<Gap>), ExportError> {
    if options.staged {
        return Err(ExportError::NoStagedMode {
            target: if egress {
                Target::NetworkPolicyEgress
            } else {
                Target::NetworkPolicy
            },
            why: "Kubernetes NetworkPolicy is enforced as soon as it is applied; stage with `--target istio --staged` or `--target nginx --staged`",
        });
    }
    let design = access.design;
    let mut gaps = Gaps::new(access);
    gaps.l4_deny_rules(design, NAME);
    let overlaps = selector_overlaps(access);

    // Namespaces that get a default deny: every namespace an in-cluster service lives in.
    let mut per_ns: BTreeMap<String, Vec<Node<'d>>> = BTreeMap::new();
    for &i in &access.order {
        if let Some(ns) = selectable(access.service(i)).map(|(ns, _)| ns) {
            per_ns.entry(ns.to_string()).or_default();
        }
    }
    // caller service -> target service -> ports (egress mirror)
    let mut outbound: BTreeMap<usize, BTreeMap<usize, PortKey>> = BTreeMap::new();

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
                            "service `{}` has no namespace or pod labels, so no NetworkPolicy selects it; the calls this rule allows to it are not expressed here",
                            target.id
                        ),
                    );
                }
            }
            continue;
        };
        // Group callers by the exact set of ports they may use.
        let mut groups: BTreeMap<PortKey, Vec<Node<'d>>> = BTreeMap::new();
        let mut rules_used = BTreeSet::new();
        for g in grants {
            let peers: Vec<Node<'d>> = match g.caller {
                CallerRef::Internet => {
                    for p in &g.ports {
                        gaps.add(
                            allowed_by_name(&p.by),
                            "calls from the internet are matched by ipBlock 0.0.0.0/0 and ::/0: NetworkPolicy cannot tell the internet from other external addresses",
                        );
                    }
                    vec![
                        obj!({"ipBlock": obj!({"cidr": "0.0.0.0/0"})}),
                        obj!({"ipBlock": obj!({"cidr": "::/0"})}),
                    ]
                }
                CallerRef::Service(c) => {
                    let caller = access.service(c);
                    match selectable(caller) {
                        Some((cns, clabels)) => {
                            if !overlaps[c].is_empty() {
                                for p in &g.ports {
                                    // The message lists every overlapping service: format it
                                    // once per (rule, service), not once per allowed pair.
                                    let rule = allowed_by_name(&p.by);
                                    if gaps.once((&rule, "overlap", c)) {
                                        gaps.add(rule, overlap_message(access, c, &overlaps[c]));
                                    }
                                }
                            }
                            outbound.entry(c).or_default().insert(t, port_key(&g.ports));
                            vec![peer(ns, cns, clabels)]
                        }
                        None => {
                            for p in &g.ports {
                                gaps.add(
                                    allowed_by_name(&p.by),
                                    format!(
                                        "caller `{}` has no namespace or pod labels, so no NetworkPolicy can match it; its calls to `{}` are not allowed here",
                                        caller.id, target.id
                                    ),
                                );
                            }
                            continue;
                        }
                    }
                }
            };
            for p in &g.ports {
                gaps.l4_grant(access, NAME, p);
                let rule = allowed_by_name(&p.by);
                if !overlaps[t].is_empty() && gaps.once((&rule, "overlap", t)) {
                    gaps.add(&rule, overlap_message(access, t, &overlaps[t]));
                }
                rules_used.insert(rule);
            }
            groups.entry(port_key(&g.ports)).or_default().extend(peers);
        }
        if groups.is_empty() {
            continue;
        }
        let ingress: Vec<Node<'d>> = groups
            .into_iter()
            .map(|(ports, from)| {
                let mut rule = obj!({"from": from});
                if let Some(ports) = ports {
                    rule.insert("ports", ports_value(&ports));
                }
                rule
            })
            .collect();
        let policy = obj!({
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
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
                "podSelector": obj!({"matchLabels": labels_value(labels)}),
                "policyTypes": seq!["Ingress"],
                "ingress": ingress,
            })
        });
        per_ns.entry(ns.to_string()).or_default().push(policy);
    }

    if egress {
        for (&c, targets) in &outbound {
            let caller = access.service(c);
            let Some((cns, clabels)) = selectable(caller) else {
                continue;
            };
            let mut groups: BTreeMap<&PortKey, Vec<Node<'d>>> = BTreeMap::new();
            for (&t, ports) in targets {
                let target = access.service(t);
                if let Some((tns, tlabels)) = selectable(target) {
                    groups
                        .entry(ports)
                        .or_default()
                        .push(peer(cns, tns, tlabels));
                }
            }
            let rules: Vec<Node<'d>> = groups
                .into_iter()
                .map(|(ports, to)| {
                    let mut rule = obj!({"to": to});
                    if let Some(ports) = ports {
                        rule.insert("ports", ports_value(ports));
                    }
                    rule
                })
                .collect();
            per_ns.entry(cns.to_string()).or_default().push(obj!({
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": obj!({
                    "name": prefixed("bh-egress-", &caller.id),
                    "namespace": cns,
                    "labels": managed(),
                    "annotations": obj!({"bulkhead.dev/service": &caller.id}),
                }),
                "spec": obj!({
                    "podSelector": obj!({"matchLabels": labels_value(clabels)}),
                    "policyTypes": seq!["Egress"],
                    "egress": rules,
                })
            }));
        }
    }

    let gaps = gaps.into_vec();
    let head = header.render("#", &gaps);
    let ns_head = header.render_pointer("#", &gaps, "kustomization.yaml");
    let mut files = Vec::new();
    let resources: Vec<String> = per_ns.keys().map(|ns| format!("{ns}.yaml")).collect();
    for (ns, policies) in per_ns {
        let mut docs = vec![default_deny(&ns, egress)];
        if egress {
            docs.push(allow_dns(&ns));
        }
        docs.extend(policies);
        let mut contents = ns_head.clone();
        for d in &docs {
            contents.push_str("---\n");
            push_yaml(&mut contents, d);
        }
        files.push(OutputFile {
            path: format!("{ns}.yaml"),
            contents,
        });
    }
    let kustomization = obj!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    });
    files.push(OutputFile {
        path: "kustomization.yaml".into(),
        contents: format!("{head}{}", to_yaml(&kustomization)),
    });
    Ok((files, gaps))
}

/// The namespace and labels a selector needs, if the service runs in a cluster.
pub fn selectable(s: &Service) -> Option<(&str, &std::collections::BTreeMap<String, String>)> {
    match (&s.namespace, s.labels.is_empty()) {
        (Some(ns), false) => Some((ns.as_str(), &s.labels)),
        _ => None,
    }
}

/// For each service, the other in-cluster services whose pods its selector also selects (same
/// namespace, its labels a subset of theirs).
pub fn selector_overlaps(access: &Access<'_>) -> Vec<Vec<usize>> {
    let mut by_ns: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &access.order {
        if let Some((ns, _)) = selectable(access.service(i)) {
            by_ns.entry(ns).or_default().push(i);
        }
    }
    let mut out = vec![Vec::new(); access.design.services.len()];
    for members in by_ns.values() {
        for &a in members {
            let la = &access.service(a).labels;
            for &b in members {
                let lb = &access.service(b).labels;
                if a != b && la.iter().all(|(k, v)| lb.get(k) == Some(v)) {
                    out[a].push(b);
                }
            }
        }
    }
    out
}

fn overlap_message(access: &Access<'_>, s: usize, others: &[usize]) -> String {
    let names: Vec<String> = others
        .iter()
        .map(|&o| access.service(o).id.clone())
        .collect();
    format!(
        "the pod labels of `{}` also select the pods of {}, so those pods get the same allows; give `{}` a distinguishing label",
        access.service(s).id,
        crate::gaps::list(&names),
        access.service(s).id
    )
}

fn port_key(ports: &[PortGrant<'_>]) -> PortKey {
    let mut out = Vec::new();
    for p in ports {
        match p.port {
            Some(port) => out.push((protocol(port.protocol), port.port)),
            None => return None,
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

fn ports_value(ports: &[(&'static str, u32)]) -> Node<'static> {
    Node::Seq(
        ports
            .iter()
            .map(|(proto, port)| obj!({"protocol": *proto, "port": *port}))
            .collect(),
    )
}

/// Pod labels as a `matchLabels` map, borrowed from the design.
pub fn labels_value(labels: &BTreeMap<String, String>) -> Node<'_> {
    labels.iter().map(|(k, v)| (k.as_str(), v)).collect()
}

/// The `app.kubernetes.io/managed-by: bulkhead` label map every object carries.
pub fn managed() -> Node<'static> {
    obj!({"app.kubernetes.io/managed-by": "bulkhead"})
}

/// A peer selecting a service's pods, from a policy in namespace `here`.
fn peer<'d>(here: &str, ns: &'d str, labels: &'d BTreeMap<String, String>) -> Node<'d> {
    if here == ns {
        obj!({"podSelector": obj!({"matchLabels": labels_value(labels)})})
    } else {
        obj!({
            "namespaceSelector": obj!({"matchLabels": obj!({"kubernetes.io/metadata.name": ns})}),
            "podSelector": obj!({"matchLabels": labels_value(labels)}),
        })
    }
}

fn default_deny(ns: &str, egress: bool) -> Node<'_> {
    let types = if egress {
        seq!["Ingress", "Egress"]
    } else {
        seq!["Ingress"]
    };
    obj!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": obj!({"name": "bh-default-deny", "namespace": ns, "labels": managed()}),
        "spec": obj!({"podSelector": Node::map(), "policyTypes": types}),
    })
}

fn allow_dns(ns: &str) -> Node<'_> {
    obj!({
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": obj!({"name": "bh-allow-dns", "namespace": ns, "labels": managed()}),
        "spec": obj!({
            "podSelector": Node::map(),
            "policyTypes": seq!["Egress"],
            "egress": seq![obj!({
                "to": seq![obj!({
                    "namespaceSelector": obj!({"matchLabels": obj!({"kubernetes.io/metadata.name": "kube-system"})}),
                    "podSelector": obj!({"matchLabels": obj!({"k8s-app": "kube-dns"})}),
                })],
                "ports": seq![obj!({"protocol": "UDP", "port": 53u32}), obj!({"protocol": "TCP", "port": 53u32})],
            })],
        }),
    })
}
