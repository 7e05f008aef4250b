//! The Kubernetes objects the engine reads, parsed from `serde_json::Value` documents.
//!
//! - `networking.k8s.io/v1` NetworkPolicy, in full and strictly (unknown fields inside `spec`
//!   are errors: a typo such as `podSelectr` would silently change what a policy allows).
//! - Workloads (Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob), reduced to
//!   namespace, name, kind, the pod template's labels and its named container ports.
//! - Namespaces, reduced to their labels. Every namespace carries the label
//!   `kubernetes.io/metadata.name: <name>`, which Kubernetes sets automatically (docs:
//!   "Well-Known Labels, Annotations and Taints"), also for namespaces that are only referred
//!   to and not declared.
//! - `List` kinds are flattened (one level); other kinds are skipped and counted.
//!
//! Every problem is collected (not only the first) and points at its document and JSON
//! pointer. Reading YAML files is the caller's job: the core does no IO.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::conn::{PORT_MAX, PORT_MIN, PortSet, Protocol};
use super::ip::IpSet;
use super::selector::{LabelSelector, Labels};

/// The label Kubernetes puts on every namespace.
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";
/// A List nests at most this deep (a List of Lists is accepted, deeper is an error).
const MAX_LIST_DEPTH: usize = 2;
/// At most this many containers and ports per workload are read (Kubernetes has no such
/// limit, but a pod with more is not a real input).
const MAX_PORTS: usize = 10_000;

/// A problem in the input, located by document index and JSON pointer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputError {
    /// Index of the document in the slice given to [`Cluster::from_documents`].
    pub document: usize,
    /// JSON pointer inside that document, e.g. `/spec/ingress/0/ports/1/port`.
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "document {}: {}", self.document + 1, self.message)
        } else {
            write!(
                f,
                "document {}, at {}: {}",
                self.document + 1,
                self.pointer,
                self.message
            )
        }
    }
}

/// A workload kind whose pods the engine models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum WorkloadKind {
    Pod,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
}

impl WorkloadKind {
    pub fn parse(kind: &str) -> Option<Self> {
        Some(match kind {
            "Pod" => Self::Pod,
            "Deployment" => Self::Deployment,
            "ReplicaSet" => Self::ReplicaSet,
            "StatefulSet" => Self::StatefulSet,
            "DaemonSet" => Self::DaemonSet,
            "Job" => Self::Job,
            "CronJob" => Self::CronJob,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pod => "Pod",
            Self::Deployment => "Deployment",
            Self::ReplicaSet => "ReplicaSet",
            Self::StatefulSet => "StatefulSet",
            Self::DaemonSet => "DaemonSet",
            Self::Job => "Job",
            Self::CronJob => "CronJob",
        }
    }

    /// Where the pod template sits in the object.
    fn template_pointer(self) -> &'static str {
        match self {
            Self::Pod => "",
            Self::CronJob => "/spec/jobTemplate/spec/template",
            _ => "/spec/template",
        }
    }
}

/// A named container port: what a NetworkPolicy's `port: <name>` resolves to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct NamedPort {
    pub name: String,
    pub protocol: Protocol,
    pub port: u16,
}

/// A workload, reduced to what NetworkPolicy semantics look at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Workload {
    pub namespace: String,
    pub name: String,
    pub kind: WorkloadKind,
    /// The pod template's labels (a Pod's own labels).
    pub labels: Labels,
    /// Named container ports, sorted.
    pub named_ports: Vec<NamedPort>,
    /// Index of the document it came from.
    pub document: usize,
}

impl Workload {
    /// NCA's name for it: `namespace/name[Kind]`.
    pub fn display_name(&self) -> String {
        format!("{}/{}[{}]", self.namespace, self.name, self.kind.as_str())
    }
}

/// A namespace and its labels (including `kubernetes.io/metadata.name`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
    /// Whether a Namespace object declared it (otherwise it is only referred to).
    pub declared: bool,
}

