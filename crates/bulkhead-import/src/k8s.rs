//! Kubernetes objects → services, exposure, declared flows and the live policy.
//!
//! - **Workloads** (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod, Job, CronJob) give pod
//!   labels, namespace, service account (the identity, `namespace/name`) and container ports.
//! - **Services** link names to workloads by selector. Workloads selected by the same Service
//!   are one Bulkhead service (Bookinfo's `reviews-v1..v3` are `reviews`); a lone workload keeps
//!   its own name. Services that select nothing, and `ExternalName` Services, still become
//!   services so that flows to them are never dropped.
//! - **Exposure**: `type: LoadBalancer`/`NodePort`, Ingress backends, Gateway API HTTPRoute
//!   backends and Istio VirtualServices bound to a gateway mark a service internet-facing, with
//!   a declared flow from `internet`.
//! - **Declared flows**: an environment variable (or a ConfigMap value it reads) naming another
//!   Service (`cart:7070`, `http://cart.shop.svc.cluster.local`) is a call to it, as np-guard's
//!   topology analyzer infers them.
//! - **Live policy**: NetworkPolicies and Istio AuthorizationPolicies are kept as they are.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use bulkhead_core::model::{
    Exposure, Flow, FlowKind, INTERNET, Port, Protocol, Provenance, Service, ServiceKind,
};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::diagnostic::Diagnostic;
use crate::manifests::ManifestDocument;

/// A live policy object found in the manifests, kept verbatim for the NetworkPolicy engine and
/// drift checks.
#[derive(Serialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct LivePolicyObject {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub source: String,
    pub line: usize,
    /// The object as written.
    pub object: Value,
}

/// What the Kubernetes importer produced.
#[derive(Default)]
pub struct KubeImport {
    pub services: Vec<Service>,
    pub flows: Vec<Flow>,
    pub live: Vec<LivePolicyObject>,
    /// Other names of services: `namespace/workload` for each workload, for traffic mapping.
    pub aliases: Vec<(String, String)>,
    /// Cluster IPs of Services and IPs of Pods given in the manifests.
    pub ips: Vec<(IpAddr, String)>,
}

struct Workload {
    kind: String,
    name: String,
    namespace: String,
    labels: BTreeMap<String, String>,
    identity: String,
    ports: Vec<Port>,
    /// Values of env vars and the ConfigMap entries they read: where addresses hide.
    config: Vec<(String, String)>,
    images: Vec<String>,
    provenance: Provenance,
    batch: bool,
    pod_ips: Vec<IpAddr>,
}

struct KService {
    name: String,
    namespace: String,
    selector: BTreeMap<String, String>,
    kind: String,
    external_name: Option<String>,
    /// (port, targetPort as written)
    ports: Vec<(u32, Value, Protocol, Option<String>)>,
    cluster_ips: Vec<IpAddr>,
    provenance: Provenance,
}

const WORKLOAD_KINDS: [&str; 7] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Pod",
    "Job",
    "CronJob",
];

/// Kinds read for their meaning here; everything else is counted as "not used".
const USED_KINDS: [&str; 8] = [
    "Service",
    "Ingress",
    "HTTPRoute",
    "VirtualService",
    "NetworkPolicy",
    "AuthorizationPolicy",
    "ConfigMap",
    "Gateway",
];

fn ns_of(doc: &ManifestDocument) -> String {
    doc.namespace().unwrap_or("default").to_string()
}

fn str_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn protocol(v: Option<&Value>) -> Protocol {
    match v.and_then(Value::as_str) {
        Some("UDP") => Protocol::Udp,
        Some("SCTP") => Protocol::Sctp,
        _ => Protocol::Tcp,
    }
}

fn provenance(doc: &ManifestDocument, source: &str) -> Provenance {
    Provenance {
        source: source.to_string(),
        element: Some(doc.element()),
    }
}

