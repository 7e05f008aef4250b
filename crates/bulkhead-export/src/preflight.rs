//! The checks an export needs before it trusts a design: the design must be valid. Every
//! problem is collected (not just the first) and points into the file with a JSON pointer.
//!
//! These are the structural checks the exporters rely on (unique ids, references that
//! resolve, sane ports); the full validator in `bulkhead-core` is authoritative for everything
//! else.

use std::collections::{BTreeMap, HashSet};

use bulkhead_core::model::{Design, FORMAT, Peer};

/// Every problem that makes `design` unsafe to export; empty when it may be exported.
pub fn check(design: &Design) -> Vec<String> {
    let mut out = Vec::new();
    if design.format != FORMAT {
        out.push(format!(
            "/format: unsupported format `{}`, expected `{FORMAT}`",
            design.format
        ));
    }
    let service_ids = unique(&mut out, "services", design.services.iter().map(|s| &s.id));
    let segment_ids = unique(&mut out, "segments", design.segments.iter().map(|s| &s.id));
    unique(&mut out, "rules", design.rules.iter().map(|r| &r.id));

    for (i, s) in design.services.iter().enumerate() {
        for (j, p) in s.ports.iter().enumerate() {
            if p.port == 0 || p.port > 65535 {
                out.push(format!(
                    "/services/{i}/ports/{j}/port: port {} of service `{}` is outside 1..=65535",
                    p.port, s.id
                ));
            }
        }
    }
    let mut leaf_owner: BTreeMap<&str, &str> = BTreeMap::new();
    for (i, seg) in design.segments.iter().enumerate() {
        if let Some(p) = &seg.parent
            && !segment_ids.contains(p.as_str())
        {
            out.push(format!(
                "/segments/{i}/parent: unknown segment `{p}`{}",
                did_you_mean(p, &segment_ids)
            ));
        }
        for (j, m) in seg.members.iter().enumerate() {
            if !service_ids.contains(m.as_str()) {
                out.push(format!(
                    "/segments/{i}/members/{j}: unknown service `{m}`{}",
                    did_you_mean(m, &service_ids)
                ));
            } else if let Some(other) = leaf_owner.insert(m.as_str(), seg.id.as_str()) {
                out.push(format!(
                    "/segments/{i}/members/{j}: service `{m}` is already a member of segment `{other}`; a service belongs to at most one segment"
                ));
            }
        }
    }
    for (i, r) in design.rules.iter().enumerate() {
        for (side, peer) in [("from", &r.from), ("to", &r.to)] {
            match peer {
                Peer::Segment(s) if !segment_ids.contains(s.as_str()) => out.push(format!(
                    "/rules/{i}/{side}: rule `{}` names unknown segment `{s}`{}",
                    r.id,
                    did_you_mean(s, &segment_ids)
                )),
                Peer::Service(s) if !service_ids.contains(s.as_str()) => out.push(format!(
                    "/rules/{i}/{side}: rule `{}` names unknown service `{s}`{}",
                    r.id,
                    did_you_mean(s, &service_ids)
                )),
                Peer::Internet if side == "to" => out.push(format!(
                    "/rules/{i}/to: rule `{}` targets the internet; a rule's `to` is a segment or a service",
                    r.id
                )),
                _ => {}
            }
        }
        for (j, p) in r.ports.iter().enumerate() {
            if *p == 0 || *p > 65535 {
                out.push(format!(
                    "/rules/{i}/ports/{j}: port {p} of rule `{}` is outside 1..=65535",
                    r.id
                ));
            }
        }
    }
    out
}

fn unique<'a>(
    out: &mut Vec<String>,
    kind: &str,
    ids: impl Iterator<Item = &'a String>,
) -> HashSet<&'a str> {
    let mut seen = HashSet::new();
    for (i, id) in ids.enumerate() {
        if id.is_empty() {
            out.push(format!("/{kind}/{i}/id: empty id"));
        } else if !seen.insert(id.as_str()) {
            out.push(format!("/{kind}/{i}/id: duplicate id `{id}`"));
        }
    }
    seen
}

fn did_you_mean(s: &str, known: &HashSet<&str>) -> String {
    let mut best: Option<(usize, &str)> = None;
    for k in known {
        let d = edit_distance(s, k);
        if d <= 2.max(s.len() / 4) && best.is_none_or(|(bd, bk)| (d, *k) < (bd, bk)) {
            best = Some((d, k));
        }
    }
    best.map(|(_, k)| format!("; did you mean `{k}`?"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) =
        (a.chars().take(64).collect(), b.chars().take(64).collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}
