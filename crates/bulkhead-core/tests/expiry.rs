//! Expired exceptions, end to end: the evaluator on a date stops applying them, and the
//! findings, the matrix and the simulation agree with it.

use bulkhead_core::analysis::{AnalyzeOptions, analyze};
use bulkhead_core::date::Date;
use bulkhead_core::eval::{Caller, Decision, DenyReason, Evaluator, Request};
use bulkhead_core::matrix::matrix;
use bulkhead_core::model::*;
use bulkhead_core::simulate::{SimulateOptions, simulate};

fn date(s: &str) -> Date {
    Date::parse(s).expect("a test date")
}

/// `web` (internet-facing) → `orders` by a live rule; `orders` → `billing-db` only by a
/// migration exception that expires on 2026-06-30, which a declared flow still uses.
fn design() -> Design {
    let mut d = Design::new("expiry");
    for (id, internet) in [("web", true), ("orders", false), ("billing-db", false)] {
        d.services.push(Service {
            id: id.into(),
            exposure: if internet {
                Exposure::Internet
            } else {
                Exposure::Internal
            },
            ..Service::default()
        });
    }
    for (id, member) in [("edge", "web"), ("app", "orders"), ("data", "billing-db")] {
        d.segments.push(Segment {
            id: id.into(),
            members: vec![member.into()],
            ..Segment::default()
        });
    }
    let rule = |id: &str, from: Peer, to: Peer| Rule {
        id: id.into(),
        from,
        to,
        ..Rule::default()
    };
    d.rules = vec![
        rule("internet-web", Peer::Internet, Peer::Service("web".into())),
        rule(
            "web-orders",
            Peer::Service("web".into()),
            Peer::Service("orders".into()),
        ),
        Rule {
            expires: Some("2026-06-30".into()),
            justification: Some("data migration".into()),
            ..rule(
                "legacy-migration",
                Peer::Service("orders".into()),
                Peer::Service("billing-db".into()),
            )
        },
    ];
    d.flows = vec![
        Flow {
            id: "web-orders".into(),
            from: "web".into(),
            to: "orders".into(),
            ..Flow::default()
        },
        Flow {
            id: "orders-billing".into(),
            from: "orders".into(),
            to: "billing-db".into(),
            ..Flow::default()
        },
    ];
    d
}

#[test]
fn before_expiry_everything_applies() {
    let d = design();
    let e = Evaluator::at(&d, date("2026-06-30"));
    let a = analyze(&e, &AnalyzeOptions::default());
    assert!(
        a.findings
            .iter()
            .all(|f| f.id != "BH011" && f.id != "BH005")
    );
    assert!(matrix(&e).entries.iter().any(|x| x.to == "billing-db"));
}

#[test]
fn after_expiry_the_exception_stops_allowing_and_every_answer_agrees() {
    let d = design();
    let e = Evaluator::at(&d, date("2026-11-28"));
    // The decision names the rule and its date.
    assert_eq!(
        e.allowed(
            &Caller::Service("orders".into()),
            "billing-db",
            &Request::default()
        ),
        Decision::Deny(DenyReason::ExpiredRule {
            rule: "legacy-migration".into(),
            expires: "2026-06-30".into()
        })
    );
    // The findings take the evaluator's date when none is given.
    let a = analyze(&e, &AnalyzeOptions::default());
    let bh011: Vec<_> = a.findings.iter().filter(|f| f.id == "BH011").collect();
    assert_eq!(bh011.len(), 1);
    assert_eq!(
        bh011[0].message,
        "rule `legacy-migration` expired on 2026-06-30 and no longer allows traffic"
    );
    assert_eq!(bh011[0].pointer.as_deref(), Some("/rules/2"));
    let bh005: Vec<_> = a.findings.iter().filter(|f| f.id == "BH005").collect();
    assert_eq!(bh005.len(), 1, "{bh005:?}");
    assert!(
        bh005[0]
            .message
            .contains("rule `legacy-migration` would allow it but expired on 2026-06-30"),
        "{}",
        bh005[0].message
    );
    // The matrix and the simulation no longer have the call.
    assert!(matrix(&e).entries.iter().all(|x| x.to != "billing-db"));
    let sim = simulate(&e, &Caller::Internet, &SimulateOptions::default()).unwrap();
    assert!(sim.reached.iter().all(|r| r.service != "billing-db"));
    // Without a date the exception still applies, and BH011 says so rather than contradict
    // the decisions.
    let undated = Evaluator::new(&d);
    let sim = simulate(&undated, &Caller::Internet, &SimulateOptions::default()).unwrap();
    assert!(sim.reached.iter().any(|r| r.service == "billing-db"));
    let a = analyze(
        &undated,
        &AnalyzeOptions {
            today: Some("2026-11-28".into()),
        },
    );
    let bh011 = a.findings.iter().find(|f| f.id == "BH011").unwrap();
    assert!(
        bh011
            .message
            .ends_with("is still applied (evaluated without a date)")
    );
}