/// `spec.policyTypes` entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PolicyType {
    Ingress,
    Egress,
}

/// `networking.k8s.io/v1` `NetworkPolicySpec`, as written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkPolicySpec {
    #[serde(default)]
    pub pod_selector: Option<LabelSelector>,
    #[serde(default)]
    pub policy_types: Option<Vec<PolicyType>>,
    #[serde(default)]
    pub ingress: Option<Vec<IngressRuleSpec>>,
    #[serde(default)]
    pub egress: Option<Vec<EgressRuleSpec>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IngressRuleSpec {
    #[serde(default)]
    pub from: Option<Vec<PeerSpec>>,
    #[serde(default)]
    pub ports: Option<Vec<PortSpec>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EgressRuleSpec {
    #[serde(default)]
    pub to: Option<Vec<PeerSpec>>,
    #[serde(default)]
    pub ports: Option<Vec<PortSpec>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PeerSpec {
    #[serde(default)]
    pub pod_selector: Option<LabelSelector>,
    #[serde(default)]
    pub namespace_selector: Option<LabelSelector>,
    #[serde(default)]
    pub ip_block: Option<IpBlockSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpBlockSpec {
    pub cidr: String,
    #[serde(default)]
    pub except: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortSpec {
    #[serde(default)]
    pub protocol: Option<Protocol>,
    #[serde(default)]
    pub port: Option<IntOrString>,
    #[serde(default)]
    pub end_port: Option<i64>,
}

/// A port given as a number or as a container port name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    Int(i64),
    Str(String),
}

/// Who a rule admits (ingress) or reaches (egress), validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Peer {
    /// Pods chosen by selectors. `namespaces: None` means the policy's own namespace;
    /// `pods: None` means every pod of the chosen namespaces.
    Pods {
        namespaces: Option<LabelSelector>,
        pods: Option<LabelSelector>,
    },
    /// External addresses: `cidr` minus `except`. Never matches a pod in the cluster
    /// (NCA.md pitfall 4).
    IpBlock { text: String, addresses: IpSet },
}

/// One port entry, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Port {
    /// Numbered ports (a single port, `port..=endPort`, or every port when `port` is absent).
    Numbers { protocol: Protocol, ports: PortSet },
    /// A container port name, resolved against the destination pod.
    Named { protocol: Protocol, name: String },
}

/// One ingress or egress rule, validated. `None` means "absent or empty: matches all".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub peers: Option<Vec<Peer>>,
    pub ports: Option<Vec<Port>>,
}

/// A NetworkPolicy, validated, with its effective policy types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    pub namespace: String,
    pub name: String,
    pub pod_selector: LabelSelector,
    /// Whether it isolates the selected pods for ingress / egress (after the default for an
    /// absent `policyTypes`).
    pub affects_ingress: bool,
    pub affects_egress: bool,
    pub ingress: Vec<Rule>,
    pub egress: Vec<Rule>,
    pub document: usize,
}

impl Policy {
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// Everything the engine needs: namespaces, workloads and policies.
#[derive(Clone, Debug, Default)]
pub struct Cluster {
    pub namespaces: Vec<Namespace>,
    pub workloads: Vec<Workload>,
    pub policies: Vec<Policy>,
    /// Objects that were read but play no part (Services, ConfigMaps, other policy kinds),
    /// as (document, kind) pairs.
    pub skipped: Vec<(usize, String)>,
}

impl Cluster {
    /// Parses documents (already read from YAML or JSON by the caller). Returns every problem
    /// found when any document is invalid.
    pub fn from_documents(docs: &[Value]) -> Result<Cluster, Vec<InputError>> {
        Self::from_values(docs)
    }

    /// [`Cluster::from_documents`] over borrowed documents, e.g. the values of read manifests
    /// (so a large estate is not copied first). [`InputError::document`] counts from 0 in
    /// iteration order.
    pub fn from_values<'a>(
        docs: impl IntoIterator<Item = &'a Value>,
    ) -> Result<Cluster, Vec<InputError>> {
        let mut b = ClusterBuilder::default();
        for (i, doc) in docs.into_iter().enumerate() {
            b.object(i, "", doc, 0);
        }
        b.finish()
    }