/// Import Kubernetes objects. `source_of` turns a document's file into the displayed source.
pub fn import(
    docs: &[ManifestDocument],
    source_of: &dyn Fn(&ManifestDocument) -> String,
    diags: &mut Vec<Diagnostic>,
) -> KubeImport {
    let mut config_maps: HashMap<(String, String), BTreeMap<String, String>> = HashMap::new();
    for d in docs.iter().filter(|d| d.kind() == Some("ConfigMap")) {
        config_maps.insert(
            (ns_of(d), d.name().unwrap_or_default().to_string()),
            str_map(d.value.get("data")),
        );
    }
    let mut workloads = Vec::new();
    let mut kservices = Vec::new();
    let mut out = KubeImport::default();
    let mut unused: BTreeMap<String, usize> = BTreeMap::new();
    for d in docs {
        let kind = d.kind().unwrap_or_default();
        let source = source_of(d);
        if WORKLOAD_KINDS.contains(&kind) {
            if let Some(w) = workload(d, &source, &config_maps, diags) {
                workloads.push(w);
            } else {
                diags.push(
                    Diagnostic::warning(
                        "k8s-workload",
                        &source,
                        format!("{} has no pod template: skipped", d.element()),
                    )
                    .at_line(Some(d.line)),
                );
            }
        } else if kind == "Service" && d.api_version().is_none_or(|v| v == "v1") {
            kservices.push(kservice(d, &source, diags));
        } else if matches!(kind, "NetworkPolicy" | "AuthorizationPolicy") {
            out.live.push(LivePolicyObject {
                kind: kind.to_string(),
                namespace: ns_of(d),
                name: d.name().unwrap_or_default().to_string(),
                source: source.clone(),
                line: d.line,
                object: d.value.clone(),
            });
        } else if !USED_KINDS.contains(&kind) {
            *unused.entry(kind.to_string()).or_default() += 1;
        }
    }
    if !unused.is_empty() {
        let list: Vec<String> = unused.iter().map(|(k, n)| format!("{k} ×{n}")).collect();
        diags.push(Diagnostic::info(
            "k8s-unused-kinds",
            "kubernetes",
            format!(
                "objects that say nothing about services or flows were not imported: {}",
                list.join(", ")
            ),
        ));
    }

    // Group workloads selected by the same Service (union-find over workload indexes).
    let mut parent: Vec<usize> = (0..workloads.len()).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    let mut selected: Vec<Vec<usize>> = Vec::new();
    for s in &kservices {
        let m: Vec<usize> = if s.selector.is_empty() {
            Vec::new()
        } else {
            workloads
                .iter()
                .enumerate()
                .filter(|(_, w)| {
                    w.namespace == s.namespace
                        && !w.batch
                        && s.selector.iter().all(|(k, v)| w.labels.get(k) == Some(v))
                })
                .map(|(i, _)| i)
                .collect()
        };
        for pair in m.windows(2) {
            let (a, b) = (find(&mut parent, pair[0]), find(&mut parent, pair[1]));
            parent[a.max(b)] = a.min(b);
        }
        selected.push(m);
    }
    let root_of: Vec<usize> = (0..workloads.len()).map(|i| find(&mut parent, i)).collect();
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, r) in root_of.iter().enumerate() {
        groups.entry(*r).or_default().push(i);
    }
    // Name each group after the Service that selects exactly it (Bookinfo's `details` for the
    // `details-v1` Deployment); a workload selected under its own name keeps it (Online
    // Boutique's `frontend`, also selected by `frontend-external`); otherwise the workload name.
    let mut group_names: BTreeMap<usize, (String, String)> = BTreeMap::new();
    for (root, members) in &groups {
        let w = &workloads[members[0]];
        let candidates: BTreeSet<&str> = kservices
            .iter()
            .zip(&selected)
            .filter(|(_, m)| !m.is_empty() && m.len() == members.len() && root_of[m[0]] == *root)
            .map(|(s, _)| s.name.as_str())
            .collect();
        let name = if members.len() == 1
            && (candidates.is_empty() || candidates.contains(w.name.as_str()))
        {
            w.name.clone()
        } else {
            candidates
                .iter()
                .next()
                .map(|s| s.to_string())
                .unwrap_or_else(|| w.name.clone())
        };
        group_names.insert(*root, (name, w.namespace.clone()));
    }
    // Service-only entries: selector-less, ExternalName, or selecting nothing.
    let mut service_only: Vec<usize> = Vec::new();
    for (i, (s, m)) in kservices.iter().zip(&selected).enumerate() {
        if m.is_empty() {
            service_only.push(i);
            if !s.selector.is_empty() {
                diags.push(
                    Diagnostic::warning(
                        "k8s-selector",
                        &s.provenance.source,
                        format!(
                            "Service `{}/{}` selects no workload in the imported manifests",
                            s.namespace, s.name
                        ),
                    )
                    .at_pointer("/spec/selector"),
                );
            }
        }
    }
    // Ids: the name, or `name.namespace` when the name is taken in several namespaces.
    let mut name_count: HashMap<String, BTreeSet<String>> = HashMap::new();
    for (name, ns) in group_names.values() {
        name_count
            .entry(name.clone())
            .or_default()
            .insert(ns.clone());
    }
    for i in &service_only {
        let s = &kservices[*i];
        name_count
            .entry(s.name.clone())
            .or_default()
            .insert(s.namespace.clone());
    }
    let id_of = |name: &str, ns: &str| -> String {
        if name_count.get(name).is_some_and(|s| s.len() > 1) {
            format!("{name}.{ns}")
        } else {
            name.to_string()
        }
    };

    // Where a (namespace, Service name) leads: service id, and port → target port.
    let mut service_target: HashMap<(String, String), String> = HashMap::new();
    let mut built: BTreeMap<String, Service> = BTreeMap::new();
    for (root, members) in &groups {
        let (name, ns) = &group_names[root];
        let id = id_of(name, ns);
        let mut svc = Service {
            id: id.clone(),
            name: name.clone(),
            namespace: Some(ns.clone()),
            ..Service::default()
        };
        let mut label_sets = members.iter().map(|i| &workloads[*i].labels);
        let mut common = label_sets.next().cloned().unwrap_or_default();
        for l in label_sets {
            common.retain(|k, v| l.get(k) == Some(v));
        }
        svc.labels = common;
        let identities: BTreeSet<&str> = members
            .iter()
            .map(|i| workloads[*i].identity.as_str())
            .collect();
        if identities.len() == 1 {
            svc.identity = identities.into_iter().next().map(str::to_string);
        } else {
            diags.push(Diagnostic::warning(
                "k8s-identity",
                &workloads[members[0]].provenance.source,
                format!(
                    "workloads of `{id}` run as different service accounts ({}); no single identity recorded",
                    identities.into_iter().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let mut ports: Vec<Port> = Vec::new();
        let mut all_batch = true;
        for i in members {
            let w = &workloads[*i];
            for p in &w.ports {
                if !ports
                    .iter()
                    .any(|q| q.port == p.port && q.protocol == p.protocol)
                {
                    ports.push(p.clone());
                }
            }
            svc.provenance.push(w.provenance.clone());
            all_batch &= w.batch;
        }
        ports.sort_by_key(|p| (p.port, p.protocol as u8));
        svc.ports = ports;
        svc.kind = guess_kind(
            name,
            members.iter().flat_map(|i| workloads[*i].images.iter()),
            all_batch,
            svc.ports.is_empty(),
        );
        built.insert(id, svc);
    }
    for (s, m) in kservices.iter().zip(&selected) {
        let id = match m.first() {
            Some(i) => {
                let (name, ns) = &group_names[&root_of[*i]];
                id_of(name, ns)
            }
            None => id_of(&s.name, &s.namespace),
        };
        service_target.insert((s.namespace.clone(), s.name.clone()), id.clone());
        let svc = built.entry(id.clone()).or_insert_with(|| Service {
            id: id.clone(),
            name: s.name.clone(),
            namespace: Some(s.namespace.clone()),
            labels: s.selector.clone(),
            kind: if s.external_name.is_some() {
                ServiceKind::External
            } else {
                guess_kind(&s.name, std::iter::empty(), false, false)
            },
            ..Service::default()
        });
        if let Some(ext) = &s.external_name {
            svc.tags.push(format!("host:{ext}"));
        }
        if m.is_empty() {
            for (port, _, proto, name) in &s.ports {
                if !svc.ports.iter().any(|p| p.port == *port) {
                    svc.ports.push(Port {
                        port: *port,
                        protocol: *proto,
                        name: name.clone(),
                    });
                }
            }
        }
        svc.tags
            .push(format!("k8s-service:{}/{}", s.namespace, s.name));
        if !svc.provenance.contains(&s.provenance) {
            svc.provenance.push(s.provenance.clone());
        }
    }

    // Exposure.
    // Per exposed service: port (None when unknown) → what exposes it.
    let mut exposed: BTreeMap<String, BTreeMap<Option<u32>, Vec<Provenance>>> = BTreeMap::new();
    let mut expose = |id: &str, port: Option<u32>, why: Provenance| {
        let e = exposed
            .entry(id.to_string())
            .or_default()
            .entry(port)
            .or_default();
        if !e.contains(&why) {
            e.push(why);
        }
    };
    for (s, _) in kservices.iter().zip(&selected) {
        if matches!(s.kind.as_str(), "LoadBalancer" | "NodePort") {
            let id = &service_target[&(s.namespace.clone(), s.name.clone())];
            for (port, target, _, _) in &s.ports {
                let p = target_port(&built[id], *port, target);
                expose(id, Some(p), s.provenance.clone());
            }
        }
    }
    for d in docs {
        let kind = d.kind().unwrap_or_default();
        let ns = ns_of(d);
        let backends: Vec<(String, Option<Value>)> = match kind {
            "Ingress" => ingress_backends(&d.value),
            "HTTPRoute" => httproute_backends(&d.value),
            "VirtualService" if bound_to_gateway(&d.value) => virtualservice_backends(&d.value),
            _ => continue,
        };
        for (host, port) in backends {
            let Some((target_ns, name)) = service_ref(&host, &ns) else {
                continue;
            };
            match service_target.get(&(target_ns.clone(), name.clone())) {
                Some(id) => {
                    let svc = &built[id];
                    let port = port
                        .as_ref()
                        .and_then(|p| service_port_to_target(&kservices, &target_ns, &name, p, svc));
                    expose(id, port, provenance(d, &source_of(d)));
                }
                None => diags.push(
                    Diagnostic::warning(
                        "k8s-backend",
                        source_of(d),
                        format!(
                            "{} routes to Service `{target_ns}/{name}`, which is not in the imported manifests",
                            d.element()
                        ),
                    )
                    .at_line(Some(d.line)),
                ),
            }
        }
    }
    for (id, ports) in exposed {
        let Some(svc) = built.get_mut(&id) else {
            continue;
        };
        svc.exposure = Exposure::Internet;
        let known = ports.keys().any(Option::is_some);
        for (port, why) in ports {
            // A route without a port adds nothing when another route names the port.
            if port.is_none() && known {
                continue;
            }
            let mut flow = declared_flow(INTERNET, &id, port);
            flow.provenance = why;
            out.flows.push(flow);
        }
    }

    // Declared flows from configuration.
    for (root, members) in &groups {
        let (name, ns) = &group_names[root];
        let from = id_of(name, ns);
        let mut seen = BTreeSet::new();
        for i in members {
            for (var, value) in &workloads[*i].config {
                for (host, port) in addresses(value) {
                    let Some((target_ns, svc_name)) = service_ref(&host, ns) else {
                        continue;
                    };
                    let Some(to) = service_target.get(&(target_ns.clone(), svc_name.clone()))
                    else {
                        continue;
                    };
                    if *to == from {
                        continue;
                    }
                    let target = &built[to];
                    let port = match port {
                        Some(p) => service_port_to_target(
                            &kservices,
                            &target_ns,
                            &svc_name,
                            &Value::from(p),
                            target,
                        ),
                        None => single_service_port(&kservices, &target_ns, &svc_name, target),
                    };
                    if seen.insert((to.clone(), port)) {
                        let w = &workloads[*i];
                        let mut flow = declared_flow(&from, to, port);
                        flow.provenance.push(Provenance {
                            source: w.provenance.source.clone(),
                            element: Some(format!(
                                "{} {}/{} env `{var}`",
                                w.kind, w.namespace, w.name
                            )),
                        });
                        out.flows.push(flow);
                    }
                }
            }
        }
    }
    for (root, members) in &groups {
        let (name, ns) = &group_names[root];
        let id = id_of(name, ns);
        for i in members {
            let w = &workloads[*i];
            out.aliases
                .push((format!("{}/{}", w.namespace, w.name), id.clone()));
            out.ips.extend(w.pod_ips.iter().map(|ip| (*ip, id.clone())));
        }
    }
    for s in &kservices {
        if let Some(id) = service_target.get(&(s.namespace.clone(), s.name.clone())) {
            out.ips
                .extend(s.cluster_ips.iter().map(|ip| (*ip, id.clone())));
        }
    }
    out.services = built.into_values().collect();
    out
}

fn declared_flow(from: &str, to: &str, port: Option<u32>) -> Flow {
    Flow {
        id: crate::flow_id(FlowKind::Declared, from, to, port, None, None),
        from: from.to_string(),
        to: to.to_string(),
        kind: FlowKind::Declared,
        port,
        ..Flow::default()
    }
}

fn guess_kind<'a>(
    name: &str,
    images: impl Iterator<Item = &'a String>,
    batch: bool,
    no_ports: bool,
) -> ServiceKind {
    const STORES: [&str; 12] = [
        "redis",
        "postgres",
        "mysql",
        "mariadb",
        "mongo",
        "cassandra",
        "elasticsearch",
        "memcached",
        "etcd",
        "couchdb",
        "cockroach",
        "spanner",
    ];
    const QUEUES: [&str; 5] = ["kafka", "rabbitmq", "nats", "pulsar", "activemq"];
    let mut texts: Vec<String> = images.map(|i| i.to_ascii_lowercase()).collect();
    texts.push(name.to_ascii_lowercase());
    if texts.iter().any(|t| QUEUES.iter().any(|q| t.contains(q))) {
        ServiceKind::Queue
    } else if texts.iter().any(|t| STORES.iter().any(|s| t.contains(s))) {
        ServiceKind::Datastore
    } else if texts
        .iter()
        .any(|t| t.contains("gateway") || t.contains("ingress"))
    {
        ServiceKind::Gateway
    } else if batch || no_ports {
        ServiceKind::Worker
    } else {
        ServiceKind::Api
    }
}

fn workload(
    d: &ManifestDocument,
    source: &str,
    config_maps: &HashMap<(String, String), BTreeMap<String, String>>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Workload> {
    let kind = d.kind()?.to_string();
    let template_at = match kind.as_str() {
        "Pod" => "",
        "CronJob" => "/spec/jobTemplate/spec/template",
        _ => "/spec/template",
    };
    let template = d.value.pointer(template_at)?.clone();
    let ns = ns_of(d);
    let pod_spec = template.get("spec")?;
    let labels = str_map(template.pointer("/metadata/labels"));
    let sa = pod_spec
        .get("serviceAccountName")
        .or_else(|| pod_spec.get("serviceAccount"))
        .and_then(Value::as_str)
        .unwrap_or("default");
    let mut ports = Vec::new();
    let mut config = Vec::new();
    let mut images = Vec::new();
    // With where each container is, for the warnings below.
    let containers = ["containers", "initContainers"]
        .into_iter()
        .flat_map(|list| {
            pod_spec
                .get(list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, c)| (format!("{template_at}/spec/{list}/{i}"), c))
        });
    for (at, c) in containers {
        if let Some(img) = c.get("image").and_then(Value::as_str) {
            images.push(img.to_string());
        }
        for (i, p) in c
            .get("ports")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(given) = p.get("containerPort") else {
                continue;
            };
            let Some(port) = given.as_u64() else {
                let container = c.get("name").and_then(Value::as_str).unwrap_or("?");
                diags.push(not_a_port(
                    d,
                    source,
                    format!(
                        "{}: container `{container}` has `containerPort: {given}`",
                        d.element()
                    ),
                    format!("{at}/ports/{i}/containerPort"),
                ));
                continue;
            };
            ports.push(Port {
                port: port as u32,
                protocol: protocol(p.get("protocol")),
                name: p.get("name").and_then(Value::as_str).map(str::to_string),
            });
        }
        for e in c.get("env").and_then(Value::as_array).into_iter().flatten() {
            let var = e
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string();
            if let Some(v) = e.get("value").and_then(Value::as_str) {
                config.push((var, v.to_string()));
            } else if let Some(r) = e.pointer("/valueFrom/configMapKeyRef") {
                let cm = r.get("name").and_then(Value::as_str).unwrap_or_default();
                let key = r.get("key").and_then(Value::as_str).unwrap_or_default();
                if let Some(v) = config_maps
                    .get(&(ns.clone(), cm.to_string()))
                    .and_then(|m| m.get(key))
                {
                    config.push((format!("{var} (ConfigMap {cm}/{key})"), v.clone()));
                }
            }
        }
        for e in c
            .get("envFrom")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(cm) = e.pointer("/configMapRef/name").and_then(Value::as_str) {
                for (k, v) in config_maps
                    .get(&(ns.clone(), cm.to_string()))
                    .into_iter()
                    .flatten()
                {
                    config.push((format!("{k} (ConfigMap {cm})"), v.clone()));
                }
            }
        }
        for arg in c
            .get("args")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(a) = arg.as_str() {
                config.push(("args".to_string(), a.to_string()));
            }
        }
    }
    Some(Workload {
        batch: matches!(kind.as_str(), "Job" | "CronJob"),
        kind,
        name: d.name().unwrap_or("unnamed").to_string(),
        identity: format!("{ns}/{sa}"),
        namespace: ns,
        labels,
        ports,
        config,
        images,
        provenance: provenance(d, source),
        pod_ips: ips_at(&d.value, &["/status/podIP"], "/status/podIPs"),
    })
}

