//! Gateway drift: what an API gateway (Kong) lets through, held against the design at L7.
//!
//! The front end reads the gateway's config and reduces it to a [`GatewayPolicy`]: for each
//! endpoint the design declares on a service the gateway fronts (and the gateway service's
//! port), the route that matches it and the callers (design services, or `internet` for the
//! anonymous consumer) the gateway's authentication and ACL plugins let through.
//! [`compare_gateway`] asks the evaluator the same question for each caller (presenting what the
//! design says it holds, as the Kong exporter does) and lists every (caller, endpoint) where the
//! two disagree.
//!
//! A gateway tells callers apart only by credentials: a request without one is anonymous, the
//! internet's. So the internet is compared on what anonymous requests get, and a service on
//! what it gets as itself *or* anonymously; a service that gets through only anonymously where
//! the design denies it is not listed again (it is the internet's row: the gateway cannot tell
//! it from the internet, and the internet row says whether the design allows that).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::eval::{Caller, Evaluator, Request};
use crate::model::{Design, INTERNET};

/// What a gateway lets through to the design's services, per declared endpoint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GatewayPolicy {
    /// Where it came from (file).
    pub source: String,
    /// `kong 3.0`.
    pub kind: String,
    pub entries: Vec<GatewayEntry>,
    /// Gateway services whose upstream is no design service (not compared).
    pub unmapped_services: Vec<String>,
    /// Consumers that are no design service (they are callers the design does not know).
    pub unmapped_consumers: Vec<String>,
    /// What the gateway config holds that this comparison cannot evaluate (e.g. IP
    /// restrictions), said once each.
    pub notes: Vec<String>,
}

/// One declared endpoint of a service behind the gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GatewayEntry {
    /// The design service (the gateway service's upstream).
    pub to: String,
    /// The gateway service's upstream port.
    pub port: Option<u32>,
    pub method: String,
    pub path: String,
    /// The route that matches the endpoint (`null`: none does, the gateway refuses it).
    pub route: Option<String>,
    /// Design services the gateway lets through as themselves (identified by their own
    /// credential), sorted.
    pub callers: Vec<String>,
    /// Requests the gateway cannot attribute to a service (no credential: the anonymous
    /// consumer, or a route without authentication) get through. The internet is always such
    /// a caller, and so is any service that leaves its credential out.
    pub anonymous: bool,
    /// How the gateway decides, e.g. `key-auth (anonymous: internet), acl allow segment-edge`.
    pub why: String,
}

/// The gateway compared with the design.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct GatewayDrift {
    pub source: String,
    pub kind: String,
    /// (caller, endpoint) pairs compared.
    pub compared: usize,
    pub differences: Vec<GatewayDifference>,
    pub unmapped_services: Vec<String>,
    pub unmapped_consumers: Vec<String>,
    pub notes: Vec<String>,
}

/// One caller and endpoint on which the gateway and the design disagree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct GatewayDifference {
    pub from: String,
    pub to: String,
    pub port: Option<u32>,
    pub method: String,
    pub path: String,
    /// The design allows the call (the caller presenting what it holds).
    pub design: bool,
    /// The evaluator's decision in words.
    pub design_why: String,
    /// The gateway lets the caller through.
    pub gateway: bool,
    pub route: Option<String>,
    pub gateway_why: String,
}

/// Every (caller, endpoint) of `policy` where the gateway and the evaluator disagree. Callers
/// are the internet and every design service except the target itself. The design is evaluated
/// as it stands on `today` (expired exceptions no longer allow).
pub fn compare_gateway(
    design: &Design,
    policy: &GatewayPolicy,
    today: crate::date::Date,
) -> GatewayDrift {
    let eval = Evaluator::at(design, today);
    let callers: Vec<&str> = std::iter::once(INTERNET)
        .chain(design.services.iter().map(|s| s.id.as_str()))
        .collect();
    let mut compared = 0usize;
    let mut differences = Vec::new();
    for e in &policy.entries {
        let req = Request {
            port: e.port,
            method: Some(e.method.clone()),
            path: Some(e.path.clone()),
        };
        for &from in &callers {
            if from == e.to {
                continue;
            }
            compared += 1;
            let decision = eval.allowed(&Caller::parse(from), &e.to, &req);
            let design_allows = decision.is_allowed();
            let as_itself = from != INTERNET && e.callers.iter().any(|c| c == from);
            let gateway_allows = as_itself || e.anonymous;
            let only_anonymously = from != INTERNET && !as_itself;
            if design_allows != gateway_allows && !(only_anonymously && gateway_allows) {
                differences.push(GatewayDifference {
                    from: from.to_string(),
                    to: e.to.clone(),
                    port: e.port,
                    method: e.method.clone(),
                    path: e.path.clone(),
                    design: design_allows,
                    design_why: super::explain_denial(&decision),
                    gateway: gateway_allows,
                    route: e.route.clone(),
                    gateway_why: e.why.clone(),
                });
            }
        }
    }
    GatewayDrift {
        source: policy.source.clone(),
        kind: policy.kind.clone(),
        compared,
        differences,
        unmapped_services: policy.unmapped_services.clone(),
        unmapped_consumers: policy.unmapped_consumers.clone(),
        notes: policy.notes.clone(),
    }
}
