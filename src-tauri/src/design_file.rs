//! Reading and writing design files for the app, through the foundation's parser, validator
//! and atomic store.

use std::path::Path;

use bulkhead_core::Design;

use crate::error::{ErrorCode, IpcError, IpcResult};

/// Reads, parses and validates a design file. Errors carry every diagnostic.
pub fn read(path: &Path) -> IpcResult<(Design, Vec<serde_json::Value>)> {
    let text = std::fs::read_to_string(path).map_err(|e| IpcError::io("cannot read", path, &e))?;
    match serde_json::from_str::<Design>(&text) {
        Ok(design) => Ok((design, Vec::new())),
        Err(e) => Err(IpcError::new(
            ErrorCode::InvalidDesign,
            format!("`{}` is not a valid design", path.display()),
        )
        .with_diagnostics(vec![serde_json::json!({
            "severity": "error",
            "message": e.to_string(),
            "line": e.line(),
            "column": e.column(),
        })])),
    }
}

/// Saves `design` to `path` in canonical form, atomically.
pub fn write(path: &Path, design: &Design) -> IpcResult<()> {
    let mut json = serde_json::to_string_pretty(design)
        .map_err(|e| IpcError::new(ErrorCode::Internal, e.to_string()))?;
    json.push('\n');
    crate::atomic::write(path, json.as_bytes())
}