/// The `k8s-port` warning for a port that is not an integer (`what` says whose and the value as
/// written). Kubernetes refuses the object with anything but an integer there (`"8080"` too), so
/// the workload never listened, nor the Service exposed, on it as written: the port is not
/// imported, and no number is guessed, but it is not dropped unseen either.
fn not_a_port(d: &ManifestDocument, source: &str, what: String, pointer: String) -> Diagnostic {
    Diagnostic::warning(
        "k8s-port",
        source,
        format!(
            "{what}, which is not a port number (Kubernetes requires an integer from 1 to 65535); this port is not imported"
        ),
    )
    .at_line(Some(d.line))
    .at_pointer(pointer)
}

fn kservice(d: &ManifestDocument, source: &str, diags: &mut Vec<Diagnostic>) -> KService {
    let spec = d.value.get("spec");
    let ports = spec
        .and_then(|s| s.get("ports"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, p)| {
            let given = p.get("port")?;
            let Some(port) = given.as_u64() else {
                diags.push(not_a_port(
                    d,
                    source,
                    format!("{} has `port: {given}`", d.element()),
                    format!("/spec/ports/{i}/port"),
                ));
                return None;
            };
            let port = port as u32;
            let target = p.get("targetPort").cloned().unwrap_or(Value::from(port));
            Some((
                port,
                target,
                protocol(p.get("protocol")),
                p.get("name").and_then(Value::as_str).map(str::to_string),
            ))
        })
        .collect();
    KService {
        name: d.name().unwrap_or("unnamed").to_string(),
        namespace: ns_of(d),
        selector: str_map(spec.and_then(|s| s.get("selector"))),
        kind: spec
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("ClusterIP")
            .to_string(),
        external_name: spec
            .and_then(|s| s.get("externalName"))
            .and_then(Value::as_str)
            .map(str::to_string),
        ports,
        cluster_ips: ips_at(&d.value, &["/spec/clusterIP"], "/spec/clusterIPs"),
        provenance: provenance(d, source),
    }
}

