//! `bulkhead-audit`: the report an architect hands an auditor for segmentation testing.
//!
//! [`Audit::compute`] gathers the evidence once, all of it from the core: the segment matrix,
//! every rule with its justification and expiry, the findings and their triage, the breach
//! simulation from the internet (attack paths to crown jewels, compared with a flat network),
//! every origin's blast radius, and the drift check when one was run. [`html`] renders it as
//! one self-contained page (inline CSS, inline SVG of the estate laid out by [`layout`], no
//! scripts, no external resources) and [`markdown`] as Markdown. Both are pure and
//! deterministic: the date is passed in, and everything is sorted.
//!
//! What the two renderers show is decided here, once: the matrix's rows and columns
//! ([`Audit::matrix_sides`]), what a rule matches ([`RuleMatch`]), the attack paths that end at a
//! crown jewel ([`Audit::jewel_paths`]) and the plain-text wording of auth, rate limits and
//! triage. The renderers only choose markup, so the HTML and Markdown reports cannot disagree.

pub mod html;
pub mod layout;
pub mod markdown;

use bulkhead_core::Design;
use bulkhead_core::analysis::{Analysis, AnalyzeOptions, analyze};
use bulkhead_core::drift::Drift;
use std::collections::BTreeSet;

use bulkhead_core::eval::{Caller, Evaluator};
use bulkhead_core::matrix::{
    Matrix, SegmentMatrix, SegmentMatrixEntry, SegmentSide, by_segment, matrix,
};
use bulkhead_core::model::{Auth, Period, RateLimit, Rule, TriageStatus};
use bulkhead_core::simulate::{Assumption, ReachedService, SimulateOptions, Simulation, simulate};

pub use html::html;
pub use markdown::markdown;

/// What a report is made of.
pub struct Audit<'d> {
    pub design: &'d Design,
    /// The date the report is as of (`YYYY-MM-DD`), for expiry and the header.
    pub today: Option<String>,
    pub matrix: Matrix,
    pub segment_matrix: SegmentMatrix,
    pub analysis: Analysis,
    /// Worst-case breach from the internet (`None` if the design has no internet entry).
    pub internet: Option<Simulation>,
    pub drift: Option<&'d Drift>,
}

impl<'d> Audit<'d> {
    /// Compute everything a report shows.
    pub fn compute(design: &'d Design, today: Option<String>, drift: Option<&'d Drift>) -> Self {
        // As of the report's date: exceptions that expired before it no longer allow.
        let eval = match today.as_deref().and_then(bulkhead_core::date::Date::parse) {
            Some(date) => Evaluator::at(design, date),
            None => Evaluator::new(design),
        };
        let m = matrix(&eval);
        let segment_matrix = by_segment(&eval, &m);
        let analysis = analyze(
            &eval,
            &AnalyzeOptions {
                today: today.clone(),
            },
        );
        let internet = simulate(
            &eval,
            &Caller::Internet,
            &SimulateOptions {
                assumption: Assumption::Worst,
                blocked: Vec::new(),
            },
        )
        .ok();
        Audit {
            design,
            today,
            matrix: m,
            segment_matrix,
            analysis,
            internet,
            drift,
        }
    }

    /// Is an exception's expiry date before the report's date?
    pub fn expired(&self, expires: &str) -> bool {
        self.today.as_deref().is_some_and(|t| expires < t)
    }

    /// A segment's display name.
    pub fn segment_name(&self, id: &str) -> String {
        self.design
            .segment(id)
            .map(|s| {
                if s.name.is_empty() {
                    s.id.clone()
                } else {
                    s.name.clone()
                }
            })
            .unwrap_or_else(|| id.to_string())
    }

    /// The segment matrix's sides: the internet (a row only), then every leaf segment that holds
    /// a service, in design order, then `(unsegmented)` if some service is in no segment.
    pub fn matrix_sides(&self) -> Vec<SegmentSide> {
        let d = self.design;
        let eval = Evaluator::new(d);
        let mut leaves: Vec<&str> = Vec::new();
        for svc in &d.services {
            if let Some(seg) = eval.segment_of(&svc.id)
                && !leaves.contains(&seg)
            {
                leaves.push(seg);
            }
        }
        leaves.sort_by_key(|l| d.segments.iter().position(|g| g.id == *l));
        let mut sides = vec![SegmentSide::Internet];
        sides.extend(
            leaves
                .into_iter()
                .map(|l| SegmentSide::Segment(l.to_string())),
        );
        if d.services.iter().any(|x| eval.segment_of(&x.id).is_none()) {
            sides.push(SegmentSide::Unsegmented);
        }
        sides
    }

    /// The matrix cell from one side to another (`None`: default deny).
    pub fn matrix_cell(&self, from: &SegmentSide, to: &SegmentSide) -> Option<&SegmentMatrixEntry> {
        self.segment_matrix
            .entries
            .iter()
            .find(|e| e.from == *from && e.to == *to)
    }

    /// The design's crown-jewel data classes.
    pub fn crown_jewels(&self) -> BTreeSet<&'d str> {
        self.design
            .data_classes
            .iter()
            .filter(|c| c.crown_jewel)
            .map(|c| c.id.as_str())
            .collect()
    }

    /// The services a simulation reached that expose crown-jewel data, in the simulation's order.
    pub fn jewel_paths<'s>(&self, sim: &'s Simulation) -> Vec<&'s ReachedService> {
        let jewels = self.crown_jewels();
        sim.reached
            .iter()
            .filter(|r| r.exposed.iter().any(|e| jewels.contains(e.as_str())))
            .collect()
    }
}

