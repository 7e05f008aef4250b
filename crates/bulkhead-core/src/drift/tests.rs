//! Unit tests of the drift check on a small hand-made design.

use super::*;
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

fn design() -> Design {
    let mut d = Design::new("shop");
    d.services = vec![
        svc("web", &[80]),
        svc("api", &[8080]),
        svc("db", &[5432]),
        svc("batch", &[]),
    ];
    d.services[0].exposure = Exposure::Internet;
    d.services[1].endpoints = vec![
        Endpoint {
            method: "GET".into(),
            path: "/items/{id}".into(),
            ..Endpoint::default()
        },
        Endpoint {
            method: "DELETE".into(),
            path: "/items/{id}".into(),
            ..Endpoint::default()
        },
    ];
    d.segments = vec![Segment {
        id: "app".into(),
        members: vec!["web".into(), "api".into(), "db".into(), "batch".into()],
        policy: SegmentPolicy {
            intra: IntraStance::Deny,
            ..SegmentPolicy::default()
        },
        ..Segment::default()
    }];
    let rule = |id: &str, from: Peer, to: &str| Rule {
        id: id.into(),
        from,
        to: Peer::Service(to.into()),
        ..Rule::default()
    };
    d.rules = vec![
        rule("in", Peer::Internet, "web"),
        rule("web-api", Peer::Service("web".into()), "api"),
        rule("api-db", Peer::Service("api".into()), "db"),
        rule("batch-db", Peer::Service("batch".into()), "db"),
    ];
    d.flows = vec![Flow {
        id: "declared-batch-db".into(),
        from: "batch".into(),
        to: "db".into(),
        port: Some(5432),
        ..Flow::default()
    }];
    d
}

fn seen(
    id: &str,
    from: &str,
    to: &str,
    port: u32,
    method: Option<&str>,
    path: Option<&str>,
    count: u64,
) -> Flow {
    Flow {
        id: id.into(),
        from: from.into(),
        to: to.into(),
        kind: FlowKind::Observed,
        port: Some(port),
        method: method.map(Into::into),
        path: path.map(Into::into),
        count: Some(count),
        first_seen: Some(format!("2026-01-0{}T00:00:00Z", count % 9 + 1)),
        last_seen: Some("2026-01-10T00:00:00Z".into()),
        provenance: Vec::new(),
    }
}

#[test]
fn traffic_against_the_design() {
    let d = design();
    let observed = vec![
        seen("o1", INTERNET, "web", 80, None, None, 100),
        seen(
            "o2",
            "web",
            "api",
            8080,
            Some("GET"),
            Some("/items/42?q=1"),
            50,
        ),
        seen("o3", "web", "api", 8080, Some("GET"), Some("/items/7"), 5),
        seen(
            "o4",
            "web",
            "api",
            8080,
            Some("POST"),
            Some("/admin/reset"),
            2,
        ),
        seen("o5", "web", "db", 5432, None, None, 3),
        seen(
            "o6",
            "prometheus",
            "api",
            9090,
            Some("GET"),
            Some("/metrics"),
            10,
        ),
    ];
    let r = check(&d, &observed, None, TrafficSummary::default(), today());
    assert_eq!(r.traffic.flows, 5, "o2 and o3 are the same endpoint");
    assert_eq!(r.traffic.calls, 170);

    // web → db is denied by default.
    assert_eq!(r.violations.len(), 1);
    let v = &r.violations[0];
    assert_eq!((v.from.as_str(), v.to.as_str(), v.calls), ("web", "db", 3));
    assert_eq!(v.explanation, "no rule allows it (default deny)");

    assert_eq!(r.shadow_services.len(), 1);
    assert_eq!(r.shadow_services[0].name, "prometheus");
    assert_eq!(r.shadow_services[0].calls_out, 10);
    assert_eq!(r.shadow_services[0].peers, vec!["api".to_string()]);

    let eps: Vec<(&str, &str)> = r
        .shadow_endpoints
        .iter()
        .map(|e| (e.service.as_str(), e.path.as_str()))
        .collect();
    assert_eq!(eps, vec![("api", "/admin/reset")]);

    // batch is never called (and calls nothing); db is called (by web, a violation, still a call).
    let z: Vec<&str> = r
        .zombie_services
        .iter()
        .map(|z| z.service.as_str())
        .collect();
    assert_eq!(z, vec!["batch"]);
    let ze: Vec<(&str, &str)> = r
        .zombie_endpoints
        .iter()
        .map(|e| (e.method.as_str(), e.path.as_str()))
        .collect();
    assert_eq!(ze, vec![("DELETE", "/items/{id}")]);

    // api-db and batch-db never used; batch-db is declared.
    let unused: Vec<(String, bool, bool)> = r
        .unused
        .iter()
        .map(|u| (u.by.label(), u.entirely_unused, u.entries[0].declared))
        .collect();
    assert_eq!(
        unused,
        vec![
            ("rule `api-db`".to_string(), true, false),
            ("rule `batch-db`".to_string(), true, true)
        ]
    );
    assert!(r.summary.fails(&[DriftKind::Violations]));
    assert!(!r.summary.fails(&[DriftKind::Live]));
}

#[test]
fn no_traffic_means_no_unused_or_zombies_but_a_note() {
    let r = check(&design(), &[], None, TrafficSummary::default(), today());
    assert!(r.unused.is_empty() && r.zombie_services.is_empty());
    assert_eq!(r.notes.len(), 1);
    assert!(!r.summary.fails(&DriftKind::ALL));
}

