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

use crate::access::{Access, CallerRef, allowed_by_name, allowed_by_ref_str, allowed_by_str};
use crate::gaps::{Gaps, describe_auth, describe_rate, list};
use crate::netpol::{managed, selectable, selector_overlaps, start_allow_policy, write_selector};
use crate::workloads::protocol;
use crate::yaml::{Node, Writer, push_int, push_json_string, push_yaml};
use crate::{ExportError, Gap, Header, Options, OutputFile, Target, paths};
use crate::{obj, seq};

/// Callers that share one `toPorts` list: the list, their pods (namespace and labels) and
/// entities.
type PeerGroup<'d, 'a> = (
    Vec<PortEntry<'a>>,
    Vec<(&'d str, &'d BTreeMap<String, String>)>,
    Vec<&'static str>,
);

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
    // Each namespace's policies, streamed as YAML text.
    let mut per_ns: BTreeMap<&'d str, String> = BTreeMap::new();
    for &i in &access.order {
        if let Some((ns, _)) = selectable(access.service(i)) {
            per_ns.entry(ns).or_default();
        }
    }
    let mut key = String::new();

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
        // Each endpoint's method and path regex, once per service (many callers list them).
        let http_of: Vec<(String, String)> = target
            .endpoints
            .iter()
            .map(|e| (e.method.to_ascii_uppercase(), paths::regex(&e.path)))
            .collect();
        // toPorts (as canonical JSON) -> callers sharing it.
        let mut groups: BTreeMap<String, PeerGroup<'d, '_>> = BTreeMap::new();
        let mut rules_used: BTreeSet<String> = BTreeSet::new();
        for g in grants {
            let (selector, entity) = match g.caller {
                CallerRef::Internet => (None, Some("world")),
                CallerRef::Service(c) => {
                    let caller = access.service(c);
                    match selectable(caller) {
                        Some(sel) => (Some(sel), None),
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
            let mut to_ports: Vec<PortEntry<'_>> = Vec::new();
            for p in &g.ports {
                let rule = allowed_by_str(&p.by);
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
                let mut entry = PortEntry {
                    port: p.port.map(|port| (port.port, protocol(port.protocol))),
                    http: None,
                };
                if l7 {
                    let eps = access.endpoint_rules(g.caller, t, p.port.map(|p| p.port));
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
                    let mut http: BTreeSet<(&str, &str)> = BTreeSet::new();
                    for &(index, by) in &eps {
                        let by = allowed_by_ref_str(by);
                        if !rules_used.contains(by.as_ref()) {
                            rules_used.insert(by.into_owned());
                        }
                        let (m, path) = &http_of[index];
                        http.insert((m, path));
                    }
                    entry.http = Some(http.into_iter().collect());
                } else {
                    l4_only(&mut gaps, access, g.caller, t, &rule);
                }
                if !rules_used.contains(rule.as_ref()) {
                    rules_used.insert(rule.into_owned());
                }
                if entry.port.is_some() || entry.http.is_some() {
                    to_ports.push(entry);
                }
            }
            if to_ports.is_empty() && g.ports.iter().all(|p| p.port.is_some()) {
                continue;
            }
            key.clear();
            to_ports_json(&mut key, &to_ports);
            if !groups.contains_key(key.as_str()) {
                groups.insert(key.clone(), (to_ports, Vec::new(), Vec::new()));
            }
            if let Some(slot) = groups.get_mut(key.as_str()) {
                if let Some(sel) = selector {
                    slot.1.push(sel);
                }
                if let Some(e) = entity {
                    slot.2.push(e);
                }
            }
        }
        if groups.is_empty() {
            continue;
        }
        let body = per_ns.entry(ns).or_default();
        let mut w = start_allow_policy(
            body,
            ("cilium.io/v2", "CiliumNetworkPolicy"),
            &target.id,
            ns,
            rules_used,
        );
        write_selector(&mut w, "endpointSelector", labels);
        w.seq("ingress");
        for (to_ports, endpoints, entities) in groups.values() {
            if !endpoints.is_empty() {
                w.item_map();
                w.seq("fromEndpoints");
                for (cns, clabels) in endpoints {
                    w.item_map();
                    w.map("matchLabels");
                    for (k, v) in *clabels {
                        w.str(k, if k == NS_LABEL { cns } else { v });
                    }
                    if !clabels.contains_key(NS_LABEL) {
                        w.str(NS_LABEL, cns);
                    }
                    w.end();
                    w.end();
                }
                w.end();
                write_to_ports(&mut w, to_ports);
                w.end();
            }
            if !entities.is_empty() {
                w.item_map();
                w.str_seq("fromEntities", entities);
                write_to_ports(&mut w, to_ports);
                w.end();
            }
        }
        w.finish();
    }

    let gaps = gaps.into_vec();
    let ns_head = header.render_pointer("#", &gaps, "kustomization.yaml");
    let mut files = Vec::new();
    for (ns, body) in &per_ns {
        let mut contents = String::with_capacity(ns_head.len() + body.len() + 512);
        contents.push_str(&ns_head);
        contents.push_str("---\n");
        push_yaml(
            &mut contents,
            &obj!({
                "apiVersion": "cilium.io/v2",
                "kind": "CiliumNetworkPolicy",
                "metadata": obj!({"name": "bh-default-deny", "namespace": *ns, "labels": managed()}),
                "spec": obj!({"endpointSelector": Node::map(), "ingress": seq![Node::map()]}),
            }),
        );
        contents.push_str(body);
        files.push(OutputFile {
            path: format!("{ns}.yaml"),
            contents,
        });
    }
    files.push(header.kustomization(
        &gaps,
        per_ns.keys().map(|ns| format!("{ns}.yaml")).collect(),
    ));
    Ok((files, gaps))
}

/// The label Cilium gives every endpoint for its pod's namespace.
const NS_LABEL: &str = "k8s:io.kubernetes.pod.namespace";

/// One `toPorts` entry: the port (none: every port) and, for L7, the allowed HTTP (method,
/// path regex) pairs, sorted (method `*`: any).
struct PortEntry<'a> {
    port: Option<(u32, &'static str)>,
    http: Option<Vec<(&'a str, &'a str)>>,
}

/// A `toPorts` list as the JSON the policy's rules are grouped and ordered by.
fn to_ports_json(out: &mut String, entries: &[PortEntry<'_>]) {
    out.push('[');
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        if let Some((port, proto)) = e.port {
            out.push_str("\"ports\":[{\"port\":\"");
            push_int(out, u64::from(port));
            out.push_str("\",\"protocol\":");
            push_json_string(out, proto);
            out.push_str("}]");
        }
        if let Some(http) = &e.http {
            if e.port.is_some() {
                out.push(',');
            }
            out.push_str("\"rules\":{\"http\":[");
            for (j, (m, path)) in http.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                out.push('{');
                if *m != "*" {
                    out.push_str("\"method\":");
                    push_json_string(out, m);
                    out.push(',');
                }
                out.push_str("\"path\":");
                push_json_string(out, path);
                out.push('}');
            }
            out.push_str("]}");
        }
        out.push('}');
    }
    out.push(']');
}

/// `toPorts:` (nothing when the list is empty: every port, no L7 rules).
fn write_to_ports(w: &mut Writer<'_>, entries: &[PortEntry<'_>]) {
    if entries.is_empty() {
        return;
    }
    w.seq("toPorts");
    let mut number = String::new();
    for e in entries {
        w.item_map();
        if let Some((port, proto)) = e.port {
            w.seq("ports");
            w.item_map();
            number.clear();
            push_int(&mut number, u64::from(port));
            w.str("port", &number);
            w.str("protocol", proto);
            w.end();
            w.end();
        }
        if let Some(http) = &e.http {
            w.map("rules");
            w.seq("http");
            for (m, path) in http {
                w.item_map();
                if *m != "*" {
                    w.str("method", m);
                }
                w.str("path", path);
                w.end();
            }
            w.end();
            w.end();
        }
        w.end();
    }
    w.end();
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
