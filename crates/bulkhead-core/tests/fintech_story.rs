//! The fintech example's story: the partner webhook API has an exploitable CVE and holds the
//! settlement API key. Breaching it must reach the settlement path (and, through the approved
//! reconciliation exception, the ledger database) but never cardholder data, customer PII
//! stores or credentials.

use std::path::PathBuf;

use bulkhead_core::Design;
use bulkhead_core::eval::{Caller, Evaluator};
use bulkhead_core::simulate::{Assumption, SimulateOptions, simulate};

fn fintech() -> Design {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/fintech.bulkhead.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("read the fintech example"))
        .expect("parse the fintech example")
}

fn run(d: &Design, from: &str, assumption: Assumption) -> bulkhead_core::simulate::Simulation {
    let e = Evaluator::new(d);
    simulate(
        &e,
        &Caller::parse(from),
        &SimulateOptions {
            assumption,
            blocked: Vec::new(),
        },
    )
    .expect("simulate")
}

#[test]
fn breached_partner_webhook_reaches_settlement_and_ledger_and_no_more() {
    let d = fintech();
    let sim = run(&d, "partner-webhook-api", Assumption::Worst);
    let mut got = sim.compromised.clone();
    got.sort();
    assert_eq!(
        got,
        [
            "audit-log-service",
            "ledger-db",
            "ledger-service",
            "partner-events-queue",
            "partner-webhook-api",
            "payments-queue",
            "settlement-service",
        ]
    );
    // The stolen settlement key is what opens the settlement service.
    let settlement = sim
        .reached
        .iter()
        .find(|r| r.service == "settlement-service")
        .expect("settlement reached");
    assert!(
        settlement.path[0]
            .decision
            .describe()
            .contains("settlement-api-key")
    );
    // No crown jewel: the PCI deny rule and the data tier's mTLS hold.
    assert!(sim.blast_radius.crown_jewels.is_empty());
    assert!(sim.choke_points.cut.is_empty());
    for never in [
        "card-vault",
        "card-tokenization",
        "cards-api",
        "customer-db",
        "user-directory",
        "kyc-document-store",
        "idp",
    ] {
        assert!(
            sim.reached.iter().all(|r| r.service != never),
            "{never} must stay out of reach"
        );
    }
    // Segmentation matters here: the flat network loses everything.
    assert!(sim.flat.blast_radius.services > 30);
    assert!(sim.flat.reduction_pct > 80.0);
}

#[test]
fn known_weaknesses_from_the_partner_webhook_stop_at_its_neighbours() {
    let d = fintech();
    let sim = run(&d, "partner-webhook-api", Assumption::Known);
    // Only the origin has an exploitable weakness: nothing else falls, but its neighbours are
    // callable and expose what their endpoints serve.
    assert_eq!(sim.compromised, ["partner-webhook-api"]);
    let mut reached: Vec<&str> = sim.reached.iter().map(|r| r.service.as_str()).collect();
    reached.sort();
    assert_eq!(
        reached,
        [
            "audit-log-service",
            "partner-events-queue",
            "partner-webhook-api",
            "settlement-service"
        ]
    );
}

#[test]
fn the_internet_cannot_reach_the_vulnerable_partner_webhook_without_a_partner_key() {
    let d = fintech();
    let sim = run(&d, "internet", Assumption::Known);
    assert!(sim.compromised.is_empty());
    assert!(
        sim.reached
            .iter()
            .all(|r| r.service != "partner-webhook-api")
    );
}