fn ips_at(v: &Value, single: &[&str], list: &str) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = single
        .iter()
        .filter_map(|p| v.pointer(p).and_then(Value::as_str))
        .filter_map(|s| s.parse().ok())
        .collect();
    for item in v
        .pointer(list)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let ip = item
            .as_str()
            .or_else(|| item.get("ip").and_then(Value::as_str));
        if let Some(ip) = ip.and_then(|s| s.parse().ok()) {
            if !out.contains(&ip) {
                out.push(ip);
            }
        }
    }
    out
}

/// A Service's `targetPort` as a number on the selected pods.
fn target_port(svc: &Service, port: u32, target: &Value) -> u32 {
    match target {
        Value::Number(n) => n.as_u64().map(|n| n as u32).unwrap_or(port),
        Value::String(name) => svc
            .ports
            .iter()
            .find(|p| p.name.as_deref() == Some(name))
            .map(|p| p.port)
            .or_else(|| name.parse().ok())
            .unwrap_or(port),
        _ => port,
    }
}

/// The pod port behind `port` (a Service port number or name) of Service `ns/name`.
fn service_port_to_target(
    kservices: &[KService],
    ns: &str,
    name: &str,
    port: &Value,
    target: &Service,
) -> Option<u32> {
    let s = kservices
        .iter()
        .find(|s| s.namespace == ns && s.name == name)?;
    let entry = s.ports.iter().find(|(p, _, _, n)| match port {
        Value::Number(x) => x.as_u64() == Some(u64::from(*p)),
        Value::String(x) => n.as_deref() == Some(x.as_str()) || x.parse::<u32>().ok() == Some(*p),
        _ => false,
    });
    match entry {
        Some((p, t, _, _)) => Some(target_port(target, *p, t)),
        None => port.as_u64().map(|p| p as u32),
    }
}

