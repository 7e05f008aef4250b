//! Live connectivity: what Kubernetes NetworkPolicies really allow between a design's services,
//! at L4, computed with the NetworkPolicy engine ([`crate::netpol`]).
//!
//! NetworkPolicy knows pods, not services, and ports, not requests. So:
//! - **Workloads are mapped to design services** the way `bulkhead import` builds them: by the
//!   Kubernetes Services that select the workload (a design service tagged
//!   `k8s-service:<namespace>/<name>`), else by labels (the design service in the workload's
//!   namespace whose non-empty `labels` are a subset of the pod labels, the most specific one
//!   when several are), else by name (the design service's id or name equals the workload's
//!   name, in its namespace). A design service without a `namespace` matches any namespace.
//! - **A pair of services** (A, B) is what every pod of A may open to every pod of B:
//!   [`LivePair::allowed`] is the intersection over the workload pairs behind it, and
//!   [`LivePair::some`] the union, kept when it differs (some pods of A may, others not).
//! - **The internet** is every public address: IPv4 outside the private, shared, loopback,
//!   link-local, multicast and reserved ranges, plus IPv6 outside its special ranges when any
//!   policy names an IPv6 block (a cluster whose policies never mention IPv6 is taken to be
//!   IPv4-only). The internet may call B on what every public address may send to every pod of
//!   B; what only some public addresses may send is [`LivePair::some`].
//!
//! Everything here is pure; the caller reads the manifests.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Design, INTERNET, Protocol};
use crate::netpol::conn::{PORT_MAX, PORT_MIN};
use crate::netpol::explain::{Endpoint, SideVerdict};
use crate::netpol::ip::{IpRange, IpSet};
use crate::netpol::objects::Workload;
use crate::netpol::ranges::RangeSet;
use crate::netpol::{Cluster, ConnSet, Connectivity, InputError};

/// Live connectivity over the design's services, computed from NetworkPolicies (see
/// [`live_connectivity`]) or given by a front end. Pairs not listed are denied.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LiveConnectivity {
    /// Where it came from (files), for the report.
    pub source: String,
    /// NetworkPolicies the connectivity was computed from.
    #[serde(default)]
    pub policies: usize,
    /// How each live workload was mapped to a design service.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workloads: Vec<LiveWorkload>,
    /// Allowed (caller, target) pairs; `from` may be `internet`.
    pub pairs: Vec<LivePair>,
    /// Design services no live workload maps to: they are left out of the comparison.
    #[serde(default)]
    pub unmapped_services: Vec<String>,
    /// Live workloads that map to no design service (shadow workloads).
    #[serde(default)]
    pub unmapped_workloads: Vec<String>,
}

/// One live workload and the design service it was mapped to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LiveWorkload {
    /// `namespace/name[Kind]`.
    pub workload: String,
    /// The design service, or `null` when none matches.
    pub service: Option<String>,
    /// How: `Service <ns>/<name>`, `labels`, `name`, or why it is unmapped.
    pub matched_by: String,
}

/// What the live policies allow from one caller to one target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LivePair {
    /// `internet` or a service id.
    pub from: String,
    pub to: String,
    /// What every pod of `from` may open to every pod of `to`.
    pub allowed: LivePorts,
    /// What at least one pod of `from` may open to at least one pod of `to`, when that is
    /// more than `allowed` (services with several workloads, or the internet when only some
    /// public addresses may call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub some: Option<LivePorts>,
}

impl LivePair {
    /// The live verdict on one port of the target (`None`: the target declares no ports, so
    /// the question is "any port", which only [`LivePorts::all`] answers fully).
    pub fn verdict(&self, protocol: Protocol, port: Option<u32>) -> LiveVerdict {
        let some = self.some.as_ref().unwrap_or(&self.allowed);
        match port {
            Some(p) if self.allowed.allows(protocol, p) => LiveVerdict::Allowed,
            Some(p) if some.allows(protocol, p) => LiveVerdict::Partly,
            None if self.allowed.all => LiveVerdict::Allowed,
            None if !some.is_empty() => LiveVerdict::Partly,
            _ => LiveVerdict::Denied,
        }
    }
}

