//! Import: read API inventories (files, a folder or a URL) with `bulkhead-import`, show what
//! would be added or updated and the proposed segmentation, then merge on the user's word.
//!
//! Both commands call the same library functions as `bulkhead import`
//! (`bulkhead_import::import_sources`, `ImportResult::merge_into`); nothing about what an import
//! means is decided here. The import itself (file reads, the URL fetch with its connect and total
//! timeouts) runs on a blocking worker thread, never on the UI thread or an async worker.
//!
//! What the user saw is what gets merged: `import_preview` keeps its result, and an
//! `import_apply` for the same sources merges that result instead of reading (or fetching)
//! everything again. Only a different list of sources is read anew.

use std::sync::{Arc, Mutex};

use bulkhead_core::Design;
use bulkhead_core::model::FlowKind;
use bulkhead_import::merge::{ItemKind, PreviewItem};
use bulkhead_import::{
    ImportOptions, ImportResult, MergeChoices, MergePreview, SegmentProposal, SourceReport,
    import_sources,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::input;
use crate::session::Session;

/// Most sources one import may name.
const MAX_SOURCES: usize = 64;
/// Most items the user may leave out of one merge (`skip`).
const MAX_SKIPPED: usize = 200_000;
/// Longest `skip` entry (`service:<id>`, `flow:<id>`, `data_class:<id>`, `live_policy:live`).
const MAX_SKIP_BYTES: usize = 1024;
/// The kinds of item a `skip` entry (`<kind>:<id>`) may name: the preview's item kinds that
/// the user can untick (segments are accepted or ignored as the proposal, not one by one).
const SKIP_KINDS: &[&str] = &["service", "flow", "data_class", "live_policy"];

/// One `skip` entry: `<kind>:<id>` with a kind from [`SKIP_KINDS`]; the live policy is one
/// item, `live_policy:live`. Anything else is refused rather than silently merged anyway.
fn check_skip(entry: &str) -> IpcResult<()> {
    let entry = input::short_text("skip[]", entry, MAX_SKIP_BYTES)?;
    let Some((kind, id)) = entry.split_once(':') else {
        return Err(IpcError::invalid_input(format!(
            "`skip[]` entry `{entry}` must be `<kind>:<id>`, e.g. `service:frontend`"
        )));
    };
    input::one_of("skip[] kind", kind, SKIP_KINDS)?;
    if id.is_empty() {
        return Err(IpcError::invalid_input(format!(
            "`skip[]` entry `{entry}` names no id"
        )));
    }
    if kind == "live_policy" && id != "live" {
        return Err(IpcError::invalid_input(format!(
            "`skip[]` entry `{entry}`: the live policy is one item, `live_policy:live`"
        )));
    }
    Ok(())
}

/// Where to import from.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schemars(rename = "ImportSource")]
pub enum Source {
    File {
        path: String,
    },
    Folder {
        path: String,
    },
    /// A file or a folder, whichever `path` is: what a typed or pasted path names.
    Path {
        path: String,
    },
    Url {
        url: String,
    },
}

/// Checks every source and turns it into the importer's own [`bulkhead_import::Source`].
fn check_sources(sources: &[Source]) -> IpcResult<Vec<bulkhead_import::Source>> {
    if sources.len() > MAX_SOURCES {
        return Err(IpcError::new(
            ErrorCode::TooLarge,
            format!(
                "`sources` has {} entries; at most {MAX_SOURCES} are accepted",
                sources.len()
            ),
        ));
    }
    if sources.is_empty() {
        return Err(IpcError::invalid_input(
            "`sources` is empty: pick files, a folder or a URL",
        ));
    }
    let mut out = Vec::with_capacity(sources.len());
    for s in sources {
        out.push(match s {
            Source::File { path } => {
                let p = input::absolute_path("sources[].path", path)?;
                match std::fs::metadata(&p) {
                    Ok(m) if m.is_file() => {}
                    Ok(_) => {
                        return Err(IpcError::invalid_input(format!(
                            "`{}` is not a file; import it as a folder",
                            p.display()
                        )));
                    }
                    Err(e) => return Err(IpcError::io("cannot import", &p, &e)),
                }
                bulkhead_import::Source::Path(p)
            }
            Source::Folder { path } => {
                bulkhead_import::Source::Path(input::existing_dir("sources[].path", path)?)
            }
            Source::Path { path } => {
                let p = input::absolute_path("sources[].path", path)?;
                match std::fs::metadata(&p) {
                    Ok(m) if m.is_file() || m.is_dir() => {}
                    Ok(_) => {
                        return Err(IpcError::invalid_input(format!(
                            "`{}` is neither a file nor a folder",
                            p.display()
                        )));
                    }
                    Err(e) => return Err(IpcError::io("cannot import", &p, &e)),
                }
                bulkhead_import::Source::Path(p)
            }
            Source::Url { url } => {
                let url = input::short_text("sources[].url", url.trim(), 2048)?;
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://")) {
                    return Err(IpcError::invalid_input(format!(
                        "`{url}` is not an http(s) URL"
                    )));
                }
                bulkhead_import::Source::Url(url.to_string())
            }
        });
    }
    Ok(out)
}

