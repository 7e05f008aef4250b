//! Ids and references: everything that names a service, segment or data class must name one
//! that exists, every id is unique in its kind, and segments form a forest in which each
//! service has one place.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::model::{Design, INTERNET, Peer};

/// The ids of one kind, with the index of their first definition.
struct Ids<'d> {
    kind: &'static str,
    first: HashMap<&'d str, usize>,
    sorted: Vec<&'d str>,
}

impl<'d> Ids<'d> {
    fn collect(
        kind: &'static str,
        list: &'static str,
        ids: impl Iterator<Item = &'d str>,
        out: &mut Vec<Diagnostic>,
    ) -> Self {
        let mut first = HashMap::new();
        for (i, id) in ids.enumerate() {
            // Built only for a diagnostic: a valid design of 10,000 services has none.
            let pointer = || format!("/{list}/{i}/id");
            if id.trim().is_empty() {
                out.push(Diagnostic::error(
                    "empty-id",
                    pointer(),
                    format!("{kind} id is empty"),
                ));
                continue;
            }
            if let Some(&j) = first.get(id) {
                out.push(
                    Diagnostic::error(
                        "duplicate-id",
                        pointer(),
                        format!("duplicate {kind} id `{id}`"),
                    )
                    .with_help(format!(
                        "first defined at `/{list}/{j}`; ids must be unique"
                    )),
                );
            } else {
                first.insert(id, i);
            }
        }
        let mut sorted: Vec<&str> = first.keys().copied().collect();
        sorted.sort_unstable();
        Ids {
            kind,
            first,
            sorted,
        }
    }

    fn has(&self, id: &str) -> bool {
        self.first.contains_key(id)
    }

    /// Report `id` at `pointer` unless it exists (the pointer is built only then).
    fn require(
        &self,
        id: &str,
        pointer: impl FnOnce() -> String,
        role: &str,
        out: &mut Vec<Diagnostic>,
    ) {
        if self.has(id) {
            return;
        }
        let mut d = Diagnostic::error(
            "unknown-id",
            pointer(),
            format!("{role} `{id}` is not a known {}", self.kind),
        );
        d = match did_you_mean(id, self.sorted.iter().copied()) {
            Some(s) => d.with_help(format!("did you mean `{s}`?")),
            None if self.sorted.is_empty() => {
                d.with_help(format!("the design defines no {}s", self.kind))
            }
            None => d,
        };
        out.push(d);
    }
}

pub fn check(design: &Design, out: &mut Vec<Diagnostic>) {
    let classes = Ids::collect(
        "data class",
        "data_classes",
        design.data_classes.iter().map(|d| d.id.as_str()),
        out,
    );
    let services = Ids::collect(
        "service",
        "services",
        design.services.iter().map(|s| s.id.as_str()),
        out,
    );
    let segments = Ids::collect(
        "segment",
        "segments",
        design.segments.iter().map(|s| s.id.as_str()),
        out,
    );
    let rules = Ids::collect(
        "rule",
        "rules",
        design.rules.iter().map(|r| r.id.as_str()),
        out,
    );
    let flows = Ids::collect(
        "flow",
        "flows",
        design.flows.iter().map(|f| f.id.as_str()),
        out,
    );

    for (i, s) in design.services.iter().enumerate() {
        if s.id == INTERNET {
            out.push(
                Diagnostic::error(
                    "reserved-id",
                    format!("/services/{i}/id"),
                    format!("`{INTERNET}` is reserved for traffic from outside the estate"),
                )
                .with_help("rename the service, e.g. `internet-gateway`"),
            );
        }
        for (j, dc) in s.data_held.iter().enumerate() {
            classes.require(
                dc,
                || format!("/services/{i}/data_held/{j}"),
                "data class",
                out,
            );
        }
        for (e, ep) in s.endpoints.iter().enumerate() {
            for (j, dc) in ep.data_classes.iter().enumerate() {
                classes.require(
                    dc,
                    || format!("/services/{i}/endpoints/{e}/data_classes/{j}"),
                    "data class",
                    out,
                );
            }
        }
    }

    check_segments(design, &services, &segments, out);

    for (i, r) in design.rules.iter().enumerate() {
        for (side, peer) in [("from", &r.from), ("to", &r.to)] {
            let pointer = || format!("/rules/{i}/{side}");
            match peer {
                Peer::Segment(s) => {
                    segments.require(s, || format!("{}/segment", pointer()), side, out);
                }
                Peer::Service(s) => {
                    services.require(s, || format!("{}/service", pointer()), side, out);
                }
                Peer::Internet if side == "to" => out.push(
                    Diagnostic::error(
                        "internet-target",
                        pointer(),
                        format!("rule `{}` targets the internet", r.id),
                    )
                    .with_help(
                        "rules govern calls into the estate; `to` must be a segment or a service",
                    ),
                ),
                Peer::Internet | Peer::Any => {}
            }
        }
    }

    for (i, f) in design.flows.iter().enumerate() {
        if f.from != INTERNET {
            services.require(&f.from, || format!("/flows/{i}/from"), "from", out);
        }
        if f.to == INTERNET {
            out.push(
                Diagnostic::error(
                    "internet-target",
                    format!("/flows/{i}/to"),
                    format!("flow `{}` goes to the internet", f.id),
                )
                .with_help("model the external system as a service of kind `external`"),
            );
        } else {
            services.require(&f.to, || format!("/flows/{i}/to"), "to", out);
        }
    }

    // Layout entries for things that no longer exist are harmless but stale.
    for id in design.layout.positions.keys() {
        if !services.has(id) && !segments.has(id) {
            let pointer = crate::diagnostic::pointer_push("/layout/positions", id);
            let candidates = services.sorted.iter().chain(&segments.sorted).copied();
            let mut d = Diagnostic::warning(
                "unknown-id",
                pointer,
                format!("layout position for `{id}`, which is not a service or segment"),
            );
            d = match did_you_mean(id, candidates) {
                Some(s) => d.with_help(format!("did you mean `{s}`? otherwise remove the entry")),
                None => d.with_help("remove the entry (it only places a box)"),
            };
            out.push(d);
        }
    }

    // Triage keys are `CODE:subject`; a subject naming nothing left is stale.
    for (i, t) in design.triage.iter().enumerate() {
        let Some((_, subject)) = t.finding.split_once(':') else {
            out.push(
                Diagnostic::error(
                    "invalid-value",
                    format!("/triage/{i}/finding"),
                    format!(
                        "finding key `{}` is not of the form `CODE:subject`",
                        t.finding
                    ),
                )
                .with_help("copy the key from the finding, e.g. `BH001:payments-api`"),
            );
            continue;
        };
        let known = |id: &str| {
            services.has(id)
                || segments.has(id)
                || rules.has(id)
                || flows.has(id)
                || classes.has(id)
        };
        let tokens: Vec<&str> = subject
            .split(['>', ',', ' ', '|', '→'])
            .map(|t| t.trim_end_matches('-'))
            .filter(|t| !t.is_empty())
            .collect();
        if !tokens.is_empty() && !tokens.iter().any(|t| known(t)) {
            out.push(
                Diagnostic::warning(
                    "unknown-id",
                    format!("/triage/{i}/finding"),
                    format!(
                        "triage for `{}` names nothing in the design (`{subject}`)",
                        t.finding
                    ),
                )
                .with_help("the finding's subject was renamed or removed; drop the entry"),
            );
        }
    }
}

