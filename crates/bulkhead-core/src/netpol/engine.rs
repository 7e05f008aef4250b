//! The connectivity engine: which connections NetworkPolicies allow between every pair of
//! workloads, and between workloads and external address ranges.
//!
//! Semantics (Kubernetes docs, "Network Policies"):
//! - A pod is isolated for ingress (egress) when some policy in its namespace selects it and
//!   has `Ingress` (`Egress`) among its policy types; a pod that no such policy selects allows
//!   everything in that direction ("The two sorts of pod isolation").
//! - Policies are additive: an isolated pod allows the union of what the rules of the policies
//!   selecting it allow.
//! - A connection from A to B needs A's egress to allow it and B's ingress to allow it.
//! - `ipBlock` stands for addresses outside the cluster only, so it never admits or reaches a
//!   workload (NCA.md pitfall 4); traffic from an external range needs only the pod's ingress,
//!   traffic to one only the pod's egress.
//! - Named ports resolve against the *destination* pod's container ports with the same name
//!   and protocol; towards external addresses a named port matches nothing.
//!
//! Speed: workloads with equal (namespace, labels, named ports) behave identically, so the
//! engine works on these equivalence classes. Every selector is evaluated once, as bitset
//! operations over an inverted label index, and the per-destination accumulation touches only
//! the sources a rule admits. Connection sets are interned, and unions and intersections of
//! interned sets are memoized.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::conn::{ConnSet, PortSet, Protocol};
use super::ip::{IpRange, IpSet};
use super::objects::{Cluster, Peer, Port, Rule};
use super::selector::{LabelSelector, Labels, Operator};
use crate::bits::Bits;

/// An interned [`ConnSet`].
pub type ConnId = u32;
const EMPTY: ConnId = 0;
const ALL: ConnId = 1;

/// Hashes the `u64` keys of [`PairMemo`] by one multiplication: the memo is probed for
/// every (source, destination, rule) step, where SipHash was a visible share of the time.
/// Keys are pairs of small ids, so there is nothing for an adversary to collide on.
#[derive(Default)]
struct PairHasher(u64);

impl Hasher for PairHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, x: u32) {
        self.write_u64(u64::from(x));
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0 ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

/// Results of a set operation on two interned ids, keyed by the ordered pair.
type PairMemo = HashMap<u64, ConnId, BuildHasherDefault<PairHasher>>;

fn pair_key(a: ConnId, b: ConnId) -> u64 {
    (u64::from(a.min(b)) << 32) | u64::from(a.max(b))
}

/// Interned connection sets with memoized set operations.
struct ConnTable {
    sets: Vec<ConnSet>,
    ids: HashMap<ConnSet, ConnId>,
    unions: PairMemo,
    inters: PairMemo,
}

impl ConnTable {
    fn new() -> Self {
        let mut t = Self {
            sets: Vec::new(),
            ids: HashMap::new(),
            unions: PairMemo::default(),
            inters: PairMemo::default(),
        };
        t.intern(ConnSet::empty());
        t.intern(ConnSet::all());
        t
    }

    fn intern(&mut self, c: ConnSet) -> ConnId {
        if let Some(&id) = self.ids.get(&c) {
            return id;
        }
        let id = self.sets.len() as ConnId;
        self.sets.push(c.clone());
        self.ids.insert(c, id);
        id
    }

    fn union(&mut self, a: ConnId, b: ConnId) -> ConnId {
        if a == b || b == EMPTY || a == ALL {
            return a;
        }
        if a == EMPTY || b == ALL {
            return b;
        }
        let key = pair_key(a, b);
        if let Some(&r) = self.unions.get(&key) {
            return r;
        }
        let r = self.intern(self.sets[a as usize].union(&self.sets[b as usize]));
        self.unions.insert(key, r);
        r
    }

