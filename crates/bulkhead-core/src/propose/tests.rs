//! Unit tests of the proposal on small hand-made designs; the property test over generated
//! designs is in `tests/propose.rs`.

use super::*;
use crate::eval::Request;
use crate::model::*;

fn svc(id: &str, ports: &[u32]) -> Service {
    Service {
        id: id.into(),
        ports: ports
            .iter()
            .map(|&p| Port {
                port: p,
                protocol: Protocol::Tcp,
                name: None,
            })
            .collect(),
        ..Service::default()
    }
}

fn seg(id: &str, members: &[&str], intra: IntraStance) -> Segment {
    Segment {
        id: id.into(),
        members: members.iter().map(|s| s.to_string()).collect(),
        policy: SegmentPolicy {
            intra,
            ..SegmentPolicy::default()
        },
        ..Segment::default()
    }
}

fn rule(id: &str, from: Peer, to: Peer) -> Rule {
    Rule {
        id: id.into(),
        from,
        to,
        ..Rule::default()
    }
}

fn flow(
    id: &str,
    from: &str,
    to: &str,
    port: Option<u32>,
    method: Option<&str>,
    path: Option<&str>,
) -> Flow {
    Flow {
        id: id.into(),
        from: from.into(),
        to: to.into(),
        port,
        method: method.map(Into::into),
        path: path.map(Into::into),
        ..Flow::default()
    }
}

/// web, api-a, api-b in front/app segments; one broad rule, one unused rule.
fn shop() -> Design {
    let mut d = Design::new("shop");
    d.services = vec![
        svc("web", &[80]),
        svc("api-a", &[8080, 9090]),
        svc("api-b", &[8080]),
        svc("db", &[5432]),
    ];
    d.services[0].exposure = Exposure::Internet;
    d.segments = vec![
        seg("front", &["web"], IntraStance::Allow),
        seg("app", &["api-a", "api-b"], IntraStance::Allow),
        seg("data", &["db"], IntraStance::Deny),
    ];
    d.rules = vec![
        rule("in", Peer::Internet, Peer::Service("web".into())),
        rule(
            "front-app",
            Peer::Segment("front".into()),
            Peer::Segment("app".into()),
        ),
        rule(
            "app-data",
            Peer::Segment("app".into()),
            Peer::Segment("data".into()),
        ),
        Rule {
            ports: vec![80],
            ..rule(
                "legacy",
                Peer::Service("db".into()),
                Peer::Service("web".into()),
            )
        },
    ];
    d.flows = vec![
        flow("f-in", INTERNET, "web", Some(80), None, None),
        flow(
            "f-web-a",
            "web",
            "api-a",
            Some(8080),
            Some("get"),
            Some("/items/1?x=2"),
        ),
        flow(
            "f-web-a2",
            "web",
            "api-a",
            Some(8080),
            Some("POST"),
            Some("/items"),
        ),
        flow("f-a-b", "api-a", "api-b", Some(8080), Some("GET"), None),
        flow("f-a-db", "api-a", "db", Some(5432), None, None),
        flow("f-b-db", "api-b", "db", Some(5432), None, None),
    ];
    d.services[1].endpoints = vec![
        Endpoint {
            method: "GET".into(),
            path: "/items/{id}".into(),
            ..Endpoint::default()
        },
        Endpoint {
            method: "POST".into(),
            path: "/items".into(),
            ..Endpoint::default()
        },
    ];
    d
}

fn ids(p: &Proposal) -> Vec<&str> {
    p.changes.iter().map(|c| c.id.as_str()).collect()
}

