//! The design file format: parse → write → parse is the identity on arbitrary designs
//! (property-tested), canonical text is a fixed point, YAML reads like JSON, and format
//! versions are migrated or refused.

use std::collections::BTreeMap;

use bulkhead_core::Design;
use bulkhead_core::file::{Syntax, parse, to_canonical_json};
use bulkhead_core::model::*;
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;

fn id() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,8}"
}

/// Any printable text, including quotes, backslashes and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "\\PC{0,12}"
}

fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![-1.0e6..1.0e6f64, Just(0.0), Just(-0.5), Just(1.0e-9)]
}

fn sensitivity() -> impl Strategy<Value = Sensitivity> {
    prop_oneof![
        Just(Sensitivity::Public),
        Just(Sensitivity::Internal),
        Just(Sensitivity::Confidential),
        Just(Sensitivity::Restricted)
    ]
}

fn auth() -> impl Strategy<Value = Auth> {
    prop_oneof![
        Just(Auth::None),
        id().prop_map(|key| Auth::ApiKey { key }),
        (text(), vec(id(), 0..3)).prop_map(|(issuer, scopes)| Auth::Jwt { issuer, scopes }),
        vec(id(), 0..3).prop_map(|identities| Auth::Mtls { identities }),
    ]
}

fn credential() -> impl Strategy<Value = Credential> {
    prop_oneof![
        id().prop_map(|key| Credential::ApiKey { key }),
        (text(), vec(id(), 0..3)).prop_map(|(issuer, scopes)| Credential::Jwt { issuer, scopes }),
    ]
}

fn rate_limit() -> impl Strategy<Value = RateLimit> {
    (
        any::<u32>(),
        prop_oneof![
            Just(Period::Second),
            Just(Period::Minute),
            Just(Period::Hour)
        ],
        option::of(any::<u32>()),
    )
        .prop_map(|(requests, per, burst)| RateLimit {
            requests,
            per,
            burst,
        })
}

fn peer() -> impl Strategy<Value = Peer> {
    prop_oneof![
        Just(Peer::Internet),
        Just(Peer::Any),
        id().prop_map(Peer::Segment),
        id().prop_map(Peer::Service),
    ]
}

fn endpoint() -> impl Strategy<Value = Endpoint> {
    (
        text(),
        text(),
        option::of(text()),
        vec(id(), 0..3),
        vec(text(), 0..2),
        vec(text(), 0..2),
    )
        .prop_map(
            |(method, path, operation_id, data_classes, declared_auth, evidence)| Endpoint {
                method,
                path,
                operation_id,
                data_classes,
                declared_auth,
                evidence,
            },
        )
}

fn service() -> impl Strategy<Value = Service> {
    let ports = vec(
        (
            any::<u32>(),
            prop_oneof![
                Just(Protocol::Tcp),
                Just(Protocol::Udp),
                Just(Protocol::Sctp)
            ],
            option::of(id()),
        )
            .prop_map(|(port, protocol, name)| Port {
                port,
                protocol,
                name,
            }),
        0..3,
    );
    let weakness = (
        option::of(text()),
        text(),
        any::<bool>(),
        option::of(finite()),
    )
        .prop_map(|(id, description, exploitable, probability)| Weakness {
            id,
            description,
            exploitable,
            probability,
        });
    let kind = prop_oneof![
        Just(ServiceKind::Api),
        Just(ServiceKind::Web),
        Just(ServiceKind::Gateway),
        Just(ServiceKind::Worker),
        Just(ServiceKind::Datastore),
        Just(ServiceKind::Queue),
        Just(ServiceKind::External),
        Just(ServiceKind::Client),
    ];
    (
        (
            id(),
            text(),
            kind,
            option::of(id()),
            btree_map(text(), text(), 0..3),
        ),
        (
            option::of(text()),
            ports,
            vec(endpoint(), 0..3),
            vec(id(), 0..3),
        ),
        (
            prop_oneof![Just(Exposure::Internal), Just(Exposure::Internet)],
            vec(weakness, 0..2),
            vec(credential(), 0..2),
            vec(text(), 0..2),
            vec(
                (text(), option::of(text()))
                    .prop_map(|(source, element)| Provenance { source, element }),
                0..2,
            ),
        ),
    )
        .prop_map(
            |(
                (id, name, kind, namespace, labels),
                (identity, ports, endpoints, data_held),
                (exposure, weaknesses, credentials, tags, provenance),
            )| Service {
                id,
                name,
                kind,
                namespace,
                labels,
                identity,
                ports,
                endpoints,
                data_held,
                exposure,
                weaknesses,
                credentials,
                tags,
                provenance,
            },
        )
}

