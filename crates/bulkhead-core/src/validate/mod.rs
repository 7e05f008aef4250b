//! Validation: every problem in a design, collected before anything is reported.
//!
//! [`validate`] checks a parsed design and returns diagnostics with JSON pointers;
//! [`check_text`] reads text, validates it and locates every diagnostic at `line:column`. The
//! codes are stable (the UI and CI match on them) and listed in `docs/diagnostics.md`:
//!
//! - [`refs`]: ids (empty, duplicate, reserved), references to services, segments and data
//!   classes (with "did you mean"), segment structure (parent cycles, a service in two
//!   segments), rules targeting the internet, stale layout and triage entries;
//! - [`values`]: ports, HTTP methods, path templates, dates and timestamps, expired exceptions,
//!   probabilities and rate limits.

pub mod refs;
pub mod values;

use serde::Serialize;

use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::file::{self, Syntax};
use crate::model::Design;

/// What validation needs from outside the design. The core never reads the clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Today's date, for expired exceptions; `None` skips that check.
    pub today: Option<Date>,
}

/// Every problem in `design`, in a stable order (by kind of check, then document order).
pub fn validate(design: &Design, options: &Options) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    refs::check(design, &mut out);
    values::check(design, options, &mut out);
    out
}

/// The result of reading and validating one design text.
#[derive(Serialize, Clone, Debug)]
pub struct Report {
    /// The design, when the text could be read (it may still have validation errors).
    #[serde(skip)]
    pub design: Option<Design>,
    pub syntax: Syntax,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrated_from: Option<String>,
    /// Whether the text is already in canonical form (`bulkhead fmt` would not change it);
    /// always false from [`load_text`], which does not ask.
    pub canonical: bool,
    /// Every diagnostic, located, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// Where each value sits in the text, when it could be read: for locating what is found
    /// later on the design (findings).
    #[serde(skip)]
    pub locations: Option<file::Locations>,
}

impl Report {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }

    pub fn is_valid(&self) -> bool {
        self.design.is_some() && self.errors() == 0
    }
}

/// Read `text`, validate it and locate every diagnostic.
pub fn check_text(text: &str, options: &Options) -> Report {
    check(text, options, true)
}

/// [`check_text`] for a caller that only uses the design (a command that evaluates or exports
/// it): the same diagnostics, without asking whether the text is canonical, which writes the
/// whole design out again (a tenth of loading a 10,000-service design). `canonical` is false.
pub fn load_text(text: &str, options: &Options) -> Report {
    check(text, options, false)
}

fn check(text: &str, options: &Options, ask_canonical: bool) -> Report {
    match file::parse_with_partial(text) {
        Ok(parsed) => {
            let mut diagnostics = parsed.warnings.clone();
            diagnostics.extend(validate(&parsed.design, options));
            parsed.locate(&mut diagnostics);
            sort(&mut diagnostics);
            let canonical = ask_canonical && parsed.is_canonical();
            Report {
                design: Some(parsed.design),
                syntax: parsed.syntax,
                migrated_from: parsed.migrated_from,
                canonical,
                diagnostics,
                locations: Some(parsed.locations),
            }
        }
        Err(failure) => {
            let mut diagnostics = failure.diagnostics;
            // Validate what could be read, so one run reports as much as possible.
            if let Some((partial, locations)) = failure.partial {
                let mut more: Vec<Diagnostic> = validate(&partial.design, options)
                    .into_iter()
                    .filter(|d| !partial.is_skipped(&d.pointer))
                    .collect();
                locations.locate(&mut more);
                diagnostics.extend(more);
            }
            sort(&mut diagnostics);
            Report {
                design: None,
                syntax: file::detect(text),
                migrated_from: None,
                canonical: false,
                diagnostics,
                locations: None,
            }
        }
    }
}

/// Source order: by location when known (unlocated ones last), then by pointer and code.
/// The sort is stable, so equal keys keep the checks' order.
fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.location.map_or(usize::MAX, |l| l.offset);
        key(a).cmp(&key(b))
    });
}