#[test]
fn shop_proposal_narrows_removes_and_closes() {
    let d = shop();
    let p = propose(&d, &[], today());
    assert_eq!(
        ids(&p),
        vec![
            "narrow:in",
            "narrow:front-app",
            "narrow:app-data",
            "remove:legacy",
            "close-intra:app"
        ]
    );
    // `in` allowed any port; the evidence is port 80 only.
    assert!(
        p.changes[0].summary.contains("port 80"),
        "{}",
        p.changes[0].summary
    );
    assert!(p.unchanged.is_empty());
    assert!(p.blocked.is_empty());

    // front-app: web → api-a only, split into two exact shapes on 8080.
    let ChangeKind::NarrowRule { after, .. } = &p.changes[1].change else {
        panic!("not a narrow: {:?}", p.changes[1]);
    };
    type Row = (String, Peer, Peer, Vec<u32>, Vec<String>, Vec<String>);
    let got: Vec<Row> = after
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                r.from.clone(),
                r.to.clone(),
                r.ports.clone(),
                r.methods.clone(),
                r.paths.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "front-app".into(),
                Peer::Service("web".into()),
                Peer::Service("api-a".into()),
                vec![8080],
                vec!["GET".into()],
                vec!["/items/{id}".into()]
            ),
            (
                "front-app-2".into(),
                Peer::Service("web".into()),
                Peer::Service("api-a".into()),
                vec![8080],
                vec!["POST".into()],
                vec!["/items".into()]
            ),
        ]
    );

    // app-data: both app members reach the only data member: a segment-pair rule, on 5432.
    let ChangeKind::NarrowRule { after, .. } = &p.changes[2].change else {
        panic!("not a narrow");
    };
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].from, Peer::Segment("app".into()));
    assert_eq!(after[0].to, Peer::Segment("data".into()));
    assert_eq!(after[0].ports, vec![5432]);

    // The intra allow of `app` is replaced by the one evidenced pair.
    let ChangeKind::CloseIntraSegment {
        member_pairs,
        evidenced_pairs,
        replacement,
        ..
    } = &p.changes[4].change
    else {
        panic!("not a close-intra");
    };
    assert_eq!((*member_pairs, *evidenced_pairs), (2, 1));
    assert_eq!(replacement.len(), 1);
    assert_eq!(replacement[0].id, "allow-api-a-to-api-b");
    assert_eq!(replacement[0].methods, vec!["GET".to_string()]);
}

fn allowed(d: &Design, f: &Flow) -> bool {
    let e = Evaluator::new(d);
    let req = request_of(f, d.service(&f.to));
    e.decide(&Caller::parse(&f.from), &f.to, &req, None)
        .is_allowed()
}

#[test]
fn every_subset_keeps_the_evidence_and_all_of_it_removes_the_rest() {
    let d = shop();
    let p = propose(&d, &[], today());
    let all: Vec<String> = p.changes.iter().map(|c| c.id.clone()).collect();
    // Every subset of the (5) changes.
    for mask in 0..(1u32 << all.len()) {
        let pick: Vec<String> = all
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, c)| c.clone())
            .collect();
        let out = apply(&d, &p, &pick).unwrap();
        for f in &d.flows {
            assert!(allowed(&out, f), "{pick:?} lost {}", f.id);
        }
    }
    let out = apply(&d, &p, &all).unwrap();
    let e = Evaluator::new(&out);
    // Nothing more: api-b may no longer call api-a, web may not reach api-b, db not web.
    for (from, to) in [
        ("api-b", "api-a"),
        ("web", "api-b"),
        ("db", "web"),
        ("web", "db"),
    ] {
        assert!(
            !e.decide(&Caller::parse(from), to, &Request::default(), None)
                .is_allowed(),
            "{from} → {to} still allowed"
        );
    }
    // Not on 9090, not DELETE.
    let web = Caller::parse("web");
    let at = |port, method: &str, path: &str| Request {
        port: Some(port),
        method: Some(method.into()),
        path: Some(path.into()),
    };
    assert!(
        !e.decide(&web, "api-a", &at(9090, "GET", "/items/1"), None)
            .is_allowed()
    );
    assert!(
        !e.decide(&web, "api-a", &at(8080, "DELETE", "/items/1"), None)
            .is_allowed()
    );
    assert!(
        !e.decide(&web, "api-a", &at(8080, "GET", "/items"), None)
            .is_allowed()
    );
    assert!(
        e.decide(&web, "api-a", &at(8080, "GET", "/items/7"), None)
            .is_allowed()
    );
    // Proposing again on the result changes nothing.
    let again = propose(&out, &[], today());
    assert!(again.changes.is_empty(), "{:#?}", again.changes);
}

#[test]
fn missing_evidence_is_added_and_grouped_by_segment_only_when_complete() {
    let mut d = shop();
    d.rules.clear();
    d.segments[1].policy.intra = IntraStance::Deny;
    d.flows.retain(|f| f.id == "f-a-db");
    let p = propose(&d, &[], today());
    assert_eq!(ids(&p), vec!["add:allow-api-a-to-db"]);
    // With api-b → db too, every app × data pair is evidenced: one segment rule.
    d.flows
        .push(flow("f-b-db", "api-b", "db", Some(5432), None, None));
    let p = propose(&d, &[], today());
    assert_eq!(ids(&p), vec!["add:allow-app-to-data"]);
    assert_eq!(
        p.changes[0].evidence,
        vec!["f-a-db".to_string(), "f-b-db".into()]
    );
    // Different ports per pair: no common shape, so per-service rules.
    d.flows[1].port = Some(5433);
    let p = propose(&d, &[], today());
    assert_eq!(
        ids(&p),
        vec!["add:allow-api-a-to-db", "add:allow-api-b-to-db"]
    );
}