#[test]
fn live_connectivity_differences_pair_by_pair() {
    let d = design();
    let tcp = |ports: &[u32]| LivePorts {
        all: false,
        ranges: ports
            .iter()
            .map(|&p| live::LivePortRange {
                protocol: Protocol::Tcp,
                first: p,
                last: p,
            })
            .collect(),
    };
    let pair = |from: &str, to: &str, allowed: LivePorts| LivePair {
        from: from.into(),
        to: to.into(),
        allowed,
        some: None,
    };
    let live = LiveConnectivity {
        source: "policies.yaml".into(),
        pairs: vec![
            pair(INTERNET, "web", tcp(&[80])),
            // web → api on the wrong port only.
            pair("web", "api", tcp(&[9999])),
            // web → db, which the design denies.
            pair(
                "web",
                "db",
                LivePorts {
                    all: true,
                    ranges: vec![],
                },
            ),
            pair("api", "db", tcp(&[5432])),
        ],
        unmapped_services: vec![],
        unmapped_workloads: vec!["default/legacy".into()],
        ..LiveConnectivity::default()
    };
    let r = check(&d, &[], Some(&live), TrafficSummary::default(), today());
    let l = r.live.unwrap();
    let got: Vec<(&str, &str, LiveDifferenceKind)> = l
        .differences
        .iter()
        .map(|x| (x.from.as_str(), x.to.as_str(), x.kind))
        .collect();
    assert_eq!(
        got,
        vec![
            ("web", "api", LiveDifferenceKind::DesignOnly),
            ("web", "db", LiveDifferenceKind::LiveOnly),
            ("batch", "db", LiveDifferenceKind::DesignOnly),
        ]
    );
    assert_eq!(l.differences[1].live.ports, vec![Some(5432)]);
    // (internet + 4 services) × 4 targets, minus the 4 self pairs.
    assert_eq!(l.pairs_compared, 5 * 4 - 4);
    assert_eq!(r.summary.live_differences, 3);
}

#[test]
fn observed_calls_carry_the_verdict_check_gives() {
    let d = design();
    let observed = vec![
        seen("o1", INTERNET, "web", 80, None, None, 100),
        seen("o2", "web", "api", 8080, Some("GET"), Some("/items/42"), 50),
        seen("o3", "web", "api", 8080, Some("GET"), Some("/items/7"), 5),
        seen("o5", "web", "db", 5432, None, None, 3),
        seen("o6", "prometheus", "api", 9090, None, None, 10),
    ];
    let calls = observed_calls(&d, &observed, today());
    let r = check(&d, &observed, None, TrafficSummary::default(), today());
    assert_eq!(calls.len(), r.traffic.flows, "aggregated the same way");
    let find = |from: &str, to: &str| calls.iter().find(|c| c.from == from && c.to == to);
    // Both GETs land on the `/items/{id}` endpoint: one call row of 55.
    let api = find("web", "api").unwrap();
    assert_eq!((api.calls, api.path.as_deref()), (55, Some("/items/{id}")));
    assert_eq!(api.flows, vec!["o2".to_string(), "o3".to_string()]);
    match &api.decision {
        Some(Decision::Allow { by, .. }) => {
            assert_eq!(
                *by,
                AllowedBy::Rule {
                    rule: "web-api".into()
                }
            )
        }
        other => panic!("web → api should be allowed by `web-api`: {other:?}"),
    }
    assert_eq!(api.explanation, None);
    assert!(
        find(INTERNET, "web")
            .unwrap()
            .decision
            .as_ref()
            .unwrap()
            .is_allowed()
    );
    // The one violation of `check` is the one denied call here, with the same words.
    let denied: Vec<&ObservedCall> = calls
        .iter()
        .filter(|c| c.decision.as_ref().is_some_and(|d| !d.is_allowed()))
        .collect();
    assert_eq!(denied.len(), r.violations.len());
    assert_eq!(
        (denied[0].from.as_str(), denied[0].to.as_str()),
        ("web", "db")
    );
    assert_eq!(
        denied[0].explanation.as_deref(),
        Some(r.violations[0].explanation.as_str())
    );
    // A shadow caller is not decided.
    assert_eq!(find("prometheus", "api").unwrap().decision, None);
}

/// The date the tests evaluate on: fixed, so they do not rot.
fn today() -> crate::date::Date {
    crate::date::Date::parse("2026-11-28").unwrap()
}

#[test]
fn an_expired_exception_no_longer_allows_observed_calls() {
    let mut d = design();
    // `batch-db` is an exception that ran out the day before.
    d.rules[3].justification = Some("nightly export until the new pipeline ships".into());
    d.rules[3].expires = Some("2026-11-27".into());
    let observed = vec![seen("o1", "batch", "db", 5432, None, None, 4)];
    let r = check(&d, &observed, None, TrafficSummary::default(), today());
    let v: Vec<_> = r
        .violations
        .iter()
        .map(|v| (v.from.as_str(), v.to.as_str()))
        .collect();
    assert_eq!(v, vec![("batch", "db")], "expired: the call is a violation");
    assert!(
        matches!(
            r.violations[0].decision,
            Decision::Deny(DenyReason::ExpiredRule { .. })
        ),
        "{:?}",
        r.violations[0].decision
    );
    let calls = observed_calls(&d, &observed, today());
    assert!(!calls[0].decision.as_ref().unwrap().is_allowed());
    // On its last day the exception still allows the call.
    let last_day = crate::date::Date::parse("2026-11-27").unwrap();
    let r = check(&d, &observed, None, TrafficSummary::default(), last_day);
    assert!(r.violations.is_empty(), "{:?}", r.violations);
}