    /// The namespace named `name`.
    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.name == name)
    }

    /// Finds a workload by `ns/name`, `ns/name[Kind]`, or `name` when that is unique.
    pub fn find_workload(&self, query: &str) -> Result<usize, String> {
        let exact: Vec<usize> = (0..self.workloads.len())
            .filter(|&i| {
                let w = &self.workloads[i];
                w.display_name() == query
                    || format!("{}/{}", w.namespace, w.name) == query
                    || (!query.contains('/') && w.name == query)
            })
            .collect();
        match exact.as_slice() {
            [i] => Ok(*i),
            [] => {
                let names: Vec<String> =
                    self.workloads.iter().map(Workload::display_name).collect();
                let hint = closest(query, &names)
                    .map(|n| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                Err(format!("no workload `{query}`{hint}"))
            }
            many => Err(format!(
                "`{query}` is ambiguous: {}",
                many.iter()
                    .map(|&i| format!("`{}`", self.workloads[i].display_name()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
}

/// The candidate with the smallest edit distance, if it is close enough to be a likely typo.
fn closest<'a>(query: &str, candidates: &'a [String]) -> Option<&'a str> {
    let dist = |a: &str, b: &str| {
        let b: Vec<char> = b.chars().collect();
        let mut prev: Vec<usize> = (0..=b.len()).collect();
        for (i, ca) in a.chars().enumerate() {
            let mut cur = vec![i + 1];
            for (j, &cb) in b.iter().enumerate() {
                cur.push(
                    (prev[j] + usize::from(ca != cb))
                        .min(prev[j + 1] + 1)
                        .min(cur[j] + 1),
                );
            }
            prev = cur;
        }
        prev[b.len()]
    };
    candidates
        .iter()
        .filter(|c| c.len() < 256 && query.len() < 256)
        .map(|c| {
            let short = c.split('[').next().unwrap_or(c);
            let name = short.rsplit('/').next().unwrap_or(short);
            (
                dist(query, c)
                    .min(dist(query, short))
                    .min(dist(query, name)),
                c,
            )
        })
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.as_str())
}

#[derive(Default)]
struct ClusterBuilder {
    namespaces: BTreeMap<String, Namespace>,
    workloads: Vec<Workload>,
    seen_workloads: HashMap<(String, String, WorkloadKind), usize>,
    policies: Vec<Policy>,
    seen_policies: HashMap<(String, String), usize>,
    skipped: Vec<(usize, String)>,
    errors: Vec<InputError>,
}

impl ClusterBuilder {
    fn err(&mut self, doc: usize, pointer: impl Into<String>, message: impl Into<String>) {
        self.errors.push(InputError {
            document: doc,
            pointer: pointer.into(),
            message: message.into(),
        });
    }

    fn object(&mut self, doc: usize, base: &str, v: &Value, depth: usize) {
        if v.is_null() {
            return; // an empty YAML document
        }
        let Some(obj) = v.as_object() else {
            self.err(
                doc,
                base,
                "expected a Kubernetes object (a mapping with `kind`)",
            );
            return;
        };
        let Some(kind) = obj.get("kind").and_then(Value::as_str) else {
            self.err(doc, base, "missing `kind`");
            return;
        };
        let api = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        if kind == "List" || (kind.ends_with("List") && obj.contains_key("items")) {
            if depth >= MAX_LIST_DEPTH {
                self.err(
                    doc,
                    base,
                    format!("lists nest more than {MAX_LIST_DEPTH} deep"),
                );
                return;
            }
            match obj.get("items") {
                Some(Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        self.object(doc, &format!("{base}/items/{i}"), item, depth + 1);
                    }
                }
                Some(Value::Null) | None => {}
                Some(_) => self.err(doc, format!("{base}/items"), "`items` must be a list"),
            }
            return;
        }
        if kind == "Namespace" && (api == "v1" || api.is_empty()) {
            self.namespace(doc, base, v);
        } else if kind == "NetworkPolicy" && api == "networking.k8s.io/v1" {
            self.policy(doc, base, v);
        } else if let Some(k) = WorkloadKind::parse(kind) {
            self.workload(doc, base, v, k);
        } else {
            self.skipped.push((
                doc,
                if api.is_empty() {
                    kind.to_string()
                } else {
                    format!("{api}/{kind}")
                },
            ));
        }
    }

    /// `metadata.name`, `metadata.namespace` (default `default`) and `metadata.labels`.
    fn metadata(&mut self, doc: usize, base: &str, v: &Value) -> Option<(String, String, Labels)> {
        let name = match v.pointer("/metadata/name") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(other) if !other.is_null() => {
                self.err(
                    doc,
                    format!("{base}/metadata/name"),
                    "the name must be a string",
                );
                return None;
            }
            _ => {
                self.err(
                    doc,
                    format!("{base}/metadata/name"),
                    "missing `metadata.name`",
                );
                return None;
            }
        };
        let namespace = match v.pointer("/metadata/namespace") {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            None | Some(Value::Null) => "default".to_string(),
            Some(_) => {
                self.err(
                    doc,
                    format!("{base}/metadata/namespace"),
                    "the namespace must be a non-empty string",
                );
                return None;
            }
        };
        let labels = self.labels(
            doc,
            &format!("{base}/metadata/labels"),
            v.pointer("/metadata/labels"),
        )?;
        Some((name, namespace, labels))
    }

    fn labels(&mut self, doc: usize, pointer: &str, v: Option<&Value>) -> Option<Labels> {
        match v {
            None | Some(Value::Null) => Some(Labels::new()),
            Some(Value::Object(m)) => {
                let mut out = Labels::new();
                let mut ok = true;
                for (k, val) in m {
                    match val {
                        Value::String(s) => {
                            out.insert(k.clone(), s.clone());
                        }
                        other => {
                            ok = false;
                            self.err(
                                doc,
                                format!("{pointer}/{}", escape(k)),
                                format!(
                                    "label `{k}` must be a string, not `{other}` (quote it in YAML)"
                                ),
                            );
                        }
                    }
                }
                ok.then_some(out)
            }
            Some(_) => {
                self.err(doc, pointer, "labels must be a mapping of strings");
                None
            }
        }
    }

    fn ensure_namespace(&mut self, name: &str) {
        if !self.namespaces.contains_key(name) {
            let mut labels = Labels::new();
            labels.insert(NAMESPACE_NAME_LABEL.to_string(), name.to_string());
            self.namespaces.insert(
                name.to_string(),
                Namespace {
                    name: name.to_string(),
                    labels,
                    declared: false,
                },
            );
        }
    }

    fn namespace(&mut self, doc: usize, base: &str, v: &Value) {
        let Some((name, _, mut labels)) = self.metadata(doc, base, v) else {
            return;
        };
        if self.namespaces.get(&name).is_some_and(|n| n.declared) {
            self.err(
                doc,
                format!("{base}/metadata/name"),
                format!("namespace `{name}` is declared twice"),
            );
            return;
        }
        labels.insert(NAMESPACE_NAME_LABEL.to_string(), name.clone());
        self.namespaces.insert(
            name.clone(),
            Namespace {
                name,
                labels,
                declared: true,
            },
        );
    }

    fn workload(&mut self, doc: usize, base: &str, v: &Value, kind: WorkloadKind) {
        let Some((name, namespace, own_labels)) = self.metadata(doc, base, v) else {
            return;
        };
        let tp = kind.template_pointer();
        let labels = if kind == WorkloadKind::Pod {
            own_labels
        } else {
            let p = format!("{tp}/metadata/labels");
            match self.labels(doc, &format!("{base}{p}"), v.pointer(&p)) {
                Some(l) => l,
                None => return,
            }
        };
        let mut named_ports = Vec::new();
        let containers_p = format!("{tp}/spec/containers");
        match v.pointer(&containers_p) {
            None | Some(Value::Null) => {}
            Some(Value::Array(cs)) => {
                for (ci, c) in cs.iter().enumerate().take(MAX_PORTS) {
                    let cp = format!("{base}{containers_p}/{ci}/ports");
                    match c.get("ports") {
                        None | Some(Value::Null) => {}
                        Some(Value::Array(ps)) => {
                            for (pi, p) in ps.iter().enumerate().take(MAX_PORTS) {
                                if let Some(np) = self.container_port(doc, &format!("{cp}/{pi}"), p)
                                {
                                    named_ports.push(np);
                                }
                            }
                        }
                        Some(_) => self.err(doc, cp, "`ports` must be a list"),
                    }
                }
            }
            Some(_) => self.err(
                doc,
                format!("{base}{containers_p}"),
                "`containers` must be a list",
            ),
        }
        named_ports.sort();
        named_ports.dedup();
        let key = (namespace.clone(), name.clone(), kind);
        if let Some(&first) = self.seen_workloads.get(&key) {
            self.err(
                doc,
                format!("{base}/metadata/name"),
                format!(
                    "{} `{namespace}/{name}` is defined twice (first in document {})",
                    kind.as_str(),
                    first + 1
                ),
            );
            return;
        }
        self.seen_workloads.insert(key, doc);
        self.ensure_namespace(&namespace);
        self.workloads.push(Workload {
            namespace,
            name,
            kind,
            labels,
            named_ports,
            document: doc,
        });
    }

    /// A container port; only named ones matter to NetworkPolicies.
    fn container_port(&mut self, doc: usize, pointer: &str, p: &Value) -> Option<NamedPort> {
        let name = match p.get("name") {
            None | Some(Value::Null) => return None,
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.err(
                    doc,
                    format!("{pointer}/name"),
                    "the port name must be a string",
                );
                return None;
            }
        };
        let port = match p.get("containerPort").and_then(Value::as_i64) {
            Some(n) if (i64::from(PORT_MIN)..=i64::from(PORT_MAX)).contains(&n) => n as u16,
            _ => {
                self.err(
                    doc,
                    format!("{pointer}/containerPort"),
                    "`containerPort` must be a number from 1 to 65535",
                );
                return None;
            }
        };
        let protocol = match p.get("protocol") {
            None | Some(Value::Null) => Protocol::Tcp,
            Some(Value::String(s)) => match Protocol::parse(s) {
                Some(pr) => pr,
                None => {
                    self.err(
                        doc,
                        format!("{pointer}/protocol"),
                        format!("unknown protocol `{s}` (expected `TCP`, `UDP` or `SCTP`)"),
                    );
                    return None;
                }
            },
            Some(_) => {
                self.err(
                    doc,
                    format!("{pointer}/protocol"),
                    "the protocol must be a string",
                );
                return None;
            }
        };
        Some(NamedPort {
            name,
            protocol,
            port,
        })
    }

    fn policy(&mut self, doc: usize, base: &str, v: &Value) {
        let Some((name, namespace, _)) = self.metadata(doc, base, v) else {
            return;
        };
        let empty = Value::Object(Default::default());
        // Deserialized from the borrowed value: a large estate is not copied.
        let spec_v = v.get("spec").unwrap_or(&empty);
        let spec: NetworkPolicySpec = match serde_path_to_error::deserialize(spec_v) {
            Ok(s) => s,
            Err(e) => {
                let pointer = format!("{base}/spec{}", path_to_pointer(e.path()));
                self.err(doc, pointer, e.into_inner().to_string());
                return;
            }
        };
        let errors_before = self.errors.len();
        let sp = format!("{base}/spec");
        let pod_selector = spec.pod_selector.clone().unwrap_or_default();
        self.selector_problems(doc, &format!("{sp}/podSelector"), &pod_selector);
        // Kubernetes API defaulting (and the NetworkPolicy docs, "policyTypes"): without
        // policyTypes a policy is an Ingress policy, and also an Egress policy when it has
        // egress rules. An empty list counts as absent.
        let (affects_ingress, affects_egress) = match spec.policy_types.as_deref() {
            Some(types) if !types.is_empty() => (
                types.contains(&PolicyType::Ingress),
                types.contains(&PolicyType::Egress),
            ),
            _ => (true, spec.egress.as_ref().is_some_and(|e| !e.is_empty())),
        };
        let mut ingress = Vec::new();
        for (i, r) in spec.ingress.iter().flatten().enumerate() {
            let p = format!("{sp}/ingress/{i}");
            ingress.push(self.rule(doc, &p, "from", r.from.as_deref(), r.ports.as_deref()));
        }
        let mut egress = Vec::new();
        for (i, r) in spec.egress.iter().flatten().enumerate() {
            let p = format!("{sp}/egress/{i}");
            egress.push(self.rule(doc, &p, "to", r.to.as_deref(), r.ports.as_deref()));
        }
        if self.errors.len() > errors_before {
            return;
        }
        let key = (namespace.clone(), name.clone());
        if let Some(&first) = self.seen_policies.get(&key) {
            self.err(
                doc,
                format!("{base}/metadata/name"),
                format!(
                    "NetworkPolicy `{namespace}/{name}` is defined twice (first in document {})",
                    first + 1
                ),
            );
            return;
        }
        self.seen_policies.insert(key, doc);
        self.ensure_namespace(&namespace);
        self.policies.push(Policy {
            namespace,
            name,
            pod_selector,
            affects_ingress,
            affects_egress,
            ingress,
            egress,
            document: doc,
        });
    }

    fn selector_problems(&mut self, doc: usize, pointer: &str, s: &LabelSelector) {
        for (p, m) in s.problems() {
            self.err(doc, format!("{pointer}{p}"), m);
        }
    }

    fn rule(
        &mut self,
        doc: usize,
        p: &str,
        peers_key: &str,
        peers: Option<&[PeerSpec]>,
        ports: Option<&[PortSpec]>,
    ) -> Rule {
        // NetworkPolicy docs / API reference: "If this field is empty or missing, this rule
        // matches all sources (destinations)" and "... all ports".
        let peers = match peers {
            None | Some([]) => None,
            Some(list) => Some(
                list.iter()
                    .enumerate()
                    .filter_map(|(i, peer)| self.peer(doc, &format!("{p}/{peers_key}/{i}"), peer))
                    .collect(),
            ),
        };
        let ports = match ports {
            None | Some([]) => None,
            Some(list) => Some(
                list.iter()
                    .enumerate()
                    .filter_map(|(i, port)| self.port(doc, &format!("{p}/ports/{i}"), port))
                    .collect(),
            ),
        };
        Rule { peers, ports }
    }

    fn peer(&mut self, doc: usize, p: &str, peer: &PeerSpec) -> Option<Peer> {
        match (&peer.ip_block, &peer.pod_selector, &peer.namespace_selector) {
            (Some(b), None, None) => {
                let mut addresses = match IpSet::parse_cidr(&b.cidr) {
                    Ok(s) => s,
                    Err(m) => {
                        self.err(doc, format!("{p}/ipBlock/cidr"), m);
                        return None;
                    }
                };
                for (i, ex) in b.except.iter().flatten().enumerate() {
                    match IpSet::parse_cidr(ex) {
                        Ok(e) => {
                            if !addresses.intersect(&e).eq(&e) && !e.is_empty() {
                                // Kubernetes validation: "except values will be rejected if
                                // they are outside the cidr range".
                                self.err(
                                    doc,
                                    format!("{p}/ipBlock/except/{i}"),
                                    format!("`{ex}` is not inside `{}`", b.cidr),
                                );
                            }
                            addresses = addresses.subtract(&e);
                        }
                        Err(m) => self.err(doc, format!("{p}/ipBlock/except/{i}"), m),
                    }
                }
                Some(Peer::IpBlock {
                    text: b.cidr.clone(),
                    addresses,
                })
            }
            (Some(_), _, _) => {
                self.err(
                    doc,
                    p,
                    "`ipBlock` cannot be combined with `podSelector` or `namespaceSelector`",
                );
                None
            }
            (None, None, None) => {
                self.err(
                    doc,
                    p,
                    "a peer needs `podSelector`, `namespaceSelector` or `ipBlock`",
                );
                None
            }
            (None, pods, namespaces) => {
                if let Some(s) = pods {
                    self.selector_problems(doc, &format!("{p}/podSelector"), s);
                }
                if let Some(s) = namespaces {
                    self.selector_problems(doc, &format!("{p}/namespaceSelector"), s);
                }
                Some(Peer::Pods {
                    namespaces: namespaces.clone(),
                    pods: pods.clone(),
                })
            }
        }
    }

    fn port(&mut self, doc: usize, p: &str, port: &PortSpec) -> Option<Port> {
        // NetworkPolicyPort: the protocol defaults to TCP; no port means every port.
        let protocol = port.protocol.unwrap_or(Protocol::Tcp);
        let in_range = |n: i64| (i64::from(PORT_MIN)..=i64::from(PORT_MAX)).contains(&n);
        match (&port.port, port.end_port) {
            (None, None) => Some(Port::Numbers {
                protocol,
                ports: PortSet::interval(PORT_MIN, PORT_MAX),
            }),
            (None, Some(_)) => {
                self.err(
                    doc,
                    format!("{p}/endPort"),
                    "`endPort` needs a numbered `port`",
                );
                None
            }
            (Some(IntOrString::Int(n)), end) => {
                if !in_range(*n) {
                    self.err(
                        doc,
                        format!("{p}/port"),
                        format!("port `{n}` is not from 1 to 65535"),
                    );
                    return None;
                }
                let hi = match end {
                    None => *n,
                    Some(e) if in_range(e) && e >= *n => e,
                    Some(e) => {
                        self.err(
                            doc,
                            format!("{p}/endPort"),
                            format!("`endPort` `{e}` must be from `port` ({n}) to 65535"),
                        );
                        return None;
                    }
                };
                Some(Port::Numbers {
                    protocol,
                    ports: PortSet::interval(*n as u16, hi as u16),
                })
            }
            (Some(IntOrString::Str(name)), end) => {
                if end.is_some() {
                    self.err(
                        doc,
                        format!("{p}/endPort"),
                        "`endPort` cannot be used with a named port",
                    );
                    return None;
                }
                if !is_port_name(name) {
                    self.err(
                        doc,
                        format!("{p}/port"),
                        format!("`{name}` is not a valid port name (1 to 15 lowercase letters, digits and `-`, with at least one letter)"),
                    );
                    return None;
                }
                Some(Port::Named {
                    protocol,
                    name: name.clone(),
                })
            }
        }
    }

    fn finish(mut self) -> Result<Cluster, Vec<InputError>> {
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        self.ensure_namespace("default");
        Ok(Cluster {
            namespaces: self.namespaces.into_values().collect(),
            workloads: self.workloads,
            policies: self.policies,
            skipped: self.skipped,
        })
    }
}

