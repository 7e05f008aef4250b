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
use crate::yaml::{Node, Writer, push_yaml};
use crate::{ExportError, Gap, Header, Options, OutputFile, Target};
use crate::{obj, seq};

const NAME: &str = "NetworkPolicy";

/// A port set key: `None` is "every port" (the service declares none).
type PortKey = Option<Vec<(&'static str, u32)>>;

/// The services one caller may reach (by index), each with the ports it may use there.
type Outbound = BTreeMap<usize, PortKey>;

pub fn render<'d>(
    access: &Access<'d>,
    header: &Header<'_>,
    egress: bool,
    options: &Options,
) -> Result<(Vec<OutputFile>, Vec<Gap>), ExportError> {
    refuse_staged(egress, options)?;
    Ok(finish(access, header, egress, access.netpol_ingress()))
}

/// Both variants, ingress only and with egress (`--target all` writes both): each exactly what
/// [`render`] writes for it, from the ingress policies they share ([`Access::netpol_ingress`],
/// rendered once).
pub fn render_both<'d>(
    access: &Access<'d>,
    (ingress_header, egress_header): (&Header<'_>, &Header<'_>),
    options: &Options,
) -> Result<Rendered, ExportError> {
    refuse_staged(false, options)?;
    let shared = access.netpol_ingress();
    Ok((
        finish(access, ingress_header, false, shared),
        finish(access, egress_header, true, shared),
    ))
}

/// What [`render_both`] gives: each variant's files and gaps.
pub type Rendered = ((Vec<OutputFile>, Vec<Gap>), (Vec<OutputFile>, Vec<Gap>));

fn refuse_staged(egress: bool, options: &Options) -> Result<(), ExportError> {
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
    Ok(())
}

/// The ingress policies of every namespace (YAML text, in the order written) and what they do
/// not express: the part both variants write, word for word. Rendered once per [`Access`]
/// ([`Access::netpol_ingress`]), so that exporting both variants, one after the other or on
/// two threads, renders it once.
pub struct Ingress {
    /// Sorted ([`Gaps::into_vec`]).
    gaps: Vec<Gap>,
    /// By namespace, sorted. (Owned names: a borrow of the design here would tie the cache in
    /// [`Access`] to the design's lifetime and make `Access` invariant over it.)
    per_ns: Vec<(String, String)>,
}

