//! Kong declarative configuration (decK, `_format_version: "3.0"`) → the gateway inventory.
//!
//! Every Kong service becomes a Bulkhead service (its upstream host is kept as `host:` tag) whose
//! endpoints are its routes' `paths` × `methods`. The auth, ACL and rate-limit plugins that apply
//! to a route (global, service or route scope) are listed in the endpoint's `declared_auth`, so
//! the design shows what the gateway enforces today. The gateway itself becomes the `kong`
//! service, internet-facing, with a declared flow to each upstream service.

use std::collections::BTreeMap;

use bulkhead_core::model::{
    Endpoint, Exposure, Flow, FlowKind, INTERNET, Port, Provenance, Service, ServiceKind,
};
use serde_json::Value;

use crate::diagnostic::Diagnostic;

/// Whether a parsed document is a decK file.
pub fn is_kong(v: &Value) -> bool {
    v.get("_format_version").is_some()
}

const AUTH_PLUGINS: [&str; 9] = [
    "key-auth",
    "jwt",
    "oauth2",
    "basic-auth",
    "hmac-auth",
    "openid-connect",
    "mtls-auth",
    "ldap-auth",
    "key-auth-enc",
];

pub struct KongImport {
    pub services: Vec<Service>,
    pub flows: Vec<Flow>,
}

/// Describe one plugin for `declared_auth`, if it is about access.
fn plugin_text(p: &Value) -> Option<String> {
    if p.get("enabled").and_then(Value::as_bool) == Some(false) {
        return None;
    }
    let name = p.get("name").and_then(Value::as_str)?;
    let config = p.get("config");
    let list = |k: &str| -> Vec<String> {
        config
            .and_then(|c| c.get(k))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    if AUTH_PLUGINS.contains(&name) {
        return Some(format!("kong {name}"));
    }
    match name {
        "acl" => {
            let allow = list("allow");
            let deny = list("deny");
            let mut parts = Vec::new();
            if !allow.is_empty() {
                parts.push(format!("allow {}", allow.join(", ")));
            }
            if !deny.is_empty() {
                parts.push(format!("deny {}", deny.join(", ")));
            }
            Some(format!("kong acl: {}", parts.join("; ")))
        }
        "rate-limiting" | "rate-limiting-advanced" | "response-ratelimiting" => {
            let limits: Vec<String> = ["second", "minute", "hour", "day", "month", "year"]
                .iter()
                .filter_map(|per| {
                    config
                        .and_then(|c| c.get(*per))
                        .and_then(Value::as_u64)
                        .map(|n| format!("{n}/{per}"))
                })
                .collect();
            Some(format!("kong {name}: {}", limits.join(", ")))
        }
        "ip-restriction" => Some(format!(
            "kong ip-restriction: allow {}",
            list("allow").join(", ")
        )),
        _ => None,
    }
}

fn plugin_scope(p: &Value, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    }
}