    fn intersect(&mut self, a: ConnId, b: ConnId) -> ConnId {
        if a == b || b == ALL || a == EMPTY {
            return a;
        }
        if a == ALL || b == EMPTY {
            return b;
        }
        let key = pair_key(a, b);
        if let Some(&r) = self.inters.get(&key) {
            return r;
        }
        let r = self.intern(self.sets[a as usize].intersect(&self.sets[b as usize]));
        self.inters.insert(key, r);
        r
    }
}

/// Label index over classes: for each key, the classes having it, and per value the classes
/// having that value.
#[derive(Default)]
struct LabelIndex {
    keys: HashMap<String, (Bits, HashMap<String, Bits>)>,
}

impl LabelIndex {
    fn build<'a>(n: usize, labels: impl Iterator<Item = &'a Labels>) -> Self {
        let mut idx = Self::default();
        for (c, l) in labels.enumerate() {
            for (k, v) in l {
                let e = idx
                    .keys
                    .entry(k.clone())
                    .or_insert_with(|| (Bits::new(n), HashMap::new()));
                e.0.insert(c);
                e.1.entry(v.clone())
                    .or_insert_with(|| Bits::new(n))
                    .insert(c);
            }
        }
        idx
    }

    /// The classes whose labels match `sel`.
    fn select(&self, n: usize, sel: &LabelSelector) -> Bits {
        let mut out = Bits::full(n);
        let with_value = |k: &str, vals: &[String]| {
            let mut b = Bits::new(n);
            if let Some((_, by_val)) = self.keys.get(k) {
                for v in vals {
                    if let Some(bits) = by_val.get(v) {
                        b.union_with(bits);
                    }
                }
            }
            b
        };
        for (k, v) in sel.match_labels.iter().flatten() {
            out.and_with(&with_value(k, std::slice::from_ref(v)));
        }
        for r in sel.match_expressions.iter().flatten() {
            let vals = r.values.as_deref().unwrap_or(&[]);
            match r.operator {
                Operator::In => out.and_with(&with_value(&r.key, vals)),
                Operator::NotIn => out.and_not_with(&with_value(&r.key, vals)),
                Operator::Exists | Operator::DoesNotExist => {
                    let has = self
                        .keys
                        .get(&r.key)
                        .map(|(b, _)| b.clone())
                        .unwrap_or_else(|| Bits::new(n));
                    if r.operator == Operator::Exists {
                        out.and_with(&has);
                    } else {
                        out.and_not_with(&has);
                    }
                }
            }
        }
        out
    }
}

/// A rule's ports: a fixed part plus named ports resolved per destination class.
struct CompiledPorts {
    /// Distinct per compiled rule (copies share it): the key of the per-class resolution memo.
    id: u32,
    fixed: ConnId,
    named: Vec<(Protocol, String)>,
}

/// What makes egress rules equal: their peers and their ports (fixed and named).
type EgressKey = (Bits, ConnId, Vec<(Protocol, String)>);

/// Egress rules with equal peers and ports, from every policy that has one.
struct EgressGroup {
    /// The union of the classes selected by those policies.
    sources: Bits,
    ports: CompiledPorts,
}

struct CompiledRule {
    peers: Bits,
    ips: IpSet,
    ports: CompiledPorts,
}

/// One equivalence class of workloads.
struct Class {
    namespace: usize,
    labels: Labels,
    named_ports: Vec<super::objects::NamedPort>,
    /// Classes with equal named ports share this id (named ports resolve alike for them).
    port_sig: u32,
    members: Vec<u32>,
}

/// The sources allowed to reach one destination class with one connection set.
enum Sources {
    Sparse(Vec<u32>),
    Dense(Bits),
}

impl Sources {
    fn contains(&self, c: u32) -> bool {
        match self {
            Sources::Sparse(v) => v.binary_search(&c).is_ok(),
            Sources::Dense(b) => b.contains(c as usize),
        }
    }

    fn iter(&self) -> Box<dyn Iterator<Item = u32> + '_> {
        match self {
            Sources::Sparse(v) => Box::new(v.iter().copied()),
            Sources::Dense(b) => Box::new(b.iter().map(|i| i as u32)),
        }
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Sources::Sparse(v) => v.capacity() * 4,
            Sources::Dense(b) => b.bytes(),
        }
    }
}

/// Allowed connections with external addresses, cut into maximal ranges of equal connections.
pub type ExternalSegments = Arc<[(IpRange, ConnId)]>;

