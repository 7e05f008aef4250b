//! Merging an imported design into an existing one: add and update, never clobber.
//!
//! What an import owns is the *inventory*: services' namespaces, labels, identity, ports and
//! endpoints, the flows it declared or observed, and the catalogue entries of the data classes it
//! detected. What the architect owns is never touched: segments and their members, rules,
//! triage, layout, a service's name, kind, weaknesses and credentials, and any data class already
//! defined. Exposure only ever goes up (an import never hides an internet-facing service). The
//! live policy (`design.live`, what imported NetworkPolicies allow) is replaced by the newest
//! import that has NetworkPolicies.
//! Merging the same import twice changes nothing, and the [`MergePreview`] says so.

use std::collections::{BTreeMap, BTreeSet};

use bulkhead_core::model::{Design, Exposure, Flow, Service};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::segments::SegmentProposal;

/// What the user chose in the preview.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct MergeChoices {
    /// Add the proposed segments (only members that are in no segment yet are placed).
    pub accept_segments: bool,
    /// Items not to merge, as `service:<id>`, `flow:<id>`, `data_class:<id>` or
    /// `live_policy:live` (the imported live policy: the design then keeps the one it had).
    pub skip: BTreeSet<String>,
}

#[derive(Serialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "ImportItemKind")]
pub enum ItemKind {
    DataClass,
    Service,
    Flow,
    Segment,
    /// What the imported NetworkPolicies allow (`design.live`).
    LivePolicy,
}

#[derive(Serialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
// Named apart from the least-privilege proposal's `Change` in `schema/ipc.schema.json`.
#[schemars(rename = "ImportChange")]
pub enum Change {
    Added,
    Updated,
    Unchanged,
    Skipped,
}

/// One line of the preview.
#[derive(Serialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
pub struct PreviewItem {
    pub kind: ItemKind,
    pub id: String,
    pub change: Change,
    /// Fields an update changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    /// Why it was skipped or left alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What merging would do (or did).
#[derive(Serialize, JsonSchema, Clone, Debug, Default, PartialEq, Eq)]
pub struct MergePreview {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    pub items: Vec<PreviewItem>,
}

impl MergePreview {
    fn push(&mut self, item: PreviewItem) {
        match item.change {
            Change::Added => self.added += 1,
            Change::Updated => self.updated += 1,
            Change::Unchanged => self.unchanged += 1,
            Change::Skipped => self.skipped += 1,
        }
        self.items.push(item);
    }

