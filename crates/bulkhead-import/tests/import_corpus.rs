//! Importing the shared corpus: reviewed snapshots of what each real input yields, plus the
//! counts the issue names (Online Boutique's 11 services + redis and 13 NetworkPolicies,
//! Bookinfo's services with the Hubble sample mapped onto them).

mod common;

use bulkhead_core::model::{Exposure, FlowKind};
use bulkhead_import::Severity;

#[test]
fn online_boutique_manifests_and_policies() {
    let Some(c) = common::corpus() else { return };
    let r = common::import(
        &c,
        &[
            "GoogleCloudPlatform__microservices-demo/release/kubernetes-manifests.yaml",
            "GoogleCloudPlatform__microservices-demo/kustomize/components/network-policies",
        ],
    );
    let ids: Vec<&str> = r.design.services.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 12, "11 services plus redis: {ids:?}");
    assert!(ids.contains(&"redis-cart"));
    let policies = r
        .live_policy
        .iter()
        .filter(|l| l.kind == "NetworkPolicy")
        .count();
    assert_eq!(policies, 13);
    // Their connectivity, recorded as the design's live policy: the 26 workload pairs NCA
    // reports for these manifests (tests/netpol_nca.rs), each workload being one service here,
    // plus the internet reaching `frontend` (its policy admits every source).
    let live = r.design.live.as_ref().expect("live connectivity recorded");
    assert_eq!(live.policies, 13);
    assert_eq!(live.pairs.len(), 26 + 1);
    assert!(live.unmapped_workloads.is_empty() && live.unmapped_services.is_empty());
    assert!(
        live.pairs
            .iter()
            .any(|p| p.from == "internet" && p.to == "frontend" && p.allowed.all)
    );
    let frontend = r.design.service("frontend").unwrap();
    assert_eq!(frontend.exposure, Exposure::Internet);
    assert!(
        r.design
            .flows
            .iter()
            .any(|f| f.id == "declared:checkoutservice->paymentservice:50051")
    );
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    insta::assert_json_snapshot!("online_boutique_design", common::normalized(&c, &r.design));
    insta::assert_json_snapshot!("online_boutique_digest", common::digest(&c, &r));
}

#[test]
fn online_boutique_whole_folder_refuses_only_the_helm_chart() {
    let Some(c) = common::corpus() else { return };
    let r = common::import(&c, &["GoogleCloudPlatform__microservices-demo"]);
    let errors: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("render it with `helm template` first"));
    insta::assert_json_snapshot!("online_boutique_folder", common::digest(&c, &r));
}

#[test]
fn helm_templates_one_by_one_are_refused() {
    let Some(c) = common::corpus() else { return };
    let dir = c.join("GoogleCloudPlatform__microservices-demo/helm-chart/templates");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let sources: Vec<_> = files
        .iter()
        .map(|f| bulkhead_import::Source::Path(f.clone()))
        .collect();
    let r = bulkhead_import::import_sources(&sources, &Default::default()).unwrap();
    let refused: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "helm-template")
        .map(|d| d.to_string())
        .collect();
    assert_eq!(refused.len(), files.len());
    insta::assert_json_snapshot!("helm_templates", common::normalized(&c, &refused));
}

#[test]
fn bookinfo_with_hubble_flows_mapped() {
    let Some(c) = common::corpus() else { return };
    let r = common::import(
        &c,
        &[
            "istio__istio/samples/bookinfo/platform/kube/bookinfo.yaml",
            "istio__istio/samples/bookinfo/networking/bookinfo-gateway.yaml",
            "cilium__hubble-otel/testdata",
        ],
    );
    for id in ["details", "productpage", "ratings", "reviews"] {
        assert!(r.design.service(id).is_some(), "{id}");
    }
    assert_eq!(
        r.design.service("productpage").unwrap().exposure,
        Exposure::Internet
    );
    // The Hubble sample's Bookinfo pods (namespace `bookinfo`) land on the manifests' services.
    assert!(
        r.design
            .flows
            .iter()
            .any(|f| f.kind == FlowKind::Observed && f.to == "reviews")
    );
    assert!(r.design.service("reviews-v1").is_none());
    insta::assert_json_snapshot!("bookinfo_hubble", common::normalized(&c, &r.design));
}

#[test]
fn istio_samples_and_policies() {
    let Some(c) = common::corpus() else { return };
    let r = common::import(&c, &["istio__istio"]);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    assert!(
        r.live_policy
            .iter()
            .filter(|l| l.kind == "AuthorizationPolicy")
            .count()
            >= 58
    );
    insta::assert_json_snapshot!("istio", common::digest(&c, &r));
}

