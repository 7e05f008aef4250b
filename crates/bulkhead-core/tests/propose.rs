//! The least-privilege proposal, checked by the evaluator on generated estates: after
//! applying every change, every evidenced flow is allowed and the matrix allows nothing the
//! evidence does not show; any subset of changes keeps every evidenced flow allowed; and
//! proposing again on the result proposes nothing.

use std::collections::BTreeSet;

use bulkhead_core::eval::{Caller, Evaluator};
use bulkhead_core::evidence::request_of;
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_core::matrix::matrix;
use bulkhead_core::model::{Design, Flow};
use bulkhead_core::propose::{Proposal, apply, propose};
use proptest::prelude::*;

fn allowed_at_all(d: &Design, f: &Flow) -> bool {
    let e = Evaluator::new(d);
    let req = request_of(f, d.service(&f.to));
    e.decide(&Caller::parse(&f.from), &f.to, &req, None)
        .is_allowed()
}

/// The flows the proposal must keep allowed: all but the blocked ones and self-calls.
fn honoured<'d>(d: &'d Design, p: &Proposal) -> Vec<&'d Flow> {
    let blocked: BTreeSet<&str> = p.blocked.iter().map(|b| b.flow.as_str()).collect();
    d.flows
        .iter()
        .filter(|f| f.from != f.to && !blocked.contains(f.id.as_str()))
        .collect()
}

fn check(opts: &GenerateOptions, subset_mask: u64) -> Result<(), TestCaseError> {
    let d = generate(opts);
    let p = propose(&d, &[], today());
    let keep = honoured(&d, &p);
    prop_assert!(
        !keep.is_empty(),
        "generated design has no evidence: {opts:?}"
    );

    // Any subset keeps every honoured flow allowed.
    let subset: Vec<String> = p
        .changes
        .iter()
        .enumerate()
        .filter(|(i, _)| subset_mask & (1 << (i % 64)) != 0)
        .map(|(_, c)| c.id.clone())
        .collect();
    let partial = apply(&d, &p, &subset).expect("proposal applies to its own design");
    for f in &keep {
        prop_assert!(
            allowed_at_all(&partial, f),
            "subset {subset:?} lost flow {} ({} → {})",
            f.id,
            f.from,
            f.to
        );
    }

    // All of it: exactly the evidence.
    let all: Vec<String> = p.changes.iter().map(|c| c.id.clone()).collect();
    let out = apply(&d, &p, &all).expect("proposal applies to its own design");
    for f in &keep {
        prop_assert!(
            allowed_at_all(&out, f),
            "lost flow {} ({} → {})",
            f.id,
            f.from,
            f.to
        );
    }
    let m = matrix(&Evaluator::new(&out));
    for e in &m.entries {
        let evidenced = keep.iter().any(|f| {
            f.from == e.from
                && f.to == e.to
                && (f.port.is_none() || e.port.is_none() || f.port == e.port)
        });
        prop_assert!(
            evidenced,
            "{} → {} port {:?} allowed by {:?} without evidence",
            e.from,
            e.to,
            e.port,
            e.by
        );
    }

    // Idempotent: nothing left to propose.
    let again = propose(&out, &[], today());
    prop_assert!(
        again.changes.is_empty(),
        "second proposal not empty: {:#?}",
        again.changes.iter().map(|c| &c.summary).collect::<Vec<_>>()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn proposal_allows_the_evidence_and_nothing_more(
        services in 3usize..60,
        peers in 1usize..10,
        seed in any::<u64>(),
        subset_mask in any::<u64>(),
    ) {
        check(&GenerateOptions { services, peers, seed }, subset_mask)?;
    }
}

#[test]
fn proposal_on_the_default_generated_estate() {
    check(&GenerateOptions::default(), 0x5555_5555_5555_5555).unwrap();
}

/// The date the tests evaluate on: fixed, so they do not rot.
fn today() -> bulkhead_core::date::Date {
    bulkhead_core::date::Date::parse("2026-11-28").unwrap()
}