pub fn import(v: &Value, source: &str, diags: &mut Vec<Diagnostic>) -> KongImport {
    let version = v
        .get("_format_version")
        .map(|f| {
            f.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| f.to_string())
        })
        .unwrap_or_default();
    if !version.starts_with('3') {
        diags.push(Diagnostic::warning(
            "kong-version",
            source,
            format!("decK `_format_version` is `{version}`; read as 3.0"),
        ));
    }
    // Plugins by scope.
    let mut global = Vec::new();
    let mut by_service: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut by_route: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in v
        .get("plugins")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(text) = plugin_text(p) else { continue };
        if let Some(r) = plugin_scope(p, "route") {
            by_route.entry(r).or_default().push(text);
        } else if let Some(s) = plugin_scope(p, "service") {
            by_service.entry(s).or_default().push(text);
        } else if p.get("consumer").is_none() {
            global.push(text);
        }
    }
    // Top-level routes attach to a service by name or id.
    let mut routes_of: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in v
        .get("routes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(s) = plugin_scope(r, "service") {
            routes_of.entry(s).or_default().push(r.clone());
        }
    }
    let mut services = Vec::new();
    let mut flows = Vec::new();
    let gateway_id = "kong".to_string();
    for (i, s) in v
        .get("services")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let name = s
            .get("name")
            .or_else(|| s.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("service-{i}"));
        let (host, port) = upstream(s);
        let mut svc = Service {
            id: crate::slug(&name),
            name: name.clone(),
            kind: ServiceKind::Api,
            tags: vec!["kong".into()],
            provenance: vec![Provenance {
                source: source.to_string(),
                element: Some(format!("Kong service `{name}`")),
            }],
            ..Service::default()
        };
        if let Some(h) = &host {
            svc.tags.push(format!("host:{h}"));
        }
        if let Some(p) = port {
            svc.ports.push(Port {
                port: p,
                protocol: Default::default(),
                name: None,
            });
        }
        let mut service_plugins = global.clone();
        for key in [
            &name,
            &s.get("id")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        ] {
            service_plugins.extend(by_service.get(key).cloned().unwrap_or_default());
        }
        for p in s
            .get("plugins")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            service_plugins.extend(plugin_text(p));
        }
        let nested = s
            .get("routes")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let routes = nested
            .into_iter()
            .chain(routes_of.get(&name).cloned().unwrap_or_default());
        for r in routes {
            let rname = r
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let mut plugins = service_plugins.clone();
            plugins.extend(by_route.get(&rname).cloned().unwrap_or_default());
            for p in r
                .get("plugins")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                plugins.extend(plugin_text(p));
            }
            plugins.sort();
            plugins.dedup();
            let strings = |k: &str| -> Vec<String> {
                r.get(k)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let paths = {
                let p = strings("paths");
                if p.is_empty() {
                    vec!["/".to_string()]
                } else {
                    p
                }
            };
            let methods = {
                let m = strings("methods");
                if m.is_empty() {
                    vec!["*".to_string()]
                } else {
                    m
                }
            };
            for path in &paths {
                // Kong paths are prefixes unless they are regexes (`~`).
                let template = if path.starts_with('~') {
                    path.clone()
                } else if path.ends_with('/') {
                    format!("{path}**")
                } else {
                    format!("{path}/**")
                };
                for m in &methods {
                    svc.endpoints.push(Endpoint {
                        method: m.to_ascii_uppercase(),
                        path: template.clone(),
                        operation_id: (!rname.is_empty()).then(|| rname.clone()),
                        declared_auth: plugins.clone(),
                        ..Endpoint::default()
                    });
                }
            }
        }
        svc.endpoints
            .sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
        svc.endpoints
            .dedup_by(|a, b| a.path == b.path && a.method == b.method);
        if !svc.endpoints.is_empty() {
            flows.push(Flow {
                id: crate::flow_id(FlowKind::Declared, &gateway_id, &svc.id, port, None, None),
                from: gateway_id.clone(),
                to: svc.id.clone(),
                kind: FlowKind::Declared,
                port,
                provenance: svc.provenance.clone(),
                ..Flow::default()
            });
        }
        services.push(svc);
    }
    if !services.is_empty() {
        services.push(Service {
            id: gateway_id.clone(),
            name: "Kong gateway".into(),
            kind: ServiceKind::Gateway,
            exposure: Exposure::Internet,
            tags: vec!["kong".into()],
            provenance: vec![Provenance {
                source: source.to_string(),
                element: Some("Kong declarative config".into()),
            }],
            ..Service::default()
        });
        flows.push(Flow {
            id: crate::flow_id(FlowKind::Declared, INTERNET, &gateway_id, None, None, None),
            from: INTERNET.into(),
            to: gateway_id,
            kind: FlowKind::Declared,
            provenance: vec![Provenance {
                source: source.to_string(),
                element: Some("Kong routes".into()),
            }],
            ..Flow::default()
        });
    }
    let consumers = v
        .get("consumers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if consumers > 0 {
        diags.push(Diagnostic::info(
            "kong-consumers",
            source,
            format!("{consumers} Kong consumer(s) found; consumers are callers outside the inventory and were not imported as services"),
        ));
    }
    KongImport { services, flows }
}

/// Upstream host and port from `url` or `host`/`port`/`protocol`.
pub(crate) fn upstream(s: &Value) -> (Option<String>, Option<u32>) {
    if let Some(url) = s.get("url").and_then(Value::as_str) {
        if let Ok(u) = reqwest::Url::parse(url) {
            return (
                u.host_str().map(str::to_string),
                u.port_or_known_default().map(u32::from),
            );
        }
    }
    let host = s.get("host").and_then(Value::as_str).map(str::to_string);
    let port = s
        .get("port")
        .and_then(Value::as_u64)
        .map(|p| p as u32)
        .or_else(|| match s.get("protocol").and_then(Value::as_str) {
            Some("https") => Some(443),
            Some(_) | None if host.is_some() => Some(80),
            _ => None,
        });
    (host, port)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deck_services_routes_plugins() {
        let v: Value = serde_json::json!({
            "_format_version": "3.0",
            "services": [{
                "name": "orders",
                "url": "http://orders.shop.svc:8080",
                "routes": [{"name": "orders-read", "paths": ["/orders"], "methods": ["GET"],
                            "plugins": [{"name": "rate-limiting", "config": {"minute": 100}}]}],
                "plugins": [{"name": "key-auth"}, {"name": "acl", "config": {"allow": ["staff"]}}]
            }],
            "plugins": [{"name": "cors"}]
        });
        let mut diags = Vec::new();
        let k = import(&v, "kong.yaml", &mut diags);
        let orders = &k.services[0];
        assert_eq!(orders.ports[0].port, 8080);
        assert_eq!(orders.endpoints[0].path, "/orders/**");
        assert_eq!(
            orders.endpoints[0].declared_auth,
            vec![
                "kong acl: allow staff",
                "kong key-auth",
                "kong rate-limiting: 100/minute"
            ]
        );
        assert_eq!(k.services[1].id, "kong");
        assert_eq!(k.flows.len(), 2);
    }
}
