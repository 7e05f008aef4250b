//! Checks on every IPC argument before the shell acts on it.
//!
//! The webview is treated as untrusted: a compromised page may call any command it has a
//! permission for with any arguments. So every path must be absolute, bounded and of an allowed
//! kind; every list and design is size-bounded; every enum string is checked against its closed
//! set (with "did you mean").

use std::path::{Path, PathBuf};

use bulkhead_core::Design;

use crate::error::{ErrorCode, IpcError, IpcResult};

/// Longest path accepted from the UI, in bytes.
pub const MAX_PATH_BYTES: usize = 4096;
/// Largest design file the app opens (the 2,000-service benchmark design is about 2 MB).
pub const MAX_DESIGN_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Most elements (services, segments, rules, flows, data classes) a design sent over IPC may hold.
pub const MAX_DESIGN_ELEMENTS: usize = 500_000;
/// Extensions of design files the app reads. YAML is read but never written.
pub const DESIGN_READ_EXTENSIONS: &[&str] = &["json", "yaml", "yml"];

/// A path string from the UI: non-empty, bounded, no NUL, absolute.
pub fn absolute_path(field: &str, raw: &str) -> IpcResult<PathBuf> {
    if raw.is_empty() {
        return Err(IpcError::invalid_input(format!("`{field}` is empty")));
    }
    if raw.len() > MAX_PATH_BYTES {
        return Err(IpcError::new(
            ErrorCode::TooLarge,
            format!("`{field}` is longer than {MAX_PATH_BYTES} bytes"),
        ));
    }
    if raw.contains('\0') {
        return Err(IpcError::invalid_input(format!(
            "`{field}` contains a NUL character"
        )));
    }
    let path = PathBuf::from(raw);
    if !path.is_absolute() {
        return Err(IpcError::invalid_input(format!(
            "`{field}` must be an absolute path, got `{raw}`"
        )));
    }
    Ok(path)
}

fn extension_of(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
}

/// A design file to open: an existing regular file with a `.json`, `.yaml` or `.yml` extension,
/// no larger than [`MAX_DESIGN_FILE_BYTES`]. Returns the canonical path.
pub fn design_file_to_read(raw: &str) -> IpcResult<PathBuf> {
    let path = absolute_path("path", raw)?;
    check_read_extension(&path)?;
    let canonical = path
        .canonicalize()
        .map_err(|e| IpcError::io("cannot open", &path, &e))?;
    let meta =
        std::fs::metadata(&canonical).map_err(|e| IpcError::io("cannot open", &canonical, &e))?;
    if !meta.is_file() {
        return Err(IpcError::invalid_input(format!(
            "`{}` is not a file",
            path.display()
        )));
    }
    if meta.len() > MAX_DESIGN_FILE_BYTES {
        return Err(IpcError::new(
            ErrorCode::TooLarge,
            format!(
                "`{}` is {} bytes; the app opens designs up to {} bytes",
                path.display(),
                meta.len(),
                MAX_DESIGN_FILE_BYTES
            ),
        ));
    }
    Ok(canonical)
}

fn check_read_extension(path: &Path) -> IpcResult<()> {
    match extension_of(path) {
        Some(ext) if DESIGN_READ_EXTENSIONS.contains(&ext.as_str()) => Ok(()),
        _ => Err(IpcError::invalid_input(format!(
            "`{}` is not a design file: expected a `.bulkhead.json`, `.json`, `.yaml` or `.yml` file",
            path.display()
        ))),
    }
}

/// A design file to write: absolute, ending in `.json`, in an existing folder, and not a folder
/// itself. Saving always writes canonical JSON, so YAML paths are refused rather than silently
/// filled with JSON.
pub fn design_file_to_write(raw: &str) -> IpcResult<PathBuf> {
    let path = absolute_path("path", raw)?;
    if extension_of(&path).as_deref() != Some("json") {
        return Err(IpcError::invalid_input(format!(
            "`{}` must end in `.json` (designs are saved as JSON, e.g. `name.bulkhead.json`)",
            path.display()
        )));
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .ok_or_else(|| IpcError::invalid_input(format!("`{}` has no folder", path.display())))?;
    if !parent.is_dir() {
        return Err(IpcError::new(
            ErrorCode::NotFound,
            format!("folder `{}` does not exist", parent.display()),
        ));
    }
    if path.is_dir() {
        return Err(IpcError::invalid_input(format!(
            "`{}` is a folder",
            path.display()
        )));
    }
    Ok(path)
}

/// An existing folder to write into.
pub fn existing_dir(field: &str, raw: &str) -> IpcResult<PathBuf> {
    let path = absolute_path(field, raw)?;
    match std::fs::metadata(&path) {
        Ok(m) if m.is_dir() => Ok(path),
        Ok(_) => Err(IpcError::invalid_input(format!(
            "`{}` is not a folder",
            path.display()
        ))),
        Err(e) => Err(IpcError::io("cannot use folder", &path, &e)),
    }
}

/// A design sent by the UI. The command receives it as raw JSON so that a malformed design gets
/// our error shape (with the JSON path of the problem) instead of Tauri's generic one.
pub fn design(value: serde_json::Value) -> IpcResult<Design> {
    let elements = count_elements(&value);
    if elements > MAX_DESIGN_ELEMENTS {
        return Err(IpcError::new(
            ErrorCode::TooLarge,
            format!(
                "the design has {elements} elements; the app accepts up to {MAX_DESIGN_ELEMENTS}"
            ),
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        IpcError::new(
            ErrorCode::InvalidDesign,
            format!("the design sent by the UI is malformed: {e}"),
        )
    })
}

fn count_elements(value: &serde_json::Value) -> usize {
    const LISTS: &[&str] = &[
        "services",
        "segments",
        "rules",
        "flows",
        "data_classes",
        "triage",
    ];
    LISTS
        .iter()
        .filter_map(|k| value.get(*k).and_then(|v| v.as_array()))
        .map(Vec::len)
        .sum()
}

/// One value of a closed set of strings; otherwise an error listing the choices and, where one
/// is close, "did you mean".
pub fn one_of<'a>(field: &str, raw: &str, allowed: &[&'a str]) -> IpcResult<&'a str> {
    if let Some(hit) = allowed.iter().find(|a| **a == raw) {
        return Ok(hit);
    }
    let shown: String = raw.chars().take(64).collect();
    let mut message = format!(
        "`{field}` must be one of {}, got `{shown}`",
        allowed
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(near) = did_you_mean(raw, allowed.iter().copied()) {
        message.push_str(&format!("; did you mean `{near}`?"));
    }
    Err(IpcError::invalid_input(message))
}

