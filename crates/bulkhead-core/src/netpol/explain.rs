//! Explanations: for one source and destination, which policies select each side, which
//! rules allow what, or why a side is isolated with nothing allowed.
//!
//! This is also the *reference* evaluation: it decides one pair directly from the policies,
//! rule by rule, with none of the engine's classes, bitsets or memoization. The engine is
//! tested against it (and both against NCA).

use std::net::IpAddr;

use serde::Serialize;

use super::conn::{ConnSet, PortSet};
use super::objects::{Cluster, Peer, Policy, Port, Rule, Workload};

/// One end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A workload, by index into `cluster.workloads`.
    Workload(usize),
    /// An address outside the cluster.
    External(IpAddr),
}

impl Endpoint {
    pub fn display_name(&self, cluster: &Cluster) -> String {
        match self {
            Endpoint::Workload(w) => cluster.workloads[*w].display_name(),
            Endpoint::External(ip) => ip.to_string(),
        }
    }
}

/// A rule that admits the other side.
#[derive(Clone, Debug, Serialize)]
pub struct RuleMatch {
    /// `namespace/name` of the policy.
    pub policy: String,
    /// `ingress` or `egress`.
    pub direction: &'static str,
    /// The rule's index in the policy's `ingress` or `egress` list (0-based, as in
    /// `spec.ingress[0]`).
    pub rule: usize,
    /// Which peer admitted the other side: its index and a description, or `None` when the
    /// rule has no peers (it admits everyone).
    pub peer: Option<(usize, String)>,
    /// What the rule's ports allow towards the destination (named ports resolved).
    pub connections: ConnSet,
}

/// One side's verdict: the source's egress or the destination's ingress.
#[derive(Clone, Debug, Serialize)]
pub struct SideVerdict {
    /// `egress` (of the source) or `ingress` (of the destination).
    pub direction: &'static str,
    /// Whether NetworkPolicies govern this side at all (not for an external address).
    pub governed: bool,
    /// The policies that select the pod for this direction (and so isolate it).
    pub selecting_policies: Vec<String>,
    /// Rules of those policies that admit the other side.
    pub matching_rules: Vec<RuleMatch>,
    /// The union of what the matching rules allow (everything when not isolated).
    pub allowed: ConnSet,
    /// A one-line human summary.
    pub summary: String,
}

/// Why traffic from `src` to `dst` is or is not allowed.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub src: String,
    pub dst: String,
    pub egress: SideVerdict,
    pub ingress: SideVerdict,
    /// What is allowed: the intersection of both sides.
    pub allowed: ConnSet,
}

/// Explains the connections from `src` to `dst`.
pub fn explain(cluster: &Cluster, src: Endpoint, dst: Endpoint) -> Explanation {
    let egress = side(cluster, src, dst, Direction::Egress);
    let ingress = side(cluster, dst, src, Direction::Ingress);
    let allowed = if src == dst {
        ConnSet::empty()
    } else {
        egress.allowed.intersect(&ingress.allowed)
    };
    Explanation {
        src: src.display_name(cluster),
        dst: dst.display_name(cluster),
        egress,
        ingress,
        allowed,
    }
}