fn single_service_port(
    kservices: &[KService],
    ns: &str,
    name: &str,
    target: &Service,
) -> Option<u32> {
    let s = kservices
        .iter()
        .find(|s| s.namespace == ns && s.name == name)?;
    match s.ports.as_slice() {
        [(p, t, _, _)] => Some(target_port(target, *p, t)),
        _ => None,
    }
}

/// `name`, `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local` → (namespace, name).
fn service_ref(host: &str, ns: &str) -> Option<(String, String)> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_suffix(".cluster.local").unwrap_or(&host);
    let host = host.strip_suffix(".svc").unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    let valid = |s: &str| {
        !s.is_empty()
            && s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
    };
    match parts.as_slice() {
        [name] if valid(name) => Some((ns.to_string(), name.to_string())),
        [name, namespace] if valid(name) && valid(namespace) => {
            Some((namespace.to_string(), name.to_string()))
        }
        _ => None,
    }
}

/// Host and port candidates in a configuration value: `host:port`, URLs, comma lists.
fn addresses(value: &str) -> Vec<(String, Option<u32>)> {
    let mut out = Vec::new();
    for token in value
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '\'' | '=' | '(' | ')'))
    {
        let t = token.split_once("://").map(|(_, r)| r).unwrap_or(token);
        let t = t.rsplit_once('@').map(|(_, r)| r).unwrap_or(t);
        let authority = t.split(['/', '?', '#']).next().unwrap_or("");
        if authority.is_empty() || authority.len() > 253 {
            continue;
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => match p.parse::<u32>() {
                Ok(p) if p > 0 && p < 65536 => (h, Some(p)),
                _ => continue,
            },
            None => (authority, None),
        };
        // A bare word is a Service name only when it looks like one (has a letter).
        if host.bytes().any(|b| b.is_ascii_alphabetic()) {
            out.push((host.to_string(), port));
        }
    }
    out
}