/// A list from the UI with at most `max` entries.
pub fn bounded_list<T>(field: &str, list: Vec<T>, max: usize) -> IpcResult<Vec<T>> {
    if list.len() > max {
        return Err(IpcError::new(
            ErrorCode::TooLarge,
            format!(
                "`{field}` has {} entries; at most {max} are accepted",
                list.len()
            ),
        ));
    }
    Ok(list)
}

/// A short free-text or id string from the UI: non-empty, at most `max` bytes, no control chars.
pub fn short_text<'a>(field: &str, raw: &'a str, max: usize) -> IpcResult<&'a str> {
    if raw.is_empty() {
        return Err(IpcError::invalid_input(format!("`{field}` is empty")));
    }
    if raw.len() > max {
        return Err(IpcError::new(
            ErrorCode::TooLarge,
            format!("`{field}` is longer than {max} bytes"),
        ));
    }
    if raw.chars().any(char::is_control) {
        return Err(IpcError::invalid_input(format!(
            "`{field}` contains control characters"
        )));
    }
    Ok(raw)
}

/// The candidate closest to `input`, if it is close enough to be a typo. Inputs longer than an
/// id can be are not typos; skipping them keeps the edit distance cheap on hostile input.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if input.len() > 256 {
        return None;
    }
    bulkhead_core::diagnostic::did_you_mean(input, candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_empty_paths_are_refused() {
        assert_eq!(
            absolute_path("path", "").unwrap_err().code,
            ErrorCode::InvalidInput
        );
        let e = absolute_path("path", "examples/x.json").unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("absolute"), "{}", e.message);
        let long = format!("/{}", "a".repeat(MAX_PATH_BYTES));
        assert_eq!(
            absolute_path("path", &long).unwrap_err().code,
            ErrorCode::TooLarge
        );
        assert_eq!(
            absolute_path("path", "/a\0b").unwrap_err().code,
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn read_path_must_be_an_existing_design_file() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("a.bulkhead.json");
        std::fs::write(&good, "{}").unwrap();
        assert!(design_file_to_read(good.to_str().unwrap()).is_ok());

        let wrong_ext = dir.path().join("a.txt");
        std::fs::write(&wrong_ext, "{}").unwrap();
        let e = design_file_to_read(wrong_ext.to_str().unwrap()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("not a design file"), "{}", e.message);

        let missing = dir.path().join("missing.json");
        assert_eq!(
            design_file_to_read(missing.to_str().unwrap())
                .unwrap_err()
                .code,
            ErrorCode::NotFound
        );

        let folder = dir.path().join("folder.json");
        std::fs::create_dir(&folder).unwrap();
        assert_eq!(
            design_file_to_read(folder.to_str().unwrap())
                .unwrap_err()
                .code,
            ErrorCode::InvalidInput
        );
    }

    #[test]
    fn write_path_must_be_json_in_an_existing_folder() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("new.bulkhead.json");
        assert_eq!(design_file_to_write(ok.to_str().unwrap()).unwrap(), ok);
        let yaml = dir.path().join("new.yaml");
        assert_eq!(
            design_file_to_write(yaml.to_str().unwrap())
                .unwrap_err()
                .code,
            ErrorCode::InvalidInput
        );
        let no_dir = dir.path().join("nope").join("x.json");
        assert_eq!(
            design_file_to_write(no_dir.to_str().unwrap())
                .unwrap_err()
                .code,
            ErrorCode::NotFound
        );
    }

    #[test]
    fn enum_strings_are_checked_with_did_you_mean() {
        assert_eq!(
            one_of("assume", "worst", &["worst", "known", "probabilistic"]).unwrap(),
            "worst"
        );
        let e = one_of("assume", "worstt", &["worst", "known", "probabilistic"]).unwrap_err();
        assert_eq!(
            e.message,
            "`assume` must be one of `worst`, `known`, `probabilistic`, got `worstt`; did you mean `worst`?"
        );
    }

    #[test]
    fn malformed_and_oversized_designs_are_refused() {
        let e = design(serde_json::json!({"format": "bulkhead/1", "services": [{"idd": "x"}]}))
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidDesign);
        let many: Vec<serde_json::Value> = (0..=MAX_DESIGN_ELEMENTS)
            .map(|_| serde_json::Value::Null)
            .collect();
        let e = design(serde_json::json!({"format": "bulkhead/1", "flows": many})).unwrap_err();
        assert_eq!(e.code, ErrorCode::TooLarge);
    }

    #[test]
    fn lists_and_text_are_bounded() {
        assert_eq!(
            bounded_list("targets", vec![1, 2, 3], 2).unwrap_err().code,
            ErrorCode::TooLarge
        );
        assert_eq!(
            short_text("origin", "a\nb", 10).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        assert_eq!(
            short_text("origin", "abc", 2).unwrap_err().code,
            ErrorCode::TooLarge
        );
    }
}
