//! Deployment manifests for a design's in-cluster services (namespace, labels, ports), the
//! topology that a connectivity oracle (network-config-analyzer) needs next to exported
//! NetworkPolicies. Used by the proofs; also handy to try an export on a scratch cluster.

use crate::access::Access;
use crate::names::dns_label;
use crate::netpol::labels_value;
use crate::yaml::{Node, push_yaml};
use crate::{obj, seq};

/// One multi-document YAML file with a Namespace and a Deployment per in-cluster service (one
/// that has a namespace and labels), sorted by namespace then service id.
pub fn deployments(access: &Access<'_>) -> String {
    let mut docs: Vec<(&str, &str, Node<'_>)> = Vec::new();
    let mut namespaces = std::collections::BTreeSet::new();
    for &i in &access.order {
        let s = access.service(i);
        let (Some(ns), false) = (&s.namespace, s.labels.is_empty()) else {
            continue;
        };
        namespaces.insert(ns.as_str());
        let ports: Vec<Node<'_>> = s
            .ports
            .iter()
            .map(|p| {
                let mut v = obj!({"containerPort": p.port, "protocol": protocol(p.protocol)});
                if let Some(n) = &p.name {
                    v.insert("name", n);
                }
                v
            })
            .collect();
        let mut container = obj!({"name": "app", "image": "registry.invalid/bulkhead-stub:1"});
        if !ports.is_empty() {
            container.insert("ports", ports);
        }
        let labels = labels_value(&s.labels);
        docs.push((
            ns.as_str(),
            s.id.as_str(),
            obj!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": obj!({"name": dns_label(&s.id), "namespace": ns}),
                "spec": obj!({
                    "replicas": 1u32,
                    "selector": obj!({"matchLabels": labels.clone()}),
                    "template": obj!({
                        "metadata": obj!({"labels": labels}),
                        "spec": obj!({"containers": seq![container]}),
                    }),
                }),
            }),
        ));
    }
    let mut out = String::new();
    for ns in &namespaces {
        out.push_str("---\n");
        push_yaml(
            &mut out,
            &obj!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": obj!({"name": *ns, "labels": obj!({"kubernetes.io/metadata.name": *ns})}),
            }),
        );
    }
    docs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    for (_, _, d) in docs {
        out.push_str("---\n");
        push_yaml(&mut out, &d);
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
