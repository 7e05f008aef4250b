//! `generate`: a synthetic but realistic estate, for benchmarks, property tests and demos.
//!
//! The same [`GenerateOptions`] always give the same design (a seeded splitmix64, no OS
//! randomness, ordered maps only). The shape mimics a microservice estate:
//! - business *domains* (`payments`, `orders`, ...), one Kubernetes namespace each, with a few
//!   APIs, sometimes a worker and one datastore, in four tiers from the internet-facing front
//!   (each front domain has a gateway) to the back;
//! - segments at every level and nested three deep: network zones (`dmz`, `internal`,
//!   `data-zone`), per-domain application and data segments inside them, and an identity-level
//!   `vault` segment inside the crown-jewel data segments;
//! - data classes from public to restricted, `payment-card` and `credentials` crown jewels;
//! - rules that mostly match what the services need: gateways → their domain, APIs → their
//!   datastore (mTLS), cross-domain calls to nearby domains of the next tier (rarely back up)
//!   with JWTs the callers hold; plus the mistakes real
//!   estates have, at low rates: a caller missing its token, an internet entry without a rate
//!   limit, an expired exception, a wildcard rule;
//! - weaknesses with probabilities, more often on internet-facing services;
//! - declared flows for the calls the application needs, and a few observed ones.
//!
//! Each service has roughly `peers` allowed callees.

use std::collections::BTreeMap;

use crate::model::*;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Number of services (exactly).
    pub services: usize,
    /// Rough number of allowed callees per service.
    pub peers: usize,
    pub seed: u64,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            services: 30,
            peers: 6,
            seed: 1,
        }
    }
}

/// The largest estate `generate` builds; bounds memory on untrusted input.
pub const MAX_SERVICES: usize = 1_000_000;

/// splitmix64: tiny, fast, and stable across platforms and releases.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const FUNCTIONS: &[&str] = &[
    "payments",
    "orders",
    "identity",
    "catalog",
    "cart",
    "shipping",
    "billing",
    "search",
    "profile",
    "notifications",
    "inventory",
    "reviews",
    "ledger",
    "fraud",
    "support",
    "health-records",
];

/// The data class a domain's datastore holds.
fn domain_data(function: &str) -> &'static str {
    match function {
        "payments" | "billing" | "ledger" => "payment-card",
        "identity" => "credentials",
        "health-records" => "health",
        "profile" | "orders" | "shipping" | "support" | "fraud" => "pii",
        "catalog" | "search" | "reviews" => "public-catalog",
        _ => "telemetry",
    }
}

/// Domains form this many tiers, front (internet-facing gateways) to back; calls go one tier
/// back.
const TIERS: usize = 4;

const ISSUER: &str = "https://idp.example.internal";

struct Domain {
    name: String,
    function: &'static str,
    apis: Vec<usize>,
    worker: Option<usize>,
    store: Option<usize>,
    gateway: Option<usize>,
}

