//! Reading the corpus's real manifests: counts per kind, Helm refusals, no errors elsewhere.

mod common;

use std::collections::BTreeMap;

use bulkhead_import::{ManifestError, ManifestLimits, read_manifests};

fn kinds(set: &bulkhead_import::ManifestSet) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for d in &set.documents {
        *out.entry(d.kind().unwrap().to_string()).or_default() += 1;
    }
    out
}

#[test]
fn online_boutique_release_manifests() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let base = corpus.join("GoogleCloudPlatform__microservices-demo");
    let set = read_manifests(
        &[base.join("release/kubernetes-manifests.yaml")],
        &ManifestLimits::default(),
    );
    assert!(set.errors.is_empty(), "{:?}", set.errors);
    let k = kinds(&set);
    assert_eq!(k["Deployment"], 12);
    assert_eq!(k["Service"], 12);
    assert_eq!(k["ServiceAccount"], 11);
    let policies = read_manifests(
        &[base.join("kustomize/components/network-policies")],
        &ManifestLimits::default(),
    );
    assert!(policies.errors.is_empty(), "{:?}", policies.errors);
    assert_eq!(kinds(&policies)["NetworkPolicy"], 13);
}

#[test]
fn helm_chart_is_refused_as_a_whole_and_per_file() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let base = corpus.join("GoogleCloudPlatform__microservices-demo");
    let set = read_manifests(&[&base], &ManifestLimits::default());
    let helm: Vec<_> = set
        .errors
        .iter()
        .filter(|e| matches!(e, ManifestError::HelmChart { .. }))
        .collect();
    assert_eq!(helm.len(), 1, "{:?}", set.errors);
    assert_eq!(set.errors.len(), 1, "{:?}", set.errors);
    let templates = base.join("helm-chart/templates");
    let files: Vec<_> = std::fs::read_dir(&templates)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let set = read_manifests(&files, &ManifestLimits::default());
    assert_eq!(set.errors.len(), files.len());
    for e in &set.errors {
        assert!(matches!(e, ManifestError::HelmTemplate { .. }), "{e}");
        assert!(
            e.to_string()
                .contains("render it with `helm template` first")
        );
    }
}

#[test]
fn istio_samples_read_without_errors() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let set = read_manifests(&[corpus.join("istio__istio")], &ManifestLimits::default());
    let errors: Vec<String> = set.errors.iter().map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let k = kinds(&set);
    assert!(k["AuthorizationPolicy"] >= 58, "{k:?}");
    assert!(k["HTTPRoute"] >= 5, "{k:?}");
}