/// The computed connectivity of a cluster.
pub struct Connectivity {
    conns: Vec<ConnSet>,
    class_of: Vec<u32>,
    classes: Vec<Class>,
    /// Per destination class: groups of source classes by allowed connection set.
    inbound: Vec<Vec<(ConnId, Sources)>>,
    /// Per class: what external ranges may send to it.
    external_in: Vec<ExternalSegments>,
    /// Per class: what external ranges it may send to.
    external_out: Vec<ExternalSegments>,
}

impl Connectivity {
    /// Computes every allowed connection of `cluster`.
    pub fn compute(cluster: &Cluster) -> Connectivity {
        let ns_index: HashMap<&str, usize> = cluster
            .namespaces
            .iter()
            .enumerate()
            .map(|(i, n)| (n.name.as_str(), i))
            .collect();

        // Equivalence classes: same namespace, labels and named ports.
        let mut classes: Vec<Class> = Vec::new();
        let mut class_of = Vec::with_capacity(cluster.workloads.len());
        {
            let mut key_to_class: HashMap<(usize, &Labels, &[super::objects::NamedPort]), u32> =
                HashMap::new();
            for (wi, w) in cluster.workloads.iter().enumerate() {
                let ns = ns_index[w.namespace.as_str()];
                let id = *key_to_class
                    .entry((ns, &w.labels, &w.named_ports))
                    .or_insert_with(|| {
                        classes.push(Class {
                            namespace: ns,
                            labels: w.labels.clone(),
                            named_ports: w.named_ports.clone(),
                            port_sig: 0,
                            members: Vec::new(),
                        });
                        (classes.len() - 1) as u32
                    });
                classes[id as usize].members.push(wi as u32);
                class_of.push(id);
            }
        }
        let n = classes.len();
        {
            let mut sigs: HashMap<&[super::objects::NamedPort], u32> = HashMap::new();
            let mut ids = Vec::with_capacity(n);
            for c in &classes {
                let next = sigs.len() as u32;
                ids.push(*sigs.entry(c.named_ports.as_slice()).or_insert(next));
            }
            for (c, id) in classes.iter_mut().zip(ids) {
                c.port_sig = id;
            }
        }
        let pod_index = LabelIndex::build(n, classes.iter().map(|c| &c.labels));
        let ns_label_index = LabelIndex::build(
            n,
            classes
                .iter()
                .map(|c| &cluster.namespaces[c.namespace].labels),
        );
        let mut in_namespace: Vec<Bits> = vec![Bits::new(n); cluster.namespaces.len()];
        for (ci, c) in classes.iter().enumerate() {
            in_namespace[c.namespace].insert(ci);
        }

        let mut table = ConnTable::new();
        let mut ports_compiled = 0u32;
        let mut compile_ports = |ports: &Option<Vec<Port>>| -> CompiledPorts {
            ports_compiled += 1;
            let id = ports_compiled;
            let Some(ports) = ports else {
                return CompiledPorts {
                    id,
                    fixed: ALL,
                    named: Vec::new(),
                };
            };
            let mut fixed = ConnSet::empty();
            let mut named = Vec::new();
            for p in ports {
                match p {
                    Port::Numbers { protocol, ports } => {
                        fixed = fixed.union(&ConnSet::ports(*protocol, ports.clone()))
                    }
                    Port::Named { protocol, name } => named.push((*protocol, name.clone())),
                }
            }
            CompiledPorts {
                id,
                fixed: table.intern(fixed),
                named,
            }
        };
        let compile_rule = |rule: &Rule, policy_ns: usize, ports: CompiledPorts| -> CompiledRule {
            let Some(peers) = &rule.peers else {
                return CompiledRule {
                    peers: Bits::full(n),
                    ips: IpSet::all(),
                    ports,
                };
            };
            let mut bits = Bits::new(n);
            let mut ips = IpSet::empty();
            for peer in peers {
                match peer {
                    Peer::Pods { namespaces, pods } => {
                        let mut b = match namespaces {
                            None => in_namespace[policy_ns].clone(),
                            Some(s) => ns_label_index.select(n, s),
                        };
                        if let Some(s) = pods {
                            b.and_with(&pod_index.select(n, s));
                        }
                        bits.union_with(&b);
                    }
                    Peer::IpBlock { addresses, .. } => ips = ips.union(addresses),
                }
            }
            CompiledRule {
                peers: bits,
                ips,
                ports,
            }
        };

        // Policies: selected classes and compiled rules.
        let mut ingress_policies: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut egress_policies: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut ingress_rules: Vec<Vec<CompiledRule>> = Vec::with_capacity(cluster.policies.len());
        let mut egress_rules: Vec<Vec<CompiledRule>> = Vec::with_capacity(cluster.policies.len());
        // Egress rules grouped by (peers, ports): estates repeat the same rule in many
        // policies, and a group's sources are the union of their selected pods. Per
        // destination class, the groups whose peers contain it.
        let mut egress_groups: Vec<EgressGroup> = Vec::new();
        let mut group_index: HashMap<EgressKey, usize> = HashMap::new();
        for (pi, p) in cluster.policies.iter().enumerate() {
            let ns = ns_index[p.namespace.as_str()];
            let mut sel = pod_index.select(n, &p.pod_selector);
            sel.and_with(&in_namespace[ns]);
            for c in sel.iter() {
                if p.affects_ingress {
                    ingress_policies[c].push(pi as u32);
                }
                if p.affects_egress {
                    egress_policies[c].push(pi as u32);
                }
            }
            let ing: Vec<CompiledRule> = if p.affects_ingress && !sel.is_empty() {
                p.ingress
                    .iter()
                    .map(|r| compile_rule(r, ns, compile_ports(&r.ports)))
                    .collect()
            } else {
                Vec::new()
            };
            let eg: Vec<CompiledRule> = if p.affects_egress && !sel.is_empty() {
                p.egress
                    .iter()
                    .map(|r| compile_rule(r, ns, compile_ports(&r.ports)))
                    .collect()
            } else {
                Vec::new()
            };
            for r in &eg {
                if r.peers.is_empty() {
                    continue;
                }
                let key = (r.peers.clone(), r.ports.fixed, r.ports.named.clone());
                let g = *group_index.entry(key).or_insert_with(|| {
                    egress_groups.push(EgressGroup {
                        sources: Bits::new(n),
                        ports: CompiledPorts {
                            id: r.ports.id,
                            fixed: r.ports.fixed,
                            named: r.ports.named.clone(),
                        },
                    });
                    egress_groups.len() - 1
                });
                egress_groups[g].sources.union_with(&sel);
            }
            ingress_rules.push(ing);
            egress_rules.push(eg);
        }
        let mut egress_towards: Vec<Vec<u32>> = vec![Vec::new(); n];
        for ((peers, _, _), &g) in &group_index {
            for d in peers.iter() {
                egress_towards[d].push(g as u32);
            }
        }
        drop(group_index);

        // Named ports resolved per (rule, class's named ports): building and interning the set
        // for every (rule, destination) step cost more than the accumulation itself.
        let mut resolved = PairMemo::default();
        let mut resolve = |table: &mut ConnTable,
                           ports: &CompiledPorts,
                           dst: Option<&Class>|
         -> ConnId {
            let Some(dst) = dst else { return ports.fixed };
            if ports.named.is_empty() {
                return ports.fixed;
            }
            let key = (u64::from(ports.id) << 32) | u64::from(dst.port_sig);
            if let Some(&c) = resolved.get(&key) {
                return c;
            }
            let mut c = table.sets[ports.fixed as usize].clone();
            for (proto, name) in &ports.named {
                for np in &dst.named_ports {
                    if &np.name == name && np.protocol == *proto {
                        c = c.union(&ConnSet::ports(*proto, PortSet::interval(np.port, np.port)));
                    }
                }
            }
            let c = table.intern(c);
            resolved.insert(key, c);
            c
        };

        // Pairs: for each destination, accumulate what its ingress allows from each source,
        // then, only for those sources, what their egress allows towards it.
        let mut in_acc: Vec<ConnId> = vec![EMPTY; n];
        let mut eg_acc: Vec<ConnId> = vec![EMPTY; n];
        let mut touched_in: Vec<u32> = Vec::new();
        let mut touched_eg: Vec<u32> = Vec::new();
        let mut in_mask = Bits::new(n);
        let all_mask = Bits::full(n);
        let egress_isolated: Vec<bool> = egress_policies.iter().map(|v| !v.is_empty()).collect();
        let mut inbound = Vec::with_capacity(n);
        let mut groups: Vec<(ConnId, Vec<u32>)> = Vec::new();
        for d in 0..n {
            let dst = &classes[d];
            let in_all = ingress_policies[d].is_empty();
            if !in_all {
                for &pi in &ingress_policies[d] {
                    for r in &ingress_rules[pi as usize] {
                        let c = resolve(&mut table, &r.ports, Some(dst));
                        if c == EMPTY {
                            continue;
                        }
                        for s in r.peers.iter() {
                            if in_acc[s] == EMPTY {
                                touched_in.push(s as u32);
                                in_mask.insert(s);
                            }
                            in_acc[s] = table.union(in_acc[s], c);
                        }
                    }
                }
            }
            let mask = if in_all { &all_mask } else { &in_mask };
            for &g in &egress_towards[d] {
                let group = &egress_groups[g as usize];
                let c = resolve(&mut table, &group.ports, Some(dst));
                if c == EMPTY {
                    continue;
                }
                for s in group.sources.iter_and(mask) {
                    if eg_acc[s] == EMPTY {
                        touched_eg.push(s as u32);
                    }
                    eg_acc[s] = table.union(eg_acc[s], c);
                }
            }
            groups.clear();
            let mut emit = |s: usize, table: &mut ConnTable| {
                let i = if in_all { ALL } else { in_acc[s] };
                let e = if egress_isolated[s] { eg_acc[s] } else { ALL };
                let c = table.intersect(i, e);
                if c != EMPTY {
                    match groups.iter_mut().find(|(g, _)| *g == c) {
                        Some((_, v)) => v.push(s as u32),
                        None => groups.push((c, vec![s as u32])),
                    }
                }
            };
            if in_all {
                for s in 0..n {
                    emit(s, &mut table);
                }
            } else {
                touched_in.sort_unstable();
                for &s in &touched_in {
                    emit(s as usize, &mut table);
                }
            }
            let mut out: Vec<(ConnId, Sources)> = Vec::with_capacity(groups.len());
            for (c, mut v) in groups.drain(..) {
                let sources = if v.len() * 32 > n {
                    let mut b = Bits::new(n);
                    for &s in &v {
                        b.insert(s as usize);
                    }
                    Sources::Dense(b)
                } else {
                    v.shrink_to_fit();
                    Sources::Sparse(v)
                };
                out.push((c, sources));
            }
            inbound.push(out);
            // Reset only what this destination touched.
            for s in touched_in.drain(..) {
                in_acc[s as usize] = EMPTY;
                in_mask.remove(s as usize);
            }
            for s in touched_eg.drain(..) {
                eg_acc[s as usize] = EMPTY;
            }
        }

        // External ranges, memoized on the (addresses, connection) entries that apply.
        let mut memo: HashMap<Vec<(IpSet, ConnId)>, ExternalSegments> = HashMap::new();
        let mut external =
            |entries: Vec<(IpSet, ConnId)>, table: &mut ConnTable| -> ExternalSegments {
                if let Some(s) = memo.get(&entries) {
                    return s.clone();
                }
                let segs: ExternalSegments = external_segments(&entries, table).into();
                memo.insert(entries, segs.clone());
                segs
            };
        let mut external_in = Vec::with_capacity(n);
        let mut external_out = Vec::with_capacity(n);
        for c in 0..n {
            let entries = if ingress_policies[c].is_empty() {
                vec![(IpSet::all(), ALL)]
            } else {
                let mut v = Vec::new();
                for &pi in &ingress_policies[c] {
                    for r in &ingress_rules[pi as usize] {
                        if !r.ips.is_empty() {
                            let conn = resolve(&mut table, &r.ports, Some(&classes[c]));
                            v.push((r.ips.clone(), conn));
                        }
                    }
                }
                v
            };
            external_in.push(external(entries, &mut table));
            let entries = if egress_policies[c].is_empty() {
                vec![(IpSet::all(), ALL)]
            } else {
                let mut v = Vec::new();
                for &pi in &egress_policies[c] {
                    for r in &egress_rules[pi as usize] {
                        if !r.ips.is_empty() {
                            v.push((r.ips.clone(), resolve(&mut table, &r.ports, None)));
                        }
                    }
                }
                v
            };
            external_out.push(external(entries, &mut table));
        }

        Connectivity {
            conns: table.sets,
            class_of,
            classes,
            inbound,
            external_in,
            external_out,
        }
    }

