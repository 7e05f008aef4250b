//! `bulkhead-audit`: the report an architect hands an auditor for segmentation testing.
//!
//! [`Audit::compute`] gathers the evidence once, all of it from the core: the segment matrix,
//! every rule with its justification and expiry, the findings and their triage, the breach
//! simulation from the internet (attack paths to crown jewels, compared with a flat network),
//! every origin's blast radius, and the drift check when one was run. [`html`] renders it as
//! one self-contained page (inline CSS, inline SVG of the estate laid out by [`layout`], no
//! scripts, no external resources) and [`markdown`] as Markdown. Both are pure and
//! deterministic: the date is passed in, and everything is sorted.

pub mod html;
pub mod layout;
pub mod markdown;

use bulkhead_core::Design;
use bulkhead_core::analysis::{Analysis, AnalyzeOptions, analyze};
use bulkhead_core::drift::Drift;
use bulkhead_core::eval::{Caller, Evaluator};
use bulkhead_core::matrix::{Matrix, SegmentMatrix, by_segment, matrix};
use bulkhead_core::simulate::{Assumption, SimulateOptions, Simulation, simulate};

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
}

/// `allowed`, `denied` and friends: `1 service`, `2 services`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}