/// Generate a design. Pure and deterministic per options.
pub fn generate(opts: &GenerateOptions) -> Design {
    let n = opts.services.min(MAX_SERVICES);
    let peers = opts.peers.clamp(1, 64);
    let mut rng = SplitMix64::new(opts.seed ^ 0xB01C_4EAD);
    let mut d = Design::new(format!(
        "generated estate ({n} services, ~{peers} peers, seed {})",
        opts.seed
    ));
    d.description = Some(format!(
        "Synthetic estate from `bulkhead generate --services {n} --peers {peers} --seed {}`.",
        opts.seed
    ));
    d.data_classes = vec![
        data_class("public-catalog", Sensitivity::Public, false),
        data_class("telemetry", Sensitivity::Internal, false),
        data_class("pii", Sensitivity::Confidential, false),
        data_class("health", Sensitivity::Restricted, false),
        data_class("payment-card", Sensitivity::Restricted, true),
        data_class("credentials", Sensitivity::Restricted, true),
    ];

    // 1. Services, domain by domain.
    let apis_per_domain = (peers / 2).max(1);
    let mut domains: Vec<Domain> = Vec::new();
    let mut services: Vec<Service> = Vec::with_capacity(n);
    while services.len() < n {
        let di = domains.len();
        let function = FUNCTIONS[di % FUNCTIONS.len()];
        let name = if di < FUNCTIONS.len() {
            function.to_string()
        } else {
            format!("{function}-{}", di / FUNCTIONS.len() + 1)
        };
        let mut dom = Domain {
            name: name.clone(),
            function,
            apis: Vec::new(),
            worker: None,
            store: None,
            gateway: None,
        };
        let push = |services: &mut Vec<Service>, s: Service| -> Option<usize> {
            (services.len() < n).then(|| {
                services.push(s);
                services.len() - 1
            })
        };
        if di % TIERS == 0 {
            dom.gateway = push(
                &mut services,
                service(&name, &format!("{name}-gateway"), ServiceKind::Gateway, 443),
            );
        }
        for i in 0..apis_per_domain {
            if let Some(ix) = push(
                &mut services,
                service(
                    &name,
                    &format!("{name}-api-{}", i + 1),
                    ServiceKind::Api,
                    8080,
                ),
            ) {
                dom.apis.push(ix);
            }
        }
        dom.store = push(
            &mut services,
            service(&name, &format!("{name}-db"), ServiceKind::Datastore, 5432),
        );
        if rng.chance(0.5) {
            dom.worker = push(
                &mut services,
                service(&name, &format!("{name}-worker"), ServiceKind::Worker, 9090),
            );
        }
        domains.push(dom);
    }

    // 2. Endpoints, data, exposure, weaknesses.
    for dom in &domains {
        let class = domain_data(dom.function);
        for &a in &dom.apis {
            let s = &mut services[a];
            s.endpoints = vec![
                endpoint("GET", &format!("/{}/items/{{id}}", dom.name), class),
                endpoint("POST", &format!("/{}/items", dom.name), class),
                endpoint("GET", "/healthz", ""),
            ];
        }
        if let Some(st) = dom.store {
            services[st].data_held = vec![class.to_string()];
        }
        if let Some(g) = dom.gateway {
            let s = &mut services[g];
            s.exposure = Exposure::Internet;
            s.endpoints = vec![endpoint("*", &format!("/{}/**", dom.name), "")];
        }
    }
    for s in services.iter_mut() {
        let p = if s.exposure == Exposure::Internet {
            0.3
        } else {
            0.08
        };
        if rng.chance(p) {
            let exploitable = rng.chance(0.6);
            s.weaknesses.push(Weakness {
                id: Some(format!("GEN-{:04}", rng.below(10_000))),
                description: "synthetic weakness".into(),
                exploitable,
                probability: Some(((rng.unit() * 0.85 + 0.05) * 100.0).round() / 100.0),
            });
        }
    }

    // 3. Segments: network zones > domain segments > vault.
    let mut segments = vec![
        zone(
            "dmz",
            SegmentLevel::Network,
            TrustLevel::Untrusted,
            Sensitivity::Internal,
        ),
        zone(
            "internal",
            SegmentLevel::Network,
            TrustLevel::Medium,
            Sensitivity::Confidential,
        ),
        zone(
            "data-zone",
            SegmentLevel::Network,
            TrustLevel::High,
            Sensitivity::Restricted,
        ),
    ];
    let mut edge = Segment {
        id: "edge".into(),
        name: "Edge gateways".into(),
        parent: Some("dmz".into()),
        level: SegmentLevel::Application,
        function: Some("ingress".into()),
        sensitivity: Some(Sensitivity::Internal),
        trust: TrustLevel::Low,
        ..Segment::default()
    };
    edge.policy.intra = IntraStance::Deny;
    let mut rules: Vec<Rule> = Vec::new();
    let mut flows: Vec<Flow> = Vec::new();
    let identity = |s: &Service| s.identity.clone().unwrap_or_default();
    for s in services.iter_mut() {
        let ns = s.namespace.clone().unwrap_or_default();
        s.identity = Some(format!("spiffe://example.internal/ns/{ns}/sa/{}", s.id));
    }
    let jewel = |class: &str| matches!(class, "payment-card" | "credentials");
    for dom in &domains {
        let class = domain_data(dom.function);
        let sensitivity = d
            .data_class(class)
            .map(|c| c.sensitivity)
            .unwrap_or(Sensitivity::Internal);
        let mut app = Segment {
            id: format!("app-{}", dom.name),
            name: format!("{} services", dom.name),
            parent: Some("internal".into()),
            level: SegmentLevel::Application,
            function: Some(dom.function.to_string()),
            sensitivity: Some(sensitivity),
            trust: TrustLevel::Medium,
            ..Segment::default()
        };
        app.members = dom
            .apis
            .iter()
            .chain(dom.worker.iter())
            .map(|&i| services[i].id.clone())
            .collect();
        app.policy.rate_limit = Some(RateLimit {
            requests: 200,
            per: Period::Second,
            burst: None,
        });
        segments.push(app);
        if let Some(st) = dom.store {
            let data_id = format!("data-{}", dom.name);
            let mut data = Segment {
                id: data_id.clone(),
                name: format!("{} data", dom.name),
                parent: Some("data-zone".into()),
                level: SegmentLevel::Data,
                function: Some(dom.function.to_string()),
                sensitivity: Some(sensitivity),
                trust: TrustLevel::High,
                ..Segment::default()
            };
            data.policy.intra = IntraStance::Deny;
            data.policy.auth = Auth::Mtls {
                identities: dom
                    .apis
                    .iter()
                    .chain(dom.worker.iter())
                    .map(|&i| identity(&services[i]))
                    .collect(),
            };
            if jewel(class) {
                // Crown jewels sit one level deeper, in an identity-level vault.
                segments.push(data);
                let vault = Segment {
                    id: format!("vault-{}", dom.name),
                    name: format!("{} vault", dom.name),
                    parent: Some(data_id.clone()),
                    level: SegmentLevel::Identity,
                    function: Some(dom.function.to_string()),
                    sensitivity: Some(Sensitivity::Restricted),
                    trust: TrustLevel::High,
                    members: vec![services[st].id.clone()],
                    ..Segment::default()
                };
                segments.push(vault);
            } else {
                data.members = vec![services[st].id.clone()];
                segments.push(data);
            }
            rules.push(Rule {
                id: format!("{}-app-to-data", dom.name),
                from: Peer::Segment(format!("app-{}", dom.name)),
                to: Peer::Segment(data_id),
                ports: vec![5432],
                justification: Some("services read and write their own datastore".into()),
                ..Rule::default()
            });
            for &a in dom.apis.iter().chain(dom.worker.iter()) {
                flows.push(flow(
                    &services[a].id,
                    &services[st].id,
                    Some(5432),
                    None,
                    None,
                ));
            }
        }
        if let Some(g) = dom.gateway {
            edge.members.push(services[g].id.clone());
            let gid = services[g].id.clone();
            let limited = rng.chance(0.85);
            rules.push(Rule {
                id: format!("internet-to-{gid}"),
                from: Peer::Internet,
                to: Peer::Service(gid.clone()),
                ports: vec![443],
                rate_limit: limited.then_some(RateLimit {
                    requests: 50,
                    per: Period::Second,
                    burst: Some(100),
                }),
                justification: Some("public entry point".into()),
                ..Rule::default()
            });
            flows.push(flow(INTERNET, &gid, Some(443), None, None));
            let scope = format!("{}:call", dom.name);
            rules.push(Rule {
                id: format!("{gid}-to-app"),
                from: Peer::Service(gid.clone()),
                to: Peer::Segment(format!("app-{}", dom.name)),
                ports: vec![8080],
                auth: Some(Auth::Jwt {
                    issuer: ISSUER.into(),
                    scopes: vec![scope.clone()],
                }),
                ..Rule::default()
            });
            services[g].credentials.push(Credential::Jwt {
                issuer: ISSUER.into(),
                scopes: vec![scope],
            });
            for &a in &dom.apis {
                flows.push(flow(&gid, &services[a].id, Some(8080), Some("GET"), None));
            }
        }
    }
    segments.push(edge);

    // 4. Cross-domain calls: each API calls up to three APIs of other domains with a JWT.
    if domains.len() > 1 {
        let calls_per_api = (peers.saturating_sub(apis_per_domain + 1)).clamp(1, 3);
        for (di, dom) in domains.iter().enumerate() {
            for &a in &dom.apis {
                let mut seen = Vec::new();
                for _ in 0..calls_per_api {
                    // Layered like real estates: a domain in tier t (= index mod 4) calls
                    // nearby domains of tier t + 1; now and then (1%) a call goes back up a
                    // tier, which closes the cycles real estates have.
                    let d_len = domains.len();
                    let target = if rng.chance(0.01) {
                        (di + d_len - 1) % d_len
                    } else if di % TIERS < TIERS - 1 {
                        // No wrap-around: that would call back into the front tier.
                        let t = di + 1 + TIERS * rng.below(3);
                        if t >= d_len {
                            continue;
                        }
                        t
                    } else {
                        continue;
                    };
                    if target == di {
                        continue;
                    }
                    let other = &domains[target];
                    if other.apis.is_empty() {
                        continue;
                    }
                    let b = other.apis[rng.below(other.apis.len())];
                    if seen.contains(&b) {
                        continue;
                    }
                    seen.push(b);
                    let (aid, bid) = (services[a].id.clone(), services[b].id.clone());
                    let scope = format!("{}:call", other.name);
                    rules.push(Rule {
                        id: format!("{aid}-to-{bid}"),
                        from: Peer::Service(aid.clone()),
                        to: Peer::Service(bid.clone()),
                        ports: vec![8080],
                        methods: vec!["GET".into(), "POST".into()],
                        auth: Some(Auth::Jwt {
                            issuer: ISSUER.into(),
                            scopes: vec![scope.clone()],
                        }),
                        ..Rule::default()
                    });
                    // A few callers were never issued their token: a declared flow the
                    // policy breaks.
                    if !rng.chance(0.03) {
                        let cred = Credential::Jwt {
                            issuer: ISSUER.into(),
                            scopes: vec![scope],
                        };
                        if !services[a].credentials.contains(&cred) {
                            services[a].credentials.push(cred);
                        }
                    }
                    flows.push(flow(&aid, &bid, Some(8080), Some("GET"), None));
                }
            }
        }
    }

    // 5. The mistakes: an expired exception and a wildcard rule, a few observed flows.
    if domains.len() > 2 && !domains[1].apis.is_empty() {
        let (a, b) = (
            domains[1].apis[0],
            domains[2].store.unwrap_or(domains[2].apis[0]),
        );
        rules.push(Rule {
            id: "legacy-migration-exception".into(),
            from: Peer::Service(services[a].id.clone()),
            to: Peer::Service(services[b].id.clone()),
            justification: Some("temporary access during the 2024 data migration".into()),
            expires: Some("2024-06-30".into()),
            ..Rule::default()
        });
    }
    // The wildcard sits on the last domain with a worker, at the back of the estate, so it
    // opens one corner of it rather than all of it.
    if let Some(dom) = domains
        .iter()
        .rev()
        .find(|d| d.worker.is_some() && d.store.is_some())
        && rng.chance(0.7)
    {
        rules.push(Rule {
            id: format!("{}-any-to-worker", dom.name),
            from: Peer::Any,
            to: Peer::Service(services[dom.worker.unwrap_or_default()].id.clone()),
            ports: vec![9090],
            justification: Some("metrics scraping".into()),
            ..Rule::default()
        });
    }
    let observed = (n / 20).clamp(1, 50);
    for i in 0..observed.min(flows.len()) {
        let f = &flows[rng.below(flows.len())];
        let mut o = f.clone();
        o.id = format!("observed-{}", i + 1);
        o.kind = FlowKind::Observed;
        o.count = Some(1 + rng.below(100_000) as u64);
        flows.push(o);
    }
    // Stable flow ids (declared first, in the order they were created).
    let mut declared = 0;
    for f in flows.iter_mut() {
        if f.kind == FlowKind::Declared {
            declared += 1;
            f.id = format!("flow-{declared}");
        }
    }

    d.services = services;
    d.segments = segments;
    d.rules = rules;
    d.flows = flows;
    d
}

