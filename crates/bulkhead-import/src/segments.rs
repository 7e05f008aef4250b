//! A segmentation proposal for imported services: suggest, don't impose.
//!
//! Every service lands in exactly one proposed segment, chosen by the first rule that applies:
//! 1. **external**: external systems and peers seen only in traffic (untrusted);
//! 2. **edge**: internet-facing services (low trust, network level);
//! 3. **restricted-data**: services holding restricted data (payment cards, national ids,
//!    credentials, health…) or crown jewels;
//! 4. **data**: datastores and queues;
//! 5. **`ns-<namespace>`** / **internal**: everything else, by namespace.
//!
//! The proposal is data for the user to accept or ignore; [`crate::merge`] applies it only on
//! request and never moves a service that is already in a segment.

use std::collections::BTreeMap;

use bulkhead_core::model::{
    Design, Exposure, Segment, SegmentLevel, Sensitivity, ServiceKind, TrustLevel,
};
use schemars::JsonSchema;
use serde::Serialize;

/// One proposed segment and why each member is in it.
#[derive(Serialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct ProposedSegment {
    pub segment: Segment,
    /// `member id → reason`.
    pub reasons: BTreeMap<String, String>,
}

#[derive(Serialize, JsonSchema, Clone, Debug, Default, PartialEq)]
pub struct SegmentProposal {
    pub segments: Vec<ProposedSegment>,
}

/// Propose segments for the services of `imported` that are not already in a segment of
/// `existing` (when given).
pub fn propose(imported: &Design, existing: Option<&Design>) -> SegmentProposal {
    let segmented: std::collections::BTreeSet<&str> = existing
        .map(|d| {
            d.segments
                .iter()
                .flat_map(|s| s.members.iter().map(String::as_str))
                .collect()
        })
        .unwrap_or_default();
    let sensitivity_of = |id: &str| -> Option<(Sensitivity, bool)> {
        imported
            .data_classes
            .iter()
            .chain(existing.into_iter().flat_map(|d| d.data_classes.iter()))
            .find(|d| d.id == id)
            .map(|d| (d.sensitivity, d.crown_jewel))
    };
    let mut by_segment: BTreeMap<String, ProposedSegment> = BTreeMap::new();
    for svc in &imported.services {
        if segmented.contains(svc.id.as_str()) {
            continue;
        }
        let held: Vec<(String, Sensitivity, bool)> = svc
            .data_held
            .iter()
            .filter_map(|d| sensitivity_of(d).map(|(s, c)| (d.clone(), s, c)))
            .collect();
        let top = held.iter().map(|h| h.1).max();
        let restricted: Vec<&str> = held
            .iter()
            .filter(|h| h.1 == Sensitivity::Restricted || h.2)
            .map(|h| h.0.as_str())
            .collect();
        let unmapped = svc.tags.iter().any(|t| t == "unmapped");
        let (id, name, level, trust, function, reason) =
            if svc.kind == ServiceKind::External || (unmapped && svc.namespace.is_none()) {
                (
                    "external".to_string(),
                    "External systems".to_string(),
                    SegmentLevel::Network,
                    TrustLevel::Untrusted,
                    "external",
                    if unmapped {
                        "seen in traffic but not in the inventory".to_string()
                    } else {
                        "external system".to_string()
                    },
                )
            } else if svc.exposure == Exposure::Internet {
                (
                    "edge".to_string(),
                    "Internet edge".to_string(),
                    SegmentLevel::Network,
                    TrustLevel::Low,
                    "ingress",
                    "internet-facing".to_string(),
                )
            } else if !restricted.is_empty() {
                (
                    "restricted-data".to_string(),
                    "Restricted data".to_string(),
                    SegmentLevel::Data,
                    TrustLevel::High,
                    "sensitive-data",
                    format!("holds {}", restricted.join(", ")),
                )
            } else if matches!(svc.kind, ServiceKind::Datastore | ServiceKind::Queue) {
                (
                    "data".to_string(),
                    "Datastores".to_string(),
                    SegmentLevel::Data,
                    TrustLevel::High,
                    "storage",
                    "datastore".to_string(),
                )
            } else {
                match &svc.namespace {
                    Some(ns) => (
                        format!("ns-{}", crate::slug(ns)),
                        format!("Namespace {ns}"),
                        SegmentLevel::Network,
                        TrustLevel::Medium,
                        "application",
                        format!("namespace `{ns}`"),
                    ),
                    None => (
                        "internal".to_string(),
                        "Internal services".to_string(),
                        SegmentLevel::Application,
                        TrustLevel::Medium,
                        "application",
                        "internal service".to_string(),
                    ),
                }
            };
        let entry = by_segment
            .entry(id.clone())
            .or_insert_with(|| ProposedSegment {
                segment: Segment {
                    id: id.clone(),
                    name,
                    level,
                    function: Some(function.to_string()),
                    trust,
                    ..Segment::default()
                },
                reasons: BTreeMap::new(),
            });
        entry.segment.members.push(svc.id.clone());
        if let Some(t) = top {
            entry.segment.sensitivity = Some(entry.segment.sensitivity.map_or(t, |s| s.max(t)));
        }
        entry.reasons.insert(svc.id.clone(), reason);
    }
    SegmentProposal {
        segments: by_segment.into_values().collect(),
    }
}
