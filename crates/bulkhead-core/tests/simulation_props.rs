//! Property tests of the breach simulation against a naive fixpoint oracle that only asks the
//! evaluator, for all three assumptions; monotonicity; and the all-origins closure against a
//! search per origin.

use std::collections::BTreeSet;

use bulkhead_core::analysis::{all_origins_by_search, all_origins_worst};
use bulkhead_core::eval::{Caller, Evaluator, Presented, Request};
use bulkhead_core::model::*;
use bulkhead_core::reach::ReachGraph;
use bulkhead_core::simulate::{Assumption, exploit_probability, run};
use proptest::prelude::*;

const KEYS: &[&str] = &["k1", "k2"];
const SCOPES: &[&str] = &["a", "b"];

fn auth_strategy() -> impl Strategy<Value = Auth> {
    prop_oneof![
        2 => Just(Auth::None),
        2 => prop::sample::select(KEYS).prop_map(|k| Auth::ApiKey { key: k.into() }),
        2 => prop::sample::subsequence(SCOPES, 0..=2).prop_map(|s| Auth::Jwt {
            issuer: "iss".into(),
            scopes: s.into_iter().map(String::from).collect(),
        }),
        1 => prop::sample::subsequence(&["id0", "id1", "id2", "*"][..], 1..=2)
            .prop_map(|ids| Auth::Mtls { identities: ids.into_iter().map(String::from).collect() }),
    ]
}

fn credential_strategy() -> impl Strategy<Value = Credential> {
    prop_oneof![
        prop::sample::select(KEYS).prop_map(|k| Credential::ApiKey { key: k.into() }),
        prop::sample::subsequence(SCOPES, 0..=2).prop_map(|s| Credential::Jwt {
            issuer: "iss".into(),
            scopes: s.into_iter().map(String::from).collect(),
        }),
    ]
}

fn peer_strategy(n: usize, segs: usize, from_side: bool) -> impl Strategy<Value = Peer> {
    let internet = if from_side { 1 } else { 0 };
    prop_oneof![
        1 => Just(Peer::Any),
        internet => Just(Peer::Internet),
        2 => (0..segs.max(1)).prop_map(|i| Peer::Segment(format!("g{i}"))),
        3 => (0..n).prop_map(|i| Peer::Service(format!("s{i}"))),
    ]
}

fn rule_strategy(n: usize, segs: usize) -> impl Strategy<Value = Rule> {
    (
        peer_strategy(n, segs, true),
        peer_strategy(n, segs, false),
        prop::bool::weighted(0.2),
        prop::sample::subsequence(&[80u32, 443][..], 0..=1),
        prop::sample::subsequence(&["GET", "POST"][..], 0..=1),
        prop::option::weighted(0.6, auth_strategy()),
    )
        .prop_map(|(from, to, deny, ports, methods, auth)| Rule {
            id: String::new(),
            from,
            to,
            action: if deny { Action::Deny } else { Action::Allow },
            ports,
            methods: methods.into_iter().map(String::from).collect(),
            auth,
            ..Rule::default()
        })
}

prop_compose! {
    fn design_strategy()(n in 2usize..8, segs in 0usize..4)(
        services in prop::collection::vec(
            (
                prop::bool::weighted(0.3),
                prop::option::of(prop::sample::select(&["id0", "id1", "id2"][..])),
                prop::collection::vec(credential_strategy(), 0..3),
                prop::option::weighted(0.4, (prop::bool::ANY, prop::option::of(0.0f64..1.0))),
                prop::option::of(prop::sample::select(&["pii", "card"][..])),
            ),
            n,
        ),
        seg_parent in prop::collection::vec(prop::option::of(0usize..4), segs),
        seg_auth in prop::collection::vec(auth_strategy(), segs),
        seg_intra in prop::collection::vec(prop::bool::ANY, segs),
        membership in prop::collection::vec(prop::option::of(0usize..4), n),
        rules in prop::collection::vec(rule_strategy(n, segs), 0..10),
    ) -> Design {
        let mut d = Design::new("prop");
        d.data_classes = vec![
            DataClass { id: "pii".into(), name: String::new(), sensitivity: Sensitivity::Confidential, crown_jewel: false, description: None },
            DataClass { id: "card".into(), name: String::new(), sensitivity: Sensitivity::Restricted, crown_jewel: true, description: None },
        ];
        for (i, (internet, identity, creds, weakness, data)) in services.into_iter().enumerate() {
            d.services.push(Service {
                id: format!("s{i}"),
                exposure: if internet { Exposure::Internet } else { Exposure::Internal },
                identity: identity.map(String::from),
                credentials: creds,
                weaknesses: weakness
                    .map(|(exploitable, probability)| Weakness { exploitable, probability, ..Weakness::default() })
                    .into_iter()
                    .collect(),
                data_held: data.map(String::from).into_iter().collect(),
                ..Service::default()
            });
        }
        let segs = seg_parent.len();
        for i in 0..segs {
            // Parents only point to earlier segments: no cycles.
            let parent = seg_parent[i].filter(|&p| p < i).map(|p| format!("g{p}"));
            d.segments.push(Segment {
                id: format!("g{i}"),
                parent,
                policy: SegmentPolicy {
                    auth: seg_auth[i].clone(),
                    intra: if seg_intra[i] { IntraStance::Allow } else { IntraStance::Deny },
                    ..SegmentPolicy::default()
                },
                ..Segment::default()
            });
        }
        for (i, m) in membership.into_iter().enumerate() {
            if let Some(g) = m.filter(|&g| g < segs) {
                d.segments[g].members.push(format!("s{i}"));
            }
        }
        for (i, mut r) in rules.into_iter().enumerate() {
            r.id = format!("r{i}");
            d.rules.push(r);
        }
        d
    }
}

