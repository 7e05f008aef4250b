//! A live Kong declarative config (decK 3.0) reduced to what it lets through to a design's
//! services, for `bulkhead check --live kong.yaml` ([`bulkhead_core::drift::gateway`]).
//!
//! What is evaluated, per endpoint the design declares on a service Kong fronts:
//! - **Which Kong service**: its upstream (`url`, or `host`/`port`) names the design service:
//!   the first DNS label of the host is the service id or name (`cart.shop.svc.cluster.local`
//!   → `cart`, in namespace `shop` when the design gives one), or the design service carries
//!   the tag `host:<host>` (as `bulkhead import` of a Kong config writes it). The upstream port
//!   is the request's port.
//! - **Which route**: a route's `methods` (absent: any) and `paths` (a prefix, or a regex when it
//!   starts with `~`, anchored at the start as Kong does) must match the endpoint, with each
//!   `{param}` of the endpoint's path template standing for one segment. Regex routes are tried
//!   first (highest `regex_priority` first), then prefixes, longest first. `hosts`, `headers`
//!   and `snis` are not compared: the upstream says which service it is.
//! - **Who gets through**: the plugins that apply to the route (route scope over service scope
//!   over global, per plugin name; consumer-scoped plugins are ignored). With an auth plugin
//!   (`key-auth`, `jwt`, `basic-auth`, `hmac-auth`, `oauth2`, `mtls-auth`, …) a design service is
//!   the consumer whose `username` or `custom_id` is its id, when that consumer has a credential
//!   for one of the route's auth plugins; everyone else (the internet always) is the
//!   `anonymous` consumer when the plugin names one, otherwise refused. Without an auth
//!   plugin nobody is identified. `acl` then allows consumers in an `allow` group (their
//!   `acls` groups, plus their consumer groups with `include_consumer_groups`) and refuses
//!   those in a `deny` group or unidentified ones; `request-termination` refuses everyone.
//!   Rate limits shape traffic and are not compared; `ip-restriction` and other plugins Kong
//!   evaluates on addresses or headers are listed as notes, not evaluated.

use std::collections::{BTreeMap, BTreeSet};

use bulkhead_core::drift::gateway::{GatewayEntry, GatewayPolicy};
use bulkhead_core::model::{Design, INTERNET};
use serde_json::Value;

/// Auth plugins and the consumer credential list each checks (`None`: not known, any mapped
/// consumer is taken to hold one).
const AUTH: [(&str, Option<&str>); 9] = [
    ("key-auth", Some("keyauth_credentials")),
    ("key-auth-enc", Some("keyauth_credentials")),
    ("jwt", Some("jwt_secrets")),
    ("basic-auth", Some("basicauth_credentials")),
    ("hmac-auth", Some("hmacauth_credentials")),
    ("oauth2", Some("oauth2_credentials")),
    ("mtls-auth", Some("mtls_auth_credentials")),
    ("openid-connect", None),
    ("ldap-auth", None),
];

/// Plugins that decide on what the design does not model (addresses, headers, bots).
const NOT_EVALUATED: [&str; 4] = [
    "ip-restriction",
    "bot-detection",
    "cors",
    "request-validator",
];

/// At most this many routes, services and consumers are read (a real config has far fewer).
const MAX_ITEMS: usize = 100_000;

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn arr<'a>(v: &'a Value, k: &str) -> impl Iterator<Item = &'a Value> {
    v.get(k)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_ITEMS)
}