/// The ingress part both variants share (what [`Access::netpol_ingress`] keeps).
pub(crate) fn ingress(access: &Access<'_>) -> Ingress {
    let design = access.design;
    let mut gaps = Gaps::new(access);
    gaps.l4_deny_rules(design, NAME);
    let overlaps = selector_overlaps(access);

    // Namespaces that get a default deny: every namespace an in-cluster service lives in.
    // Each one's policies are streamed as YAML text, in the order they are written.
    let mut per_ns: BTreeMap<&str, String> = BTreeMap::new();
    for &i in &access.order {
        if let Some(ns) = selectable(access.service(i)).map(|(ns, _)| ns) {
            per_ns.entry(ns).or_default();
        }
    }
    let mut groups: BTreeMap<PortKey, Vec<Peer<'_>>> = BTreeMap::new();

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
        groups.clear();
        let mut rules_used = BTreeSet::new();
        for g in grants {
            let peer = match g.caller {
                CallerRef::Internet => {
                    for p in &g.ports {
                        gaps.add(
                            allowed_by_name(&p.by),
                            "calls from the internet are matched by ipBlock 0.0.0.0/0 and ::/0: NetworkPolicy cannot tell the internet from other external addresses",
                        );
                    }
                    Peer::Internet
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
                            Peer::Pods(cns, clabels)
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
            groups.entry(port_key(&g.ports)).or_default().push(peer);
        }
        if groups.is_empty() {
            continue;
        }
        let body = per_ns.entry(ns).or_default();
        let mut w = start_allow_policy(
            body,
            ("networking.k8s.io/v1", "NetworkPolicy"),
            &target.id,
            ns,
            rules_used,
        );
        write_selector(&mut w, "podSelector", labels);
        w.str_seq("policyTypes", ["Ingress"]);
        write_rules(&mut w, ("ingress", "from"), ns, &groups);
        w.finish();
    }

    Ingress {
        gaps: gaps.into_vec(),
        per_ns: per_ns
            .into_iter()
            .map(|(ns, body)| (ns.to_string(), body))
            .collect(),
    }
}

/// For the egress variant's mirror image: the ports each in-cluster caller may use on each
/// in-cluster service (caller -> target -> ports, both by index), from the same grants the
/// ingress policies allow.
fn outbound(access: &Access<'_>) -> BTreeMap<usize, Outbound> {
    let mut outbound: BTreeMap<usize, Outbound> = BTreeMap::new();
    for &t in &access.order {
        if selectable(access.service(t)).is_none() {
            continue;
        }
        for g in &access.inbound[t] {
            if let CallerRef::Service(c) = g.caller
                && selectable(access.service(c)).is_some()
            {
                outbound.entry(c).or_default().insert(t, port_key(&g.ports));
            }
        }
    }
    outbound
}

/// The files of one variant from the shared ingress part: the egress variant adds a default
/// deny of egress, DNS, and each caller's mirror-image egress policy after the ingress ones.
fn finish<'d>(
    access: &Access<'d>,
    header: &Header<'_>,
    egress: bool,
    ingress: &Ingress,
) -> (Vec<OutputFile>, Vec<Gap>) {
    // The callers of each namespace whose egress policies follow its ingress ones, by index
    // (the order they were always written in).
    let outbound = if egress {
        outbound(access)
    } else {
        BTreeMap::new()
    };
    let mut callers_in: BTreeMap<&str, Vec<(usize, &Outbound)>> = BTreeMap::new();
    for (&c, targets) in &outbound {
        if let Some((cns, _)) = selectable(access.service(c)) {
            callers_in.entry(cns).or_default().push((c, targets));
        }
    }

    let gaps = ingress.gaps.clone();
    let ns_head = header.render_pointer("#", &gaps, "kustomization.yaml");
    let mut files = Vec::new();
    let resources: Vec<String> = ingress
        .per_ns
        .iter()
        .map(|(ns, _)| format!("{ns}.yaml"))
        .collect();
    let mut groups: BTreeMap<&PortKey, Vec<Peer<'d>>> = BTreeMap::new();
    for (ns, body) in &ingress.per_ns {
        let callers = callers_in.get(ns.as_str()).map_or(&[][..], Vec::as_slice);
        let mut contents =
            String::with_capacity(ns_head.len() + body.len() + 1024 + 1024 * callers.len());
        contents.push_str(&ns_head);
        contents.push_str("---\n");
        push_yaml(&mut contents, &default_deny(ns, egress));
        if egress {
            contents.push_str("---\n");
            push_yaml(&mut contents, &allow_dns(ns));
        }
        contents.push_str(body);
        for &(c, targets) in callers {
            groups.clear();
            for (&t, ports) in targets {
                if let Some((tns, tlabels)) = selectable(access.service(t)) {
                    groups
                        .entry(ports)
                        .or_default()
                        .push(Peer::Pods(tns, tlabels));
                }
            }
            write_egress(&mut contents, access.service(c), &groups);
        }
        files.push(OutputFile {
            path: format!("{ns}.yaml"),
            contents,
        });
    }
    files.push(header.kustomization(&gaps, resources));
    (files, gaps)
}

/// The `---` document of `caller`'s mirror-image egress policy: to each service it may call,
/// on the ports it may use there.
fn write_egress(out: &mut String, caller: &Service, groups: &BTreeMap<&PortKey, Vec<Peer<'_>>>) {
    let Some((cns, clabels)) = selectable(caller) else {
        return;
    };
    out.push_str("---\n");
    let mut w = Writer::doc_map(out);
    write_head(
        &mut w,
        "networking.k8s.io/v1",
        "NetworkPolicy",
        &prefixed("bh-egress-", &caller.id),
        cns,
        &[("bulkhead.dev/service", &caller.id)],
    );
    w.map("spec");
    write_selector(&mut w, "podSelector", clabels);
    w.str_seq("policyTypes", ["Egress"]);
    write_rules(&mut w, ("egress", "to"), cns, groups);
    w.finish();
}

/// Who a policy rule lets in (or out to): the internet, or a service's pods.
#[derive(Clone, Copy)]
enum Peer<'d> {
    Internet,
    Pods(&'d str, &'d BTreeMap<String, String>),
}