fn check_segments(
    design: &Design,
    services: &Ids<'_>,
    segments: &Ids<'_>,
    out: &mut Vec<Diagnostic>,
) {
    for (i, seg) in design.segments.iter().enumerate() {
        if let Some(p) = &seg.parent {
            if *p == seg.id {
                out.push(
                    Diagnostic::error(
                        "parent-cycle",
                        format!("/segments/{i}/parent"),
                        format!("segment `{}` is its own parent", seg.id),
                    )
                    .with_help("remove `parent` or name the enclosing segment"),
                );
            } else {
                segments.require(p, || format!("/segments/{i}/parent"), "parent", out);
            }
        }
    }

    // Parent cycles longer than one: walk up from each segment, bounded by the segment count.
    let index: HashMap<&str, usize> = segments.first.iter().map(|(k, v)| (*k, *v)).collect();
    let mut reported: HashSet<usize> = HashSet::new();
    for start in 0..design.segments.len() {
        let mut path = vec![start];
        let mut cur = start;
        for _ in 0..design.segments.len() {
            let Some(p) = design.segments[cur].parent.as_deref() else {
                break;
            };
            let Some(&pi) = index.get(p) else { break };
            if pi == cur {
                break; // self-parent, reported above
            }
            if let Some(pos) = path.iter().position(|&x| x == pi) {
                let cycle = &path[pos..];
                let lowest = *cycle.iter().min().unwrap_or(&pi);
                if lowest == start && reported.insert(start) {
                    let names: Vec<&str> = cycle
                        .iter()
                        .chain(std::iter::once(&pi))
                        .map(|&s| design.segments[s].id.as_str())
                        .collect();
                    out.push(
                        Diagnostic::error(
                            "parent-cycle",
                            format!("/segments/{start}/parent"),
                            format!(
                                "segment `{}` is its own ancestor: {}",
                                design.segments[start].id,
                                names
                                    .iter()
                                    .map(|n| format!("`{n}`"))
                                    .collect::<Vec<_>>()
                                    .join(" → ")
                            ),
                        )
                        .with_help(
                            "segments nest as a tree; break the cycle by removing one `parent`",
                        ),
                    );
                }
                break;
            }
            path.push(pi);
            cur = pi;
        }
    }

    // Members: known services, each in one segment only.
    let mut placed: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (i, seg) in design.segments.iter().enumerate() {
        let mut seen = HashSet::new();
        for (j, m) in seg.members.iter().enumerate() {
            let pointer = || format!("/segments/{i}/members/{j}");
            services.require(m, pointer, "member", out);
            if !seen.insert(m.as_str()) {
                out.push(
                    Diagnostic::warning(
                        "duplicate-member",
                        pointer(),
                        format!("`{m}` is listed twice in segment `{}`", seg.id),
                    )
                    .with_help("remove the second entry"),
                );
                continue;
            }
            if !services.has(m) {
                continue;
            }
            match placed.get(m.as_str()) {
                None => {
                    placed.insert(m, (i, j));
                }
                Some(&(other, oj)) => {
                    let first = &design.segments[other].id;
                    out.push(
                        Diagnostic::error(
                            "multiple-segments",
                            pointer(),
                            format!(
                                "service `{m}` is in two segments, `{first}` and `{}`",
                                seg.id
                            ),
                        )
                        .with_help(format!(
                            "a service belongs to one leaf segment (nesting already puts it in the ancestors); remove it from one of them (also listed at `/segments/{other}/members/{oj}`)"
                        )),
                    );
                }
            }
        }
    }
}
