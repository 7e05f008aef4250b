//! Entry points for the fuzz targets in `fuzz/` and for the regression test that replays their
//! seeds and any crash reproducers (`tests/fuzz_regressions.rs`). Each takes arbitrary bytes and
//! must return without panicking, in bounded time and memory.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::files::{self, ReadBudget, ReadLimits};
use crate::manifests::{self, ManifestLimits};
use crate::openapi::{self, SpecDocuments};
use crate::traffic::{LogFormat, PeerIndex, TrafficImport, TrafficOptions};
use crate::yaml::YamlLimits;
use crate::{FetchOptions, k8s};

/// OpenAPI/Swagger text (JSON or YAML) through parsing and the whole import. The document is
/// keyed as a URL, so `$ref`s to other documents are refused, never read from disk.
pub fn openapi(data: &[u8]) {
    let Ok(text) = files::text_from_bytes(Path::new("fuzz"), data.to_vec()) else {
        return;
    };
    let key = "mem://fuzz/spec";
    let Ok(value) = openapi::parse_text(&text, key, &YamlLimits::default()) else {
        return;
    };
    if !openapi::is_spec(&value) {
        return;
    }
    let mut docs = SpecDocuments::new(false, FetchOptions::default(), YamlLimits::default());
    docs.insert(key.to_string(), Arc::new(value));
    let mut budget = ReadBudget::new(ReadLimits::default());
    let mut diags = Vec::new();
    let _ = openapi::import_spec(key, key, &mut docs, &mut budget, &mut diags);
}

/// Kubernetes manifest text through reading (YAML and JSON paths) and the Kubernetes importer.
pub fn kubernetes(data: &[u8]) {
    let Ok(text) = files::text_from_bytes(Path::new("fuzz"), data.to_vec()) else {
        return;
    };
    let limits = ManifestLimits::default();
    for name in ["fuzz.yaml", "fuzz.json"] {
        if let Ok(docs) = manifests::parse_manifests(&text, Path::new(name), &limits) {
            let mut diags: Vec<Diagnostic> = Vec::new();
            let k = k8s::import(&docs, &|d| d.source.display().to_string(), &mut diags);
            // The live connectivity of any NetworkPolicies, mapped onto what was imported.
            let mut design = bulkhead_core::model::Design::new("fuzz");
            design.services = k.services;
            let values: Vec<serde_json::Value> = docs.iter().map(|d| d.value.clone()).collect();
            let (kept, _) = bulkhead_core::drift::live::distinct_objects(&values);
            let values: Vec<serde_json::Value> =
                kept.into_iter().map(|i| values[i].clone()).collect();
            if let Ok(input) =
                bulkhead_core::drift::live::live_connectivity(&design, &values, "fuzz")
            {
                let _ = bulkhead_core::drift::check(
                    &design,
                    &[],
                    Some(&input.connectivity),
                    Default::default(),
                    bulkhead_core::date::Date::from_unix_days(20_000),
                );
            }
        }
    }
}

/// Log bytes through every log parser (format sniffing, parsing, mapping, aggregation).
pub fn logs(data: &[u8]) {
    let head = String::from_utf8_lossy(&data[..data.len().min(8192)]);
    let _ = crate::traffic::sniff(&head);
    let index = PeerIndex::new(&[], &[], &[]);
    for format in [
        LogFormat::Nginx,
        LogFormat::Hubble,
        LogFormat::ZeekTsv,
        LogFormat::ZeekJson,
        LogFormat::Csv,
    ] {
        let mut t = TrafficImport::new(TrafficOptions::default());
        let mut diags = Vec::new();
        let _ = t.read(Cursor::new(data), format, "fuzz", &index, &mut diags);
        let _ = t.flows();
    }
}
