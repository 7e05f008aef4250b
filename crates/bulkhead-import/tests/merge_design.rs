//! Merging imports into an existing design: add and update, never clobber, idempotent.

mod common;

use bulkhead_core::model::{Design, Segment, Weakness};
use bulkhead_import::merge::Change;
use bulkhead_import::{ImportOptions, MergeChoices};

#[test]
fn reimporting_the_same_sources_changes_nothing() {
    let Some(c) = common::corpus() else { return };
    let rel = [
        "GoogleCloudPlatform__microservices-demo/release/kubernetes-manifests.yaml",
        "OAI__OpenAPI-Specification/examples/v3.0/petstore-expanded.yaml",
        "elastic__beats/filebeat/module/nginx/access/test/access.log",
    ];
    let first = common::import(&c, &rel);
    let (design, preview) = first.merge_into(&Design::new("shop"), &MergeChoices::default());
    assert!(preview.added > 0);
    let opts = ImportOptions {
        existing: Some(design.clone()),
        ..ImportOptions::default()
    };
    let second = common::import_with(&c, &rel, &opts);
    let (again, preview) = second.merge_into(&design, &MergeChoices::default());
    assert!(
        preview.is_noop(),
        "{:#?}",
        preview
            .items
            .iter()
            .filter(|i| i.change != Change::Unchanged && i.change != Change::Skipped)
            .collect::<Vec<_>>()
    );
    assert_eq!(again, design);
    assert_eq!(
        second.preview, preview,
        "the import's own preview says the same"
    );
}

#[test]
fn the_architects_work_survives_and_segments_are_only_proposed() {
    let Some(c) = common::corpus() else { return };
    let rel = ["GoogleCloudPlatform__microservices-demo/release/kubernetes-manifests.yaml"];
    let first = common::import(&c, &rel);
    let (mut design, _) = first.merge_into(&Design::new("shop"), &MergeChoices::default());
    assert!(
        design.segments.is_empty(),
        "an import alone never creates segments"
    );
    // The architect edits: a segment, a weakness, a renamed service, a moved box.
    design.segments.push(Segment {
        id: "payments".into(),
        members: vec!["paymentservice".into(), "checkoutservice".into()],
        ..Segment::default()
    });
    let pay = design
        .services
        .iter_mut()
        .find(|s| s.id == "paymentservice")
        .unwrap();
    pay.name = "Payments (PCI)".into();
    pay.weaknesses.push(Weakness {
        id: Some("CVE-2024-0001".into()),
        exploitable: true,
        ..Weakness::default()
    });
    design.layout.positions.insert(
        "paymentservice".into(),
        bulkhead_core::model::Position { x: 10.0, y: 20.0 },
    );
    let edited = design.clone();

    // Re-import with more sources, accepting the proposal.
    let opts = ImportOptions {
        existing: Some(edited.clone()),
        ..ImportOptions::default()
    };
    let r = common::import_with(
        &c,
        &[
            rel[0],
            "GoogleCloudPlatform__microservices-demo/kustomize/components/network-policies",
            "cilium__hubble-otel/testdata",
        ],
        &opts,
    );
    let proposed: Vec<&str> = r
        .proposal
        .segments
        .iter()
        .flat_map(|s| s.segment.members.iter().map(String::as_str))
        .collect();
    assert!(
        !proposed.contains(&"paymentservice"),
        "segmented services are not proposed again"
    );
    let (merged, preview) = r.merge_into(
        &edited,
        &MergeChoices {
            accept_segments: true,
            ..MergeChoices::default()
        },
    );
    let pay = merged.service("paymentservice").unwrap();
    assert_eq!(pay.name, "Payments (PCI)");
    assert_eq!(pay.weaknesses.len(), 1);
    assert_eq!(merged.layout, edited.layout);
    assert_eq!(merged.segments[0], edited.segments[0]);
    let mut all_members: Vec<&str> = merged
        .segments
        .iter()
        .flat_map(|s| s.members.iter().map(String::as_str))
        .collect();
    let n = all_members.len();
    all_members.sort();
    all_members.dedup();
    assert_eq!(all_members.len(), n, "no service ends up in two segments");
    insta::assert_json_snapshot!("merge_preview", preview);
}

#[test]
fn leaving_out_the_live_policy_keeps_the_designs_own() {
    let Some(c) = common::corpus() else { return };
    let rel = [
        "GoogleCloudPlatform__microservices-demo/release/kubernetes-manifests.yaml",
        "GoogleCloudPlatform__microservices-demo/kustomize/components/network-policies",
    ];
    let imported = common::import(&c, &rel);
    assert!(
        imported.design.live.is_some(),
        "the policies give a live policy"
    );
    let kept = imported.merge_into(&Design::new("shop"), &MergeChoices::default());
    assert_eq!(kept.0.live, imported.design.live);
    let live_item = |p: &bulkhead_import::merge::MergePreview| {
        p.items
            .iter()
            .find(|i| i.kind == bulkhead_import::merge::ItemKind::LivePolicy)
            .map(|i| i.change)
    };
    assert_eq!(live_item(&kept.1), Some(Change::Added));

    let skip = MergeChoices {
        skip: ["live_policy:live".to_string()].into(),
        ..MergeChoices::default()
    };
    let (left_out, preview) = imported.merge_into(&Design::new("shop"), &skip);
    assert_eq!(left_out.live, None, "the design had none and keeps none");
    assert_eq!(live_item(&preview), Some(Change::Skipped));
    assert_eq!(
        left_out.services, kept.0.services,
        "only the live policy is left out"
    );
    // A design that had a live policy keeps it, whatever the import found.
    let (again, _) = imported.merge_into(&kept.0, &skip);
    assert_eq!(again.live, kept.0.live);
}