/// How much the sources gave, before merging.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ImportedCounts {
    pub services: usize,
    pub endpoints: usize,
    pub flows: usize,
    pub declared_flows: usize,
    pub observed_flows: usize,
    pub data_classes: usize,
    /// NetworkPolicies and Istio AuthorizationPolicies found in manifests.
    pub live_policies: usize,
}

/// `import_preview`'s answer: what merging would do, before anything is merged.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ImportPreview {
    pub imported: ImportedCounts,
    /// Merging into the design as sent, without the proposal: one item per data class, service
    /// and flow, `added`, `updated` (with the changed fields), `unchanged` or `skipped`.
    pub preview: MergePreview,
    /// The importer's segmentation proposal, with each member's reason.
    pub proposal: SegmentProposal,
    /// What accepting the proposal would do: one `segment` item per proposed segment, `added`
    /// or `skipped` with the reason (an existing id, every member already in a segment).
    pub proposal_preview: Vec<PreviewItem>,
    /// What each file or URL was read as.
    pub sources: Vec<SourceReport>,
    /// Every problem, with its file or URL and line where known. One bad source never stops
    /// the others.
    pub diagnostics: Vec<bulkhead_import::Diagnostic>,
}

impl ImportPreview {
    fn of(existing: &Design, result: &ImportResult) -> Self {
        let d = &result.design;
        let declared = d
            .flows
            .iter()
            .filter(|f| f.kind == FlowKind::Declared)
            .count();
        let mut preview = result.preview.clone();
        // The proposal's own items are reported separately, as if accepted.
        preview.items.retain(|i| i.kind != ItemKind::Segment);
        preview.skipped = preview
            .items
            .iter()
            .filter(|i| i.change == bulkhead_import::merge::Change::Skipped)
            .count();
        let accepted = MergeChoices {
            accept_segments: true,
            ..MergeChoices::default()
        };
        let proposal_preview = result
            .merge_into(existing, &accepted)
            .1
            .items
            .into_iter()
            .filter(|i| i.kind == ItemKind::Segment)
            .collect();
        ImportPreview {
            imported: ImportedCounts {
                services: d.services.len(),
                endpoints: d.services.iter().map(|s| s.endpoints.len()).sum(),
                flows: d.flows.len(),
                declared_flows: declared,
                observed_flows: d.flows.len() - declared,
                data_classes: d.data_classes.len(),
                live_policies: result.live_policy.len(),
            },
            preview,
            proposal: result.proposal.clone(),
            proposal_preview,
            sources: result.sources.clone(),
            diagnostics: result.diagnostics.clone(),
        }
    }
}

/// The last previewed import, so that applying merges exactly what was shown.
#[derive(Debug, Default)]
pub struct ImportCache {
    last: Mutex<Option<(Vec<Source>, Arc<ImportResult>)>>,
}

impl ImportCache {
    fn get(&self, sources: &[Source]) -> Option<Arc<ImportResult>> {
        let last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        last.as_ref()
            .filter(|(s, _)| s.as_slice() == sources)
            .map(|(_, r)| Arc::clone(r))
    }

    fn put(&self, sources: Vec<Source>, result: Arc<ImportResult>) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some((sources, result));
    }
}

/// Reads every source with the importer (blocking: file IO and bounded URL fetches).
pub fn run_import(
    existing: &Design,
    sources: &[bulkhead_import::Source],
) -> IpcResult<ImportResult> {
    let opts = ImportOptions {
        existing: Some(existing.clone()),
        design_name: Some(existing.name.clone()),
        ..ImportOptions::default()
    };
    import_sources(sources, &opts).map_err(|e| IpcError::invalid_input(e.to_string()))
}

/// Runs [`run_import`] on a blocking worker thread.
async fn import_off_thread(
    existing: Design,
    sources: Vec<bulkhead_import::Source>,
) -> IpcResult<(Design, ImportResult)> {
    tauri::async_runtime::spawn_blocking(move || {
        let result = run_import(&existing, &sources)?;
        Ok((existing, result))
    })
    .await
    .map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            format!("the import thread failed: {e}"),
        )
    })?
}