#[test]
fn deny_rules_exposure_and_unknown_services_block_instead_of_being_overridden() {
    let mut d = shop();
    d.rules.push(Rule {
        action: Action::Deny,
        ..rule(
            "no-db-from-b",
            Peer::Service("api-b".into()),
            Peer::Service("db".into()),
        )
    });
    d.flows
        .push(flow("f-net-api", INTERNET, "api-a", Some(8080), None, None));
    let observed = vec![Flow {
        kind: FlowKind::Observed,
        count: Some(40),
        ..flow("o-ghost", "ghost", "web", Some(80), None, None)
    }];
    let p = propose(&d, &observed, today());
    let blocked: Vec<(&str, BlockReason)> = p
        .blocked
        .iter()
        .map(|b| (b.flow.as_str(), b.reason.clone()))
        .collect();
    assert_eq!(
        blocked,
        vec![
            (
                "f-b-db",
                BlockReason::DenyRule {
                    rule: "no-db-from-b".into()
                }
            ),
            ("f-net-api", BlockReason::NotInternetFacing),
            (
                "o-ghost",
                BlockReason::UnknownService {
                    service: "ghost".into()
                }
            ),
        ]
    );
    assert_eq!(p.evidence.calls, 40);
    // app-data now only carries api-a → db: narrowed to the pair, not the segment pair.
    let narrow = p
        .changes
        .iter()
        .find(|c| c.id == "narrow:app-data")
        .unwrap();
    let ChangeKind::NarrowRule { after, .. } = &narrow.change else {
        panic!()
    };
    assert_eq!(after[0].from, Peer::Service("api-a".into()));
}

#[test]
fn narrowing_keeps_auth_rate_limit_and_never_widens() {
    let mut d = shop();
    d.rules[1].methods = vec!["GET".into()];
    d.rules[1].auth = Some(Auth::ApiKey {
        key: "front".into(),
    });
    d.rules[1].expires = Some("2027-01-01".into());
    // An L4 record on 8080 is granted by the GET-only rule: the narrowed rule stays GET-only.
    d.flows = vec![flow("f", "web", "api-a", Some(8080), None, None)];
    let p = propose(&d, &[], today());
    let narrow = p
        .changes
        .iter()
        .find(|c| c.id == "narrow:front-app")
        .unwrap();
    let ChangeKind::NarrowRule { after, .. } = &narrow.change else {
        panic!()
    };
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].methods, vec!["GET".to_string()]);
    assert_eq!(after[0].ports, vec![8080]);
    assert_eq!(after[0].auth, d.rules[1].auth);
    assert_eq!(after[0].expires.as_deref(), Some("2027-01-01"));
}

#[test]
fn apply_refuses_unknown_and_stale_changes() {
    let d = shop();
    let p = propose(&d, &[], today());
    let err = apply(&d, &p, &["remove:legacyy".into()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no change `remove:legacyy` in the proposal; did you mean `remove:legacy`?"
    );
    let mut moved = d.clone();
    moved.rules.retain(|r| r.id != "legacy");
    let err = apply(&moved, &p, &["remove:legacy".into()]).unwrap_err();
    assert!(matches!(err, ApplyError::StaleRule { .. }), "{err}");
}

#[test]
fn proposal_round_trips_through_json() {
    let p = propose(&shop(), &[], today());
    let text = serde_json::to_string(&p).unwrap();
    let back: Proposal = serde_json::from_str(&text).unwrap();
    assert_eq!(back, p);
}

/// The date the tests evaluate on: fixed, so they do not rot.
fn today() -> crate::date::Date {
    crate::date::Date::parse("2026-11-28").unwrap()
}

#[test]
fn a_flow_only_an_expired_exception_allowed_gets_a_proposal() {
    let mut d = shop();
    d.rules.clear();
    d.segments[1].policy.intra = IntraStance::Deny;
    d.flows.retain(|f| f.id == "f-a-db");
    d.rules.push(Rule {
        expires: Some("2026-06-30".into()),
        justification: Some("migration window".into()),
        ..rule(
            "temp-a-db",
            Peer::Service("api-a".into()),
            Peer::Service("db".into()),
        )
    });
    let before_expiry = crate::date::Date::parse("2026-06-30").unwrap();
    let adds = |p: &Proposal| -> Vec<String> {
        ids(p)
            .into_iter()
            .filter(|id| id.starts_with("add:"))
            .map(str::to_string)
            .collect()
    };
    let p = propose(&d, &[], before_expiry);
    assert!(
        adds(&p).is_empty(),
        "while the exception holds, the flow is covered: {:?}",
        ids(&p)
    );
    let p = propose(&d, &[], today());
    assert_eq!(
        adds(&p),
        vec!["add:allow-api-a-to-db"],
        "after it expired, the flow needs a rule"
    );
}