/// The live verdict on one (caller, target, port).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum LiveVerdict {
    Allowed,
    /// Allowed for some pods (or addresses) behind the pair, not all.
    Partly,
    Denied,
}

/// A set of connections: everything, or TCP/UDP/SCTP port ranges.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LivePorts {
    /// Every protocol (ICMP too) on every port: a rule without `ports`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub all: bool,
    /// Port ranges per protocol (empty when `all`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<LivePortRange>,
}

/// `first..=last` of one protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LivePortRange {
    pub protocol: Protocol,
    pub first: u32,
    pub last: u32,
}

const PROTOCOLS: [(Protocol, crate::netpol::Protocol); 3] = [
    (Protocol::Tcp, crate::netpol::Protocol::Tcp),
    (Protocol::Udp, crate::netpol::Protocol::Udp),
    (Protocol::Sctp, crate::netpol::Protocol::Sctp),
];

impl LivePorts {
    pub fn from_conn(c: &ConnSet) -> LivePorts {
        if c.is_all() {
            return LivePorts {
                all: true,
                ranges: Vec::new(),
            };
        }
        let mut ranges = Vec::new();
        for (proto, np) in PROTOCOLS {
            for &(first, last) in c.port_set(np).intervals() {
                ranges.push(LivePortRange {
                    protocol: proto,
                    first: u32::from(first),
                    last: u32::from(last),
                });
            }
        }
        LivePorts { all: false, ranges }
    }

    pub fn is_empty(&self) -> bool {
        !self.all && self.ranges.is_empty()
    }

    pub fn allows(&self, protocol: Protocol, port: u32) -> bool {
        self.all
            || self
                .ranges
                .iter()
                .any(|r| r.protocol == protocol && r.first <= port && port <= r.last)
    }
}

impl std::fmt::Display for LivePorts {
    /// `all traffic`, `none`, or e.g. `TCP 80, 8080-8090; UDP 53`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.all {
            return f.write_str("all traffic");
        }
        if self.ranges.is_empty() {
            return f.write_str("none");
        }
        let mut parts: Vec<String> = Vec::new();
        for (proto, _) in PROTOCOLS {
            let r: Vec<String> = self
                .ranges
                .iter()
                .filter(|r| r.protocol == proto)
                .map(|r| {
                    if r.first == u32::from(PORT_MIN) && r.last == u32::from(PORT_MAX) {
                        "all ports".to_string()
                    } else if r.first == r.last {
                        r.first.to_string()
                    } else {
                        format!("{}-{}", r.first, r.last)
                    }
                })
                .collect();
            if !r.is_empty() {
                let name = serde_json::to_value(proto)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                parts.push(format!("{name} {}", r.join(", ")));
            }
        }
        f.write_str(&parts.join("; "))
    }
}

/// A Kubernetes Service's selector, which is how import names workloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceSelector {
    pub namespace: String,
    pub name: String,
    pub selector: BTreeMap<String, String>,
}