#[test]
fn oai_examples() {
    let Some(c) = common::corpus() else { return };
    let base = c.join("OAI__OpenAPI-Specification/examples");
    let mut files = Vec::new();
    for version in ["v2.0/json", "v2.0/yaml", "v3.0", "v3.1"] {
        let mut f: Vec<_> = std::fs::read_dir(base.join(version))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        f.sort();
        files.extend(f);
    }
    let mut out = serde_json::Map::new();
    for file in files {
        let r = bulkhead_import::import_sources(
            &[bulkhead_import::Source::Path(file.clone())],
            &Default::default(),
        )
        .unwrap();
        assert!(!r.has_errors(), "{}: {:#?}", file.display(), r.diagnostics);
        let key = file.strip_prefix(&base).unwrap().display().to_string();
        out.insert(
            key,
            serde_json::json!({
                "services": r.design.services,
                "data_classes": r.design.data_classes.iter().map(|d| &d.id).collect::<Vec<_>>(),
                "diagnostics": r.diagnostics.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            }),
        );
    }
    insta::assert_json_snapshot!("oai_examples", common::normalized(&c, &out));
}

#[test]
fn oai_multi_file_petstore_resolves_relative_refs() {
    let Some(c) = common::corpus() else { return };
    let r = common::import(
        &c,
        &["OAI__OpenAPI-Specification/examples/v2.0/yaml/petstore-separate"],
    );
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    let warnings: Vec<_> = r.diagnostics.iter().filter(|d| d.code == "ref").collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
    let refs = r
        .sources
        .iter()
        .filter(|s| s.format == "$ref target")
        .count();
    assert_eq!(refs, 4, "{:#?}", r.sources);
}

#[test]
fn apis_guru_specs() {
    let Some(c) = common::corpus() else { return };
    let r = common::import(&c, &["APIs-guru__openapi-directory"]);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    insta::assert_json_snapshot!("apis_guru", common::normalized(&c, &r.design.services));
}

#[test]
fn github_rest_description_609_files() {
    let Some(c) = common::corpus() else { return };
    let r = common::import(&c, &["octokit__routes"]);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    let svc = &r.design.services[0];
    assert_eq!(r.design.services.len(), 1);
    assert_eq!(svc.endpoints.len(), 608);
    let refs = r
        .sources
        .iter()
        .filter(|s| s.format == "$ref target")
        .count();
    assert_eq!(refs, 608);
    let sample: Vec<_> = svc
        .endpoints
        .iter()
        .filter(|e| !e.data_classes.is_empty())
        .collect();
    insta::assert_json_snapshot!(
        "octokit",
        serde_json::json!({
            "digest": common::digest(&c, &r),
            "endpoints_with_data_classes": sample,
        })
    );
}

#[test]
fn discord_spec() {
    let Some(c) = common::corpus() else { return };
    let r = common::import(&c, &["discord__discord-api-spec"]);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    let svc = &r.design.services[0];
    assert_eq!(svc.endpoints.len(), 242);
    let sample: Vec<_> = svc
        .endpoints
        .iter()
        .filter(|e| !e.data_classes.is_empty() || e.path.starts_with("/oauth2"))
        .collect();
    insta::assert_json_snapshot!(
        "discord",
        serde_json::json!({
            "digest": common::digest(&c, &r),
            "endpoints": sample,
        })
    );
}

#[test]
fn access_logs_and_zeek() {
    let Some(c) = common::corpus() else { return };
    let r = common::import(&c, &["elastic__beats", "tstack__lnav"]);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    insta::assert_json_snapshot!("logs", common::normalized(&c, &r.design));
}

#[test]
fn falco_audit_events_are_recognised_and_not_services() {
    let Some(c) = common::corpus() else { return };
    let r = common::import(&c, &["falcosecurity__falco"]);
    assert!(!r.has_errors(), "{:#?}", r.diagnostics);
    assert!(r.design.services.is_empty());
    insta::assert_json_snapshot!("falco", common::digest(&c, &r));
}

/// Every file of the corpus goes through an import; only the Helm chart is refused.
#[test]
fn every_corpus_file_is_imported() {
    let Some(c) = common::corpus() else { return };
    let r = bulkhead_import::import_sources(
        &[bulkhead_import::Source::Path(c.clone())],
        &Default::default(),
    )
    .unwrap();
    let errors: Vec<String> = r
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let formats: std::collections::BTreeMap<String, usize> =
        r.sources.iter().fold(Default::default(), |mut m, s| {
            *m.entry(s.format.clone()).or_default() += 1;
            m
        });
    let skipped: Vec<String> = r
        .sources
        .iter()
        .filter(|s| s.format == "skipped")
        .map(|s| s.source.clone())
        .collect();
    insta::assert_json_snapshot!(
        "whole_corpus",
        common::normalized(
            &c,
            &serde_json::json!({"formats": formats, "skipped": skipped, "errors": errors})
        )
    );
}