/// The reference decision for one pair (no classes, no memoization).
pub fn reference_allowed(cluster: &Cluster, src: Endpoint, dst: Endpoint) -> ConnSet {
    explain(cluster, src, dst).allowed
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

/// The verdict of `this` side's policies for `direction` traffic with `other`.
fn side(cluster: &Cluster, this: Endpoint, other: Endpoint, direction: Direction) -> SideVerdict {
    let dir_name = if direction == Direction::Ingress {
        "ingress"
    } else {
        "egress"
    };
    let Endpoint::Workload(wi) = this else {
        return SideVerdict {
            direction: dir_name,
            governed: false,
            selecting_policies: Vec::new(),
            matching_rules: Vec::new(),
            allowed: ConnSet::all(),
            summary: format!("external address: no NetworkPolicy governs its {dir_name}"),
        };
    };
    let w = &cluster.workloads[wi];
    // The destination's named ports resolve a rule's named ports.
    let dst_workload = match (direction, other) {
        (Direction::Ingress, _) => Some(w),
        (Direction::Egress, Endpoint::Workload(o)) => Some(&cluster.workloads[o]),
        (Direction::Egress, Endpoint::External(_)) => None,
    };
    let mut selecting = Vec::new();
    let mut matches = Vec::new();
    let mut allowed = ConnSet::empty();
    for p in &cluster.policies {
        let applies = if direction == Direction::Ingress {
            p.affects_ingress
        } else {
            p.affects_egress
        };
        if !applies || !policy_selects(p, w) {
            continue;
        }
        selecting.push(p.display_name());
        let rules = if direction == Direction::Ingress {
            &p.ingress
        } else {
            &p.egress
        };
        for (ri, rule) in rules.iter().enumerate() {
            let Some(peer) = rule_admits(cluster, p, rule, other) else {
                continue;
            };
            let conns = resolve_ports(rule, dst_workload);
            allowed = allowed.union(&conns);
            matches.push(RuleMatch {
                policy: p.display_name(),
                direction: dir_name,
                rule: ri,
                peer,
                connections: conns,
            });
        }
    }
    let other_name = other.display_name(cluster);
    let summary = if selecting.is_empty() {
        allowed = ConnSet::all();
        format!(
            "no policy selects `{}` for {dir_name}, so it is not isolated: all {dir_name} allowed",
            w.display_name()
        )
    } else if matches.is_empty() {
        format!(
            "isolated for {dir_name} by {}, and no rule admits `{other_name}`",
            selecting
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    } else if allowed.is_empty() {
        format!(
            "rules admit `{other_name}`, but their ports resolve to nothing (named port not on the destination)"
        )
    } else {
        format!("allowed by {} rule(s): {allowed}", matches.len())
    };
    SideVerdict {
        direction: dir_name,
        governed: true,
        selecting_policies: selecting,
        matching_rules: matches,
        allowed,
        summary,
    }
}

/// NetworkPolicy docs, "podSelector": a policy selects pods in its own namespace.
fn policy_selects(p: &Policy, w: &Workload) -> bool {
    w.namespace == p.namespace && p.pod_selector.matches(&w.labels)
}

/// Whether `rule` admits `other`: `Some(peer)` naming the peer that does (or `None` inside
/// when the rule has no peers), `None` when it does not.
#[allow(clippy::option_option)]
fn rule_admits(
    cluster: &Cluster,
    p: &Policy,
    rule: &Rule,
    other: Endpoint,
) -> Option<Option<(usize, String)>> {
    let Some(peers) = &rule.peers else {
        return Some(None);
    };
    for (i, peer) in peers.iter().enumerate() {
        if peer_matches(cluster, p, peer, other) {
            return Some(Some((i, describe_peer(p, peer))));
        }
    }
    None
}

fn peer_matches(cluster: &Cluster, p: &Policy, peer: &Peer, other: Endpoint) -> bool {
    match (peer, other) {
        // NetworkPolicy docs, "Behavior of to and from selectors": podSelector alone selects
        // pods in the policy's namespace; namespaceSelector alone every pod of the selected
        // namespaces; both together, the selected pods of the selected namespaces.
        (Peer::Pods { namespaces, pods }, Endpoint::Workload(o)) => {
            let ow = &cluster.workloads[o];
            let ns_ok = match namespaces {
                None => ow.namespace == p.namespace,
                Some(sel) => cluster
                    .namespace(&ow.namespace)
                    .is_some_and(|ns| sel.matches(&ns.labels)),
            };
            ns_ok && pods.as_ref().is_none_or(|sel| sel.matches(&ow.labels))
        }
        // ipBlock: "cluster-external IPs"; NCA.md pitfall 4: never a pod.
        (Peer::IpBlock { addresses, .. }, Endpoint::External(ip)) => addresses.contains(ip),
        _ => false,
    }
}

fn describe_peer(p: &Policy, peer: &Peer) -> String {
    match peer {
        Peer::Pods { namespaces, pods } => {
            let ns = match namespaces {
                None => format!("namespace `{}`", p.namespace),
                Some(s) => format!("namespaces `{s}`"),
            };
            match pods {
                None => format!("all pods in {ns}"),
                Some(s) => format!("pods `{s}` in {ns}"),
            }
        }
        Peer::IpBlock { text, .. } => format!("ipBlock `{text}` (with its except ranges removed)"),
    }
}

/// What a rule's ports allow towards `dst` (named ports need a destination workload).
pub(crate) fn resolve_ports(rule: &Rule, dst: Option<&Workload>) -> ConnSet {
    let Some(ports) = &rule.ports else {
        return ConnSet::all();
    };
    let mut c = ConnSet::empty();
    for p in ports {
        match p {
            Port::Numbers { protocol, ports } => {
                c = c.union(&ConnSet::ports(*protocol, ports.clone()))
            }
            Port::Named { protocol, name } => {
                for np in dst.map(|d| d.named_ports.as_slice()).unwrap_or(&[]) {
                    if &np.name == name && np.protocol == *protocol {
                        c = c.union(&ConnSet::ports(
                            *protocol,
                            PortSet::interval(np.port, np.port),
                        ));
                    }
                }
            }
        }
    }
    c
}