    /// Whether merging changes nothing.
    pub fn is_noop(&self) -> bool {
        self.added == 0 && self.updated == 0
    }
}

fn item(kind: ItemKind, id: &str, change: Change) -> PreviewItem {
    PreviewItem {
        kind,
        id: id.to_string(),
        change,
        fields: Vec::new(),
        reason: None,
    }
}

/// Merge `imported` into `existing`. See the module docs for who owns what.
pub fn merge(
    existing: &Design,
    imported: &Design,
    proposal: Option<&SegmentProposal>,
    choices: &MergeChoices,
) -> (Design, MergePreview) {
    let mut out = existing.clone();
    let mut preview = MergePreview::default();
    let skip = |kind: &str, id: &str| choices.skip.contains(&format!("{kind}:{id}"));

    for dc in &imported.data_classes {
        if skip("data_class", &dc.id) {
            preview.push(PreviewItem {
                reason: Some("skipped by choice".into()),
                ..item(ItemKind::DataClass, &dc.id, Change::Skipped)
            });
        } else if let Some(have) = out.data_classes.iter().find(|d| d.id == dc.id) {
            let mut i = item(ItemKind::DataClass, &dc.id, Change::Unchanged);
            if have != dc {
                i.reason = Some("already defined in the design; its definition is kept".into());
            }
            preview.push(i);
        } else {
            out.data_classes.push(dc.clone());
            preview.push(item(ItemKind::DataClass, &dc.id, Change::Added));
        }
    }

    for svc in &imported.services {
        if skip("service", &svc.id) {
            preview.push(PreviewItem {
                reason: Some("skipped by choice".into()),
                ..item(ItemKind::Service, &svc.id, Change::Skipped)
            });
            continue;
        }
        match out.services.iter_mut().find(|s| s.id == svc.id) {
            None => {
                out.services.push(svc.clone());
                preview.push(item(ItemKind::Service, &svc.id, Change::Added));
            }
            Some(have) => {
                let before = have.clone();
                merge_service(have, svc);
                let fields = changed_fields(&before, have);
                let change = if fields.is_empty() {
                    Change::Unchanged
                } else {
                    Change::Updated
                };
                preview.push(PreviewItem {
                    fields,
                    ..item(ItemKind::Service, &svc.id, change)
                });
            }
        }
    }

    for flow in &imported.flows {
        if skip("flow", &flow.id) {
            preview.push(PreviewItem {
                reason: Some("skipped by choice".into()),
                ..item(ItemKind::Flow, &flow.id, Change::Skipped)
            });
            continue;
        }
        match out.flows.iter_mut().find(|f| f.id == flow.id) {
            None => {
                out.flows.push(flow.clone());
                preview.push(item(ItemKind::Flow, &flow.id, Change::Added));
            }
            Some(have) => {
                let before = have.clone();
                merge_flow(have, flow);
                let change = if *have == before {
                    Change::Unchanged
                } else {
                    Change::Updated
                };
                preview.push(item(ItemKind::Flow, &flow.id, change));
            }
        }
    }

    // The live policy is a snapshot of the estate: the newest import of policies replaces it;
    // an import without NetworkPolicies leaves it alone.
    if let Some(live) = &imported.live {
        if skip("live_policy", "live") {
            // Left out by choice: the design keeps the live policy it had (or none).
            preview.push(PreviewItem {
                reason: Some("skipped by choice".into()),
                ..item(ItemKind::LivePolicy, "live", Change::Skipped)
            });
        } else {
            let change = match &out.live {
                None => Change::Added,
                Some(have) if have == live => Change::Unchanged,
                Some(_) => Change::Updated,
            };
            out.live = Some(live.clone());
            preview.push(PreviewItem {
                reason: Some(format!(
                    "{} NetworkPolicies allow {} service pair(s)",
                    live.policies,
                    live.pairs.len()
                )),
                ..item(ItemKind::LivePolicy, "live", change)
            });
        }
    }

    if let Some(proposal) = proposal {
        let mut segmented: BTreeSet<String> = out
            .segments
            .iter()
            .flat_map(|s| s.members.iter().cloned())
            .collect();
        for proposed in &proposal.segments {
            let id = &proposed.segment.id;
            if !choices.accept_segments {
                preview.push(PreviewItem {
                    reason: Some("proposal not accepted".into()),
                    ..item(ItemKind::Segment, id, Change::Skipped)
                });
                continue;
            }
            if out.segments.iter().any(|s| &s.id == id) {
                preview.push(PreviewItem {
                    reason: Some("a segment with this id already exists; it is kept".into()),
                    ..item(ItemKind::Segment, id, Change::Skipped)
                });
                continue;
            }
            let mut seg = proposed.segment.clone();
            // INVARIANT: accepting a proposal never moves a service out of its segment.
            seg.members.retain(|m| !segmented.contains(m));
            if seg.members.is_empty() {
                preview.push(PreviewItem {
                    reason: Some("every proposed member is already in a segment".into()),
                    ..item(ItemKind::Segment, id, Change::Skipped)
                });
                continue;
            }
            segmented.extend(seg.members.iter().cloned());
            out.segments.push(seg);
            preview.push(item(ItemKind::Segment, id, Change::Added));
        }
    }

    // Stable order for new entries; the architect's own order of existing entries is kept.
    let order = |ids: Vec<&str>| -> BTreeMap<String, usize> {
        ids.into_iter()
            .enumerate()
            .map(|(i, id)| (id.to_string(), i))
            .collect()
    };
    let svc_order = order(existing.services.iter().map(|s| s.id.as_str()).collect());
    out.services.sort_by(|a, b| {
        (svc_order.get(&a.id).copied().unwrap_or(usize::MAX), &a.id)
            .cmp(&(svc_order.get(&b.id).copied().unwrap_or(usize::MAX), &b.id))
    });
    let flow_order = order(existing.flows.iter().map(|f| f.id.as_str()).collect());
    out.flows.sort_by(|a, b| {
        (flow_order.get(&a.id).copied().unwrap_or(usize::MAX), &a.id)
            .cmp(&(flow_order.get(&b.id).copied().unwrap_or(usize::MAX), &b.id))
    });
    (out, preview)
}

/// What merging would do, without doing it.
pub fn preview(
    existing: &Design,
    imported: &Design,
    proposal: Option<&SegmentProposal>,
    choices: &MergeChoices,
) -> MergePreview {
    merge(existing, imported, proposal, choices).1
}

fn push_unique<T: PartialEq + Clone>(into: &mut Vec<T>, from: &[T]) {
    for x in from {
        if !into.contains(x) {
            into.push(x.clone());
        }
    }
}

/// Fold an imported service into an existing one (same id).
pub fn merge_service(have: &mut Service, new: &Service) {
    if have.name.is_empty() {
        have.name = new.name.clone();
    }
    if new.namespace.is_some() {
        have.namespace = new.namespace.clone();
    }
    for (k, v) in &new.labels {
        have.labels.insert(k.clone(), v.clone());
    }
    if new.identity.is_some() {
        have.identity = new.identity.clone();
    }
    for p in &new.ports {
        if !have
            .ports
            .iter()
            .any(|q| q.port == p.port && q.protocol == p.protocol)
        {
            have.ports.push(p.clone());
        }
    }
    have.ports.sort_by_key(|p| (p.port, p.protocol as u8));
    for ep in &new.endpoints {
        match have
            .endpoints
            .iter_mut()
            .find(|e| e.method == ep.method && e.path == ep.path)
        {
            Some(e) => {
                if ep.operation_id.is_some() {
                    e.operation_id = ep.operation_id.clone();
                }
                push_unique(&mut e.data_classes, &ep.data_classes);
                push_unique(&mut e.declared_auth, &ep.declared_auth);
                push_unique(&mut e.evidence, &ep.evidence);
            }
            None => have.endpoints.push(ep.clone()),
        }
    }
    have.endpoints
        .sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    push_unique(&mut have.data_held, &new.data_held);
    have.data_held.sort();
    if new.exposure == Exposure::Internet {
        have.exposure = Exposure::Internet;
    }
    push_unique(&mut have.tags, &new.tags);
    push_unique(&mut have.provenance, &new.provenance);
}

/// Fold an imported flow into an existing one (same id). Counts from a re-import replace
/// smaller ones instead of adding up, so importing the same log twice changes nothing.
pub fn merge_flow(have: &mut Flow, new: &Flow) {
    if let Some(c) = new.count {
        have.count = Some(have.count.map_or(c, |h| h.max(c)));
    }
    if let Some(t) = &new.first_seen {
        if have.first_seen.as_ref().is_none_or(|h| t < h) {
            have.first_seen = Some(t.clone());
        }
    }
    if let Some(t) = &new.last_seen {
        if have.last_seen.as_ref().is_none_or(|h| t > h) {
            have.last_seen = Some(t.clone());
        }
    }
    push_unique(&mut have.provenance, &new.provenance);
}

fn changed_fields(a: &Service, b: &Service) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, changed: bool| {
        if changed {
            out.push(name.to_string());
        }
    };
    check("name", a.name != b.name);
    check("namespace", a.namespace != b.namespace);
    check("labels", a.labels != b.labels);
    check("identity", a.identity != b.identity);
    check("ports", a.ports != b.ports);
    check("endpoints", a.endpoints != b.endpoints);
    check("data_held", a.data_held != b.data_held);
    check("exposure", a.exposure != b.exposure);
    check("tags", a.tags != b.tags);
    check("provenance", a.provenance != b.provenance);
    out
}
