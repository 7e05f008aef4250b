//! The one error shape the UI receives from every command: `{code, message, diagnostics?}`.
//!
//! The UI decides what to do from `code` and shows `message` (lowercase, user input in
//! backticks); it never parses the message. `diagnostics` carries the validator's findings
//! when a design fails to parse or validate, so the UI can list every problem with its location
//! instead of showing a blank canvas.

use std::fmt;

use bulkhead_core::diagnostic::Diagnostic;
use schemars::JsonSchema;
use serde::Serialize;

/// What went wrong, as a stable machine-readable tag. Listed in `docs/ipc.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// An argument failed the shell's checks (wrong extension, unknown enum value, too long).
    InvalidInput,
    /// The file or folder does not exist.
    NotFound,
    /// The input is larger than the shell accepts.
    TooLarge,
    /// Reading or writing failed in the operating system.
    Io,
    /// The design does not parse or does not validate; `diagnostics` says where and why.
    InvalidDesign,
    /// Writing would overwrite existing files and `force` was not set.
    Exists,
    /// The call named a revision of the design the shell does not hold (any more): send the
    /// design again with `set_design` and repeat the call with the revision it returns.
    StaleRevision,
    /// The backend for this command has not been built yet.
    NotAvailable,
    /// A bug in Bulkhead: the message says what failed.
    Internal,
}

/// An error as sent over IPC.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
    /// The validator's diagnostics (`bulkhead_core::diagnostic::Diagnostic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<Diagnostic>>,
    /// For `invalid_design`: the absolute path of the file the diagnostics are about, so the UI
    /// can say which file is broken even when it did not pick it (the command line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        IpcError {
            code,
            message: message.into(),
            diagnostics: None,
            path: None,
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        IpcError::new(ErrorCode::InvalidInput, message)
    }

    pub fn io(what: &str, path: &std::path::Path, err: &std::io::Error) -> Self {
        let code = if err.kind() == std::io::ErrorKind::NotFound {
            ErrorCode::NotFound
        } else {
            ErrorCode::Io
        };
        IpcError::new(code, format!("{what} `{}`: {err}", path.display()))
    }

    pub fn not_available(command: &str, backend: &str) -> Self {
        IpcError::new(
            ErrorCode::NotAvailable,
            format!(
                "`{command}` is not available yet: it needs {backend}, which this build does not have"
            ),
        )
    }

    pub fn with_diagnostics(mut self, diagnostics: Vec<Diagnostic>) -> Self {
        self.diagnostics = Some(diagnostics);
        self
    }

    pub fn with_path(mut self, path: &std::path::Path) -> Self {
        self.path = Some(path.to_string_lossy().into_owned());
        self
    }
}

impl fmt::Display for IpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for IpcError {}

/// The result every command returns.
pub type IpcResult<T> = Result<T, IpcError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_message_and_optional_diagnostics() {
        let plain = IpcError::invalid_input("bad `x`");
        assert_eq!(
            serde_json::to_value(&plain).unwrap(),
            serde_json::json!({"code": "invalid_input", "message": "bad `x`"})
        );
        let with = IpcError::new(ErrorCode::InvalidDesign, "1 error")
            .with_diagnostics(vec![Diagnostic::error("unknown-id", "/rules/0/to", "m")]);
        assert_eq!(
            serde_json::to_value(&with).unwrap(),
            serde_json::json!({"code": "invalid_design", "message": "1 error", "diagnostics": [
                {"severity": "error", "code": "unknown-id", "message": "m", "pointer": "/rules/0/to"}
            ]})
        );
    }
}
