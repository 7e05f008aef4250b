//! Problems and notes found while importing, each pointing at a file and a place in it.
//!
//! An import never stops at the first bad file: every problem becomes a [`Diagnostic`] and the
//! rest of the import completes. The UI receives them as data (`code` is stable, `message` is
//! for people), never as strings to parse.

use std::fmt;

use schemars::JsonSchema;
use serde::Serialize;

#[derive(Serialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
// Named apart from the validator's and the findings' severities in `schema/ipc.schema.json`.
#[schemars(rename = "ImportSeverity")]
pub enum Severity {
    /// A source (or part of one) could not be imported.
    Error,
    /// Imported, but something was dropped, guessed or refused.
    Warning,
    /// Worth knowing.
    Info,
}

/// One problem or note.
#[derive(Serialize, JsonSchema, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
// Named apart from the validator's `Diagnostic` in `schema/ipc.schema.json`.
#[schemars(rename = "ImportDiagnostic")]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine code, e.g. `yaml`, `helm-template`, `unparsed-lines`, `remote-ref`.
    pub code: String,
    /// File or URL.
    pub source: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column in characters (not bytes), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// JSON pointer inside the document, when that is the better location.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    pub message: String,
}

impl Diagnostic {
    pub fn new(
        severity: Severity,
        code: &str,
        source: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code: code.to_string(),
            source: source.into(),
            line: None,
            column: None,
            pointer: None,
            message: message.into(),
        }
    }

    pub fn error(code: &str, source: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, code, source, message)
    }

    pub fn warning(code: &str, source: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, code, source, message)
    }

    pub fn info(code: &str, source: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Info, code, source, message)
    }

    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    pub fn at_pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        write!(f, "{severity}[{}]: {}", self.code, self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(p) = &self.pointer {
            write!(f, "#{p}")?;
        }
        write!(f, ": {}", self.message)
    }
}
