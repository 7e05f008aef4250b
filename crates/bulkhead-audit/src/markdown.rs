//! The report as Markdown (GitHub-flavoured tables), for pull requests and wikis. The estate
//! picture is the HTML report's; Markdown carries the same evidence as tables.

use std::fmt::Write as _;

use bulkhead_core::eval::{AllowedBy, Decision};
use bulkhead_core::model::{Action, Peer};

use crate::{Audit, RuleMatch, auth_text, plural, rate_text, triage_text};

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
    let sides = a.matrix_sides();
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
            match a.matrix_cell(from, to) {
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
        let m = RuleMatch::of(r);
        let mut parts: Vec<String> = m.ports.iter().chain(&m.methods).cloned().collect();
        if !m.paths.is_empty() {
            let paths: Vec<String> = m.paths.iter().map(|p| format!("`{p}`")).collect();
            parts.push(paths.join(" "));
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
            if m.is_anything() {
                "anything".into()
            } else {
                cell(&parts.join(" "))
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
                Some(t) => format!("{}: {}", triage_text(t.status), cell(&t.reason)),
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
            let _ = writeln!(s, "### Attack paths to crown jewels\n");
            let paths = a.jewel_paths(sim);
            for r in &paths {
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
            if paths.is_empty() {
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