    /// The connections allowed from workload `src` to workload `dst` (indices into
    /// `cluster.workloads`). A workload's traffic to itself is not modelled: empty.
    pub fn allowed(&self, src: usize, dst: usize) -> &ConnSet {
        if src == dst {
            return &self.conns[EMPTY as usize];
        }
        let (s, d) = (self.class_of[src], self.class_of[dst]);
        for (c, sources) in &self.inbound[d as usize] {
            if sources.contains(s) {
                return &self.conns[*c as usize];
            }
        }
        &self.conns[EMPTY as usize]
    }

    /// Every allowed (source workload, destination workload, connections), excluding a
    /// workload's connections to itself. Unordered.
    pub fn pairs(&self) -> impl Iterator<Item = (usize, usize, &ConnSet)> + '_ {
        self.pair_ids()
            .map(|(s, d, c)| (s, d, &self.conns[c as usize]))
    }

    /// Like [`Connectivity::pairs`], with the interned id of the connection set instead (equal
    /// ids are equal sets; see [`Connectivity::conn`]), so callers can render each set once.
    pub fn pair_ids(&self) -> impl Iterator<Item = (usize, usize, ConnId)> + '_ {
        self.inbound
            .iter()
            .enumerate()
            .flat_map(move |(d, groups)| {
                groups.iter().flat_map(move |(c, sources)| {
                    let c = *c;
                    sources.iter().flat_map(move |s| {
                        self.classes[s as usize]
                            .members
                            .iter()
                            .flat_map(move |&sw| {
                                self.classes[d].members.iter().filter_map(move |&dw| {
                                    (sw != dw).then_some((sw as usize, dw as usize, c))
                                })
                            })
                    })
                })
            })
    }

    /// Calls `f(source, destination, connection id)` for every pair of
    /// [`Connectivity::pair_ids`], in the same order, with plain loops (an estate of 10,000
    /// workloads has over a million pairs).
    pub fn for_each_pair_id(&self, mut f: impl FnMut(usize, usize, ConnId)) {
        for (d, groups) in self.inbound.iter().enumerate() {
            let dst_members = &self.classes[d].members;
            for (c, sources) in groups {
                let mut each_source = |s: u32| {
                    for &sw in &self.classes[s as usize].members {
                        for &dw in dst_members {
                            if sw != dw {
                                f(sw as usize, dw as usize, *c);
                            }
                        }
                    }
                };
                match sources {
                    Sources::Sparse(v) => v.iter().for_each(|&s| each_source(s)),
                    Sources::Dense(b) => b.iter().for_each(|s| each_source(s as u32)),
                }
            }
        }
    }

    /// The connection set with interned id `id`.
    pub fn conn(&self, id: ConnId) -> &ConnSet {
        &self.conns[id as usize]
    }

    /// The number of allowed workload pairs (without materializing them).
    pub fn pair_count(&self) -> usize {
        let mut total = 0usize;
        for (d, groups) in self.inbound.iter().enumerate() {
            let dm = self.classes[d].members.len();
            for (_, sources) in groups {
                for s in sources.iter() {
                    let sm = self.classes[s as usize].members.len();
                    total += sm * dm - if s as usize == d { dm } else { 0 };
                }
            }
        }
        total
    }

    /// What external address ranges may send to workload `w`, as maximal ranges of equal
    /// connections (ranges that may send nothing are left out).
    pub fn external_ingress(&self, w: usize) -> impl Iterator<Item = (IpRange, &ConnSet)> + '_ {
        self.external_in[self.class_of[w] as usize]
            .iter()
            .map(|(r, c)| (*r, &self.conns[*c as usize]))
    }

    /// What external address ranges workload `w` may send to.
    pub fn external_egress(&self, w: usize) -> impl Iterator<Item = (IpRange, &ConnSet)> + '_ {
        self.external_out[self.class_of[w] as usize]
            .iter()
            .map(|(r, c)| (*r, &self.conns[*c as usize]))
    }

    /// [`Connectivity::external_ingress`] with interned connection ids.
    pub fn external_ingress_ids(&self, w: usize) -> &[(IpRange, ConnId)] {
        &self.external_in[self.class_of[w] as usize]
    }

    /// [`Connectivity::external_egress`] with interned connection ids.
    pub fn external_egress_ids(&self, w: usize) -> &[(IpRange, ConnId)] {
        &self.external_out[self.class_of[w] as usize]
    }

    /// The number of interned connection sets (ids are `0..conn_count()`).
    pub fn conn_count(&self) -> usize {
        self.conns.len()
    }

    /// The number of equivalence classes the workloads fell into.
    pub fn class_count(&self) -> usize {
        self.classes.len()
    }

    /// Approximate heap bytes held by the result.
    pub fn heap_bytes(&self) -> usize {
        let inbound: usize = self
            .inbound
            .iter()
            .map(|g| g.capacity() * 40 + g.iter().map(|(_, s)| s.heap_bytes()).sum::<usize>())
            .sum();
        inbound + self.class_of.len() * 4 + self.classes.len() * 128
    }
}

