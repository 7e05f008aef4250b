//! Diagnostics: what is wrong with a design, and exactly where.
//!
//! Every reader and checker in Bulkhead reports through [`Diagnostic`]: a stable `code` that
//! machines (the UI, CI) match on, a lowercase message that quotes user input in backticks, a
//! JSON pointer into the design, and, when the source text is known, its line and column.

use schemars::JsonSchema;
use serde::Serialize;

/// How bad a diagnostic is. Errors make a design invalid; warnings do not.
#[derive(Serialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
// Named apart from the findings' `Severity` in the app's IPC schema (`schema/ipc.schema.json`).
#[schemars(rename = "DiagnosticSeverity")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A place in the source text: 1-based line and column (in characters), plus the byte range
/// for renderers that underline it.
#[derive(Serialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
    pub length: usize,
}

/// One problem found in a design.
#[derive(Serialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable kebab-case code, e.g. `unknown-id`. Documented in `docs/diagnostics.md`.
    pub code: &'static str,
    pub message: String,
    /// JSON pointer (RFC 6901) to the offending value; `""` is the whole document.
    pub pointer: String,
    /// Where `pointer` is in the source text, when the text is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// How to fix it, e.g. "did you mean `payments-api`?".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            pointer: pointer.into(),
            location: None,
            help: None,
        }
    }

    pub fn warning(
        code: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, pointer, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_location(mut self, location: Option<Location>) -> Self {
        self.location = location;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Append one reference token to a JSON pointer, escaping `~` and `/` (RFC 6901).
pub fn pointer_push(pointer: &str, token: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + token.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// The closest candidate to `word` by edit distance, if it is close enough to be a plausible
/// typo (at most a third of the word's length, and at least one edit allowed).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    let lower = word.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| {
            let d = if c.to_lowercase() == lower {
                0
            } else {
                levenshtein(&lower, &c.to_lowercase())
            };
            (d, c)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Edit distance, bounded in cost by the (short) ids it compares: O(n·m) time, O(m) memory.
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escapes() {
        assert_eq!(
            pointer_push("/labels", "app.kubernetes.io/name"),
            "/labels/app.kubernetes.io~1name"
        );
        assert_eq!(pointer_push("", "a~b"), "/a~0b");
    }

    #[test]
    fn suggestions() {
        let ids = ["payments-api", "cards-api", "ledger-service"];
        assert_eq!(did_you_mean("payment-api", ids), Some("payments-api"));
        assert_eq!(did_you_mean("Cards-API", ids), Some("cards-api"));
        assert_eq!(did_you_mean("zzz", ids), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}
