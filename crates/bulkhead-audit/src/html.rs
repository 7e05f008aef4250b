//! The report as one self-contained HTML page: inline CSS, inline SVG, no script, no external
//! resource, so it can be mailed, archived and opened offline.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use bulkhead_core::eval::AllowedBy;
use bulkhead_core::findings::Severity;
use bulkhead_core::model::{Action, Peer, Sensitivity};

use crate::layout::{Picture, layout};
use crate::{Audit, RuleMatch, auth_text, plural, rate_text, triage_text};

/// Escape text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink:#1b2430; --muted:#5b6675; --line:#d8dee6; --bg:#f6f8fa; --accent:#1f6feb;
  --bad:#c62828; --warn:#b26a00; --ok:#2e7d32; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.45 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color:var(--ink); background:#fff; }
header { background:#0d1b2a; color:#fff; padding:22px 32px 18px; }
header h1 { margin:0 0 4px; font-size:24px; letter-spacing:.2px; }
header p { margin:0; color:#b9c6d6; }
main { padding: 8px 32px 40px; max-width: 1500px; }
h2 { font-size:19px; margin:30px 0 10px; padding-bottom:6px; border-bottom:2px solid var(--line); }
h3 { font-size:15px; margin:18px 0 8px; }
.cards { display:flex; flex-wrap:wrap; gap:12px; margin:18px 0 6px; }
.card { border:1px solid var(--line); border-radius:8px; padding:10px 14px; min-width:150px; background:var(--bg); }
.card b { display:block; font-size:22px; }
.card span { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.4px; }
.card.bad b { color:var(--bad); } .card.ok b { color:var(--ok); }
table { border-collapse:collapse; width:100%; margin:6px 0 12px; font-size:13px; }
th, td { border:1px solid var(--line); padding:5px 8px; text-align:left; vertical-align:top; }
th { background:var(--bg); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; }
code { font: 12px "DejaVu Sans Mono", Menlo, Consolas, monospace; background:#eef1f5; padding:0 3px; border-radius:3px; }
.pill { display:inline-block; padding:0 7px; border-radius:10px; font-size:11px; font-weight:600; color:#fff; }
.critical { background:#8e0000; } .high { background:var(--bad); } .medium { background:var(--warn); }
.low { background:#5c6bc0; } .info { background:#78909c; }
.allow { color:var(--ok); font-weight:600; } .deny { color:var(--bad); font-weight:600; }
.muted { color:var(--muted); }
.expired { color:var(--bad); font-weight:600; }
.missing { color:var(--warn); font-style:italic; }
.matrix td { text-align:center; min-width:54px; }
.matrix td.open { background:#fde2e1; } .matrix td.auth { background:#e3f1e4; } .matrix td.none { color:#b0b8c2; }
.matrix th.row { text-align:left; white-space:nowrap; }
.bar { height:10px; background:var(--bad); border-radius:3px; display:inline-block; vertical-align:middle; }
.bar.flat { background:#b0b8c2; }
.path { font-size:13px; margin:3px 0; }
.path .hop { white-space:nowrap; }
figure { margin: 8px 0 0; border:1px solid var(--line); border-radius:8px; padding:8px; background:#fbfcfd; }
figure svg { width:100%; height:auto; display:block; }
figcaption { color:var(--muted); font-size:12px; margin-top:6px; }
.legend { display:flex; flex-wrap:wrap; gap:16px; font-size:12px; color:var(--muted); margin:6px 0 0; }
.legend i { display:inline-block; width:12px; height:12px; border-radius:3px; margin-right:5px; vertical-align:-2px; }
"#;

fn sensitivity_color(s: Option<Sensitivity>) -> &'static str {
    match s {
        Some(Sensitivity::Restricted) => "#c62828",
        Some(Sensitivity::Confidential) => "#ef6c00",
        Some(Sensitivity::Internal) => "#1f6feb",
        Some(Sensitivity::Public) => "#78909c",
        None => "#b0b8c2",
    }
}

fn sensitivity_label(s: Sensitivity) -> &'static str {
    match s {
        Sensitivity::Public => "public",
        Sensitivity::Internal => "internal",
        Sensitivity::Confidential => "confidential",
        Sensitivity::Restricted => "restricted",
    }
}

/// The estate as inline SVG.
pub fn svg(p: &Picture) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-label="Estate and segments">"#,
        w = p.width,
        h = p.height
    );
    s.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5b6675"/></marker><marker id="arrow-open" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c62828"/></marker></defs>"##);
    let fills = [
        "#eef3f9", "#e3ebf5", "#d8e3f1", "#cddbec", "#c2d3e8", "#b7cbe3", "#b7cbe3",
    ];
    for b in &p.boxes {
        let fill = if b.id.is_empty() {
            "#fff4e5"
        } else {
            fills[b.depth.min(fills.len() - 1)]
        };
        let _ = write!(
            s,
            r##"<g class="segment"><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="8" fill="{fill}" stroke="#9fb3c8" stroke-width="1"{}/><text x="{:.1}" y="{:.1}" font-size="12" font-weight="700" fill="#243b53">{}</text></g>"##,
            b.x,
            b.y,
            b.w,
            b.h,
            if b.id.is_empty() {
                r#" stroke-dasharray="4 3""#
            } else {
                ""
            },
            b.x + 8.0,
            b.y + 16.0,
            esc(&truncate(&b.label, (b.w / 7.2) as usize))
        );
    }
    // Arrows under the nodes.
    s.push_str(r#"<g class="edges" fill="none">"#);
    for e in &p.edges {
        let (color, marker, dash) = if e.unauthenticated {
            ("#c62828", "arrow-open", r#" stroke-dasharray="5 3""#)
        } else {
            ("#5b6675", "arrow", "")
        };
        let _ = write!(
            s,
            r#"<path d="{}" stroke="{color}" stroke-opacity="0.55" stroke-width="1.2"{dash} marker-end="url(#{marker})"><title>{} → {}</title></path>"#,
            e.d,
            esc(&e.from),
            esc(&e.to)
        );
    }
    s.push_str("</g>");
    for n in &p.nodes {
        let internet = n.kind.is_none();
        let (fill, stroke, sw) = if internet {
            ("#0d1b2a", "#0d1b2a", 1.0)
        } else if n.reached {
            ("#ffffff", "#c62828", 2.0)
        } else {
            ("#ffffff", "#7b8794", 1.0)
        };
        let _ = write!(
            s,
            r#"<g class="node"><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="5" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>"#,
            esc(&n.id),
            n.x,
            n.y,
            n.w,
            n.h
        );
        if internet {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="13" font-weight="700" fill="#fff" text-anchor="middle">Internet</text></g>"##,
                n.x + n.w / 2.0,
                n.y + n.h / 2.0 + 4.5
            );
            continue;
        }
        // Sensitivity stripe, crown-jewel and internet-facing marks.
        let _ = write!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="5" height="{:.1}" rx="2" fill="{}"/>"#,
            n.x,
            n.y,
            n.h,
            sensitivity_color(n.sensitivity)
        );
        let mut label_room = n.w - 16.0;
        let mut mx = n.x + n.w - 10.0;
        if n.crown_jewel {
            let _ = write!(
                s,
                r##"<path d="M{:.1},{:.1} l3,-6 l3,4 l3,-4 l3,6 z" fill="#d4a017" stroke="#8a6500" stroke-width="0.6"><title>holds crown-jewel data</title></path>"##,
                mx - 12.0,
                n.y + n.h / 2.0 + 4.0
            );
            mx -= 16.0;
            label_room -= 16.0;
        }
        if n.internet_facing {
            let _ = write!(
                s,
                r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="none" stroke="#0d1b2a" stroke-width="1.2"><title>internet-facing</title></circle><path d="M{:.1},{:.1} h10 M{:.1},{:.1} v10" stroke="#0d1b2a" stroke-width="0.8"/>"##,
                mx - 5.0,
                n.y + n.h / 2.0,
                mx - 10.0,
                n.y + n.h / 2.0,
                mx - 5.0,
                n.y + n.h / 2.0 - 5.0
            );
            label_room -= 14.0;
        }
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="11.5" fill="#1b2430">{}</text></g>"##,
            n.x + 10.0,
            n.y + n.h / 2.0 + 4.0,
            esc(&truncate(&n.label, (label_room / 6.4) as usize))
        );
    }
    s.push_str("</svg>");
    s
}

fn truncate(s: &str, max: usize) -> String {
    let max = max.max(4);
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

pub fn peer(p: &Peer) -> String {
    match p {
        Peer::Internet => "internet".into(),
        Peer::Any => "<em>any</em>".into(),
        Peer::Segment(s) => format!("segment <code>{}</code>", esc(s)),
        Peer::Service(s) => format!("<code>{}</code>", esc(s)),
    }
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

fn by_text(b: &AllowedBy) -> String {
    match b {
        AllowedBy::Rule { rule } => format!("<code>{}</code>", esc(rule)),
        AllowedBy::IntraSegment { segment } => format!("intra <code>{}</code>", esc(segment)),
    }
}

/// The whole report as one HTML page.
pub fn html(a: &Audit) -> String {
    let d = a.design;
    let reached: BTreeSet<String> = a
        .internet
        .as_ref()
        .map(|s| s.reached.iter().map(|r| r.service.clone()).collect())
        .unwrap_or_default();
    let picture = layout(d, &a.matrix, &reached);
    let mut s = String::new();
    let title = format!("Segmentation audit: {}", d.name);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>",
        esc(&title)
    );
    let _ = write!(
        s,
        "<header><h1>{}</h1><p>{}{}</p></header><main>",
        esc(&title),
        d.description
            .as_deref()
            .map(|x| format!("{} · ", esc(x)))
            .unwrap_or_default(),
        a.today
            .as_deref()
            .map(|t| format!("as of {}", esc(t)))
            .unwrap_or_else(|| "generated by bulkhead report".into())
    );

    // Summary cards.
    let open = a.analysis.summary.open;
    let internet_br = a.internet.as_ref().map(|s| s.blast_radius.services);
    let flat_br = a.internet.as_ref().map(|s| s.flat.blast_radius.services);
    let _ = write!(s, "<section class=\"cards\">");
    let card = |s: &mut String, class: &str, value: String, label: &str| {
        let _ = write!(
            s,
            "<div class=\"card {class}\"><b>{}</b><span>{}</span></div>",
            esc(&value),
            esc(label)
        );
    };
    card(&mut s, "", d.services.len().to_string(), "services");
    card(&mut s, "", d.segments.len().to_string(), "segments");
    card(&mut s, "", d.rules.len().to_string(), "rules");
    card(
        &mut s,
        "",
        a.matrix.entries.len().to_string(),
        "allowed pair-ports",
    );
    card(
        &mut s,
        if open > 0 { "bad" } else { "ok" },
        open.to_string(),
        "open findings",
    );
    if let (Some(b), Some(f)) = (internet_br, flat_br) {
        card(
            &mut s,
            if b * 2 > f { "bad" } else { "ok" },
            format!("{b} / {f}"),
            "internet blast radius vs flat",
        );
    }
    if let Some(dr) = a.drift {
        card(
            &mut s,
            if dr.summary.violations > 0 {
                "bad"
            } else {
                "ok"
            },
            dr.summary.violations.to_string(),
            "traffic violations",
        );
    }
    s.push_str("</section>");

    // 1. Picture.
    s.push_str("<h2 id=\"estate\">Estate and segments</h2>");
    let _ = write!(
        s,
        "<figure>{}<figcaption>Segments as nested boxes, services inside their segment; an arrow per allowed caller → target pair{}. Red outline: reached by a worst-case breach from the internet.</figcaption></figure>",
        svg(&picture),
        if picture.edges_omitted > 0 {
            format!(" ({} more not drawn)", picture.edges_omitted)
        } else {
            String::new()
        }
    );
    s.push_str(r##"<div class="legend"><span><i style="background:#c62828"></i>restricted data</span><span><i style="background:#ef6c00"></i>confidential</span><span><i style="background:#1f6feb"></i>internal</span><span><i style="background:#78909c"></i>public</span><span><i style="background:#d4a017"></i>crown jewel</span><span><i style="background:#fff;border:1px solid #0d1b2a;border-radius:50%"></i>internet-facing</span><span><i style="background:#fff;border:2px dashed #c62828"></i>allowed without any credential</span><span><i style="background:#fff;border:2px solid #5b6675"></i>allowed with auth</span></div>"##);

    // 2. Segments.
    s.push_str("<h2 id=\"segments\">Segments</h2><table><tr><th>Segment</th><th>Level</th><th>Trust</th><th>Sensitivity</th><th>Members</th><th>Inbound auth</th><th>Rate limit</th><th>Intra-segment</th></tr>");
    for g in &d.segments {
        let level = format!("{:?}", g.level).to_lowercase();
        let trust = format!("{:?}", g.trust).to_lowercase();
        let _ = write!(
            s,
            "<tr><td><b>{}</b>{}<br><code>{}</code>{}</td><td>{level}</td><td>{trust}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&a.segment_name(&g.id)),
            g.function
                .as_deref()
                .map(|f| format!(" <span class=\"muted\">{}</span>", esc(f)))
                .unwrap_or_default(),
            esc(&g.id),
            g.parent
                .as_deref()
                .map(|p| format!(" <span class=\"muted\">in {}</span>", esc(p)))
                .unwrap_or_default(),
            g.sensitivity.map(sensitivity_label).unwrap_or("-"),
            if g.members.is_empty() {
                "<span class=\"muted\">-</span>".to_string()
            } else {
                g.members
                    .iter()
                    .map(|m| format!("<code>{}</code>", esc(m)))
                    .collect::<Vec<_>>()
                    .join(" ")
            },
            esc(&auth_text(&g.policy.auth)),
            esc(&rate_text(&g.policy.rate_limit)),
            match g.policy.intra {
                bulkhead_core::model::IntraStance::Allow => "<span class=\"allow\">allow</span>",
                bulkhead_core::model::IntraStance::Deny => "<span class=\"deny\">deny</span>",
            }
        );
    }
    s.push_str("</table>");

    // 3. Segment matrix.
    s.push_str("<h2 id=\"matrix\">Segment matrix</h2><p class=\"muted\">Each cell: allowed caller → target service pairs out of all possible, with ports. Red: some pair needs no credential; green: every pair is authenticated. Empty: default deny.</p>");
    let sides = a.matrix_sides();
    s.push_str("<table class=\"matrix\"><tr><th>from \\ to</th>");
    for to in sides.iter().skip(1) {
        let _ = write!(s, "<th>{}</th>", esc(&to.label()));
    }
    s.push_str("</tr>");
    for from in &sides {
        let _ = write!(s, "<tr><th class=\"row\">{}</th>", esc(&from.label()));
        for to in sides.iter().skip(1) {
            match a.matrix_cell(from, to) {
                Some(e) => {
                    let ports: Vec<String> = e
                        .ports
                        .iter()
                        .map(|p| p.map(|p| p.to_string()).unwrap_or_else(|| "any".into()))
                        .collect();
                    let _ = write!(
                        s,
                        "<td class=\"{}\" title=\"{}\">{}/{}<br><span class=\"muted\">{}</span></td>",
                        if e.unauthenticated { "open" } else { "auth" },
                        esc(&e
                            .by
                            .iter()
                            .map(|b| b.label())
                            .collect::<Vec<_>>()
                            .join(", ")),
                        e.pairs,
                        e.possible_pairs,
                        esc(&ports.join(","))
                    );
                }
                None => s.push_str("<td class=\"none\">·</td>"),
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");

    // 4. Rules.
    let _ = write!(
        s,
        "<h2 id=\"rules\">Rules ({})</h2><table><tr><th>Rule</th><th>From</th><th>To</th><th>Action</th><th>Match</th><th>Auth</th><th>Rate limit</th><th>Justification</th><th>Expires</th></tr>",
        d.rules.len()
    );
    for r in &d.rules {
        let m = RuleMatch::of(r);
        let mut parts: Vec<String> = m.ports.iter().chain(&m.methods).cloned().collect();
        if !m.paths.is_empty() {
            let paths: Vec<String> = m
                .paths
                .iter()
                .map(|p| format!("<code>{}</code>", esc(p)))
                .collect();
            parts.push(paths.join(" "));
        }
        let expires = match &r.expires {
            None => "-".to_string(),
            Some(e) if a.expired(e) => {
                format!("<span class=\"expired\">{} (expired)</span>", esc(e))
            }
            Some(e) => esc(e),
        };
        let _ = write!(
            s,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{expires}</td></tr>",
            esc(&r.id),
            peer(&r.from),
            peer(&r.to),
            match r.action {
                Action::Allow => "<span class=\"allow\">allow</span>",
                Action::Deny => "<span class=\"deny\">deny</span>",
            },
            if m.is_anything() {
                "<span class=\"muted\">anything</span>".to_string()
            } else {
                parts.join("<br>")
            },
            esc(&r
                .auth
                .as_ref()
                .map(auth_text)
                .unwrap_or_else(|| "segment's".into())),
            esc(&rate_text(&r.rate_limit)),
            r.justification
                .as_deref()
                .map(esc)
                .unwrap_or_else(|| "<span class=\"missing\">no justification</span>".into()),
        );
    }
    s.push_str("</table>");

    // 5. Findings.
    let f = &a.analysis;
    let _ = write!(
        s,
        "<h2 id=\"findings\">Findings ({} open, {} triaged)</h2>",
        f.summary.open, f.summary.triaged
    );
    if f.findings.is_empty() {
        s.push_str("<p>No findings.</p>");
    } else {
        s.push_str(
            "<table><tr><th>Severity</th><th>Finding</th><th>Message</th><th>Status</th></tr>",
        );
        for x in &f.findings {
            let status = match &x.triage {
                None => "<b>open</b>".to_string(),
                Some(t) => format!("{}: {}", triage_text(t.status), esc(&t.reason)),
            };
            let _ = write!(
                s,
                "<tr><td><span class=\"pill {}\">{}</span></td><td><code>{}</code> {}</td><td>{}{}</td><td>{status}</td></tr>",
                severity_class(x.severity),
                severity_class(x.severity),
                esc(&x.id),
                esc(&x.rule),
                esc(&x.message),
                if x.path.is_empty() {
                    String::new()
                } else {
                    format!(
                        "<br><span class=\"muted\">path: {}</span>",
                        esc(&x.path.join(" → "))
                    )
                }
            );
        }
        s.push_str("</table>");
    }

    // 6. Breach simulation.
    s.push_str("<h2 id=\"breach\">Breach simulation</h2>");
    match &a.internet {
        None => s.push_str("<p>The design has no internet entry point.</p>"),
        Some(sim) => {
            let br = &sim.blast_radius;
            let _ = write!(
                s,
                "<p>Worst case from the internet (every reachable service exploitable): the attacker reaches <b>{}</b> and compromises <b>{}</b>, score {} — on a flat network {} (score {}): <b>{:.0}%</b> smaller. Crown jewels exposed: {}.</p>",
                plural(br.services, "service"),
                plural(br.compromised, "service"),
                br.score,
                plural(sim.flat.blast_radius.services, "service"),
                sim.flat.blast_radius.score,
                sim.flat.reduction_pct,
                if br.crown_jewels.is_empty() {
                    "none".to_string()
                } else {
                    br.crown_jewels
                        .iter()
                        .map(|c| format!("<code>{}</code>", esc(c)))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
            let jewels = a.crown_jewels();
            let to_jewels = a.jewel_paths(sim);
            let _ = write!(
                s,
                "<h3>Attack paths to crown jewels ({})</h3>",
                to_jewels.len()
            );
            if to_jewels.is_empty() {
                s.push_str("<p>No crown-jewel data is reachable from the internet.</p>");
            }
            for r in to_jewels {
                let hops: Vec<String> = r
                    .path
                    .iter()
                    .map(|h| {
                        let by = match &h.decision {
                            bulkhead_core::eval::Decision::Allow { by, .. } => by_text(by),
                            bulkhead_core::eval::Decision::Deny(_) => "?".into(),
                        };
                        format!(
                            "<span class=\"hop\">→ <code>{}</code> <span class=\"muted\">({by}{})</span></span>",
                            esc(&h.to),
                            if h.stolen.is_empty() { "" } else { ", stolen credential" }
                        )
                    })
                    .collect();
                let _ = write!(
                    s,
                    "<div class=\"path\"><b>{}</b> exposes {}: internet {}</div>",
                    esc(&r.service),
                    r.exposed
                        .iter()
                        .filter(|e| jewels.contains(e.as_str()))
                        .map(|e| format!("<code>{}</code>", esc(e)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    hops.join(" ")
                );
            }
            if !sim.choke_points.cut.is_empty() {
                let _ = write!(
                    s,
                    "<h3>Choke points</h3><p>Removing these {} cuts the internet off from every crown-jewel holder{}:</p><ul>",
                    plural(sim.choke_points.cut.len(), "allowed flow"),
                    if sim.choke_points.verified {
                        " (verified by re-running the simulation)"
                    } else {
                        ""
                    }
                );
                for c in &sim.choke_points.cut {
                    let _ = write!(
                        s,
                        "<li><code>{}</code> → <code>{}</code> <span class=\"muted\">allowed by {}</span></li>",
                        esc(&c.from),
                        esc(&c.to),
                        c.by.iter().map(by_text).collect::<Vec<_>>().join(", ")
                    );
                }
                s.push_str("</ul>");
            }
        }
    }
    let max = a
        .analysis
        .origins
        .iter()
        .map(|o| o.flat_blast_radius.max(o.blast_radius))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    s.push_str("<h3>Blast radius per origin (worst case)</h3><table><tr><th>Origin</th><th class=\"num\">Reached</th><th class=\"num\">Score</th><th class=\"num\">Flat network</th><th>Segmented vs flat</th><th>Crown jewels exposed</th></tr>");
    for o in &a.analysis.origins {
        let _ = write!(
            s,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td><span class=\"bar\" style=\"width:{:.0}px\"></span><br><span class=\"bar flat\" style=\"width:{:.0}px\"></span></td><td>{}</td></tr>",
            esc(&o.origin),
            o.blast_radius,
            o.score,
            o.flat_blast_radius,
            (o.blast_radius as f64 / max * 160.0).max(1.0),
            (o.flat_blast_radius as f64 / max * 160.0).max(1.0),
            if o.crown_jewels.is_empty() {
                "<span class=\"muted\">none</span>".to_string()
            } else {
                o.crown_jewels
                    .iter()
                    .map(|c| format!("<code>{}</code>", esc(c)))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }
    s.push_str("</table>");

    // 7. Drift.
    s.push_str("<h2 id=\"drift\">Drift</h2>");
    match a.drift {
        None => s.push_str("<p class=\"muted\">No drift check in this report: run <code>bulkhead report DESIGN --traffic LOGS</code>, or import the live policies into the design (<code>bulkhead import</code> of the cluster manifests), to include one.</p>"),
        Some(dr) => drift_html(&mut s, dr),
    }
    s.push_str("</main></body></html>\n");
    s
}

fn drift_html(s: &mut String, dr: &bulkhead_core::drift::Drift) {
    let t = &dr.traffic;
    let _ = write!(
        s,
        "<p>{} observed call(s) in {} flow(s){}; {} log line(s), {} unparsed.</p>",
        t.calls,
        t.flows,
        match (&t.first_seen, &t.last_seen) {
            (Some(a), Some(b)) => format!(", {} to {}", esc(a), esc(b)),
            _ => String::new(),
        },
        t.lines,
        t.unparsed_lines
    );
    let _ = write!(
        s,
        "<h3>Violations: observed calls the design denies ({})</h3>",
        dr.violations.len()
    );
    if !dr.violations.is_empty() {
        s.push_str("<table><tr><th>Call</th><th class=\"num\">Calls</th><th>Why denied</th></tr>");
        for v in &dr.violations {
            let _ = write!(
                s,
                "<tr><td><code>{}</code> → <code>{}</code>{}{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
                esc(&v.from),
                esc(&v.to),
                v.port.map(|p| format!(":{p}")).unwrap_or_default(),
                match (&v.method, &v.path) {
                    (None, None) => String::new(),
                    (m, p) => format!(
                        " {} <code>{}</code>",
                        esc(m.as_deref().unwrap_or("*")),
                        esc(p.as_deref().unwrap_or(""))
                    ),
                },
                v.calls,
                esc(&v.explanation)
            );
        }
        s.push_str("</table>");
    }
    let _ = write!(
        s,
        "<h3>Unused allowances ({} grants, {} pair-ports)</h3>",
        dr.summary.unused_grants, dr.summary.unused_entries
    );
    if !dr.unused.is_empty() {
        s.push_str("<table><tr><th>Grant</th><th class=\"num\">Unused / allowed</th><th>Examples</th></tr>");
        for u in &dr.unused {
            let _ = write!(
                s,
                "<tr><td>{}</td><td class=\"num\">{} / {}</td><td>{}</td></tr>",
                by_text(&u.by),
                u.allowed - u.used,
                u.allowed,
                u.entries
                    .iter()
                    .take(4)
                    .map(|e| format!(
                        "{} → {}{}",
                        esc(&e.from),
                        esc(&e.to),
                        e.port.map(|p| format!(":{p}")).unwrap_or_default()
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        s.push_str("</table>");
    }
    let _ = write!(
        s,
        "<h3>Shadow and zombie services</h3><p>Shadow (seen, not in the inventory): {}.<br>Shadow endpoints: {}.<br>Zombies (never called): {}.</p>",
        list_or_none(dr.shadow_services.iter().map(|x| x.name.as_str())),
        list_or_none(dr.shadow_endpoints.iter().map(|x| format!(
            "{} {} {}",
            x.service,
            x.method.as_deref().unwrap_or("*"),
            x.path
        ))),
        list_or_none(dr.zombie_services.iter().map(|x| x.service.as_str()))
    );
    if let Some(l) = &dr.live {
        let _ = write!(
            s,
            "<h3>Live policies differing from the design ({} of {} pairs)</h3>",
            l.differences.len(),
            l.pairs_compared
        );
        if !l.differences.is_empty() {
            s.push_str("<table><tr><th>Pair</th><th>Design</th><th>Live</th></tr>");
            let ports = |p: &[Option<u32>]| {
                if p.is_empty() {
                    "<span class=\"deny\">denied</span>".to_string()
                } else {
                    format!(
                        "<span class=\"allow\">allowed</span> on {}",
                        p.iter()
                            .map(|p| p.map(|p| p.to_string()).unwrap_or_else(|| "any".into()))
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                }
            };
            for x in &l.differences {
                let _ = write!(
                    s,
                    "<tr><td><code>{}</code> → <code>{}</code></td><td>{}</td><td>{}</td></tr>",
                    esc(&x.from),
                    esc(&x.to),
                    ports(&x.design.ports),
                    ports(&x.live.ports)
                );
            }
            s.push_str("</table>");
        }
    }
}

fn list_or_none<S: AsRef<str>>(items: impl Iterator<Item = S>) -> String {
    let v: Vec<String> = items
        .map(|x| format!("<code>{}</code>", esc(x.as_ref())))
        .collect();
    if v.is_empty() {
        "none".into()
    } else if v.len() > 30 {
        format!("{} and {} more", v[..30].join(", "), v.len() - 30)
    } else {
        v.join(", ")
    }
}