fn segment() -> impl Strategy<Value = Segment> {
    let level = prop_oneof![
        Just(SegmentLevel::Network),
        Just(SegmentLevel::Identity),
        Just(SegmentLevel::Application),
        Just(SegmentLevel::Data)
    ];
    let trust = prop_oneof![
        Just(TrustLevel::Untrusted),
        Just(TrustLevel::Low),
        Just(TrustLevel::Medium),
        Just(TrustLevel::High)
    ];
    let policy = (
        auth(),
        option::of(rate_limit()),
        prop_oneof![Just(IntraStance::Allow), Just(IntraStance::Deny)],
    )
        .prop_map(|(auth, rate_limit, intra)| SegmentPolicy {
            auth,
            rate_limit,
            intra,
            default_action: DefaultAction::Deny,
        });
    (
        (id(), text(), option::of(id()), level, option::of(text())),
        (option::of(sensitivity()), trust, vec(id(), 0..4), policy),
    )
        .prop_map(
            |((id, name, parent, level, function), (sensitivity, trust, members, policy))| {
                Segment {
                    id,
                    name,
                    parent,
                    level,
                    function,
                    sensitivity,
                    trust,
                    members,
                    policy,
                }
            },
        )
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        (
            id(),
            peer(),
            peer(),
            prop_oneof![Just(Action::Allow), Just(Action::Deny)],
        ),
        (
            vec(any::<u32>(), 0..3),
            vec(text(), 0..2),
            vec(text(), 0..2),
        ),
        (
            option::of(auth()),
            option::of(rate_limit()),
            option::of(text()),
            option::of(text()),
        ),
    )
        .prop_map(
            |((id, from, to, action), (ports, methods, paths), (auth, rate_limit, j, e))| Rule {
                id,
                from,
                to,
                action,
                ports,
                methods,
                paths,
                auth,
                rate_limit,
                justification: j,
                expires: e,
            },
        )
}

fn flow() -> impl Strategy<Value = Flow> {
    (
        (
            id(),
            id(),
            id(),
            prop_oneof![Just(FlowKind::Declared), Just(FlowKind::Observed)],
        ),
        (
            option::of(any::<u32>()),
            option::of(text()),
            option::of(text()),
            option::of(any::<u64>()),
            option::of(text()),
            option::of(text()),
        ),
    )
        .prop_map(
            |((id, from, to, kind), (port, method, path, count, first_seen, last_seen))| Flow {
                id,
                from,
                to,
                kind,
                port,
                method,
                path,
                count,
                first_seen,
                last_seen,
                provenance: Vec::new(),
            },
        )
}

fn design() -> impl Strategy<Value = Design> {
    let data_class = (
        id(),
        text(),
        sensitivity(),
        any::<bool>(),
        option::of(text()),
    )
        .prop_map(
            |(id, name, sensitivity, crown_jewel, description)| DataClass {
                id,
                name,
                sensitivity,
                crown_jewel,
                description,
            },
        );
    let triage = (
        text(),
        prop_oneof![
            Just(TriageStatus::Accepted),
            Just(TriageStatus::Mitigated),
            Just(TriageStatus::FalsePositive)
        ],
        text(),
    )
        .prop_map(|(finding, status, reason)| Triage {
            finding,
            status,
            reason,
        });
    let positions = btree_map(
        id(),
        (finite(), finite()).prop_map(|(x, y)| Position { x, y }),
        0..4,
    );
    (
        (option::of(text()), text(), option::of(text())),
        (
            vec(data_class, 0..3),
            vec(service(), 0..4),
            vec(segment(), 0..3),
        ),
        (
            vec(rule(), 0..4),
            vec(flow(), 0..4),
            vec(triage, 0..2),
            positions,
        ),
    )
        .prop_map(
            |(
                (schema, name, description),
                (data_classes, services, segments),
                (rules, flows, triage, positions),
            )| Design {
                schema,
                format: FORMAT.to_string(),
                name,
                description,
                data_classes,
                services,
                segments,
                rules,
                flows,
                triage,
                live: None,
                layout: Layout { positions },
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn parse_write_parse_is_identity(d in design()) {
        let text = to_canonical_json(&d);
        let parsed = parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(&parsed.design, &d);
        prop_assert!(parsed.is_canonical());
        // Writing again is byte-identical.
        prop_assert_eq!(to_canonical_json(&parsed.design), text);
    }

    #[test]
    fn moving_a_box_changes_only_layout(d in design(), dx in finite()) {
        let before = to_canonical_json(&d);
        let mut moved = d.clone();
        let Some(first) = moved.layout.positions.values_mut().next() else {
            return Ok(());
        };
        first.x = dx;
        let after = to_canonical_json(&moved);
        let cut = before.rfind("\"layout\"").unwrap_or(0);
        prop_assert_eq!(&before[..cut], &after[..cut]);
    }
}

#[test]
fn yaml_reads_like_json() {
    let json = include_str!("../../../examples/online-boutique.bulkhead.json");
    let from_json = parse(json).unwrap();
    assert_eq!(from_json.syntax, Syntax::Json);
    // The same design written as YAML (block style, comments, anchors) reads identically.
    let yaml = r#"
# Online Boutique, a slice, in YAML
format: bulkhead/1
name: YAML design
services:
  - id: frontend
    kind: web
    labels: {app: frontend}
    ports: [{port: 8080, name: http}]
    exposure: internet
  - &backend
    id: cartservice
    ports:
      - port: 7070
segments:
  - id: edge
    members: [frontend]
    policy:
      auth: {type: none}
      intra: deny
rules:
  - id: in
    from: internet
    to: {service: frontend}
    ports: [8080]
    justification: >-
      shoppers reach
      the storefront
"#;
    let from_yaml = parse(yaml).unwrap();
    assert_eq!(from_yaml.syntax, Syntax::Yaml);
    let d = &from_yaml.design;
    assert_eq!(d.services[1].ports[0].port, 7070);
    assert_eq!(d.rules[0].from, Peer::Internet);
    assert_eq!(
        d.rules[0].justification.as_deref(),
        Some("shoppers reach the storefront")
    );
    assert_eq!(
        d.services[0].labels,
        BTreeMap::from([("app".to_string(), "frontend".to_string())])
    );
}

#[test]
fn newer_formats_are_refused() {
    let errs = parse("{\"format\": \"bulkhead/2\"}").unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].code, "format-unsupported");
    assert_eq!(
        errs[0].message,
        "this design is format `bulkhead/2`, newer than this version of Bulkhead understands (`bulkhead/1`)"
    );
    assert_eq!(errs[0].location.map(|l| (l.line, l.column)), Some((1, 12)));
    assert_eq!(
        parse("format: bulkhead/99\n").unwrap_err()[0].code,
        "format-unsupported"
    );
    assert_eq!(
        parse("{\"format\": \"v1\"}").unwrap_err()[0].code,
        "format-unknown"
    );
    assert_eq!(
        parse("{\"name\": \"x\"}").unwrap_err()[0].code,
        "format-missing"
    );
    assert_eq!(
        parse("{\"format\": 1}").unwrap_err()[0].code,
        "invalid-type"
    );
    assert_eq!(parse("[1, 2]").unwrap_err()[0].code, "invalid-type");
}

