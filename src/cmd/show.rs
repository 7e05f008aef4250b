//! `bulkhead show FILE`: a readable summary of a design: segments as a tree with their
//! services and policies, the services no segment holds, the rules, and the data classes.

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use bulkhead_core::Design;
use bulkhead_core::model::{Auth, Exposure, Peer, RateLimit, Rule, Segment, Service};
use serde_json::{Value, json};

use super::common::{self, EXIT_OK, FormatArg, OutputFormat};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Design file.
    pub file: PathBuf,
    #[command(flatten)]
    pub format: FormatArg,
}

pub fn run(args: &Args) -> ExitCode {
    let loaded = match common::load_valid(&args.file, args.format.format) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let d = &loaded.design;
    let text = match args.format.format {
        OutputFormat::Json => {
            serde_json::to_string_pretty(&summary_json(d)).unwrap_or_default() + "\n"
        }
        OutputFormat::Human => summary_text(d, &loaded.path.display().to_string()),
    };
    common::finish_with(&text, ExitCode::from(EXIT_OK))
}

/// Segment ids by parent (`None`: top level). A parent that does not exist makes a root.
fn children(d: &Design) -> BTreeMap<Option<&str>, Vec<&Segment>> {
    let ids: HashSet<&str> = d.segments.iter().map(|s| s.id.as_str()).collect();
    let mut out: BTreeMap<Option<&str>, Vec<&Segment>> = BTreeMap::new();
    for s in &d.segments {
        let parent = s.parent.as_deref().filter(|p| ids.contains(p));
        out.entry(parent).or_default().push(s);
    }
    out
}

pub fn auth_text(a: &Auth) -> String {
    match a {
        Auth::None => "none".into(),
        Auth::ApiKey { key } => format!("api key `{key}`"),
        Auth::Jwt { issuer, scopes } if scopes.is_empty() => format!("jwt from {issuer}"),
        Auth::Jwt { issuer, scopes } => format!("jwt from {issuer} with {}", scopes.join(" ")),
        Auth::Mtls { identities } if identities.is_empty() => "mtls (no identity allowed)".into(),
        Auth::Mtls { identities } => format!("mtls ({})", identities.join(", ")),
    }
}

fn rate_text(r: &RateLimit) -> String {
    let per = match r.per {
        bulkhead_core::model::Period::Second => "s",
        bulkhead_core::model::Period::Minute => "min",
        bulkhead_core::model::Period::Hour => "h",
    };
    match r.burst {
        Some(b) => format!("{}/{per} (burst {b})", r.requests),
        None => format!("{}/{per}", r.requests),
    }
}

pub fn peer_text(p: &Peer) -> String {
    match p {
        Peer::Internet => "internet".into(),
        Peer::Any => "any".into(),
        Peer::Segment(s) => format!("segment {s}"),
        Peer::Service(s) => s.clone(),
    }
}

fn lower<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn service_line(s: &Service) -> String {
    let mut facts = vec![lower(&s.kind)];
    if s.exposure == Exposure::Internet {
        facts.push("internet-facing".into());
    }
    if let Some(ns) = &s.namespace {
        facts.push(format!("ns {ns}"));
    }
    if !s.data_held.is_empty() {
        facts.push(format!("holds {}", s.data_held.join(", ")));
    }
    if s.weaknesses.iter().any(|w| w.exploitable) {
        facts.push("EXPLOITABLE".into());
    }
    format!("{} ({})", s.id, facts.join(", "))
}

fn segment_line(s: &Segment) -> String {
    let mut facts = vec![lower(&s.level), format!("trust {}", lower(&s.trust))];
    if let Some(sens) = &s.sensitivity {
        facts.push(lower(sens));
    }
    facts.push(format!("auth {}", auth_text(&s.policy.auth)));
    if let Some(r) = &s.policy.rate_limit {
        facts.push(rate_text(r));
    }
    facts.push(format!("intra {}", lower(&s.policy.intra)));
    let name = if s.name.is_empty() || s.name == s.id {
        String::new()
    } else {
        format!(" \"{}\"", s.name)
    };
    format!("{}{name}: {}", s.id, facts.join(", "))
}

fn rule_line(r: &Rule) -> String {
    let mut out = format!(
        "{} {}: {} -> {}",
        lower(&r.action),
        r.id,
        peer_text(&r.from),
        peer_text(&r.to)
    );
    let mut parts = Vec::new();
    if !r.ports.is_empty() {
        parts.push(format!(
            "ports {}",
            r.ports
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ));
    }
    if !r.methods.is_empty() {
        parts.push(r.methods.join(","));
    }
    if !r.paths.is_empty() {
        parts.push(r.paths.join(" "));
    }
    if let Some(a) = &r.auth {
        parts.push(format!("auth {}", auth_text(a)));
    }
    if let Some(rl) = &r.rate_limit {
        parts.push(rate_text(rl));
    }
    if let Some(e) = &r.expires {
        parts.push(format!("expires {e}"));
    }
    if !parts.is_empty() {
        let _ = write!(out, " [{}]", parts.join("; "));
    }
    out
}