/// The oracle: iterate "every position calls every service" with the evaluator until nothing
/// changes. A call's strength is the largest threshold `t` such that the evaluator allows it
/// with the caller's own identity and credentials plus the credentials stolen with
/// probability at least `t`.
#[allow(clippy::needless_range_loop)] // indices are node ids on both sides
fn oracle(d: &Design, origin: usize, assumption: Assumption) -> (Vec<f64>, Vec<f64>) {
    let e = Evaluator::new(d);
    let n = d.services.len();
    let exploit: Vec<f64> = d
        .services
        .iter()
        .map(|s| exploit_probability(s, assumption))
        .collect();
    let mut comp = vec![0.0; n + 1];
    comp[origin] = 1.0;
    let mut reach = vec![0.0; n + 1];
    reach[origin] = 1.0;
    let caller = |a: usize| {
        if a == n {
            Caller::Internet
        } else {
            Caller::Service(d.services[a].id.clone())
        }
    };
    for _ in 0..(4 * n + 8) {
        let mut stolen: Vec<(Credential, f64)> = Vec::new();
        for (i, s) in d.services.iter().enumerate() {
            if comp[i] > 0.0 {
                for c in &s.credentials {
                    match stolen.iter_mut().find(|(x, _)| x == c) {
                        Some((_, p)) => *p = p.max(comp[i]),
                        None => stolen.push((c.clone(), comp[i])),
                    }
                }
            }
        }
        let mut thresholds: Vec<f64> = stolen.iter().map(|(_, p)| *p).collect();
        thresholds.push(1.0);
        thresholds.sort_by(|a, b| b.total_cmp(a));
        thresholds.dedup();
        let mut changed = false;
        for b in 0..n {
            let mut best: f64 = 0.0;
            for a in 0..=n {
                if a == b || comp[a] <= 0.0 {
                    continue;
                }
                let own = e.own_presentation(&caller(a));
                let strength = thresholds
                    .iter()
                    .copied()
                    .find(|&t| {
                        let mut p: Presented = own.clone();
                        p.credentials.extend(
                            stolen
                                .iter()
                                .filter(|(_, q)| *q >= t)
                                .map(|(c, _)| c.clone()),
                        );
                        e.decide(&caller(a), &d.services[b].id, &Request::default(), Some(&p))
                            .is_allowed()
                    })
                    .unwrap_or(0.0);
                // Own credentials count fully: try them alone first.
                let own_ok = e
                    .decide(
                        &caller(a),
                        &d.services[b].id,
                        &Request::default(),
                        Some(&own),
                    )
                    .is_allowed();
                let s = if own_ok { 1.0 } else { strength };
                best = best.max(comp[a].min(s));
            }
            if best > reach[b] + 1e-12 {
                reach[b] = best;
                changed = true;
            }
            let c = if b == origin {
                1.0
            } else {
                reach[b] * exploit[b]
            };
            if c > comp[b] + 1e-12 {
                comp[b] = c;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    (reach, comp)
}

fn assumption_strategy() -> impl Strategy<Value = Assumption> {
    prop_oneof![
        Just(Assumption::Worst),
        Just(Assumption::Known),
        Just(Assumption::Probabilistic)
    ]
}

fn reach_set(d: &Design, origin: usize) -> BTreeSet<usize> {
    let e = Evaluator::new(d);
    let g = ReachGraph::compile(&e);
    let exploit = vec![1.0; d.services.len() + 1];
    let out = run(&g, origin, &exploit, None);
    (0..d.services.len())
        .filter(|&i| out.reach[i] > 0.0)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fast_simulation_matches_naive_fixpoint(d in design_strategy(), origin_pick in 0usize..9, assumption in assumption_strategy()) {
        let n = d.services.len();
        let origin = origin_pick % (n + 1);
        let e = Evaluator::new(&d);
        let g = ReachGraph::compile(&e);
        let exploit: Vec<f64> = d.services.iter().map(|s| exploit_probability(s, assumption)).chain([0.0]).collect();
        let out = run(&g, origin, &exploit, None);
        let (reach, comp) = oracle(&d, origin, assumption);
        for i in 0..n {
            prop_assert!((out.reach[i] - reach[i]).abs() < 1e-9, "reach of s{} from {}: fast {} oracle {}", i, origin, out.reach[i], reach[i]);
            prop_assert!((out.compromise[i] - comp[i]).abs() < 1e-9, "compromise of s{} from {}: fast {} oracle {}", i, origin, out.compromise[i], comp[i]);
        }
    }

    #[test]
    fn closure_matches_search_per_origin(d in design_strategy()) {
        let e = Evaluator::new(&d);
        let g = ReachGraph::compile(&e);
        let (fast, _) = all_origins_worst(&d, &g);
        prop_assert_eq!(fast, all_origins_by_search(&d, &g));
    }

    #[test]
    fn adding_an_allow_never_shrinks_reach(d in design_strategy(), origin_pick in 0usize..9, extra in rule_strategy(7, 4)) {
        let n = d.services.len();
        let origin = origin_pick % (n + 1);
        let before = reach_set(&d, origin);
        let mut more = d.clone();
        more.rules.push(Rule { id: "extra".into(), action: Action::Allow, ..extra });
        let after = reach_set(&more, origin);
        prop_assert!(before.is_subset(&after), "{:?} ⊄ {:?}", before, after);
    }

    #[test]
    fn adding_a_deny_never_grows_reach(d in design_strategy(), origin_pick in 0usize..9, extra in rule_strategy(7, 4)) {
        let n = d.services.len();
        let origin = origin_pick % (n + 1);
        let before = reach_set(&d, origin);
        let mut less = d.clone();
        less.rules.push(Rule { id: "extra".into(), action: Action::Deny, ..extra });
        let after = reach_set(&less, origin);
        prop_assert!(after.is_subset(&before), "{:?} ⊄ {:?}", after, before);
    }

    #[test]
    fn matrix_is_decide_with_no_presentation(d in design_strategy()) {
        let e = Evaluator::new(&d);
        let m = bulkhead_core::matrix::matrix(&e);
        let mut callers = vec![Caller::Internet];
        callers.extend(d.services.iter().map(|s| Caller::Service(s.id.clone())));
        for c in &callers {
            for t in &d.services {
                if c.id() == t.id { continue; }
                let allowed = e.decide(c, &t.id, &Request::default(), None).is_allowed();
                let listed = m.entries.iter().any(|x| x.from == c.id() && x.to == t.id);
                prop_assert_eq!(allowed, listed, "{} -> {}", c.id(), &t.id);
            }
        }
    }

    /// The fast reach graph (scan by index, requirements keyed by address) equals the
    /// straightforward one built from the public `grants_at`, with and without a date on
    /// which some rules have expired.
    #[test]
    fn reach_graph_equals_reference_construction(
        d in design_strategy(),
        expiring in prop::collection::vec(prop::option::of(prop::sample::select(&["2025-06-30", "2026-06-30", "2027-06-30"][..])), 10),
    ) {
        let mut d = d;
        for (r, e) in d.rules.iter_mut().zip(expiring) {
            r.expires = e.map(String::from);
        }
        let undated = Evaluator::new(&d);
        prop_assert_eq!(ReachGraph::compile(&undated), ReachGraph::compile_reference(&undated));
        let date = bulkhead_core::date::Date::parse("2026-11-28").unwrap();
        let dated = Evaluator::at(&d, date);
        prop_assert_eq!(ReachGraph::compile(&dated), ReachGraph::compile_reference(&dated));
    }

    /// On a date, the design allows exactly what it allows without its expired rules: an
    /// expired allow grants nothing, an expired deny denies nothing.
    #[test]
    fn expired_rules_act_as_removed(
        d in design_strategy(),
        expiring in prop::collection::vec(prop::bool::weighted(0.4), 10),
        port in prop::option::of(prop::sample::select(&[80u32, 443, 22][..])),
    ) {
        let mut d = d;
        for (r, e) in d.rules.iter_mut().zip(expiring) {
            r.expires = Some(if e { "2026-01-01" } else { "2027-01-01" }.into());
        }
        let date = bulkhead_core::date::Date::parse("2026-11-28").unwrap();
        let mut pruned = d.clone();
        pruned.rules.retain(|r| r.expires.as_deref() != Some("2026-01-01"));
        let dated = Evaluator::at(&d, date);
        let reference = Evaluator::new(&pruned);
        let req = Request { port, ..Request::default() };
        let mut callers = vec![Caller::Internet];
        callers.extend(d.services.iter().map(|s| Caller::Service(s.id.clone())));
        for c in &callers {
            for t in &d.services {
                let a = dated.allowed(c, &t.id, &req);
                let b = reference.allowed(c, &t.id, &req);
                prop_assert_eq!(a.is_allowed(), b.is_allowed(), "{} -> {}: {:?} vs {:?}", c.id(), &t.id, a, b);
                if a.is_allowed() {
                    prop_assert_eq!(&a, &b);
                }
                let a = dated.decide(c, &t.id, &req, None);
                let b = reference.decide(c, &t.id, &req, None);
                prop_assert_eq!(a.is_allowed(), b.is_allowed(), "{} -> {} (no presentation)", c.id(), &t.id);
            }
        }
    }
}
