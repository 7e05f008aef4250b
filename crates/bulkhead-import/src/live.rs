//! Live manifests held against an existing design, for `bulkhead check --live` and the app's
//! drift panel: the Kubernetes manifests (NetworkPolicies with the workloads, namespaces and
//! Services they apply to) are read safely ([`crate::read_manifests`]) and their connectivity
//! is computed and mapped onto the design's services by the NetworkPolicy engine
//! ([`bulkhead_core::drift::live::live_connectivity`]). A Kong declarative config among them is
//! found by [`read_kong_config`] and compared by [`crate::kong_live`].

use std::path::PathBuf;

use bulkhead_core::Design;
use bulkhead_core::drift::live::{LiveInput, live_connectivity};

use serde_json::Value;

use crate::manifests::{ManifestLimits, read_manifests};

/// Reads `paths` (files or folders) and computes their live connectivity over `design`'s
/// services. Every problem is returned, each naming where it is (`file:line`, the object and a
/// JSON pointer); nothing is computed from a partial read.
pub fn read_live_policies(paths: &[PathBuf], design: &Design) -> Result<LiveInput, Vec<String>> {
    read_live_policies_or_none(paths, design, false)
        .map(|l| l.expect("only `None` when asked to allow none"))
}

/// [`read_live_policies`], or `None` when `none_without_policies` is set and the manifests hold
/// no NetworkPolicy (e.g. `--live` named only a Kong config).
pub fn read_live_policies_or_none(
    paths: &[PathBuf],
    design: &Design,
    none_without_policies: bool,
) -> Result<Option<LiveInput>, Vec<String>> {
    let mut limits = ManifestLimits::default();
    // Estates put thousands of objects in one file.
    limits.yaml.max_documents = 500_000;
    let set = read_manifests(paths, &limits);
    if !set.errors.is_empty() {
        return Err(set.errors.iter().map(ToString::to_string).collect());
    }
    if none_without_policies
        && !set
            .documents
            .iter()
            .any(|d| d.kind() == Some("NetworkPolicy"))
    {
        return Ok(None);
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
    Ok(Some(input))
}

/// The Kong declarative config (a YAML or JSON file with `_format_version`) among `paths`
/// (files or folders), if any, for [`crate::kong_live`]. A Kong file that does not parse, or
/// more than one Kong config, is an error.
pub fn read_kong_config(paths: &[PathBuf]) -> Result<Option<(PathBuf, Value)>, Vec<String>> {
    let limits = crate::ReadLimits::default();
    let walk = crate::files::walk(paths, &limits, &crate::manifests::is_manifest_file, &|_| {
        None
    });
    let mut found = Vec::new();
    for f in &walk.files {
        let Ok(meta) = std::fs::metadata(f) else {
            continue;
        };
        if meta.len() > limits.max_file_bytes {
            continue;
        }
        let Ok(bytes) = std::fs::read(f) else {
            continue;
        };
        // Only files that mention the decK marker are parsed (again: they are manifests too).
        if !bytes.windows(15).any(|w| w == b"_format_version") {
            continue;
        }
        let Ok(text) = crate::files::text_from_bytes(f, bytes) else {
            continue;
        };
        let docs = crate::yaml::parse_documents(&text, &Default::default())
            .map_err(|e| vec![format!("{}:{e}", f.display())])?;
        if let Some(d) = docs.into_iter().find(|d| crate::kong::is_kong(&d.value)) {
            found.push((f.clone(), d.value));
        }
    }
    if found.len() > 1 {
        return Err(vec![format!(
            "{} Kong configs ({}); give the one in force",
            found.len(),
            found
                .iter()
                .map(|(p, _)| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        )]);
    }
    Ok(found.pop())
}