fn strings(v: &Value, k: &str) -> Vec<String> {
    arr(v, k)
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// `Cart_Service` → `cart-service`: how the Kong exporter names consumers and upstreams.
fn label(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// A reference to a service, route or consumer: a string, or `{name}`/`{id}`.
fn reference(v: &Value, k: &str) -> Option<String> {
    match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("username"))
            .or_else(|| o.get("id"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    }
}

struct Consumer {
    names: Vec<String>,
    /// The design caller it is.
    caller: Option<String>,
    groups: BTreeSet<String>,
    consumer_groups: BTreeSet<String>,
    credentials: BTreeSet<String>,
}

struct Route {
    name: String,
    methods: Vec<String>,
    paths: Vec<RoutePath>,
    regex_priority: i64,
    plugins: BTreeMap<String, Value>,
}

enum RoutePath {
    Prefix(String),
    Regex(regex::Regex),
}

impl Route {
    fn matches_method(&self, method: &str) -> bool {
        self.methods.is_empty()
            || (method != "*" && self.methods.iter().any(|m| m.eq_ignore_ascii_case(method)))
    }

    /// The length of the longest prefix path matching `path`, or `usize::MAX` for a regex.
    fn match_rank(&self, path: &str) -> Option<usize> {
        self.paths
            .iter()
            .filter_map(|p| match p {
                RoutePath::Prefix(pre) => path.starts_with(pre.as_str()).then_some(pre.len()),
                RoutePath::Regex(re) => re.is_match(path).then_some(usize::MAX),
            })
            .max()
    }
}

/// A concrete path for an endpoint template: each `{param}`, `*` and `**` segment stands for
/// one segment `x`.
fn sample_path(template: &str) -> String {
    template
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') || seg == "*" || seg == "**" {
                "x"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Reduces a decK config to what it lets through to `design`'s services.
pub fn gateway_policy(v: &Value, design: &Design, source: &str) -> GatewayPolicy {
    let mut notes: BTreeSet<String> = BTreeSet::new();
    let version = v
        .get("_format_version")
        .map(|f| {
            f.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| f.to_string())
        })
        .unwrap_or_default();
    let ids: BTreeMap<String, &str> = design
        .services
        .iter()
        .flat_map(|s| [(s.id.clone(), s.id.as_str()), (label(&s.id), s.id.as_str())])
        .chain(std::iter::once((INTERNET.to_string(), INTERNET)))
        .collect();

    // Consumers.
    let mut groups_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for g in arr(v, "consumer_groups") {
        if let Some(name) = s(g, "name") {
            for c in arr(g, "consumers") {
                if let Some(u) = reference(c, "username").or_else(|| c.as_str().map(str::to_string))
                {
                    groups_of.entry(u).or_default().insert(name.to_string());
                }
            }
        }
    }
    let mut consumers = Vec::new();
    let mut unmapped_consumers = Vec::new();
    for c in arr(v, "consumers") {
        let names: Vec<String> = ["username", "custom_id", "id"]
            .iter()
            .filter_map(|k| s(c, k).map(str::to_string))
            .collect();
        let caller = names.iter().find_map(|n| ids.get(n).map(|i| i.to_string()));
        if caller.is_none() {
            unmapped_consumers.push(names.first().cloned().unwrap_or_else(|| "?".into()));
        }
        let mut consumer_groups: BTreeSet<String> = BTreeSet::new();
        for n in &names {
            consumer_groups.extend(groups_of.get(n).cloned().unwrap_or_default());
        }
        consumer_groups.extend(
            arr(c, "groups")
                .filter_map(|g| s(g, "name").or_else(|| g.as_str()))
                .map(str::to_string),
        );
        consumers.push(Consumer {
            names,
            caller,
            groups: arr(c, "acls")
                .filter_map(|a| s(a, "group").map(str::to_string))
                .collect(),
            consumer_groups,
            credentials: AUTH
                .iter()
                .filter_map(|(_, cred)| *cred)
                .filter(|cred| arr(c, cred).next().is_some())
                .map(str::to_string)
                .collect(),
        });
    }

    // Plugins by scope (enabled ones; consumer-scoped ones are left out).
    let enabled = |p: &&Value| p.get("enabled").and_then(Value::as_bool) != Some(false);
    let mut global: BTreeMap<String, Value> = BTreeMap::new();
    let mut by_service: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    let mut by_route: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for p in arr(v, "plugins").filter(enabled) {
        let Some(name) = s(p, "name") else { continue };
        if p.get("consumer").is_some() || p.get("consumer_group").is_some() {
            continue;
        }
        if let Some(r) = reference(p, "route") {
            by_route
                .entry(r)
                .or_default()
                .insert(name.into(), p.clone());
        } else if let Some(sv) = reference(p, "service") {
            by_service
                .entry(sv)
                .or_default()
                .insert(name.into(), p.clone());
        } else {
            global.insert(name.into(), p.clone());
        }
    }
    let mut top_routes: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for r in arr(v, "routes") {
        if let Some(sv) = reference(r, "service") {
            top_routes.entry(sv).or_default().push(r);
        }
    }

    let mut entries = Vec::new();
    let mut unmapped_services = Vec::new();
    for (i, svc) in arr(v, "services").enumerate() {
        let name = s(svc, "name")
            .or_else(|| s(svc, "id"))
            .map(str::to_string)
            .unwrap_or_else(|| format!("service-{i}"));
        let (host, port) = crate::kong::upstream(svc);
        let Some(target) = host.as_deref().and_then(|h| target_of(design, h)) else {
            unmapped_services.push(match &host {
                Some(h) => format!("{name} ({h})"),
                None => name,
            });
            continue;
        };
        let mut service_plugins = global.clone();
        for key in [Some(name.clone()), s(svc, "id").map(str::to_string)]
            .into_iter()
            .flatten()
        {
            service_plugins.extend(by_service.get(&key).cloned().unwrap_or_default());
        }
        for p in arr(svc, "plugins").filter(enabled) {
            if let Some(n) = s(p, "name") {
                service_plugins.insert(n.into(), p.clone());
            }
        }
        let mut routes = Vec::new();
        for (j, r) in arr(svc, "routes")
            .chain(top_routes.get(&name).into_iter().flatten().copied())
            .enumerate()
        {
            let rname = s(r, "name")
                .map(str::to_string)
                .unwrap_or_else(|| format!("{name}#{j}"));
            let mut plugins = service_plugins.clone();
            for key in [Some(rname.clone()), s(r, "id").map(str::to_string)]
                .into_iter()
                .flatten()
            {
                plugins.extend(by_route.get(&key).cloned().unwrap_or_default());
            }
            for p in arr(r, "plugins").filter(enabled) {
                if let Some(n) = s(p, "name") {
                    plugins.insert(n.into(), p.clone());
                }
            }
            let mut paths = Vec::new();
            let written = strings(r, "paths");
            for p in if written.is_empty() {
                vec!["/".to_string()]
            } else {
                written
            } {
                match p.strip_prefix('~') {
                    Some(re) => {
                        let anchored = if re.starts_with('^') {
                            re.to_string()
                        } else {
                            format!("^{re}")
                        };
                        match regex::RegexBuilder::new(&anchored)
                            .size_limit(1 << 20)
                            .build()
                        {
                            Ok(re) => paths.push(RoutePath::Regex(re)),
                            Err(e) => {
                                notes.insert(format!("route `{rname}`: path `{p}` is not a regex this check can read ({e}); the path is ignored"));
                            }
                        }
                    }
                    None => paths.push(RoutePath::Prefix(p)),
                }
            }
            for n in plugins.keys() {
                if NOT_EVALUATED.contains(&n.as_str()) {
                    notes.insert(format!("route `{rname}`: plugin `{n}` decides on what the design does not model; not evaluated"));
                }
            }
            routes.push(Route {
                name: rname,
                methods: strings(r, "methods"),
                paths,
                regex_priority: r.get("regex_priority").and_then(Value::as_i64).unwrap_or(0),
                plugins,
            });
        }
        let Some(t) = design.service(target) else {
            continue;
        };
        for e in &t.endpoints {
            let path = sample_path(&e.path);
            let route = routes
                .iter()
                .filter(|r| r.matches_method(&e.method))
                .filter_map(|r| r.match_rank(&path).map(|rank| (r, rank)))
                .max_by(|(a, ra), (b, rb)| {
                    (ra == &usize::MAX, a.regex_priority, ra).cmp(&(
                        rb == &usize::MAX,
                        b.regex_priority,
                        rb,
                    ))
                })
                .map(|(r, _)| r);
            let (callers, anonymous, why) = match route {
                Some(r) => admitted(design, r, &consumers),
                None => (Vec::new(), false, "no route matches".to_string()),
            };
            entries.push(GatewayEntry {
                to: target.to_string(),
                port,
                method: e.method.clone(),
                path: e.path.clone(),
                route: route.map(|r| r.name.clone()),
                callers,
                anonymous,
                why,
            });
        }
    }
    GatewayPolicy {
        source: source.to_string(),
        kind: format!("kong {version}").trim().to_string(),
        entries,
        unmapped_services,
        unmapped_consumers,
        notes: notes.into_iter().collect(),
    }
}

/// The design service a Kong upstream host names.
fn target_of<'d>(design: &'d Design, host: &str) -> Option<&'d str> {
    if let Some(s) = design
        .services
        .iter()
        .find(|s| s.tags.iter().any(|t| t.strip_prefix("host:") == Some(host)))
    {
        return Some(&s.id);
    }
    let mut labels = host.split('.');
    let first = labels.next()?;
    let ns = labels.next();
    let candidates: Vec<&str> = design
        .services
        .iter()
        .filter(|s| label(&s.id) == first || s.id == first || s.name == first)
        .filter(|s| match (ns, &s.namespace) {
            (Some(n), Some(sn)) => n == sn || n == "svc",
            _ => true,
        })
        .map(|s| s.id.as_str())
        .collect();
    match candidates.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// Who the route's plugins let through: the design services identified as themselves, whether
/// anonymous requests get through, and why in words.
fn admitted(design: &Design, r: &Route, consumers: &[Consumer]) -> (Vec<String>, bool, String) {
    let auth: Vec<(&str, Option<&str>, &Value)> = AUTH
        .iter()
        .filter_map(|(n, cred)| r.plugins.get(*n).map(|p| (*n, *cred, p)))
        .collect();
    let anonymous: Option<&Consumer> = auth.iter().find_map(|(_, _, p)| {
        let a = p.pointer("/config/anonymous").and_then(Value::as_str)?;
        consumers.iter().find(|c| c.names.iter().any(|n| n == a))
    });
    let acl = r.plugins.get("acl");
    let mut why = Vec::new();
    if auth.is_empty() {
        why.push("no auth plugin".to_string());
    } else {
        let names: Vec<&str> = auth.iter().map(|(n, _, _)| *n).collect();
        why.push(match anonymous {
            Some(a) => format!("{} (anonymous: `{}`)", names.join(", "), a.names[0]),
            None => format!("{} (no anonymous consumer)", names.join(", ")),
        });
    }
    if let Some(acl) = acl {
        let config = acl.get("config").unwrap_or(&Value::Null);
        let mut parts = Vec::new();
        for k in ["allow", "deny"] {
            let groups = strings(config, k);
            if !groups.is_empty() {
                parts.push(format!("{k} {}", groups.join(", ")));
            }
        }
        why.push(format!("acl {}", parts.join("; ")));
    }
    if r.plugins.contains_key("request-termination") {
        return (
            Vec::new(),
            false,
            "request-termination refuses every request".into(),
        );
    }
    // What the ACL (if any) says about a consumer (`None`: nobody identified).
    let acl_admits = |c: Option<&Consumer>| -> bool {
        let Some(acl) = acl else { return true };
        let Some(c) = c else { return false };
        let config = acl.get("config").unwrap_or(&Value::Null);
        let include = config
            .get("include_consumer_groups")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let groups: BTreeSet<&String> = c
            .groups
            .iter()
            .chain(c.consumer_groups.iter().filter(|_| include))
            .collect();
        let allow = strings(config, "allow");
        let deny = strings(config, "deny");
        !deny.iter().any(|g| groups.contains(g))
            && (allow.is_empty() || allow.iter().any(|g| groups.contains(g)))
    };
    // Anonymous requests: without an auth plugin nobody is identified; with one, they are the
    // anonymous consumer, or refused.
    let anonymous_through = if auth.is_empty() {
        acl_admits(None)
    } else {
        anonymous.is_some_and(|a| acl_admits(Some(a)))
    };
    let mut through = Vec::new();
    if !auth.is_empty() {
        for svc in &design.services {
            let own = consumers.iter().find(|c| {
                c.caller.as_deref() == Some(svc.id.as_str())
                    && auth
                        .iter()
                        .any(|(_, cred, _)| cred.is_none_or(|cred| c.credentials.contains(cred)))
            });
            if let Some(c) = own
                && acl_admits(Some(c))
            {
                through.push(svc.id.clone());
            }
        }
    }
    through.sort();
    (through, anonymous_through, why.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_core::model::{Endpoint, Service};
    use serde_json::json;

    fn design() -> Design {
        let ep = |m: &str, p: &str| Endpoint {
            method: m.into(),
            path: p.into(),
            ..Endpoint::default()
        };
        let mut d = Design::new("t");
        d.services = vec![
            Service {
                id: "orders".into(),
                namespace: Some("shop".into()),
                endpoints: vec![
                    ep("GET", "/orders/{id}"),
                    ep("DELETE", "/orders/{id}"),
                    ep("GET", "/health"),
                ],
                ..Service::default()
            },
            Service {
                id: "web".into(),
                ..Service::default()
            },
            Service {
                id: "batch".into(),
                ..Service::default()
            },
        ];
        d
    }

    fn entry<'a>(p: &'a GatewayPolicy, method: &str, path: &str) -> &'a GatewayEntry {
        p.entries
            .iter()
            .find(|e| e.method == method && e.path == path)
            .unwrap()
    }

    #[test]
    fn routes_auth_and_acl_decide_who_gets_through() {
        let config = json!({
            "_format_version": "3.0",
            "services": [{
                "name": "orders", "url": "http://orders.shop.svc.cluster.local:8080",
                "routes": [
                    // Regex routes win over prefixes; `{id}` is one segment.
                    {"name": "read", "paths": ["~/orders/[^/]+$"], "methods": ["GET"],
                     "plugins": [{"name": "key-auth", "config": {"anonymous": "anon"}},
                                 {"name": "acl", "config": {"allow": ["readers"]}}]},
                    {"name": "all-orders", "paths": ["/orders"],
                     "plugins": [{"name": "key-auth"}, {"name": "acl", "config": {"deny": ["batchers"]}}]},
                    // No auth at all: open to every caller, nobody identified.
                    {"name": "health", "paths": ["/health"], "methods": ["GET"]}
                ]
            }],
            "consumers": [
                {"username": "web", "keyauth_credentials": [{"key": "k1"}], "acls": [{"group": "readers"}]},
                {"username": "batch", "keyauth_credentials": [{"key": "k2"}], "acls": [{"group": "batchers"}]},
                {"username": "anon", "acls": [{"group": "readers"}]},
                {"username": "partner-x", "keyauth_credentials": [{"key": "k3"}]}
            ],
            "plugins": [{"name": "ip-restriction", "config": {"allow": ["10.0.0.0/8"]}}]
        });
        let p = gateway_policy(&config, &design(), "kong.yaml");
        assert_eq!(p.kind, "kong 3.0");
        assert_eq!(p.unmapped_consumers, vec!["anon", "partner-x"]);
        let read = entry(&p, "GET", "/orders/{id}");
        assert_eq!(read.route.as_deref(), Some("read"));
        // `web` is a reader; the anonymous consumer is too, so anyone gets through.
        assert_eq!(read.callers, vec!["web"]);
        assert!(read.anonymous);
        let delete = entry(&p, "DELETE", "/orders/{id}");
        assert_eq!(delete.route.as_deref(), Some("all-orders"));
        // key-auth without anonymous: only identified consumers, minus the denied group.
        assert_eq!(delete.callers, vec!["web"]);
        assert!(!delete.anonymous);
        let health = entry(&p, "GET", "/health");
        assert!(health.callers.is_empty() && health.anonymous);
        assert!(p.notes.iter().any(|n| n.contains("ip-restriction")));
    }

    #[test]
    fn unrouted_endpoints_terminated_routes_and_unknown_upstreams() {
        let config = json!({
            "_format_version": "3.0",
            "services": [
                {"name": "orders", "host": "orders", "port": 8080,
                 "routes": [{"name": "off", "paths": ["/orders"],
                             "plugins": [{"name": "request-termination"}]}]},
                {"name": "legacy", "url": "http://legacy.example.com"}
            ]
        });
        let p = gateway_policy(&config, &design(), "kong.yaml");
        assert_eq!(p.unmapped_services, vec!["legacy (legacy.example.com)"]);
        let read = entry(&p, "GET", "/orders/{id}");
        assert!(read.callers.is_empty() && !read.anonymous);
        assert!(read.why.contains("request-termination"));
        let health = entry(&p, "GET", "/health");
        assert_eq!(health.route, None);
        assert_eq!(health.port, Some(8080));
    }
}