/// One peer as the items of a `from` (or `to`) list, from a policy in namespace `here`:
/// pods by their labels (plus their namespace when it is another one); the internet as
/// `ipBlock`s for every IPv4 and IPv6 address.
fn write_peer(w: &mut Writer<'_>, here: &str, peer: Peer<'_>) {
    match peer {
        Peer::Internet => {
            for cidr in ["0.0.0.0/0", "::/0"] {
                w.item_map();
                w.map("ipBlock");
                w.str("cidr", cidr);
                w.end();
                w.end();
            }
        }
        Peer::Pods(ns, labels) => {
            w.item_map();
            if here != ns {
                w.map("namespaceSelector");
                w.map("matchLabels");
                w.str("kubernetes.io/metadata.name", ns);
                w.end();
                w.end();
            }
            write_selector(w, "podSelector", labels);
            w.end();
        }
    }
}

/// `ingress:` (or `egress:`) with one rule per port set: its peers under `from` (or `to`),
/// then its ports (none: every port).
fn write_rules<K: std::borrow::Borrow<PortKey>>(
    w: &mut Writer<'_>,
    (list, peers_key): (&str, &str),
    here: &str,
    groups: &BTreeMap<K, Vec<Peer<'_>>>,
) {
    w.seq(list);
    for (ports, peers) in groups {
        w.item_map();
        w.seq(peers_key);
        for peer in peers {
            write_peer(w, here, *peer);
        }
        w.end();
        if let Some(ports) = ports.borrow() {
            write_ports(w, ports);
        }
        w.end();
    }
    w.end();
}

/// `ports:` with each (protocol, port).
fn write_ports(w: &mut Writer<'_>, ports: &[(&'static str, u32)]) {
    w.seq("ports");
    for (proto, port) in ports {
        w.item_map();
        w.str("protocol", proto);
        w.int("port", u64::from(*port));
        w.end();
    }
    w.end();
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

/// Pod labels as a `matchLabels` map, borrowed from the design.
pub fn labels_value(labels: &BTreeMap<String, String>) -> Node<'_> {
    labels.iter().map(|(k, v)| (k.as_str(), v)).collect()
}

/// The start of a generated object, streamed: `apiVersion`, `kind` and `metadata` (name,
/// namespace, the managed-by label, and the annotations, if any).
pub fn write_head(
    w: &mut Writer<'_>,
    api: &str,
    kind: &str,
    name: &str,
    ns: &str,
    annotations: &[(&str, &str)],
) {
    w.str("apiVersion", api);
    w.str("kind", kind);
    w.map("metadata");
    w.str("name", name);
    w.str("namespace", ns);
    write_managed(w);
    if !annotations.is_empty() {
        w.map("annotations");
        for (k, v) in annotations {
            w.str(k, v);
        }
        w.end();
    }
    w.end();
}

/// Starts the `---` document of the allow policy of service `id` in `body`: its head, with the
/// rules that allow its callers as an annotation, then `spec:`, left open for the caller.
pub fn start_allow_policy<'b>(
    body: &'b mut String,
    (api, kind): (&str, &str),
    id: &str,
    ns: &str,
    rules_used: BTreeSet<String>,
) -> Writer<'b> {
    body.push_str("---\n");
    let mut w = Writer::doc_map(body);
    let allowed_by = rules_used.into_iter().collect::<Vec<_>>().join(", ");
    write_head(
        &mut w,
        api,
        kind,
        &prefixed("bh-allow-", id),
        ns,
        &[
            ("bulkhead.dev/service", id),
            ("bulkhead.dev/allowed-by", &allowed_by),
        ],
    );
    w.map("spec");
    w
}

/// `key:` with `matchLabels` of the pod labels, streamed.
pub fn write_selector(w: &mut Writer<'_>, key: &str, labels: &BTreeMap<String, String>) {
    w.map(key);
    w.map("matchLabels");
    for (k, v) in labels {
        w.str(k, v);
    }
    w.end();
    w.end();
}

/// The `labels:` entry with `app.kubernetes.io/managed-by: bulkhead`, streamed.
fn write_managed(w: &mut Writer<'_>) {
    w.map("labels");
    w.str("app.kubernetes.io/managed-by", "bulkhead");
    w.end();
}

/// The `app.kubernetes.io/managed-by: bulkhead` label map every object carries.
pub fn managed() -> Node<'static> {
    obj!({"app.kubernetes.io/managed-by": "bulkhead"})
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