fn ingress_backends(v: &Value) -> Vec<(String, Option<Value>)> {
    let mut out = Vec::new();
    let mut push = |b: &Value| {
        if let Some(name) = b.pointer("/service/name").and_then(Value::as_str) {
            let port = b
                .pointer("/service/port/number")
                .or_else(|| b.pointer("/service/port/name"))
                .cloned();
            out.push((name.to_string(), port));
        } else if let Some(name) = b.get("serviceName").and_then(Value::as_str) {
            out.push((name.to_string(), b.get("servicePort").cloned()));
        }
    };
    for key in ["/spec/defaultBackend", "/spec/backend"] {
        if let Some(b) = v.pointer(key) {
            push(b);
        }
    }
    for rule in v
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for path in rule
            .pointer("/http/paths")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(b) = path.get("backend") {
                push(b);
            }
        }
    }
    out
}

fn httproute_backends(v: &Value) -> Vec<(String, Option<Value>)> {
    let mut out = Vec::new();
    for rule in v
        .pointer("/spec/rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for b in rule
            .get("backendRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if b.get("kind")
                .and_then(Value::as_str)
                .is_some_and(|k| k != "Service")
            {
                continue;
            }
            let Some(name) = b.get("name").and_then(Value::as_str) else {
                continue;
            };
            let host = match b.get("namespace").and_then(Value::as_str) {
                Some(ns) => format!("{name}.{ns}"),
                None => name.to_string(),
            };
            out.push((host, b.get("port").cloned()));
        }
    }
    out
}

