//! Reading and writing design files for the app: `bulkhead-store` reads (size-capped, UTF-8
//! checked) and saves atomically; `bulkhead_core::validate` parses, validates and locates every
//! problem at line:column.

use std::path::Path;

use bulkhead_core::Design;
use bulkhead_core::date::Date;
use bulkhead_core::diagnostic::Diagnostic;
use bulkhead_core::validate;
use bulkhead_store::StoreError;

use crate::error::{ErrorCode, IpcError, IpcResult};

/// A design file that was read and validated.
#[derive(Debug)]
pub struct ReadDesign {
    pub design: Design,
    /// Its warnings, located (errors never get this far).
    pub diagnostics: Vec<Diagnostic>,
    /// The file's text when it is exactly the design's canonical JSON (what every save writes),
    /// so it can be sent to the UI as it is instead of serialising the design again.
    pub canonical_text: Option<String>,
}

/// Reads, parses and validates a design file. A file with errors is an `invalid_design` error
/// carrying every diagnostic (errors and warnings, located); a valid one comes back with its
/// warnings.
pub fn read(path: &Path) -> IpcResult<ReadDesign> {
    let text = bulkhead_store::read_text(path).map_err(store_error)?;
    let report = validate::check_text(&text, &options());
    let errors = report.errors();
    match report.design {
        Some(design) if errors == 0 => Ok(ReadDesign {
            design,
            diagnostics: report.diagnostics,
            canonical_text: report.canonical.then_some(text),
        }),
        _ => Err(IpcError::new(
            ErrorCode::InvalidDesign,
            format!(
                "`{}` is not a valid design: {errors} error{}",
                path.display(),
                if errors == 1 { "" } else { "s" }
            ),
        )
        .with_diagnostics(report.diagnostics)
        .with_path(path)),
    }
}

/// Every problem in a design held in memory (no locations: there is no text).
pub fn check(design: &Design) -> Vec<Diagnostic> {
    validate::validate(design, &options())
}

/// Saves `design` to `path` in canonical form, atomically, keeping the previous version.
pub fn write(path: &Path, design: &Design) -> IpcResult<()> {
    bulkhead_store::save(path, design).map_err(store_error)
}

/// Writes the app's own small files (recent list, recovery) with the same atomic save.
pub fn write_own(path: &Path, bytes: &[u8]) -> IpcResult<()> {
    bulkhead_store::save_bytes(path, bytes, bulkhead_store::SaveOptions { backup: false })
        .map_err(store_error)
}

fn options() -> validate::Options {
    validate::Options {
        today: Some(today()),
    }
}

/// Today (UTC) for expired-exception warnings; the core never reads the clock itself.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Date::from_unix_days((secs / 86_400) as i64)
}

fn store_error(e: StoreError) -> IpcError {
    let code = match e.code() {
        "not-found" => ErrorCode::NotFound,
        "too-large" => ErrorCode::TooLarge,
        "not-utf8" | "is-directory" | "not-a-file" => ErrorCode::InvalidInput,
        _ => ErrorCode::Io,
    };
    IpcError::new(code, e.to_string())
}