#[test]
fn legacy_v0_is_migrated() {
    let v0 = include_str!("../../../tests/fixtures/legacy/v0.bulkhead.json");
    // Drop the typo rule so the migrated design is valid.
    let v0 = v0.replace(
        ",\n    {\"id\": \"typo\", \"from\": \"zone:edg\", \"to\": \"api\"}",
        "",
    );
    let parsed = parse(&v0).unwrap();
    assert_eq!(parsed.migrated_from.as_deref(), Some("bulkhead/0"));
    assert_eq!(parsed.warnings.len(), 1);
    assert_eq!(parsed.warnings[0].code, "migrated");
    let d = &parsed.design;
    assert_eq!(d.format, FORMAT);
    assert_eq!(
        d.service("web").map(|s| s.exposure),
        Some(Exposure::Internet)
    );
    assert_eq!(
        d.service("api").map(|s| s.exposure),
        Some(Exposure::Internal)
    );
    let app = d.segment("app").unwrap();
    assert_eq!(app.members, ["api"]);
    assert_eq!(
        app.policy.auth,
        Auth::Mtls {
            identities: vec!["shop/web".into()]
        }
    );
    assert_eq!(app.policy.rate_limit.as_ref().map(|r| r.requests), Some(50));
    assert_eq!(d.segment("edge").unwrap().policy.intra, IntraStance::Deny);
    assert_eq!(d.rules[0].to, Peer::Segment("edge".into()));
    assert_eq!(d.rules[1].from, Peer::Service("web".into()));
    assert_eq!(d.layout.positions["web"], Position { x: 10.0, y: 20.0 });
    let report = bulkhead_core::validate::check_text(&v0, &Default::default());
    assert_eq!(report.errors(), 0, "{:?}", report.diagnostics);
    // Written back, it is a current-format design that no longer needs migrating.
    let again = parse(&to_canonical_json(d)).unwrap();
    assert_eq!(again.migrated_from, None);
    assert_eq!(&again.design, d);
}

#[test]
fn oversized_and_hostile_text_is_refused_quickly() {
    let deep = format!(
        "{{\"format\": \"bulkhead/1\", \"x\": {}}}",
        "[".repeat(100_000)
    );
    let errs = parse(&deep).unwrap_err();
    assert!(matches!(errs[0].code, "too-deep" | "syntax"), "{errs:?}");
    let deep_yaml = format!("format: bulkhead/1\nx: {}", "[".repeat(100_000));
    assert!(parse(&deep_yaml).is_err());
}