/// What a rule matches beyond its peers, as plain text: each part is `None` when the rule does
/// not narrow it.
pub struct RuleMatch<'r> {
    /// `ports 80,443`.
    pub ports: Option<String>,
    /// `GET,POST`.
    pub methods: Option<String>,
    /// The path patterns, unescaped.
    pub paths: &'r [String],
}

impl<'r> RuleMatch<'r> {
    pub fn of(r: &'r Rule) -> Self {
        RuleMatch {
            ports: (!r.ports.is_empty()).then(|| {
                let ports: Vec<String> = r.ports.iter().map(u32::to_string).collect();
                format!("ports {}", ports.join(","))
            }),
            methods: (!r.methods.is_empty()).then(|| r.methods.join(",")),
            paths: &r.paths,
        }
    }

    /// The rule matches any call between its peers.
    pub fn is_anything(&self) -> bool {
        self.ports.is_none() && self.methods.is_none() && self.paths.is_empty()
    }
}

/// An auth requirement in words: `API key `k``, `JWT from i with s`, `mTLS: a, b`.
pub fn auth_text(a: &Auth) -> String {
    match a {
        Auth::None => "none".into(),
        Auth::ApiKey { key } => format!("API key `{key}`"),
        Auth::Jwt { issuer, scopes } => {
            if scopes.is_empty() {
                format!("JWT from {issuer}")
            } else {
                format!("JWT from {issuer} with {}", scopes.join(", "))
            }
        }
        Auth::Mtls { identities } => {
            if identities.is_empty() {
                "mTLS (no identity allowed)".into()
            } else {
                format!("mTLS: {}", identities.join(", "))
            }
        }
    }
}

/// A rate limit in words: `100/min (burst 20)`, or `-` for none.
pub fn rate_text(r: &Option<RateLimit>) -> String {
    match r {
        None => "-".into(),
        Some(r) => {
            let per = match r.per {
                Period::Second => "s",
                Period::Minute => "min",
                Period::Hour => "h",
            };
            match r.burst {
                Some(b) => format!("{}/{per} (burst {b})", r.requests),
                None => format!("{}/{per}", r.requests),
            }
        }
    }
}

/// A triage status in words.
pub fn triage_text(s: TriageStatus) -> &'static str {
    match s {
        TriageStatus::Accepted => "accepted",
        TriageStatus::Mitigated => "mitigated",
        TriageStatus::FalsePositive => "false positive",
    }
}

/// `allowed`, `denied` and friends: `1 service`, `2 services`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_core::generate::{GenerateOptions, generate};

    /// The shared model is what both renderers print: every matrix side and every rule's match
    /// parts appear in the Markdown and (escaped) in the HTML.
    #[test]
    fn both_reports_show_the_shared_sides_and_rule_matches() {
        let d = generate(&GenerateOptions {
            services: 60,
            peers: 4,
            seed: 11,
        });
        let a = Audit::compute(&d, Some("2024-01-01".into()), None);
        let sides = a.matrix_sides();
        assert_eq!(sides[0], SegmentSide::Internet);
        let segmented: BTreeSet<&str> = sides
            .iter()
            .filter_map(|s| match s {
                SegmentSide::Segment(id) => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            segmented.len(),
            sides.len() - 1 - usize::from(sides.contains(&SegmentSide::Unsegmented))
        );
        let (md, page) = (markdown(&a), html(&a));
        let header = md
            .lines()
            .find(|l| l.starts_with("| from \\ to |"))
            .expect("matrix header");
        for side in sides.iter().skip(1) {
            assert!(header.contains(&format!(" {} |", side.label())), "{header}");
            assert!(page.contains(&format!("<th>{}</th>", html::esc(&side.label()))));
        }
        let mut narrowed = 0;
        for r in &d.rules {
            let m = RuleMatch::of(r);
            if m.is_anything() {
                continue;
            }
            narrowed += 1;
            for part in m.ports.iter().chain(&m.methods) {
                assert!(md.contains(part.as_str()), "{} {part}", r.id);
                assert!(page.contains(&html::esc(part)), "{} {part}", r.id);
            }
            for p in m.paths {
                assert!(md.contains(&format!("`{p}`")), "{} {p}", r.id);
            }
        }
        assert!(narrowed > 0, "the generated design has rules with ports");
    }

    #[test]
    fn rule_match_parts() {
        let r = rule_with_match();
        let m = RuleMatch::of(&r);
        assert_eq!(m.ports.as_deref(), Some("ports 80,443"));
        assert_eq!(m.methods.as_deref(), Some("GET,POST"));
        assert_eq!(m.paths, ["/a/**".to_string()]);
        assert!(!m.is_anything());
        let bare = Rule {
            ports: vec![],
            methods: vec![],
            paths: vec![],
            ..r
        };
        assert!(RuleMatch::of(&bare).is_anything());
    }

    fn rule_with_match() -> Rule {
        let d = generate(&GenerateOptions {
            services: 5,
            peers: 1,
            seed: 1,
        });
        Rule {
            ports: vec![80, 443],
            methods: vec!["GET".into(), "POST".into()],
            paths: vec!["/a/**".into()],
            ..d.rules[0].clone()
        }
    }
}
