//! Semantic rules of NetworkPolicy, each pinned by a small case with the section of the
//! Kubernetes documentation ("Network Policies", kubernetes.io/docs/concepts/services-networking/
//! network-policies/, and the `networking.k8s.io/v1` API reference) it follows. Every check
//! asks both the engine and the reference evaluation in `explain`, which must agree.

use std::net::IpAddr;

use serde_json::{Value, json};

use super::engine::Connectivity;
use super::explain::{Endpoint, explain, reference_allowed};
use super::objects::Cluster;
use super::report;
use super::sample;

fn pod(ns: &str, name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels},
           "spec": {"containers": [{"name": "c", "image": "x"}]}})
}

fn pod_with_ports(ns: &str, name: &str, labels: Value, ports: Value) -> Value {
    sample::workload("Pod", ns, name, labels, ports)
}

fn ns(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
}

fn np(ns: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
           "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

struct Case {
    cluster: Cluster,
    conn: Connectivity,
}

impl Case {
    fn new(docs: Vec<Value>) -> Self {
        let cluster = Cluster::from_documents(&docs).unwrap_or_else(|e| panic!("{e:?}"));
        let conn = Connectivity::compute(&cluster);
        Case { cluster, conn }
    }

    fn w(&self, name: &str) -> usize {
        self.cluster.find_workload(name).unwrap()
    }

    /// The canonical connections from `src` to `dst` (workload names or IP addresses),
    /// checked to be the same in the engine and in the reference evaluation.
    fn allowed(&self, src: &str, dst: &str) -> String {
        let ep = |s: &str| match s.parse::<IpAddr>() {
            Ok(ip) => Endpoint::External(ip),
            Err(_) => Endpoint::Workload(self.w(s)),
        };
        let (s, d) = (ep(src), ep(dst));
        let reference = reference_allowed(&self.cluster, s, d).canonical();
        let engine = match (s, d) {
            (Endpoint::Workload(a), Endpoint::Workload(b)) => self.conn.allowed(a, b).canonical(),
            (Endpoint::Workload(a), Endpoint::External(ip)) => {
                external(self.conn.external_egress(a), ip)
            }
            (Endpoint::External(ip), Endpoint::Workload(b)) => {
                external(self.conn.external_ingress(b), ip)
            }
            _ => unreachable!("external to external is not a question"),
        };
        assert_eq!(
            engine, reference,
            "engine and reference disagree on {src} -> {dst}"
        );
        engine
    }
}

fn external<'a>(
    segs: impl Iterator<Item = (super::ip::IpRange, &'a super::ConnSet)>,
    ip: IpAddr,
) -> String {
    for (r, c) in segs {
        let inside = match (r.first, r.last, ip) {
            (IpAddr::V4(a), IpAddr::V4(b), IpAddr::V4(x)) => a <= x && x <= b,
            (IpAddr::V6(a), IpAddr::V6(b), IpAddr::V6(x)) => a <= x && x <= b,
            _ => false,
        };
        if inside {
            return c.canonical();
        }
    }
    String::new()
}

// "By default, a pod is non-isolated for egress; all outbound connections are allowed" and
// the same for ingress.
#[test]
fn without_policies_everything_is_allowed() {
    let c = Case::new(vec![
        pod("default", "a", json!({})),
        pod("default", "b", json!({})),
    ]);
    assert_eq!(c.allowed("a", "b"), "All");
    assert_eq!(c.allowed("8.8.8.8", "a"), "All");
    assert_eq!(c.allowed("a", "2001:db8::1"), "All");
    assert_eq!(
        c.conn.pair_count(),
        2,
        "no connection of a workload to itself"
    );
}

// "The two sorts of pod isolation": a pod is isolated only if a policy *selects* it; other
// pods of the namespace stay open.
#[test]
fn isolation_only_for_selected_pods() {
    let c = Case::new(vec![
        pod("default", "a", json!({"app": "a"})),
        pod("default", "b", json!({"app": "b"})),
        pod("default", "c", json!({"app": "c"})),
        np(
            "default",
            "deny-a",
            json!({"podSelector": {"matchLabels": {"app": "a"}}}),
        ),
    ]);
    assert_eq!(c.allowed("b", "a"), "");
    assert_eq!(c.allowed("c", "b"), "All");
    assert_eq!(
        c.allowed("a", "b"),
        "All",
        "an Ingress-only policy leaves egress open"
    );
    let e = explain(
        &c.cluster,
        Endpoint::Workload(c.w("b")),
        Endpoint::Workload(c.w("a")),
    );
    assert_eq!(e.ingress.selecting_policies, ["default/deny-a"]);
    assert!(
        e.ingress.summary.contains("no rule admits"),
        "{}",
        e.ingress.summary
    );
}

// API reference, NetworkPolicySpec.policyTypes: "If this field is not specified, it will
// default based on the existence of ingress or egress rules; policies that contain an egress
// section are assumed to affect egress, and all policies (whether or not they contain an
// ingress section) are assumed to affect ingress." Kubernetes defaulting counts egress
// *rules*: `egress: []` is not Egress (NCA 2.1.0 treats it as Egress: a known divergence).
#[test]
fn policy_types_default() {
    let base = || {
        vec![
            pod("default", "a", json!({"app": "a"})),
            pod("default", "b", json!({"app": "b"})),
        ]
    };
    let mut docs = base();
    docs.push(np("default", "p", json!({"podSelector": {"matchLabels": {"app": "a"}}, "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]})));
    let c = Case::new(docs);
    assert_eq!(c.allowed("a", "b"), "UDP:53");
    assert_eq!(c.allowed("b", "a"), "", "ingress is always affected");

    let mut docs = base();
    docs.push(np(
        "default",
        "p",
        json!({"podSelector": {"matchLabels": {"app": "a"}}, "egress": []}),
    ));
    let c = Case::new(docs);
    assert_eq!(
        c.allowed("a", "b"),
        "All",
        "`egress: []` has no rules, so no Egress type"
    );
    assert_eq!(c.allowed("b", "a"), "");

    let mut docs = base();
    docs.push(np(
        "default",
        "p",
        json!({"podSelector": {"matchLabels": {"app": "a"}}, "policyTypes": []}),
    ));
    let c = Case::new(docs);
    assert_eq!(
        c.allowed("b", "a"),
        "",
        "an empty policyTypes counts as absent"
    );
}

// API reference, policyTypes: a policy affects only the directions it lists; rules of an
// unlisted direction are ignored, and a listed direction without rules allows nothing.
#[test]
fn explicit_policy_types() {
    let c = Case::new(vec![
        pod("default", "a", json!({"app": "a"})),
        pod("default", "b", json!({"app": "b"})),
        np(
            "default",
            "p",
            json!({"podSelector": {"matchLabels": {"app": "a"}}, "policyTypes": ["Egress"],
            "ingress": [{"ports": [{"port": 80}]}]}),
        ),
    ]);
    assert_eq!(
        c.allowed("b", "a"),
        "All",
        "ingress rules of an Egress-only policy are ignored"
    );
    assert_eq!(
        c.allowed("a", "b"),
        "",
        "Egress listed with no egress rules: default deny"
    );
    assert_eq!(c.allowed("a", "1.2.3.4"), "");
}

// "Network policies do not conflict; they are additive": the union of all selecting
// policies' rules.
#[test]
fn policies_are_additive() {
    let c = Case::new(vec![
        pod("default", "a", json!({"app": "a"})),
        pod("default", "b", json!({"app": "b"})),
        np(
            "default",
            "p1",
            json!({"podSelector": {}, "ingress": [{"ports": [{"port": 80}]}]}),
        ),
        np(
            "default",
            "p2",
            json!({"podSelector": {"matchLabels": {"app": "a"}}, "ingress": [{"ports": [{"port": 81, "endPort": 90}, {"port": 8080, "protocol": "UDP"}]}]}),
        ),
    ]);
    assert_eq!(c.allowed("b", "a"), "TCP:80-90;UDP:8080");
    assert_eq!(c.allowed("a", "b"), "TCP:80");
}

// "For a connection from a source pod to a destination pod to be allowed, both the egress
// policy on the source pod and the ingress policy on the destination pod need to allow the
// connection."
#[test]
fn both_egress_and_ingress_are_needed() {
    let c = Case::new(vec![
        pod("default", "a", json!({"app": "a"})),
        pod("default", "b", json!({"app": "b"})),
        np(
            "default",
            "eg",
            json!({"podSelector": {"matchLabels": {"app": "a"}}, "policyTypes": ["Egress"],
            "egress": [{"ports": [{"port": 80, "endPort": 100}]}]}),
        ),
        np(
            "default",
            "in",
            json!({"podSelector": {"matchLabels": {"app": "b"}}, "policyTypes": ["Ingress"],
            "ingress": [{"ports": [{"port": 90, "endPort": 200}, {"protocol": "UDP"}]}]}),
        ),
    ]);
    assert_eq!(c.allowed("a", "b"), "TCP:90-100");
    assert_eq!(c.allowed("b", "a"), "All");
    let e = explain(
        &c.cluster,
        Endpoint::Workload(c.w("a")),
        Endpoint::Workload(c.w("b")),
    );
    assert_eq!(e.egress.matching_rules.len(), 1);
    assert_eq!(e.ingress.matching_rules[0].policy, "default/in");
    assert_eq!(e.allowed.canonical(), "TCP:90-100");
}

// "Behavior of to and from selectors": podSelector alone selects pods in the policy's own
// namespace; namespaceSelector alone selects all pods of the matching namespaces; both in
// one element select the matching pods of the matching namespaces (AND), while two elements
// are ORed.
#[test]
fn peer_selectors_and_their_combination() {
    let docs = |peers: Value| {
        vec![
            ns("dev", json!({"env": "dev"})),
            ns("prod", json!({"env": "prod"})),
            pod("prod", "db", json!({"app": "db"})),
            pod("prod", "web", json!({"app": "web"})),
            pod("dev", "web", json!({"app": "web"})),
            pod("dev", "tool", json!({"app": "tool"})),
            np(
                "prod",
                "db",
                json!({"podSelector": {"matchLabels": {"app": "db"}}, "ingress": [{"from": peers}]}),
            ),
        ]
    };
    let c = Case::new(docs(
        json!([{"podSelector": {"matchLabels": {"app": "web"}}}]),
    ));
    assert_eq!(c.allowed("prod/web", "prod/db"), "All");
    assert_eq!(
        c.allowed("dev/web", "prod/db"),
        "",
        "podSelector alone: own namespace only"
    );

    let c = Case::new(docs(
        json!([{"namespaceSelector": {"matchLabels": {"env": "dev"}}}]),
    ));
    assert_eq!(c.allowed("dev/web", "prod/db"), "All");
    assert_eq!(c.allowed("dev/tool", "prod/db"), "All");
    assert_eq!(c.allowed("prod/web", "prod/db"), "");

    let c = Case::new(docs(
        json!([{"namespaceSelector": {"matchLabels": {"env": "dev"}}, "podSelector": {"matchLabels": {"app": "web"}}}]),
    ));
    assert_eq!(c.allowed("dev/web", "prod/db"), "All");
    assert_eq!(c.allowed("dev/tool", "prod/db"), "", "one element: AND");
    assert_eq!(c.allowed("prod/web", "prod/db"), "");

    let c = Case::new(docs(
        json!([{"namespaceSelector": {"matchLabels": {"env": "dev"}}}, {"podSelector": {"matchLabels": {"app": "web"}}}]),
    ));
    assert_eq!(c.allowed("dev/tool", "prod/db"), "All", "two elements: OR");
    assert_eq!(c.allowed("prod/web", "prod/db"), "All");
}

// Empty vs absent. API reference, NetworkPolicyIngressRule.from: "If this field is empty or
// missing, this rule matches all sources"; NetworkPolicyPeer.podSelector: an empty selector
// selects all pods; namespaceSelector `{}` selects all namespaces; the rule list itself
// absent means nothing is allowed.
#[test]
fn empty_versus_absent() {
    let docs = |ingress: Value| {
        vec![
            pod("a", "x", json!({})),
            pod("b", "y", json!({})),
            pod("b", "target", json!({"app": "t"})),
            np(
                "b",
                "p",
                json!({"podSelector": {"matchLabels": {"app": "t"}}, "ingress": ingress}),
            ),
        ]
    };
    for rules in [
        json!([{}]),
        json!([{"from": []}]),
        json!([{"from": [], "ports": []}]),
    ] {
        let c = Case::new(docs(rules.clone()));
        assert_eq!(c.allowed("a/x", "b/target"), "All", "{rules}");
        assert_eq!(
            c.allowed("9.9.9.9", "b/target"),
            "All",
            "{rules}: every source includes external ones"
        );
    }
    let c = Case::new(docs(json!([{"from": [{"podSelector": {}}]}])));
    assert_eq!(c.allowed("b/y", "b/target"), "All");
    assert_eq!(
        c.allowed("a/x", "b/target"),
        "",
        "podSelector {{}} is the policy's namespace only"
    );
    assert_eq!(c.allowed("9.9.9.9", "b/target"), "");
    let c = Case::new(docs(json!([{"from": [{"namespaceSelector": {}}]}])));
    assert_eq!(
        c.allowed("a/x", "b/target"),
        "All",
        "namespaceSelector {{}} is every namespace"
    );
    assert_eq!(
        c.allowed("9.9.9.9", "b/target"),
        "",
        "but no external address"
    );
    let c = Case::new(docs(json!([])));
    assert_eq!(
        c.allowed("a/x", "b/target"),
        "",
        "`ingress: []` allows nothing"
    );
}

// Labels and Selectors, set-based requirements, as NetworkPolicy peers use them; namespaces
// carry `kubernetes.io/metadata.name` ("Targeting a Namespace by its name").
#[test]
fn match_expressions_and_the_namespace_name_label() {
    let c = Case::new(vec![
        ns("a", json!({"team": "x"})),
        pod("a", "p", json!({"tier": "fe"})),
        pod("b", "q", json!({})),
        pod("c", "r", json!({"tier": "db"})),
        np(
            "c",
            "p",
            json!({"podSelector": {}, "ingress": [
                {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "b"}}}], "ports": [{"port": 1}]},
                {"from": [{"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "NotIn", "values": ["x"]}]}}], "ports": [{"port": 2}]},
                {"from": [{"namespaceSelector": {"matchExpressions": [{"key": "team", "operator": "Exists"}]}}], "ports": [{"port": 3}]},
                {"from": [{"namespaceSelector": {}, "podSelector": {"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}}], "ports": [{"port": 4}]},
                {"from": [{"namespaceSelector": {}, "podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["fe", "be"]}]}}], "ports": [{"port": 5}]}
            ]}),
        ),
    ]);
    assert_eq!(
        c.allowed("b/q", "c/r"),
        "TCP:1-2,4",
        "undeclared namespace `b` still has its name label"
    );
    assert_eq!(c.allowed("a/p", "c/r"), "TCP:3,5");
}

// "ipBlock ... cluster-external IPs": an ipBlock never matches a pod, not even 0.0.0.0/0
// (NCA.md pitfall 4); `except` removes ranges; traffic from outside needs only the pod's
// ingress.
#[test]
fn ip_blocks_with_except_are_external_only() {
    let c = Case::new(vec![
        pod("default", "a", json!({"app": "a"})),
        pod("default", "b", json!({"app": "b"})),
        np(
            "default",
            "p",
            json!({"podSelector": {"matchLabels": {"app": "b"}}, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]},
                        {"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}], "ports": [{"port": 443}]}],
            "egress": [{"to": [{"ipBlock": {"cidr": "192.168.0.0/16"}}], "ports": [{"port": 53, "protocol": "UDP"}]}]}),
        ),
    ]);
    assert_eq!(c.allowed("a", "b"), "", "0.0.0.0/0 does not admit pods");
    assert_eq!(c.allowed("8.8.8.8", "b"), "All");
    assert_eq!(c.allowed("10.2.0.1", "b"), "TCP:443");
    assert_eq!(c.allowed("10.1.0.1", "b"), "", "except");
    assert_eq!(c.allowed("b", "192.168.3.4"), "UDP:53");
    assert_eq!(c.allowed("b", "8.8.8.8"), "");
    assert_eq!(c.allowed("b", "a"), "");
    assert_eq!(c.allowed("2001:db8::1", "b"), "", "0.0.0.0/0 is IPv4 only");
    let n = report::normalized(&c.cluster, &c.conn, false);
    let ingress_b: Vec<String> =
        n.ip.iter()
            .filter(|r| r[0] == "default/b[Pod]" && r[1] == "ingress")
            .map(|r| format!("{}-{} {}", r[2], r[3], r[4]))
            .collect();
    assert_eq!(
        ingress_b,
        [
            "0.0.0.0-9.255.255.255 All",
            "10.0.0.0-10.0.255.255 TCP:443",
            "10.2.0.0-10.255.255.255 TCP:443",
            "11.0.0.0-255.255.255.255 All",
        ]
    );
}

// API reference, NetworkPolicyPort.port: "a named port on a pod" — resolved against the
// destination pod's container ports of that name *and protocol*; a named port in an egress
// rule towards an external address matches nothing.
#[test]
fn named_ports_resolve_on_the_destination() {
    let c = Case::new(vec![
        pod_with_ports(
            "default",
            "a",
            json!({"app": "a"}),
            json!([{"name": "http", "containerPort": 8080}, {"name": "dns", "containerPort": 53, "protocol": "UDP"}]),
        ),
        pod_with_ports(
            "default",
            "b",
            json!({"app": "b"}),
            json!([{"name": "http", "containerPort": 9000}]),
        ),
        pod("default", "c", json!({"app": "c"})),
        np(
            "default",
            "in",
            json!({"podSelector": {"matchLabels": {"app": "a"}}, "ingress": [{"ports": [{"port": "http"}, {"port": "dns"}, {"port": "dns", "protocol": "UDP"}]}]}),
        ),
        np(
            "default",
            "out",
            json!({"podSelector": {"matchLabels": {"app": "c"}}, "policyTypes": ["Egress"], "egress": [{"ports": [{"port": "http"}, {"port": 443}]}]}),
        ),
    ]);
    assert_eq!(
        c.allowed("b", "a"),
        "TCP:8080;UDP:53",
        "`dns` with the default TCP matches no UDP port"
    );
    assert_eq!(c.allowed("c", "a"), "TCP:8080");
    assert_eq!(
        c.allowed("c", "b"),
        "TCP:443,9000",
        "resolved on the destination b, not on c"
    );
    assert_eq!(
        c.allowed("c", "1.1.1.1"),
        "TCP:443",
        "a named port never matches an external address"
    );
}

// API reference, NetworkPolicyPort: protocol defaults to TCP; no port means all ports of the
// protocol; `endPort` makes a range; a rule without ports allows every protocol (NCA.md
// pitfall 5: more than TCP, UDP and SCTP on all ports).
#[test]
fn ports_protocols_and_ranges() {
    let c = Case::new(vec![
        pod("default", "a", json!({"app": "a"})),
        pod("default", "b", json!({"app": "b"})),
        pod("default", "c", json!({"app": "c"})),
        np(
            "default",
            "p",
            json!({"podSelector": {"matchLabels": {"app": "a"}}, "ingress": [
            {"from": [{"podSelector": {"matchLabels": {"app": "b"}}}],
             "ports": [{"protocol": "SCTP"}, {"protocol": "UDP", "port": 1000, "endPort": 2000}, {"port": 22}]},
            {"from": [{"podSelector": {"matchLabels": {"app": "c"}}}],
             "ports": [{"protocol": "TCP"}, {"protocol": "UDP"}, {"protocol": "SCTP"}]}]}),
        ),
    ]);
    assert_eq!(c.allowed("b", "a"), "TCP:22;UDP:1000-2000;SCTP:1-65535");
    let every_port = c.allowed("c", "a");
    assert_eq!(every_port, "TCP:1-65535;UDP:1-65535;SCTP:1-65535");
    assert_ne!(every_port, "All");
}

// Workloads with equal namespace, labels and named ports share an equivalence class; two
// such workloads still talk to each other, while a workload's traffic to itself is not shown.
#[test]
fn twins_connect_but_not_to_themselves() {
    let c = Case::new(vec![
        pod("default", "a1", json!({"app": "a"})),
        pod("default", "a2", json!({"app": "a"})),
        np(
            "default",
            "p",
            json!({"podSelector": {}, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}], "ports": [{"port": 80}]}]}),
        ),
    ]);
    assert_eq!(c.conn.class_count(), 1);
    assert_eq!(c.allowed("a1", "a2"), "TCP:80");
    assert_eq!(c.conn.allowed(c.w("a1"), c.w("a1")).canonical(), "");
    assert_eq!(c.conn.pair_count(), 2);
    assert_eq!(c.conn.pairs().count(), 2);
}

#[test]
fn nca_lines_match_nca_formatting() {
    let c = Case::new(vec![
        pod("default", "a", json!({"app": "a"})),
        pod("default", "b", json!({"app": "b"})),
        np(
            "default",
            "p",
            json!({"podSelector": {"matchLabels": {"app": "a"}}, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [{"podSelector": {}}], "ports": [{"port": 80}, {"port": 80, "protocol": "UDP"}, {"protocol": "SCTP"}]}],
            "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}),
        ),
    ]);
    assert_eq!(
        report::nca_lines(&c.cluster, &c.conn),
        [
            "0.0.0.0-255.255.255.255 => default/b[Pod] : All connections",
            "default/a[Pod] => 10.0.0.0-10.255.255.255 : All connections",
            "default/b[Pod] => 0.0.0.0-255.255.255.255 : All connections",
            "default/b[Pod] => default/a[Pod] : {protocols:SCTP}",
            "default/b[Pod] => default/a[Pod] : {protocols:TCP, UDP,dst_ports:80}",
        ]
    );
}

/// Names with a space fall outside what ordering lines by endpoint rank is shown to be equal
/// to (see `report::NcaLines`), so such estates are ordered as text: sorted either way.
#[test]
fn nca_lines_with_unusual_names_are_sorted_as_text() {
    let c = Case::new(vec![
        pod("default", "a", json!({"app": "a"})),
        pod("default", "a b", json!({"app": "b"})),
        pod("default", "a!", json!({"app": "c"})),
    ]);
    let lines = report::nca_lines(&c.cluster, &c.conn);
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    assert_eq!(
        lines.len(),
        6 + 6,
        "every pair plus each pod's two external lines"
    );
}

/// The engine (classes, bitsets, memoized interned sets) against the reference evaluation,
/// pair by pair and on sampled external addresses, over many generated clusters.
#[test]
fn engine_equals_reference_on_generated_clusters() {
    let probes: Vec<IpAddr> = [
        "0.0.0.1",
        "8.8.8.8",
        "10.0.0.1",
        "10.1.2.3",
        "10.2.3.4",
        "10.2.4.1",
        "10.200.0.1",
        "172.16.0.1",
        "172.21.0.1",
        "192.168.1.1",
        "192.168.2.2",
        "192.168.255.255",
        "255.255.255.255",
        "2001:db8::1",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    for seed in 0..300 {
        let docs = sample::small_case(seed, "t");
        let cluster =
            Cluster::from_documents(&docs).unwrap_or_else(|e| panic!("seed {seed}: {e:?}"));
        let conn = Connectivity::compute(&cluster);
        let n = cluster.workloads.len();
        let mut pairs = 0;
        for s in 0..n {
            for d in 0..n {
                let want =
                    reference_allowed(&cluster, Endpoint::Workload(s), Endpoint::Workload(d));
                assert_eq!(
                    conn.allowed(s, d),
                    &want,
                    "seed {seed}: {} -> {}",
                    cluster.workloads[s].display_name(),
                    cluster.workloads[d].display_name()
                );
                pairs += usize::from(!want.is_empty());
            }
            for &ip in &probes {
                let want =
                    reference_allowed(&cluster, Endpoint::Workload(s), Endpoint::External(ip))
                        .canonical();
                assert_eq!(
                    external(conn.external_egress(s), ip),
                    want,
                    "seed {seed}: {} -> {ip}",
                    cluster.workloads[s].display_name()
                );
                let want =
                    reference_allowed(&cluster, Endpoint::External(ip), Endpoint::Workload(s))
                        .canonical();
                assert_eq!(
                    external(conn.external_ingress(s), ip),
                    want,
                    "seed {seed}: {ip} -> {}",
                    cluster.workloads[s].display_name()
                );
            }
        }
        assert_eq!(conn.pair_count(), pairs, "seed {seed}");
        assert_eq!(conn.pairs().count(), pairs, "seed {seed}");
        let mut looped = Vec::new();
        conn.for_each_pair_id(|s, d, c| looped.push((s, d, c)));
        assert_eq!(looped, conn.pair_ids().collect::<Vec<_>>(), "seed {seed}");
        // The NCA lines, ordered by endpoint rank, equal the lines built and sorted as text.
        let names: Vec<String> = cluster.workloads.iter().map(|w| w.display_name()).collect();
        let ipv6 = report::uses_ipv6(&cluster);
        let mut text = Vec::new();
        for (s, d, c) in conn.pairs() {
            for g in c.nca_groups() {
                text.push(format!("{} => {} : {g}", names[s], names[d]));
            }
        }
        for (w, name) in names.iter().enumerate() {
            for (r, c) in conn.external_egress(w) {
                if ipv6 || r.first.is_ipv4() {
                    for g in c.nca_groups() {
                        text.push(format!("{name} => {r} : {g}"));
                    }
                }
            }
            for (r, c) in conn.external_ingress(w) {
                if ipv6 || r.first.is_ipv4() {
                    for g in c.nca_groups() {
                        text.push(format!("{r} => {name} : {g}"));
                    }
                }
            }
        }
        text.sort();
        assert_eq!(report::nca_lines(&cluster, &conn), text, "seed {seed}");
    }
}

#[test]
fn estate_generator_is_deterministic_and_valid() {
    let a = sample::estate(120, 7);
    assert_eq!(a, sample::estate(120, 7));
    let cluster = Cluster::from_documents(&a).unwrap();
    assert_eq!(cluster.workloads.len(), 120);
    assert_eq!(cluster.policies.len(), 120 + 3);
    let conn = Connectivity::compute(&cluster);
    assert!(conn.pair_count() > 0);
}
