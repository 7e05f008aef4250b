//! Live manifests held against an existing design, for `bulkhead check --live` and the app's
//! drift panel: the Kubernetes manifests (NetworkPolicies with the workloads, namespaces and
//! Services they apply to) are read safely ([`crate::read_manifests`]) and their connectivity
//! is computed and mapped onto the design's services by the NetworkPolicy engine
//! ([`bulkhead_core::drift::live::live_connectivity`]).

use std::path::PathBuf;

use bulkhead_core::Design;
use bulkhead_core::drift::live::{LiveInput, live_connectivity};

use crate::manifests::{ManifestLimits, read_manifests};

/// Reads `paths` (files or folders) and computes their live connectivity over `design`'s
/// services. Every problem is returned, each naming where it is (`file:line`, the object and a
/// JSON pointer); nothing is computed from a partial read.
pub fn read_live_policies(paths: &[PathBuf], design: &Design) -> Result<LiveInput, Vec<String>> {
    let mut limits = ManifestLimits::default();
    // Estates put thousands of objects in one file.
    limits.yaml.max_documents = 500_000;
    let set = read_manifests(paths, &limits);
    if !set.errors.is_empty() {
        return Err(set.errors.iter().map(ToString::to_string).collect());
    }
    let values: Vec<serde_json::Value> = set.documents.iter().map(|d| d.value.clone()).collect();
    let source = paths
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let input = live_connectivity(design, &values, &source).map_err(|errors| {
        errors
            .iter()
            .map(|e| {
                let d = &set.documents[e.document];
                format!(
                    "{} ({}): at {}: {}",
                    d.location(),
                    d.element(),
                    if e.pointer.is_empty() {
                        "/"
                    } else {
                        &e.pointer
                    },
                    e.message
                )
            })
            .collect::<Vec<_>>()
    })?;
    if input.cluster.workloads.is_empty() {
        return Err(vec![format!(
            "no workloads (Deployment, StatefulSet, DaemonSet, Pod, …) in {}: NetworkPolicies select pods, so the manifests must include the workloads they apply to",
            paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        )]);
    }
    Ok(input)
}