/// The `v1` Services in `docs` (and in `List`s) with a non-empty string selector.
pub fn service_selectors(docs: &[Value]) -> Vec<ServiceSelector> {
    fn walk(v: &Value, depth: usize, out: &mut Vec<ServiceSelector>) {
        if depth > 2 {
            return;
        }
        match v.get("kind").and_then(Value::as_str) {
            Some("List") | Some("ServiceList") => {
                for item in v
                    .get("items")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    walk(item, depth + 1, out);
                }
            }
            Some("Service") => {
                if v.get("apiVersion")
                    .and_then(Value::as_str)
                    .is_some_and(|a| a != "v1")
                {
                    return;
                }
                let meta = v.get("metadata");
                let name = meta.and_then(|m| m.get("name")).and_then(Value::as_str);
                let namespace = meta
                    .and_then(|m| m.get("namespace"))
                    .and_then(Value::as_str)
                    .unwrap_or("default");
                let selector: BTreeMap<String, String> = v
                    .pointer("/spec/selector")
                    .and_then(Value::as_object)
                    .map(|m| {
                        m.iter()
                            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(name) = name
                    && !selector.is_empty()
                {
                    out.push(ServiceSelector {
                        namespace: namespace.to_string(),
                        name: name.to_string(),
                        selector,
                    });
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for d in docs {
        walk(d, 0, &mut out);
    }
    out
}

/// The design service a workload is, and how that was decided; `Err` says why none is.
pub fn map_workload(
    design: &Design,
    w: &Workload,
    services: &[ServiceSelector],
) -> Result<(usize, String), String> {
    let ns_ok = |s: &crate::model::Service| s.namespace.as_deref().is_none_or(|n| n == w.namespace);
    // 1. The Services that select it, as import names them.
    let mut by_service: BTreeMap<usize, String> = BTreeMap::new();
    for ks in services {
        if ks.namespace != w.namespace
            || !ks.selector.iter().all(|(k, v)| w.labels.get(k) == Some(v))
        {
            continue;
        }
        let tag = format!("k8s-service:{}/{}", ks.namespace, ks.name);
        for (i, s) in design.services.iter().enumerate() {
            if s.tags.contains(&tag) {
                by_service
                    .entry(i)
                    .or_insert_with(|| format!("Service {}/{}", ks.namespace, ks.name));
            }
        }
    }
    if by_service.len() == 1 {
        return Ok(by_service.into_iter().next().expect("one entry"));
    }
    let ambiguous = |what: &str, ids: Vec<&str>| {
        format!(
            "ambiguous: {what} match {}",
            ids.iter()
                .map(|i| format!("`{i}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    if by_service.len() > 1 {
        return Err(ambiguous(
            "the Services selecting it",
            by_service
                .keys()
                .map(|&i| design.services[i].id.as_str())
                .collect(),
        ));
    }
    // 2. Labels: the most specific design service whose labels the pod carries.
    let by_labels: Vec<(usize, usize)> = design
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            ns_ok(s)
                && !s.labels.is_empty()
                && s.labels.iter().all(|(k, v)| w.labels.get(k) == Some(v))
        })
        .map(|(i, s)| (i, s.labels.len()))
        .collect();
    if let Some(best) = by_labels.iter().map(|(_, n)| *n).max() {
        let top: Vec<usize> = by_labels
            .iter()
            .filter(|(_, n)| *n == best)
            .map(|(i, _)| *i)
            .collect();
        return match top.as_slice() {
            [i] => Ok((*i, "labels".to_string())),
            many => Err(ambiguous(
                "the labels of",
                many.iter()
                    .map(|&i| design.services[i].id.as_str())
                    .collect(),
            )),
        };
    }
    // 3. Name.
    let by_name: Vec<usize> = design
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| ns_ok(s) && (s.id == w.name || s.name == w.name))
        .map(|(i, _)| i)
        .collect();
    match by_name.as_slice() {
        [i] => Ok((*i, "name".to_string())),
        [] => Err("no design service has its labels, its name or a Service selecting it".into()),
        many => Err(ambiguous(
            "the names of",
            many.iter()
                .map(|&i| design.services[i].id.as_str())
                .collect(),
        )),
    }
}

/// The documents to compute connectivity from when the same object (kind, namespace, name)
/// appears more than once, as when a folder holds both a kustomize base and the rendered
/// release: the indices of the first definition of each object (and of every document without
/// a name), and the later ones as (duplicate, first) pairs for the caller to report. Kubernetes
/// keeps one object per name, so computing from all of them would be wrong.
pub fn distinct_objects(docs: &[Value]) -> (Vec<usize>, Vec<(usize, usize)>) {
    let mut first: HashMap<(String, String, String), usize> = HashMap::new();
    let mut kept = Vec::with_capacity(docs.len());
    let mut dups = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let s = |p: &str| d.pointer(p).and_then(Value::as_str);
        let (Some(kind), Some(name)) = (s("/kind"), s("/metadata/name")) else {
            kept.push(i);
            continue;
        };
        let key = (
            kind.to_string(),
            s("/metadata/namespace").unwrap_or("default").to_string(),
            name.to_string(),
        );
        match first.get(&key) {
            Some(&f) => dups.push((i, f)),
            None => {
                first.insert(key, i);
                kept.push(i);
            }
        }
    }
    (kept, dups)
}

/// The address set of one range.
fn range_set(r: IpRange) -> IpSet {
    match (r.first, r.last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => IpSet {
            v4: RangeSet::interval(u32::from(a), u32::from(b)),
            v6: RangeSet::new(),
        },
        (IpAddr::V6(a), IpAddr::V6(b)) => IpSet {
            v4: RangeSet::new(),
            v6: RangeSet::interval(u128::from(a), u128::from(b)),
        },
        _ => IpSet::empty(),
    }
}

/// Non-public IPv4 ranges (RFC 6890 special-purpose, multicast and reserved).
const SPECIAL_V4: [&str; 14] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
];
/// Non-public IPv6 ranges.
const SPECIAL_V6: [&str; 7] = [
    "::/8",
    "64:ff9b:1::/48",
    "100::/64",
    "2001:db8::/32",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
];

/// The internet: public addresses (IPv6 only when `ipv6`).
pub fn internet_addresses(ipv6: bool) -> IpSet {
    let mut special = IpSet::empty();
    for c in SPECIAL_V4
        .iter()
        .chain(if ipv6 { &SPECIAL_V6[..] } else { &[] })
    {
        special = special.union(&IpSet::parse_cidr(c).expect("valid constant CIDR"));
    }
    let mut all = IpSet::all();
    if !ipv6 {
        all.v6 = RangeSet::new();
    }
    all.subtract(&special)
}

/// A representative public address, for explanations.
pub const INTERNET_EXAMPLE: IpAddr = IpAddr::V4(Ipv4Addr::new(1, 1, 1, 1));

/// The computed live connectivity with what is needed to explain it.
pub struct LiveInput {
    pub connectivity: LiveConnectivity,
    pub cluster: Cluster,
    /// Design service id → its workloads (indices into `cluster.workloads`).
    pub members: BTreeMap<String, Vec<usize>>,
}

/// Reads the NetworkPolicies, workloads, namespaces and Services in `docs`, computes their
/// connectivity and maps it onto `design`'s services. `source` names the inputs in reports.
pub fn live_connectivity(
    design: &Design,
    docs: &[Value],
    source: &str,
) -> Result<LiveInput, Vec<InputError>> {
    let cluster = Cluster::from_documents(docs)?;
    let selectors = service_selectors(docs);
    let conn = Connectivity::compute(&cluster);
    Ok(from_cluster(design, cluster, &conn, &selectors, source))
}

/// [`live_connectivity`] for an already computed cluster.
pub fn from_cluster(
    design: &Design,
    cluster: Cluster,
    conn: &Connectivity,
    selectors: &[ServiceSelector],
    source: &str,
) -> LiveInput {
    let mut service_of: Vec<Option<usize>> = Vec::with_capacity(cluster.workloads.len());
    let mut workloads = Vec::with_capacity(cluster.workloads.len());
    let mut unmapped_workloads = Vec::new();
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (wi, w) in cluster.workloads.iter().enumerate() {
        match map_workload(design, w, selectors) {
            Ok((si, how)) => {
                service_of.push(Some(si));
                members.entry(si).or_default().push(wi);
                workloads.push(LiveWorkload {
                    workload: w.display_name(),
                    service: Some(design.services[si].id.clone()),
                    matched_by: how,
                });
            }
            Err(why) => {
                service_of.push(None);
                unmapped_workloads.push(w.display_name());
                workloads.push(LiveWorkload {
                    workload: w.display_name(),
                    service: None,
                    matched_by: why,
                });
            }
        }
    }
    // Per (caller service, target service): how many workload pairs allow each connection set.
    let mut per: HashMap<(usize, usize), BTreeMap<u32, usize>> = HashMap::new();
    for (s, d, c) in conn.pair_ids() {
        let (Some(a), Some(b)) = (service_of[s], service_of[d]) else {
            continue;
        };
        if a == b {
            continue;
        }
        *per.entry((a, b)).or_default().entry(c).or_default() += 1;
    }
    let mut pairs = Vec::new();
    for ((a, b), by_conn) in per {
        let total: usize = by_conn.values().sum();
        let full = members[&a].len() * members[&b].len();
        let mut union = ConnSet::empty();
        let mut inter: Option<ConnSet> = None;
        for &c in by_conn.keys() {
            let set = conn.conn(c);
            union = union.union(set);
            inter = Some(match inter {
                None => set.clone(),
                Some(i) => i.intersect(set),
            });
        }
        let allowed = if total == full {
            inter.unwrap_or_default()
        } else {
            ConnSet::empty()
        };
        pairs.push(pair(
            &design.services[a].id,
            &design.services[b].id,
            &allowed,
            &union,
        ));
    }
    // The internet.
    let public = internet_addresses(crate::netpol::report::uses_ipv6(&cluster));
    for (&b, ws) in &members {
        let mut all_of: Option<ConnSet> = None;
        let mut some = ConnSet::empty();
        for &w in ws {
            let mut covered = IpSet::empty();
            let mut every: Option<ConnSet> = None;
            for (r, c) in conn.external_ingress(w) {
                let rs = range_set(r).intersect(&public);
                if rs.is_empty() || c.is_empty() {
                    continue;
                }
                covered = covered.union(&rs);
                some = some.union(c);
                every = Some(match every {
                    None => c.clone(),
                    Some(e) => e.intersect(c),
                });
            }
            let every = if public.subtract(&covered).is_empty() {
                every.unwrap_or_default()
            } else {
                ConnSet::empty()
            };
            all_of = Some(match all_of {
                None => every,
                Some(a) => a.intersect(&every),
            });
        }
        let allowed = all_of.unwrap_or_default();
        if !some.is_empty() {
            pairs.push(pair(INTERNET, &design.services[b].id, &allowed, &some));
        }
    }
    pairs.sort_by(|x, y| {
        let key = |p: &LivePair| (p.from != INTERNET, p.from.clone(), p.to.clone());
        key(x).cmp(&key(y))
    });
    let unmapped_services: Vec<String> = design
        .services
        .iter()
        .enumerate()
        .filter(|(i, _)| !members.contains_key(i))
        .map(|(_, s)| s.id.clone())
        .collect();
    let connectivity = LiveConnectivity {
        source: source.to_string(),
        policies: cluster.policies.len(),
        workloads,
        pairs,
        unmapped_services,
        unmapped_workloads,
    };
    LiveInput {
        connectivity,
        members: members
            .into_iter()
            .map(|(si, ws)| (design.services[si].id.clone(), ws))
            .collect(),
        cluster,
    }
}

fn pair(from: &str, to: &str, allowed: &ConnSet, some: &ConnSet) -> LivePair {
    LivePair {
        from: from.to_string(),
        to: to.to_string(),
        allowed: LivePorts::from_conn(allowed),
        some: (some != allowed).then(|| LivePorts::from_conn(some)),
    }
}

impl LiveInput {
    /// Why the live policies decide `from` → `to` as they do, for one workload pair behind it
    /// (the first of each service; the internet as [`INTERNET_EXAMPLE`]): each side's policies
    /// and rules, as `bulkhead netpol connectivity --explain` gives them.
    pub fn explain(&self, from: &str, to: &str) -> Vec<String> {
        let src = if from == INTERNET {
            Endpoint::External(INTERNET_EXAMPLE)
        } else {
            match self.members.get(from).and_then(|m| m.first()) {
                Some(&w) => Endpoint::Workload(w),
                None => return Vec::new(),
            }
        };
        let Some(&dst) = self.members.get(to).and_then(|m| m.first()) else {
            return Vec::new();
        };
        let e = crate::netpol::explain(&self.cluster, src, Endpoint::Workload(dst));
        let side = |who: &str, v: &SideVerdict| -> String {
            if v.matching_rules.is_empty() {
                format!("{who}: {}", v.summary)
            } else {
                let rules: Vec<String> = v
                    .matching_rules
                    .iter()
                    .map(|r| {
                        format!(
                            "`{}` {}[{}] ({})",
                            r.policy, r.direction, r.rule, r.connections
                        )
                    })
                    .collect();
                format!("{who}: allowed by {}", rules.join(", "))
            }
        };
        vec![
            side(&format!("egress of {}", e.src), &e.egress),
            side(&format!("ingress of {}", e.dst), &e.ingress),
        ]
    }

    /// Fills in [`super::LiveDifference::live_why`] for every difference.
    pub fn annotate(&self, live: &mut super::LiveDrift) {
        for d in &mut live.differences {
            d.live_why = self.explain(&d.from, &d.to);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Port, Service};
    use serde_json::json;

    fn deployment(name: &str, labels: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": "shop"},
               "spec": {"template": {"metadata": {"labels": labels},
                        "spec": {"containers": [{"name": "c"}]}}}})
    }

    fn service(id: &str, labels: &[(&str, &str)], port: u32) -> Service {
        Service {
            id: id.into(),
            namespace: Some("shop".into()),
            labels: labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ports: vec![Port {
                port,
                protocol: Protocol::Tcp,
                name: None,
            }],
            ..Service::default()
        }
    }

    fn design(services: Vec<Service>) -> Design {
        let mut d = Design::new("t");
        d.services = services;
        d
    }

    fn pair<'a>(l: &'a LiveConnectivity, from: &str, to: &str) -> Option<&'a LivePair> {
        l.pairs.iter().find(|p| p.from == from && p.to == to)
    }

    #[test]
    fn workloads_map_by_service_then_labels_then_name() {
        let mut tagged = service("cart", &[], 7070);
        tagged.tags.push("k8s-service:shop/carts".into());
        let d = design(vec![
            tagged,
            service("web", &[("app", "web")], 80),
            // More specific than `web`: wins for pods carrying both labels.
            service("web-canary", &[("app", "web"), ("track", "canary")], 80),
            service("batch", &[], 0),
        ]);
        let docs = vec![
            deployment("cart-v1", json!({"app": "cart", "v": "1"})),
            deployment("cart-v2", json!({"app": "cart", "v": "2"})),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "carts", "namespace": "shop"},
                   "spec": {"selector": {"app": "cart"}}}),
            deployment("web", json!({"app": "web"})),
            deployment("web-c", json!({"app": "web", "track": "canary"})),
            deployment("batch", json!({"job": "x"})),
            deployment("stray", json!({"app": "stray"})),
        ];
        let input = live_connectivity(&d, &docs, "t").unwrap();
        let by: Vec<(&str, Option<&str>, &str)> = input
            .connectivity
            .workloads
            .iter()
            .map(|w| {
                (
                    w.workload.as_str(),
                    w.service.as_deref(),
                    if w.service.is_some() {
                        w.matched_by.as_str()
                    } else {
                        "-"
                    },
                )
            })
            .collect();
        assert_eq!(
            by,
            vec![
                (
                    "shop/cart-v1[Deployment]",
                    Some("cart"),
                    "Service shop/carts"
                ),
                (
                    "shop/cart-v2[Deployment]",
                    Some("cart"),
                    "Service shop/carts"
                ),
                ("shop/web[Deployment]", Some("web"), "labels"),
                ("shop/web-c[Deployment]", Some("web-canary"), "labels"),
                ("shop/batch[Deployment]", Some("batch"), "name"),
                ("shop/stray[Deployment]", None, "-"),
            ]
        );
        assert_eq!(
            input.connectivity.unmapped_workloads,
            vec!["shop/stray[Deployment]"]
        );
        // No policies: everything may reach everything, from the internet too.
        let p = pair(&input.connectivity, "web", "cart").unwrap();
        assert!(p.allowed.all && p.some.is_none());
        assert!(
            pair(&input.connectivity, INTERNET, "web")
                .unwrap()
                .allowed
                .all
        );
    }

    #[test]
    fn a_service_whose_pods_differ_is_allowed_only_partly() {
        // Only `cart-v1` admits `web`: web → cart is allowed for some pods, not all.
        let d = design(vec![
            service("cart", &[("app", "cart")], 7070),
            service("web", &[("app", "web")], 80),
        ]);
        let docs = vec![
            deployment("cart-v1", json!({"app": "cart", "v": "1"})),
            deployment("cart-v2", json!({"app": "cart", "v": "2"})),
            deployment("web", json!({"app": "web"})),
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                   "metadata": {"name": "deny-all", "namespace": "shop"},
                   "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}),
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                   "metadata": {"name": "cart-v1", "namespace": "shop"},
                   "spec": {"podSelector": {"matchLabels": {"v": "1"}},
                            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                                         "ports": [{"port": 7070}]}]}}),
        ];
        let input = live_connectivity(&d, &docs, "t").unwrap();
        let p = pair(&input.connectivity, "web", "cart").unwrap();
        assert!(p.allowed.is_empty(), "{p:?}");
        assert_eq!(p.some.as_ref().unwrap().to_string(), "TCP 7070");
        assert_eq!(p.verdict(Protocol::Tcp, Some(7070)), LiveVerdict::Partly);
        assert_eq!(p.verdict(Protocol::Tcp, Some(80)), LiveVerdict::Denied);
        // The internet reaches neither pod of `cart`: no pair.
        assert!(pair(&input.connectivity, INTERNET, "cart").is_none());
    }

    #[test]
    fn the_internet_is_every_public_address() {
        let d = design(vec![service("web", &[("app", "web")], 443)]);
        let policy = |cidr: &str| {
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                   "metadata": {"name": "web", "namespace": "shop"},
                   "spec": {"podSelector": {},
                            "ingress": [{"from": [{"ipBlock": {"cidr": cidr}}], "ports": [{"port": 443}]}]}})
        };
        let web = deployment("web", json!({"app": "web"}));
        // 0.0.0.0/0 admits every public IPv4 address (IPv6 is not in play: no policy names it).
        let all = live_connectivity(&d, &[web.clone(), policy("0.0.0.0/0")], "t").unwrap();
        let p = pair(&all.connectivity, INTERNET, "web").unwrap();
        assert_eq!(p.verdict(Protocol::Tcp, Some(443)), LiveVerdict::Allowed);
        // A private range only: not the internet at all.
        let private = live_connectivity(&d, &[web.clone(), policy("10.0.0.0/8")], "t").unwrap();
        assert!(pair(&private.connectivity, INTERNET, "web").is_none());
        // Half the address space: some public addresses may call, not all.
        let half = live_connectivity(&d, &[web, policy("0.0.0.0/1")], "t").unwrap();
        let p = pair(&half.connectivity, INTERNET, "web").unwrap();
        assert_eq!(p.verdict(Protocol::Tcp, Some(443)), LiveVerdict::Partly);
        let public = internet_addresses(false);
        assert!(public.contains("8.8.8.8".parse().unwrap()));
        assert!(!public.contains("192.168.1.1".parse().unwrap()));
        assert!(internet_addresses(true).contains("2606:4700::1111".parse().unwrap()));
    }
}
