//! The example designs in `examples/` are canonical, and their story holds under the evaluator:
//! every declared flow is allowed, breaching the vulnerable partner API never reaches the card
//! vault, and an internet attacker with no credentials reaches only the public edge.
//!
//! The reachability here is a deliberately naive fixpoint over `Evaluator::decide` (a test
//! oracle, not the product's simulation).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use bulkhead_core::Design;
use bulkhead_core::eval::{Caller, Evaluator, Presented, Request};
use bulkhead_core::model::{FlowKind, INTERNET};

fn example(name: &str) -> (String, Design) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("read example");
    let design: Design = serde_json::from_str(&text).expect("example parses");
    (text, design)
}

#[test]
fn examples_are_canonical() {
    for name in ["online-boutique.bulkhead.json", "fintech.bulkhead.json"] {
        let (text, design) = example(name);
        assert!(
            text == bulkhead_core::file::to_canonical_json(&design),
            "examples/{name} is not in canonical form; run `cargo run -q -- fmt examples/{name}`"
        );
        assert_eq!(
            design.schema.as_deref(),
            Some("../schema/bulkhead.schema.json")
        );
    }
}

#[test]
fn every_declared_flow_is_allowed() {
    for name in ["online-boutique.bulkhead.json", "fintech.bulkhead.json"] {
        let (_, d) = example(name);
        let e = Evaluator::new(&d);
        for f in d.flows.iter().filter(|f| f.kind == FlowKind::Declared) {
            let req = Request {
                port: f.port,
                method: f.method.clone(),
                path: f.path.clone(),
            };
            let caller = Caller::parse(&f.from);
            // Internet callers present their own credentials (partner keys) that the design
            // does not hold, so ask whether the pair is allowed for a caller that has them.
            let decision = if f.from == INTERNET {
                e.decide(&caller, &f.to, &req, None)
            } else {
                e.allowed(&caller, &f.to, &req)
            };
            assert!(
                decision.is_allowed(),
                "{name}: declared flow `{}` is denied: {decision:?}",
                f.id
            );
        }
    }
}

/// Worst-case lateral movement from `start`: every service an open call reaches is taken over
/// and its credentials stolen; calls leave only from compromised services' own positions.
fn reach(d: &Design, start: &[&str], from_internet: bool) -> BTreeSet<String> {
    let e = Evaluator::new(d);
    let mut owned: BTreeSet<String> = start.iter().map(|s| s.to_string()).collect();
    let mut stolen = BTreeSet::new();
    if from_internet {
        for s in &d.services {
            if e.allowed(&Caller::Internet, &s.id, &Request::default())
                .is_allowed()
            {
                owned.insert(s.id.clone());
            }
        }
    }
    let by_id: BTreeMap<&str, _> = d.services.iter().map(|s| (s.id.as_str(), s)).collect();
    for _ in 0..=d.services.len() {
        for o in &owned {
            stolen.extend(by_id[o.as_str()].credentials.iter().cloned());
        }
        let mut next = owned.clone();
        for a in &owned {
            let presented = Presented {
                identity: by_id[a.as_str()].identity.clone(),
                credentials: stolen.clone(),
            };
            for b in &d.services {
                let caller = Caller::Service(a.clone());
                if e.decide(&caller, &b.id, &Request::default(), Some(&presented))
                    .is_allowed()
                {
                    next.insert(b.id.clone());
                }
            }
        }
        if next == owned {
            break;
        }
        owned = next;
    }
    owned
}

#[test]
fn fintech_partner_breach_stays_away_from_the_card_vault() {
    let (_, d) = example("fintech.bulkhead.json");
    let reached = reach(&d, &["partner-webhook-api"], false);
    assert!(!reached.contains("card-vault"), "reached: {reached:?}");
    assert!(
        !reached.contains("card-tokenization"),
        "reached: {reached:?}"
    );
    assert!(reached.contains("settlement-service"));
    assert!(reached.len() <= 8, "blast radius grew: {reached:?}");
    let vulnerable: Vec<_> = d
        .services
        .iter()
        .filter(|s| s.weaknesses.iter().any(|w| w.exploitable))
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(vulnerable, ["partner-webhook-api"]);
}

#[test]
fn fintech_internet_without_credentials_reaches_only_the_edge() {
    let (_, d) = example("fintech.bulkhead.json");
    let e = Evaluator::new(&d);
    let first_hop: BTreeSet<&str> = d
        .services
        .iter()
        .filter(|s| {
            e.allowed(&Caller::Internet, &s.id, &Request::default())
                .is_allowed()
        })
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(
        first_hop,
        BTreeSet::from(["mobile-api", "public-api-gateway", "web-bff"])
    );
    for s in &first_hop {
        assert_eq!(e.segment_of(s), Some("edge-public"));
    }
}

#[test]
fn boutique_only_checkout_reaches_payment() {
    let (_, d) = example("online-boutique.bulkhead.json");
    let e = Evaluator::new(&d);
    for s in &d.services {
        let decision = e.allowed(
            &Caller::Service(s.id.clone()),
            "paymentservice",
            &Request::default(),
        );
        assert_eq!(
            decision.is_allowed(),
            s.id == "checkoutservice",
            "{} -> paymentservice: {decision:?}",
            s.id
        );
    }
    // The internet reaches only the frontend.
    let reached = reach(&d, &[], true);
    assert!(reached.contains("frontend"));
    assert!(!reached.contains("loadgenerator"));
}
