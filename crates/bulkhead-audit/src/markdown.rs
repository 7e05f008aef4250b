//! The report as Markdown (GitHub-flavoured tables), for pull requests and wikis. The estate
//! picture is the HTML report's; Markdown carries the same evidence as tables.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use bulkhead_core::eval::{AllowedBy, Decision};
use bulkhead_core::matrix::SegmentSide;
use bulkhead_core::model::{Action, Peer, TriageStatus};

use crate::html::{auth_text, rate_text};
use crate::{Audit, plural};

/// Escape a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn peer(p: &Peer) -> String {
    match p {
        Peer::Internet => "internet".into(),
        Peer::Any => "*any*".into(),
        Peer::Segment(s) => format!("segment `{s}`"),
        Peer::Service(s) => format!("`{s}`"),
    }
}

fn by(b: &AllowedBy) -> String {
    match b {
        AllowedBy::Rule { rule } => format!("`{rule}`"),
        AllowedBy::IntraSegment { segment } => format!("intra `{segment}`"),
    }
}

/// The whole report as Markdown.
pub fn markdown(a: &Audit) -> String {
    let d = a.design;
    let mut s = String::new();
    let _ = writeln!(s, "# Segmentation audit: {}\n", d.name);
    if let Some(desc) = &d.description {
        let _ = writeln!(s, "{desc}\n");
    }
    if let Some(t) = &a.today {
        let _ = writeln!(s, "As of {t}.\n");
    }
    let _ = writeln!(
        s,
        "{} · {} · {} · {} allowed pair-ports · {} open finding(s)\n",
        plural(d.services.len(), "service"),
        plural(d.segments.len(), "segment"),
        plural(d.rules.len(), "rule"),
        a.matrix.entries.len(),
        a.analysis.summary.open
    );

    let _ = writeln!(s, "## Segments\n");
    let _ = writeln!(
        s,
        "| Segment | Parent | Level | Trust | Members | Inbound auth | Rate limit | Intra |\n|---|---|---|---|---|---|---|---|"
    );
    for g in &d.segments {
        let _ = writeln!(
            s,
            "| **{}** `{}` | {} | {} | {} | {} | {} | {} | {} |",
            cell(&a.segment_name(&g.id)),
            g.id,
            g.parent.as_deref().unwrap_or("-"),
            format!("{:?}", g.level).to_lowercase(),
            format!("{:?}", g.trust).to_lowercase(),
            if g.members.is_empty() {
                "-".into()
            } else {
                g.members
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(" ")
            },
            cell(&auth_text(&g.policy.auth)),
            rate_text(&g.policy.rate_limit),
            format!("{:?}", g.policy.intra).to_lowercase()
        );
    }

    let _ = writeln!(
        s,
        "\n## Segment matrix\n\nAllowed caller → target service pairs of all possible (`!` marks a cell where some pair needs no credential); empty is default deny.\n"
    );
    let eval = bulkhead_core::eval::Evaluator::new(d);
    let mut leaves: Vec<String> = Vec::new();
    for svc in &d.services {
        if let Some(seg) = eval.segment_of(&svc.id)
            && !leaves.iter().any(|l| l == seg)
        {
            leaves.push(seg.to_string());
        }
    }
    leaves.sort_by_key(|l| d.segments.iter().position(|g| g.id == *l));
    let mut sides = vec![SegmentSide::Internet];
    sides.extend(leaves.into_iter().map(SegmentSide::Segment));
    if d.services.iter().any(|x| eval.segment_of(&x.id).is_none()) {
        sides.push(SegmentSide::Unsegmented);
    }
    let _ = write!(s, "| from \\ to |");
    for to in sides.iter().skip(1) {
        let _ = write!(s, " {} |", to.label());
    }
    let _ = write!(s, "\n|---|");
    for _ in sides.iter().skip(1) {
        s.push_str("---|");
    }
    s.push('\n');
    for from in &sides {
        let _ = write!(s, "| **{}** |", from.label());
        for to in sides.iter().skip(1) {
            match a
                .segment_matrix
                .entries
                .iter()
                .find(|e| e.from == *from && e.to == *to)
            {
                Some(e) => {
                    let _ = write!(
                        s,
                        " {}/{}{} |",
                        e.pairs,
                        e.possible_pairs,
                        if e.unauthenticated { " !" } else { "" }
                    );
                }
                None => s.push_str(" |"),
            }
        }
        s.push('\n');
    }

    let _ = writeln!(
        s,
        "\n## Rules\n\n| Rule | From | To | Action | Match | Auth | Rate limit | Justification | Expires |\n|---|---|---|---|---|---|---|---|---|"
    );
    for r in &d.rules {
        let mut m = Vec::new();
        if !r.ports.is_empty() {
            m.push(format!(
                "ports {}",
                r.ports
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ));
        }
        if !r.methods.is_empty() {
            m.push(r.methods.join(","));
        }
        if !r.paths.is_empty() {
            m.push(
                r.paths
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.id,
            peer(&r.from),
            peer(&r.to),
            match r.action {
                Action::Allow => "allow",
                Action::Deny => "**deny**",
            },
            if m.is_empty() {
                "anything".into()
            } else {
                cell(&m.join(" "))
            },
            cell(
                &r.auth
                    .as_ref()
                    .map(auth_text)
                    .unwrap_or_else(|| "segment's".into())
            ),
            rate_text(&r.rate_limit),
            r.justification
                .as_deref()
                .map(cell)
                .unwrap_or_else(|| "*no justification*".into()),
            match &r.expires {
                None => "-".into(),
                Some(e) if a.expired(e) => format!("**{e} (expired)**"),
                Some(e) => e.clone(),
            }
        );
    }

    let f = &a.analysis;
    let _ = writeln!(
        s,
        "\n## Findings ({} open, {} triaged)\n",
        f.summary.open, f.summary.triaged
    );
    if f.findings.is_empty() {
        s.push_str("No findings.\n");
    } else {
        s.push_str("| Severity | Finding | Message | Status |\n|---|---|---|---|\n");
        for x in &f.findings {
            let status = match &x.triage {
                None => "**open**".to_string(),
                Some(t) => format!(
                    "{}: {}",
                    match t.status {
                        TriageStatus::Accepted => "accepted",
                        TriageStatus::Mitigated => "mitigated",
                        TriageStatus::FalsePositive => "false positive",
                    },
                    cell(&t.reason)
                ),
            };
            let _ = writeln!(
                s,
                "| {} | `{}` {} | {} | {status} |",
                format!("{:?}", x.severity).to_lowercase(),
                x.id,
                x.rule,
                cell(&x.message)
            );
        }
    }

    let _ = writeln!(s, "\n## Breach simulation\n");
    match &a.internet {
        None => s.push_str("The design has no internet entry point.\n"),
        Some(sim) => {
            let br = &sim.blast_radius;
            let _ = writeln!(
                s,
                "Worst case from the internet: reaches {}, compromises {}, score {}; on a flat network {} (score {}), {:.0}% smaller. Crown jewels exposed: {}.\n",
                plural(br.services, "service"),
                plural(br.compromised, "service"),
                br.score,
                plural(sim.flat.blast_radius.services, "service"),
                sim.flat.blast_radius.score,
                sim.flat.reduction_pct,
                if br.crown_jewels.is_empty() {
                    "none".into()
                } else {
                    br.crown_jewels.join(", ")
                }
            );
            let jewels: BTreeSet<&str> = d
                .data_classes
                .iter()
                .filter(|c| c.crown_jewel)
                .map(|c| c.id.as_str())
                .collect();
            let _ = writeln!(s, "### Attack paths to crown jewels\n");
            let mut any = false;
            for r in sim
                .reached
                .iter()
                .filter(|r| r.exposed.iter().any(|e| jewels.contains(e.as_str())))
            {
                any = true;
                let hops: Vec<String> = r
                    .path
                    .iter()
                    .map(|h| {
                        let b = match &h.decision {
                            Decision::Allow { by: b, .. } => by(b),
                            Decision::Deny(_) => "?".into(),
                        };
                        format!("→ `{}` ({b})", h.to)
                    })
                    .collect();
                let _ = writeln!(s, "- **{}**: internet {}", r.service, hops.join(" "));
            }
            if !any {
                s.push_str("No crown-jewel data is reachable from the internet.\n");
            }
        }
    }
    s.push_str("\n### Blast radius per origin (worst case)\n\n| Origin | Reached | Score | Flat network | Crown jewels |\n|---|---:|---:|---:|---|\n");
    for o in &a.analysis.origins {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} |",
            o.origin,
            o.blast_radius,
            o.score,
            o.flat_blast_radius,
            if o.crown_jewels.is_empty() {
                "-".into()
            } else {
                o.crown_jewels.join(", ")
            }
        );
    }

    let _ = writeln!(s, "\n## Drift\n");
    match a.drift {
        None => s.push_str("No drift check in this report.\n"),
        Some(dr) => {
            let sm = &dr.summary;
            let _ = writeln!(
                s,
                "{} observed call(s) in {} flow(s). Violations: {}; unused grants: {}; shadow services: {}; shadow endpoints: {}; zombie services: {}; live differences: {}.\n",
                dr.traffic.calls,
                dr.traffic.flows,
                sm.violations,
                sm.unused_grants,
                sm.shadow_services,
                sm.shadow_endpoints,
                sm.zombie_services,
                sm.live_differences
            );
            for v in &dr.violations {
                let _ = writeln!(
                    s,
                    "- violation: `{}` → `{}`{} ({} calls): {}",
                    v.from,
                    v.to,
                    v.port.map(|p| format!(":{p}")).unwrap_or_default(),
                    v.calls,
                    v.explanation
                );
            }
            if let Some(l) = &dr.live {
                for x in &l.differences {
                    let _ = writeln!(
                        s,
                        "- live drift: `{}` → `{}`: design {:?}, live {:?}",
                        x.from, x.to, x.design.ports, x.live.ports
                    );
                }
            }
        }
    }
    s
}