/// Cuts the address space into maximal ranges over which the union of the applying entries'
/// connections is the same, leaving out ranges with no connection.
fn external_segments(entries: &[(IpSet, ConnId)], table: &mut ConnTable) -> Vec<(IpRange, ConnId)> {
    let mut out = Vec::new();
    // IPv4 and IPv6 separately, each as a sweep over the entries' interval bounds.
    let v4: Vec<(Vec<(u128, u128)>, ConnId)> = entries
        .iter()
        .map(|(s, c)| {
            (
                s.v4.intervals()
                    .iter()
                    .map(|&(a, b)| (a as u128, b as u128))
                    .collect(),
                *c,
            )
        })
        .collect();
    let v6: Vec<(Vec<(u128, u128)>, ConnId)> = entries
        .iter()
        .map(|(s, c)| (s.v6.intervals().to_vec(), *c))
        .collect();
    for (family_v4, list) in [(true, v4), (false, v6)] {
        let mut cuts: Vec<u128> = Vec::new();
        for (ivs, _) in &list {
            for &(a, b) in ivs {
                cuts.push(a);
                if let Some(nb) = b.checked_add(1) {
                    cuts.push(nb);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let max = if family_v4 {
            u32::MAX as u128
        } else {
            u128::MAX
        };
        let mut pieces: Vec<(u128, u128, ConnId)> = Vec::new();
        for (i, &lo) in cuts.iter().enumerate() {
            if lo > max {
                break;
            }
            let hi = cuts.get(i + 1).map_or(max, |&next| next - 1);
            let mut c = EMPTY;
            for (ivs, conn) in &list {
                if ivs.iter().any(|&(a, b)| a <= lo && hi <= b) {
                    c = table.union(c, *conn);
                }
            }
            if c == EMPTY {
                continue;
            }
            match pieces.last_mut() {
                Some(last) if last.2 == c && last.1.checked_add(1) == Some(lo) => last.1 = hi,
                _ => pieces.push((lo, hi, c)),
            }
        }
        for (lo, hi, c) in pieces {
            let range = if family_v4 {
                IpRange {
                    first: std::net::IpAddr::V4((lo as u32).into()),
                    last: std::net::IpAddr::V4((hi as u32).into()),
                }
            } else {
                IpRange {
                    first: std::net::IpAddr::V6(lo.into()),
                    last: std::net::IpAddr::V6(hi.into()),
                }
            };
            out.push((range, c));
        }
    }
    out
}