/// What merging the sources into `design` would do. See [`ImportPreview`].
pub async fn preview(
    cache: &ImportCache,
    design: Design,
    sources: Vec<Source>,
) -> IpcResult<ImportPreview> {
    let checked = check_sources(&sources)?;
    let (design, result) = import_off_thread(design, checked).await?;
    let answer = ImportPreview::of(&design, &result);
    cache.put(sources, Arc::new(result));
    Ok(answer)
}

/// `design` with the sources merged in: what the last preview of the same sources showed, with
/// the proposal if accepted, leaving out the `skip`ped items.
pub async fn apply(
    cache: &ImportCache,
    design: Design,
    sources: Vec<Source>,
    accept_proposal: bool,
    skip: Vec<String>,
) -> IpcResult<Design> {
    let checked = check_sources(&sources)?;
    let skip = input::bounded_list("skip", skip, MAX_SKIPPED)?;
    for s in &skip {
        check_skip(s)?;
    }
    let choices = MergeChoices {
        accept_segments: accept_proposal,
        skip: skip.into_iter().collect(),
    };
    let (design, result) = match cache.get(&sources) {
        Some(r) => (design, r),
        None => {
            let (d, r) = import_off_thread(design, checked).await?;
            (d, Arc::new(r))
        }
    };
    Ok(result.merge_into(&design, &choices).0)
}

/// The import preview against the held design of `revision` (`stale_revision` if the shell no
/// longer holds it).
#[tauri::command]
pub async fn import_preview(
    revision: u64,
    sources: Vec<Source>,
    cache: State<'_, ImportCache>,
    session: State<'_, Session>,
) -> IpcResult<ImportPreview> {
    let design = held_design(&session, revision)?;
    preview(&cache, design, sources).await
}

/// A copy of the held design of `revision`: the import merges into it.
fn held_design(session: &Session, revision: u64) -> IpcResult<Design> {
    Ok(session
        .held_design(revision, crate::design_file::today())?
        .design()
        .clone())
}