fn data_class(id: &str, sensitivity: Sensitivity, crown_jewel: bool) -> DataClass {
    DataClass {
        id: id.into(),
        name: String::new(),
        sensitivity,
        crown_jewel,
        description: None,
    }
}

fn service(ns: &str, id: &str, kind: ServiceKind, port: u32) -> Service {
    Service {
        id: id.into(),
        name: id.into(),
        kind,
        namespace: Some(ns.into()),
        labels: BTreeMap::from([("app".to_string(), id.to_string())]),
        ports: vec![Port {
            port,
            protocol: Protocol::Tcp,
            name: Some(match kind {
                ServiceKind::Gateway => "https".into(),
                ServiceKind::Datastore => "db".into(),
                ServiceKind::Worker => "metrics".into(),
                _ => "http".into(),
            }),
        }],
        ..Service::default()
    }
}

fn endpoint(method: &str, path: &str, class: &str) -> Endpoint {
    Endpoint {
        method: method.into(),
        path: path.into(),
        operation_id: None,
        data_classes: if class.is_empty() {
            Vec::new()
        } else {
            vec![class.into()]
        },
        declared_auth: Vec::new(),
        evidence: Vec::new(),
    }
}

fn zone(id: &str, level: SegmentLevel, trust: TrustLevel, sensitivity: Sensitivity) -> Segment {
    Segment {
        id: id.into(),
        name: id.into(),
        level,
        trust,
        sensitivity: Some(sensitivity),
        ..Segment::default()
    }
}