fn bound_to_gateway(v: &Value) -> bool {
    v.pointer("/spec/gateways")
        .and_then(Value::as_array)
        .is_some_and(|g| g.iter().filter_map(Value::as_str).any(|g| g != "mesh"))
}

fn virtualservice_backends(v: &Value) -> Vec<(String, Option<Value>)> {
    let mut out = Vec::new();
    for proto in ["http", "tcp", "tls"] {
        for route in v
            .pointer(&format!("/spec/{proto}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for dest in route
                .get("route")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(host) = dest.pointer("/destination/host").and_then(Value::as_str) {
                    out.push((
                        host.to_string(),
                        dest.pointer("/destination/port/number").cloned(),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_in_config_values() {
        assert_eq!(
            addresses("productcatalogservice:3550"),
            vec![("productcatalogservice".to_string(), Some(3550))]
        );
        assert_eq!(
            addresses("http://user:pw@cart.shop.svc.cluster.local:7070/api?x=1"),
            vec![("cart.shop.svc.cluster.local".to_string(), Some(7070))]
        );
        assert_eq!(addresses("8080"), vec![]);
        assert_eq!(addresses("10.0.0.1:80"), vec![]);
    }

    #[test]
    fn service_refs() {
        assert_eq!(
            service_ref("cart.shop.svc.cluster.local", "x"),
            Some(("shop".into(), "cart".into()))
        );
        assert_eq!(service_ref("cart", "x"), Some(("x".into(), "cart".into())));
        assert_eq!(service_ref("api.github.com", "x"), None);
        assert_eq!(service_ref("Not_A_Name", "x"), None);
    }
}