// Tauri expects camelCase argument keys by default; the contract (docs/ipc.md) is snake_case.
#[tauri::command(rename_all = "snake_case")]
pub async fn import_apply(
    revision: u64,
    sources: Vec<Source>,
    accept_proposal: bool,
    skip: Option<Vec<String>>,
    cache: State<'_, ImportCache>,
    session: State<'_, Session>,
) -> IpcResult<Design> {
    let design = held_design(&session, revision)?;
    apply(
        &cache,
        design,
        sources,
        accept_proposal,
        skip.unwrap_or_default(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use bulkhead_import::Severity;
    use bulkhead_import::merge::Change;

    use super::*;
    use crate::commands::corpus;

    #[test]
    fn imports_merge_into_the_held_design_of_the_revision_named() {
        let dir = tempfile::tempdir().unwrap();
        let session = Session::new(dir.path().join("data"), None);
        let design = Design::new("held");
        let revision = session.hold_design(design.clone(), crate::design_file::today());
        assert_eq!(held_design(&session, revision).unwrap(), design);
        let e = held_design(&session, revision + 1).unwrap_err();
        assert_eq!(e.code, ErrorCode::StaleRevision, "{}", e.message);
    }

    #[test]
    fn skip_entries_name_a_kind_the_merge_knows() {
        for ok in [
            "service:frontend",
            "flow:a-to-b",
            "data_class:pii",
            "live_policy:live",
        ] {
            assert!(check_skip(ok).is_ok(), "{ok}");
        }
        for bad in [
            "frontend",
            "segment:edge",
            "servce:frontend",
            "service:",
            "live_policy:other",
        ] {
            let e = check_skip(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput, "{bad}");
        }
        assert!(
            check_skip("servce:frontend")
                .unwrap_err()
                .message
                .ends_with("did you mean `service`?")
        );
    }

    fn block<T>(f: impl std::future::Future<Output = T>) -> T {
        tauri::async_runtime::block_on(f)
    }

    fn file(path: &std::path::Path) -> Source {
        Source::File {
            path: path.to_string_lossy().into_owned(),
        }
    }

    fn boutique() -> Option<(Source, Source)> {
        let c = corpus()?;
        let demo = c.join("GoogleCloudPlatform__microservices-demo");
        Some((
            file(&demo.join("release/kubernetes-manifests.yaml")),
            Source::Folder {
                path: demo
                    .join("kustomize/components/network-policies")
                    .to_string_lossy()
                    .into_owned(),
            },
        ))
    }

    /// Serves `body` to every request on 127.0.0.1 from a thread; returns the URL base.
    fn serve(body: &'static str, requests: usize) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(requests) {
                let Ok(mut stream) = stream else { continue };
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/yaml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        format!("http://127.0.0.1:{port}")
    }

    const PETSTORE: &str = "openapi: 3.0.3\ninfo:\n  title: Pet Store\n  version: '1'\npaths:\n  /pets/{id}:\n    get:\n      operationId: getPet\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                type: object\n                properties:\n                  owner_email:\n                    type: string\n                    format: email\n";

    #[test]
    fn online_boutique_manifests_preview_then_apply() {
        let Some((manifests, policies)) = boutique() else {
            return;
        };
        let cache = ImportCache::default();
        let empty = Design::new("Shop");
        let sources = vec![manifests, policies];
        let p = block(preview(&cache, empty.clone(), sources.clone())).unwrap();
        assert_eq!(p.imported.services, 12, "{:?}", p.imported);
        assert_eq!(p.imported.declared_flows, p.imported.flows);
        assert!(p.imported.flows >= 15, "{:?}", p.imported);
        assert_eq!(p.imported.live_policies, 13);
        assert!(
            p.diagnostics.iter().all(|d| d.severity != Severity::Error),
            "{:?}",
            p.diagnostics
        );
        // Nothing is in the design yet: every service and flow would be added.
        assert_eq!(p.preview.updated, 0);
        let added: Vec<&str> = p
            .preview
            .items
            .iter()
            .filter(|i| i.kind == ItemKind::Service && i.change == Change::Added)
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(added.len(), 12);
        assert!(added.contains(&"frontend") && added.contains(&"redis-cart"));
        assert!(p.preview.items.iter().all(|i| i.kind != ItemKind::Segment));
        // The proposal puts the internet-facing frontend at the edge and redis in data, and
        // accepting it would add each proposed segment.
        let members = |id: &str| {
            p.proposal
                .segments
                .iter()
                .find(|s| s.segment.id == id)
                .map(|s| s.segment.members.clone())
        };
        assert_eq!(members("edge"), Some(vec!["frontend".to_string()]));
        assert_eq!(members("data"), Some(vec!["redis-cart".to_string()]));
        assert_eq!(p.proposal_preview.len(), p.proposal.segments.len());
        assert!(p.proposal_preview.iter().all(|i| i.change == Change::Added));

        // Apply without the proposal, leaving one flow out.
        let skipped_flow = p
            .preview
            .items
            .iter()
            .find(|i| i.kind == ItemKind::Flow)
            .unwrap()
            .id
            .clone();
        let merged = block(apply(
            &cache,
            empty.clone(),
            sources.clone(),
            false,
            vec![format!("flow:{skipped_flow}")],
        ))
        .unwrap();
        assert_eq!(merged.services.len(), 12);
        assert!(merged.segments.is_empty());
        assert_eq!(merged.flows.len(), p.imported.flows - 1);
        assert!(merged.flows.iter().all(|f| f.id != skipped_flow));
        assert_eq!(merged.name, "Shop");
        assert!(
            merged.live.is_some(),
            "the live policy is merged by default"
        );

        // Unticking the live policy in the preview sends `live_policy:live`: it is left out.
        assert!(
            p.preview
                .items
                .iter()
                .any(|i| i.kind == ItemKind::LivePolicy && i.id == "live")
        );
        let without_live = block(apply(
            &cache,
            empty.clone(),
            sources.clone(),
            false,
            vec!["live_policy:live".into()],
        ))
        .unwrap();
        assert_eq!(without_live.live, None);
        assert_eq!(without_live.services, merged.services);

        // With the proposal: every service lands in exactly one segment.
        let merged = block(apply(&cache, empty, sources.clone(), true, vec![])).unwrap();
        assert_eq!(merged.segments.len(), p.proposal.segments.len());
        let placed: usize = merged.segments.iter().map(|s| s.members.len()).sum();
        assert_eq!(placed, 12);

        // Re-importing into the merged design changes nothing.
        let again = block(preview(&cache, merged.clone(), sources)).unwrap();
        assert_eq!(again.preview.added, 0, "{:?}", again.preview);
        assert_eq!(again.preview.updated, 0, "{:?}", again.preview);
        assert!(
            again
                .proposal_preview
                .iter()
                .all(|i| i.change == Change::Skipped)
        );
    }

    #[test]
    fn a_url_on_localhost_is_fetched_and_applied_from_the_preview() {
        // One request only: the apply must reuse what the preview fetched.
        let base = serve(PETSTORE, 1);
        let cache = ImportCache::default();
        let sources = vec![Source::Url {
            url: format!("{base}/openapi.yaml"),
        }];
        let p = block(preview(&cache, Design::new("d"), sources.clone())).unwrap();
        assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
        assert_eq!(p.imported.services, 1);
        assert_eq!(p.imported.endpoints, 1);
        assert_eq!(p.sources[0].format, "openapi 3.0.3");
        let merged = block(apply(&cache, Design::new("d"), sources, false, vec![])).unwrap();
        let svc = &merged.services[0];
        assert_eq!(svc.id, "pet-store");
        assert_eq!(svc.endpoints[0].path, "/pets/{id}");
    }

    #[test]
    fn an_unreachable_url_and_a_broken_file_say_where_and_why() {
        // A port nobody listens on: bind, note the port, close.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}/openapi.yaml");
        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("broken.yaml");
        std::fs::write(
            &broken,
            "openapi: 3.0.0\ninfo:\n  title: x\n  version: '1'\npaths:\n  /a:\n    get: [unclosed\n",
        )
        .unwrap();
        let good = dir.path().join("good.yaml");
        std::fs::write(&good, PETSTORE).unwrap();
        let cache = ImportCache::default();
        let p = block(preview(
            &cache,
            Design::new("d"),
            vec![Source::Url { url: url.clone() }, file(&broken), file(&good)],
        ))
        .unwrap();
        let fetch = p
            .diagnostics
            .iter()
            .find(|d| d.source == url)
            .expect("a diagnostic for the URL");
        assert_eq!(fetch.severity, Severity::Error);
        assert!(
            fetch.message.contains("cannot connect"),
            "{}",
            fetch.message
        );
        let parse = p
            .diagnostics
            .iter()
            .find(|d| d.source == broken.display().to_string())
            .expect("a diagnostic for the broken file");
        assert_eq!(parse.severity, Severity::Error);
        // The parser notices the unclosed `[` at the end of the file: line 8, column 1.
        assert_eq!((parse.line, parse.column), (Some(8), Some(1)), "{parse:?}");
        assert!(parse.message.contains("invalid YAML"), "{}", parse.message);
        // The good file is imported all the same.
        assert_eq!(p.imported.services, 1);
    }

    #[test]
    fn bad_sources_are_refused_before_anything_is_read() {
        let cache = ImportCache::default();
        let run = |s: Vec<Source>| block(preview(&cache, Design::new("d"), s)).unwrap_err();
        assert_eq!(run(vec![]).code, ErrorCode::InvalidInput);
        let e = run(vec![Source::File {
            path: "relative/spec.yaml".into(),
        }]);
        assert!(e.message.contains("absolute"), "{}", e.message);
        let e = run(vec![Source::File {
            path: "/definitely/not/here.yaml".into(),
        }]);
        assert_eq!(e.code, ErrorCode::NotFound);
        let dir = tempfile::tempdir().unwrap();
        let e = run(vec![file(dir.path())]);
        assert!(e.message.contains("import it as a folder"), "{}", e.message);
        let e = run(vec![Source::Url {
            url: "file:///etc/passwd".into(),
        }]);
        assert!(e.message.contains("not an http(s) URL"), "{}", e.message);
        let many = vec![file(dir.path()); MAX_SOURCES + 1];
        assert_eq!(run(many).code, ErrorCode::TooLarge);
        let e = block(apply(
            &cache,
            Design::new("d"),
            vec![Source::Folder {
                path: dir.path().to_string_lossy().into_owned(),
            }],
            false,
            vec!["flow:a\nb".into()],
        ))
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let e = run(vec![Source::Path {
            path: "spec.yaml".into(),
        }]);
        assert!(e.message.contains("absolute"), "{}", e.message);
        let e = run(vec![Source::Path {
            path: "/definitely/not/here".into(),
        }]);
        assert_eq!(e.code, ErrorCode::NotFound);
    }

    #[test]
    fn a_typed_path_imports_a_file_or_a_folder() {
        let cache = ImportCache::default();
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("petstore.yaml");
        std::fs::write(&spec, PETSTORE).unwrap();
        let path = |p: &std::path::Path| Source::Path {
            path: p.to_string_lossy().into_owned(),
        };
        for source in [path(&spec), path(dir.path())] {
            let p = block(preview(&cache, Design::new("d"), vec![source.clone()])).unwrap();
            assert_eq!(p.imported.services, 1, "{source:?}: {:?}", p.imported);
            assert!(
                p.preview
                    .items
                    .iter()
                    .any(|i| i.kind == ItemKind::Service && i.change == Change::Added),
                "{source:?}"
            );
        }
    }
}