fn flow(from: &str, to: &str, port: Option<u32>, method: Option<&str>, path: Option<&str>) -> Flow {
    Flow {
        id: String::new(),
        from: from.into(),
        to: to.into(),
        kind: FlowKind::Declared,
        port,
        method: method.map(str::to_string),
        path: path.map(str::to_string),
        ..Flow::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{Caller, Evaluator, Request};

    #[test]
    fn same_seed_same_design_and_exact_size() {
        for n in [1, 2, 5, 30, 200] {
            let o = GenerateOptions {
                services: n,
                peers: 8,
                seed: 7,
            };
            let a = generate(&o);
            assert_eq!(a, generate(&o));
            assert_eq!(a.services.len(), n);
            let b = generate(&GenerateOptions { seed: 8, ..o });
            if n >= 30 {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn ids_unique_and_references_resolve() {
        let d = generate(&GenerateOptions {
            services: 120,
            peers: 10,
            seed: 3,
        });
        let mut ids: Vec<&str> = d.services.iter().map(|s| s.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), d.services.len());
        let mut rule_ids: Vec<&str> = d.rules.iter().map(|r| r.id.as_str()).collect();
        rule_ids.sort();
        rule_ids.dedup();
        assert_eq!(rule_ids.len(), d.rules.len());
        for seg in &d.segments {
            for m in &seg.members {
                assert!(d.service(m).is_some(), "{m}");
            }
            if let Some(p) = &seg.parent {
                assert!(d.segment(p).is_some(), "{p}");
            }
        }
        for r in &d.rules {
            for p in [&r.from, &r.to] {
                match p {
                    Peer::Segment(s) => assert!(d.segment(s).is_some(), "{s}"),
                    Peer::Service(s) => assert!(d.service(s).is_some(), "{s}"),
                    _ => {}
                }
            }
        }
        // Every service is in exactly one leaf segment.
        let e = Evaluator::new(&d);
        for s in &d.services {
            assert!(e.segment_of(&s.id).is_some(), "{} unsegmented", s.id);
        }
        // Most declared flows are allowed with the caller's own credentials.
        let declared: Vec<&Flow> = d
            .flows
            .iter()
            .filter(|f| f.kind == FlowKind::Declared)
            .collect();
        let ok = declared
            .iter()
            .filter(|f| {
                e.allowed(
                    &Caller::parse(&f.from),
                    &f.to,
                    &Request {
                        port: f.port,
                        method: f.method.clone(),
                        path: f.path.clone(),
                    },
                )
                .is_allowed()
            })
            .count();
        assert!(ok * 10 >= declared.len() * 9, "{ok}/{}", declared.len());
        assert!(d.services.iter().any(|s| s.exposure == Exposure::Internet));
        assert!(d.segments.iter().any(|s| s.level == SegmentLevel::Identity));
    }
}