/// IANA_SVC_NAME, as Kubernetes validates container port names.
fn is_port_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 15
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

fn escape(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => out.push_str(&format!("/{}", escape(key))),
            Segment::Enum { variant } => out.push_str(&format!("/{}", escape(variant))),
            Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(docs: Vec<Value>) -> Result<Cluster, Vec<InputError>> {
        Cluster::from_documents(&docs)
    }

    #[test]
    fn workloads_of_every_kind_and_named_ports() {
        let c = parse(vec![
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "p"}},
                   "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"}, {"containerPort": 80}]}]}}),
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj", "namespace": "jobs"},
                   "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "cj"}}, "spec": {"containers": []}}}}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "labels": {"ignored": "x"}},
                   "spec": {"template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 8080, "name": "http"}]}]}}}}),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}),
        ])
        .unwrap();
        assert_eq!(c.workloads.len(), 3);
        assert_eq!(
            c.workloads[0].named_ports,
            [NamedPort {
                name: "dns".into(),
                protocol: Protocol::Udp,
                port: 53
            }]
        );
        assert_eq!(c.workloads[1].display_name(), "jobs/cj[CronJob]");
        assert_eq!(c.workloads[1].labels["app"], "cj");
        assert_eq!(
            c.workloads[2].labels.len(),
            1,
            "a Deployment's pods carry the template's labels"
        );
        assert_eq!(c.skipped, [(3, "v1/Service".to_string())]);
        let jobs = c.namespace("jobs").unwrap();
        assert_eq!(jobs.labels[NAMESPACE_NAME_LABEL], "jobs");
        assert!(!jobs.declared);
    }

    #[test]
    fn lists_are_flattened_and_errors_point_into_items() {
        let err = parse(vec![json!({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a", "labels": {"x": "y"}}},
            {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n"},
             "spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 0}]}]}}]})])
        .unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].pointer, "/items/1/spec/ingress/0/ports/0/port");
        assert_eq!(
            err[0].to_string(),
            "document 1, at /items/1/spec/ingress/0/ports/0/port: port `0` is not from 1 to 65535"
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_pointer() {
        let err = parse(vec![
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "a"},
                   "spec": {"podSelectr": {}}}),
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "b"},
                   "spec": {"podSelector": {}, "egress": [{"to": [{}, {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]}}],
                            "ports": [{"port": "HTTP"}, {"port": 80, "endPort": 79}, {"protocol": "ICMP"}]}]}}),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"v": 1}}}),
        ])
        .unwrap_err();
        let got: Vec<String> = err
            .iter()
            .map(|e| format!("{} {}", e.document, e.pointer))
            .collect();
        assert_eq!(
            got,
            [
                "0 /spec/podSelectr",
                "1 /spec/egress/0/ports/2/protocol",
                "2 /metadata/labels/v",
            ]
        );
        assert!(
            err[0].message.contains("unknown field `podSelectr`"),
            "{}",
            err[0].message
        );
        assert!(
            err[1].message.contains("unknown variant `ICMP`"),
            "{}",
            err[1].message
        );
    }

    #[test]
    fn validation_errors_inside_a_parsed_policy() {
        let err = parse(vec![json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "b"},
            "spec": {"podSelector": {}, "egress": [{"to": [{}, {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]}},
                {"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}],
                "ports": [{"port": "HTTP"}, {"port": 80, "endPort": 79}, {"endPort": 90}]}]}})])
        .unwrap_err();
        let got: Vec<&str> = err.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            got,
            [
                "/spec/egress/0/to/0",
                "/spec/egress/0/to/1/ipBlock/except/0",
                "/spec/egress/0/to/2",
                "/spec/egress/0/ports/0/port",
                "/spec/egress/0/ports/1/endPort",
                "/spec/egress/0/ports/2/endPort",
            ]
        );
    }

    #[test]
    fn find_workload_suggests_close_names() {
        let c = parse(vec![
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "frontend"}}),
        ])
        .unwrap();
        assert_eq!(c.find_workload("default/frontend"), Ok(0));
        assert_eq!(c.find_workload("frontend"), Ok(0));
        assert_eq!(c.find_workload("default/frontend[Pod]"), Ok(0));
        assert_eq!(
            c.find_workload("frontnd").unwrap_err(),
            "no workload `frontnd`; did you mean `default/frontend[Pod]`?"
        );
    }
}
