//! Import: read API inventories (files, a folder or a URL) with `bulkhead-import`, show what
//! would be added or updated and the proposed segmentation, then merge on the user's word.

use serde::Deserialize;

use crate::error::{IpcError, IpcResult};
use crate::input;

/// Most sources one import may name.
const MAX_SOURCES: usize = 64;

/// Where to import from.
#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    File { path: String },
    Folder { path: String },
    Url { url: String },
}

fn check_sources(sources: Vec<Source>) -> IpcResult<Vec<Source>> {
    let sources = input::bounded_list("sources", sources, MAX_SOURCES)?;
    if sources.is_empty() {
        return Err(IpcError::invalid_input(
            "`sources` is empty: pick files, a folder or a URL",
        ));
    }
    for s in &sources {
        match s {
            Source::File { path } => {
                let p = input::absolute_path("sources[].path", path)?;
                if !p.is_file() {
                    return Err(IpcError::new(
                        crate::error::ErrorCode::NotFound,
                        format!("`{}` is not a file", p.display()),
                    ));
                }
            }
            Source::Folder { path } => {
                input::existing_dir("sources[].path", path)?;
            }
            Source::Url { url } => {
                let url = input::short_text("sources[].url", url, 2048)?;
                if !(url.starts_with("https://") || url.starts_with("http://")) {
                    return Err(IpcError::invalid_input(format!(
                        "`{url}` is not an http(s) URL"
                    )));
                }
            }
        }
    }
    Ok(sources)
}

#[tauri::command]
pub async fn import_preview(
    design: serde_json::Value,
    sources: Vec<Source>,
) -> IpcResult<serde_json::Value> {
    let _ = input::design(design)?;
    let _ = check_sources(sources)?;
    Err(IpcError::not_available(
        "import_preview",
        "the importers (`bulkhead-import`)",
    ))
}

#[tauri::command]
pub async fn import_apply(
    design: serde_json::Value,
    sources: Vec<Source>,
    accept_proposal: bool,
) -> IpcResult<serde_json::Value> {
    let _ = input::design(design)?;
    let _ = check_sources(sources)?;
    let _ = accept_proposal;
    Err(IpcError::not_available(
        "import_apply",
        "the importers (`bulkhead-import`)",
    ))
}
