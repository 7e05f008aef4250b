//! Deployment manifests for a design's in-cluster services (namespace, labels, ports), the
//! topology that a connectivity oracle (network-config-analyzer) needs next to exported
//! NetworkPolicies. Used by the proofs; also handy to try an export on a scratch cluster.

use serde_json::{Value, json};

use crate::access::Access;
use crate::names::dns_label;
use crate::yaml::to_yaml;

/// One multi-document YAML file with a Namespace and a Deployment per in-cluster service (one
/// that has a namespace and labels), sorted by namespace then service id.
pub fn deployments(access: &Access<'_>) -> String {
    let mut docs: Vec<(String, String, Value)> = Vec::new();
    let mut namespaces = std::collections::BTreeSet::new();
    for &i in &access.order {
        let s = access.service(i);
        let (Some(ns), false) = (&s.namespace, s.labels.is_empty()) else {
            continue;
        };
        namespaces.insert(ns.clone());
        let ports: Vec<Value> = s
            .ports
            .iter()
            .map(|p| {
                let mut v = json!({"containerPort": p.port, "protocol": protocol(p.protocol)});
                if let Some(n) = &p.name {
                    v["name"] = json!(n);
                }
                v
            })
            .collect();
        let mut container = json!({"name": "app", "image": "registry.invalid/bulkhead-stub:1"});
        if !ports.is_empty() {
            container["ports"] = Value::Array(ports);
        }
        let labels: serde_json::Map<String, Value> = s
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        docs.push((
            ns.clone(),
            s.id.clone(),
            json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": dns_label(&s.id), "namespace": ns},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": labels.clone()},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {"containers": [container]}
                    }
                }
            }),
        ));
    }
    let mut out = String::new();
    for ns in &namespaces {
        out.push_str("---\n");
        out.push_str(&to_yaml(&json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}
        })));
    }
    docs.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (_, _, d) in docs {
        out.push_str("---\n");
        out.push_str(&to_yaml(&d));
    }
    out
}

pub fn protocol(p: bulkhead_core::model::Protocol) -> &'static str {
    match p {
        bulkhead_core::model::Protocol::Tcp => "TCP",
        bulkhead_core::model::Protocol::Udp => "UDP",
        bulkhead_core::model::Protocol::Sctp => "SCTP",
    }
}