fn summary_text(d: &Design, path: &str) -> String {
    let mut out = String::new();
    let name = if d.name.is_empty() {
        "(unnamed design)"
    } else {
        &d.name
    };
    let _ = writeln!(out, "{name}  ({path}, {})", d.format);
    let _ = writeln!(
        out,
        "{} services, {} segments, {} rules, {} flows, {} data classes",
        d.services.len(),
        d.segments.len(),
        d.rules.len(),
        d.flows.len(),
        d.data_classes.len()
    );
    let tree = children(d);
    let _ = writeln!(out, "\nSegments");
    let mut seen = HashSet::new();
    if let Some(roots) = tree.get(&None) {
        for (i, s) in roots.iter().enumerate() {
            segment_tree(&mut out, d, &tree, s, "", i + 1 == roots.len(), &mut seen);
        }
    }
    let placed: HashSet<&str> = d
        .segments
        .iter()
        .flat_map(|s| s.members.iter().map(String::as_str))
        .collect();
    let loose: Vec<&Service> = d
        .services
        .iter()
        .filter(|s| !placed.contains(s.id.as_str()))
        .collect();
    if !loose.is_empty() {
        let _ = writeln!(out, "\nUnsegmented services");
        for s in loose {
            let _ = writeln!(out, "  {}", service_line(s));
        }
    }
    let _ = writeln!(out, "\nRules");
    for r in &d.rules {
        let _ = writeln!(out, "  {}", rule_line(r));
    }
    let _ = writeln!(out, "\nData classes");
    for c in &d.data_classes {
        let jewel = if c.crown_jewel { ", crown jewel" } else { "" };
        let _ = writeln!(out, "  {} ({}{jewel})", c.id, lower(&c.sensitivity));
    }
    out
}

fn segment_tree<'d>(
    out: &mut String,
    d: &'d Design,
    tree: &BTreeMap<Option<&'d str>, Vec<&'d Segment>>,
    s: &'d Segment,
    prefix: &str,
    last: bool,
    seen: &mut HashSet<&'d str>,
) {
    // A cycle is a validation error, so a valid design never repeats; stay bounded anyway.
    if !seen.insert(&s.id) {
        return;
    }
    let (branch, indent) = if last {
        ("└─ ", "   ")
    } else {
        ("├─ ", "│  ")
    };
    let _ = writeln!(out, "{prefix}{branch}{}", segment_line(s));
    let child_prefix = format!("{prefix}{indent}");
    let subs = tree.get(&Some(s.id.as_str())).cloned().unwrap_or_default();
    let members: Vec<&Service> = s.members.iter().filter_map(|m| d.service(m)).collect();
    let total = members.len() + subs.len();
    for (i, m) in members.iter().enumerate() {
        let b = if i + 1 == total { "└─ " } else { "├─ " };
        let _ = writeln!(out, "{child_prefix}{b}{}", service_line(m));
    }
    for (i, sub) in subs.iter().enumerate() {
        segment_tree(
            out,
            d,
            tree,
            sub,
            &child_prefix,
            members.len() + i + 1 == total,
            seen,
        );
    }
}

fn summary_json(d: &Design) -> Value {
    let tree = children(d);
    fn node<'d>(
        tree: &BTreeMap<Option<&'d str>, Vec<&'d Segment>>,
        s: &'d Segment,
        seen: &mut HashSet<&'d str>,
    ) -> Value {
        seen.insert(&s.id);
        let subs: Vec<Value> = tree
            .get(&Some(s.id.as_str()))
            .map(|v| {
                v.iter()
                    .filter(|c| !seen.contains(c.id.as_str()))
                    .copied()
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
            .into_iter()
            .map(|c| node(tree, c, seen))
            .collect();
        json!({
            "id": s.id, "name": s.name, "level": s.level, "trust": s.trust,
            "sensitivity": s.sensitivity, "auth": s.policy.auth, "rate_limit": s.policy.rate_limit,
            "intra": s.policy.intra, "members": s.members, "segments": subs,
        })
    }
    let mut seen = HashSet::new();
    let roots: Vec<Value> = tree
        .get(&None)
        .map(|r| r.iter().map(|s| node(&tree, s, &mut seen)).collect())
        .unwrap_or_default();
    let placed: HashSet<&str> = d
        .segments
        .iter()
        .flat_map(|s| s.members.iter().map(String::as_str))
        .collect();
    json!({
        "name": d.name,
        "format": d.format,
        "counts": {"services": d.services.len(), "segments": d.segments.len(), "rules": d.rules.len(), "flows": d.flows.len(), "data_classes": d.data_classes.len()},
        "segments": roots,
        "unsegmented": d.services.iter().filter(|s| !placed.contains(s.id.as_str())).map(|s| &s.id).collect::<Vec<_>>(),
        "services": d.services.iter().map(|s| json!({"id": s.id, "kind": s.kind, "exposure": s.exposure, "data_held": s.data_held})).collect::<Vec<_>>(),
        "rules": d.rules.iter().map(|r| json!({"id": r.id, "action": r.action, "from": r.from, "to": r.to, "summary": rule_line(r)})).collect::<Vec<_>>(),
        "data_classes": d.data_classes,
    })
}
