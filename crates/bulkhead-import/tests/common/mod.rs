//! Shared test helpers: finding the read-only corpus.

#![allow(dead_code)]

use std::path::PathBuf;

/// The shared corpus: `BULKHEAD_CORPUS`, else the first `shared/corpus` or `../shared/corpus`
/// found walking up from this crate. Panics (loudly) in CI when it is missing.
pub fn corpus() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("BULKHEAD_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        for candidate in [dir.join("shared/corpus"), dir.join("../shared/corpus")] {
            if candidate.join("SOURCES.md").is_file() {
                return Some(candidate);
            }
        }
        if !dir.pop() {
            break;
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("the shared corpus is missing (set BULKHEAD_CORPUS)");
    }
    eprintln!("SKIPPED: the shared corpus was not found (set BULKHEAD_CORPUS)");
    None
}

use std::path::Path;

use bulkhead_import::{ImportOptions, ImportResult, Source, import_sources};

/// Import `rel` paths under the corpus.
pub fn import(corpus: &Path, rel: &[&str]) -> ImportResult {
    import_with(corpus, rel, &ImportOptions::default())
}

pub fn import_with(corpus: &Path, rel: &[&str], opts: &ImportOptions) -> ImportResult {
    let sources: Vec<Source> = rel.iter().map(|r| Source::Path(corpus.join(r))).collect();
    import_sources(&sources, opts).expect("sources given")
}

/// JSON of `value` with the corpus location replaced by `<corpus>`, so snapshots do not depend
/// on where the corpus lives.
pub fn normalized<T: serde::Serialize>(corpus: &Path, value: &T) -> serde_json::Value {
    let mut text = serde_json::to_string(value).unwrap();
    let mut roots = vec![corpus.to_path_buf()];
    if let Ok(c) = corpus.canonicalize() {
        roots.insert(0, c);
    }
    for root in roots {
        let r = root.display().to_string();
        let escaped = serde_json::to_string(&r).unwrap();
        let escaped = &escaped[1..escaped.len() - 1];
        text = text.replace(escaped, "<corpus>");
    }
    serde_json::from_str(&text).unwrap()
}

/// A short view of a result for snapshots of big imports.
pub fn digest(corpus: &Path, r: &ImportResult) -> serde_json::Value {
    let services: Vec<serde_json::Value> = r
        .design
        .services
        .iter()
        .map(|s| {
            serde_json::json!({
                "id": s.id,
                "kind": s.kind,
                "namespace": s.namespace,
                "exposure": s.exposure,
                "identity": s.identity,
                "ports": s.ports.iter().map(|p| p.port).collect::<Vec<_>>(),
                "endpoints": s.endpoints.len(),
                "data_held": s.data_held,
                "tags": s.tags,
            })
        })
        .collect();
    let flows: Vec<&str> = r.design.flows.iter().map(|f| f.id.as_str()).collect();
    normalized(
        corpus,
        &serde_json::json!({
            "services": services,
            "flows": flows,
            "data_classes": r.design.data_classes.iter().map(|d| &d.id).collect::<Vec<_>>(),
            "live_policy": r.live_policy.iter().map(|l| format!("{} {}/{}", l.kind, l.namespace, l.name)).collect::<Vec<_>>(),
            "proposal": r.proposal.segments.iter().map(|s| (s.segment.id.clone(), s.segment.members.clone())).collect::<Vec<_>>(),
            "preview": {"added": r.preview.added, "updated": r.preview.updated, "unchanged": r.preview.unchanged, "skipped": r.preview.skipped},
            "sources": r.sources.iter().filter(|s| s.format != "$ref target").map(|s| format!("{} | {} | {}", s.format, s.source, s.detail)).collect::<Vec<_>>(),
            "diagnostics": r.diagnostics.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        }),
    )
}
