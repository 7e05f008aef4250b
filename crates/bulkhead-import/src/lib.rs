//! `bulkhead-import`: turns API inventories (OpenAPI/Swagger, Kubernetes manifests, traffic logs,
//! Kong gateway configs; from files, folders or URLs) into a Bulkhead design.
//!
//! # API
//!
//! - [`import_sources`]`(&[Source], &ImportOptions) -> Result<ImportResult, ImportError>` reads
//!   everything, recognises each file by its content, and returns an [`ImportResult`]: the
//!   imported partial [`Design`], a [`MergePreview`] against `ImportOptions::existing`, a
//!   [`SegmentProposal`], the live policy found in the manifests, per-file reports and every
//!   [`Diagnostic`]. One bad file never stops the others.
//! - [`merge::merge`]`(existing, imported, proposal, &MergeChoices) -> (Design, MergePreview)`
//!   folds the result into a design without losing the architect's work.
//!
//! Output is deterministic: sorted walks, sorted services, flows and data classes, stable ids
//! (`flow_id`), no timestamps of the import itself.
//!
//! # Modules
//!
//! - [`manifests`], [`yaml`], [`files`], [`helm`]: safe reading of files and YAML.
//! - [`openapi`], [`k8s`], [`traffic`], [`kong`]: one importer per source kind.
//! - [`kong_live`]: a live Kong config reduced to what it lets through to a design's services
//!   (for `bulkhead check --live`).
//! - [`fetch`]: URLs, bounded. [`dataclass`]: sensitive-data detection.
//! - [`merge`], [`segments`]: merging and the segmentation proposal.
//! - [`logs`]: traffic log files held against an existing design (drift checks, proposals);
//!   [`live`]: live manifests' NetworkPolicy connectivity over an existing design.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bulkhead_core::model::{Design, FlowKind, Service, ServiceKind};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

pub mod dataclass;
pub mod diagnostic;
pub mod fetch;
pub mod files;
pub mod fuzzing;
pub mod helm;
pub mod k8s;
pub mod kong;
pub mod kong_live;
pub mod live;
pub mod logs;
pub mod manifests;
pub mod merge;
pub mod openapi;
pub mod segments;
mod timefmt;
pub mod traffic;
pub mod yaml;

pub use diagnostic::{Diagnostic, Severity};
pub use fetch::{FetchError, FetchOptions};
pub use files::ReadLimits;
pub use k8s::LivePolicyObject;
pub use manifests::{ManifestDocument, ManifestError, ManifestLimits, ManifestSet, read_manifests};
pub use merge::{MergeChoices, MergePreview, merge};
pub use segments::SegmentProposal;
pub use traffic::TrafficOptions;
pub use yaml::YamlLimits;

/// Something to import: a file, a folder (walked recursively) or an http(s) URL.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Path(PathBuf),
    Url(String),
}

impl Source {
    /// A command-line argument: a URL when it has a scheme, else a path.
    pub fn parse(arg: &str) -> Source {
        if fetch::is_url(arg) {
            Source::Url(arg.to_string())
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Path(p) => write!(f, "{}", p.display()),
            Source::Url(u) => f.write_str(u),
        }
    }
}

/// Progress of a running import, for progress bars.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub current: String,
}

/// Called after each file.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// How to import.
#[derive(Clone, Default)]
pub struct ImportOptions {
    pub read: ReadLimits,
    pub yaml: YamlLimits,
    pub fetch: FetchOptions,
    /// Follow `$ref`s to other hosts (off by default: a description should not make Bulkhead
    /// fetch arbitrary URLs).
    pub allow_remote_refs: bool,
    pub traffic: TrafficOptions,
    /// The design being imported into: the preview and the proposal are computed against it.
    pub existing: Option<Design>,
    /// Name of the imported design (default: `Imported estate`).
    pub design_name: Option<String>,
    pub progress: Option<ProgressFn>,
}

impl fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImportOptions")
            .field("read", &self.read)
            .field("yaml", &self.yaml)
            .field("fetch", &self.fetch)
            .field("allow_remote_refs", &self.allow_remote_refs)
            .field("traffic", &self.traffic)
            .field("existing", &self.existing.as_ref().map(|d| &d.name))
            .field("design_name", &self.design_name)
            .finish_non_exhaustive()
    }
}

/// What one input file (or URL) was recognised as and what it gave.
#[derive(Serialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
pub struct SourceReport {
    pub source: String,
    /// `openapi 3.0.1`, `swagger 2.0`, `kubernetes`, `kong 3.0`, `nginx access log`, `hubble
    /// flows`, `zeek conn.log`, `flow csv`, `$ref target`, `skipped`, `error`.
    pub format: String,
    /// What it contributed, e.g. `24 endpoints` or `1200 lines, 1198 calls`.
    pub detail: String,
}

/// Everything an import produced.
#[derive(Serialize, JsonSchema, Clone, Debug)]
pub struct ImportResult {
    /// The imported services, flows and data classes as a design of their own.
    pub design: Design,
    /// What merging `design` into `ImportOptions::existing` (or an empty design) would do.
    pub preview: MergePreview,
    /// Suggested segments; applied only if the user accepts them.
    pub proposal: SegmentProposal,
    /// NetworkPolicies and Istio AuthorizationPolicies found in the manifests. What the
    /// NetworkPolicies allow between the imported services is `design.live`.
    pub live_policy: Vec<LivePolicyObject>,
    pub sources: Vec<SourceReport>,
    pub diagnostics: Vec<Diagnostic>,
}

impl ImportResult {
    /// Whether any error-level diagnostic was reported.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }

    /// Merge into the existing design (or a new one) with the user's choices.
    pub fn merge_into(&self, existing: &Design, choices: &MergeChoices) -> (Design, MergePreview) {
        merge::merge(existing, &self.design, Some(&self.proposal), choices)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("nothing to import: give at least one file, folder or URL")]
    NoSources,
}

/// A URL-safe lower-case id from a name: `Swagger Petstore` → `swagger-petstore`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "unnamed".to_string()
    } else {
        out.chars()
            .take(63)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string()
    }
}

/// The stable id of a flow: `declared:frontend->cart:7070`, `observed:a->b:80:GET:/x`.
pub fn flow_id(
    kind: FlowKind,
    from: &str,
    to: &str,
    port: Option<u32>,
    method: Option<&str>,
    path: Option<&str>,
) -> String {
    let kind = match kind {
        FlowKind::Declared => "declared",
        FlowKind::Observed => "observed",
    };
    let mut id = format!("{kind}:{from}->{to}");
    if let Some(p) = port {
        id.push_str(&format!(":{p}"));
    }
    if method.is_some() || path.is_some() {
        id.push_str(&format!(
            ":{}:{}",
            method.unwrap_or("*"),
            path.unwrap_or("*")
        ));
    }
    id
}

/// Where a log is read from in pass 2.
enum LogInput {
    File(PathBuf),
    /// A log fetched from a URL (it passed the fetch size cap).
    Memory(String),
}

/// A file recognised in the first pass.
enum Recognised {
    Spec {
        key: String,
        version: String,
    },
    Kong(Value),
    Manifests(Vec<ManifestDocument>),
    Log(traffic::LogFormat, LogInput),
    /// Parsed, but neither a root nor a manifest: maybe a `$ref` target.
    Other(String),
}

struct Importer<'a> {
    opts: &'a ImportOptions,
    budget: files::ReadBudget,
    docs: openapi::SpecDocuments,
    diags: Vec<Diagnostic>,
    reports: Vec<SourceReport>,
    recognised: Vec<(String, Recognised)>,
}

fn report(source: &str, format: &str, detail: impl Into<String>) -> SourceReport {
    SourceReport {
        source: source.to_string(),
        format: format.to_string(),
        detail: detail.into(),
    }
}

/// Import `sources`. See the crate docs.
pub fn import_sources(
    sources: &[Source],
    opts: &ImportOptions,
) -> Result<ImportResult, ImportError> {
    if sources.is_empty() {
        return Err(ImportError::NoSources);
    }
    let mut imp = Importer {
        opts,
        budget: files::ReadBudget::new(opts.read),
        docs: openapi::SpecDocuments::new(opts.allow_remote_refs, opts.fetch, opts.yaml),
        diags: Vec::new(),
        reports: Vec::new(),
        recognised: Vec::new(),
    };
    // Pass 1: find and recognise every input.
    let mut paths = Vec::new();
    for s in sources {
        match s {
            Source::Path(p) => paths.push(p.clone()),
            Source::Url(u) => imp.fetch_url(u),
        }
    }
    let walk = files::walk(&paths, &opts.read, &|_| true, &|dir| {
        helm::is_chart_dir(dir).then(|| helm::RENDER_FIRST.to_string())
    });
    for e in walk.errors {
        let path = e.path().display().to_string();
        imp.diags.push(Diagnostic::error(
            "read",
            &path,
            strip_source(&e.to_string(), &path),
        ));
        imp.reports.push(report(&path, "error", e.to_string()));
    }
    for (dir, _) in walk.refused {
        let d = dir.display().to_string();
        let msg = format!(
            "this folder is a Helm chart (it has a `Chart.yaml`): {}",
            helm::RENDER_FIRST
        );
        imp.diags.push(Diagnostic::error("helm-chart", &d, &msg));
        imp.reports.push(report(&d, "error", msg));
    }
    let total = walk.files.len();
    for (i, file) in walk.files.iter().enumerate() {
        imp.recognise_file(file);
        if let Some(p) = &opts.progress {
            p(&Progress {
                done: i + 1,
                total,
                current: file.display().to_string(),
            });
        }
    }
    Ok(imp.build())
}

impl Importer<'_> {
    fn fetch_url(&mut self, url: &str) {
        match fetch::fetch_blocking(url, &self.opts.fetch) {
            Err(e) => {
                self.diags
                    .push(Diagnostic::error("fetch", url, e.to_string()));
                self.reports.push(report(url, "error", e.to_string()));
            }
            Ok(f) => {
                let head: String = f.text.chars().take(8192).collect();
                if let Some(fmt) = traffic::sniff(&head) {
                    self.recognised.push((
                        url.to_string(),
                        Recognised::Log(fmt, LogInput::Memory(f.text)),
                    ));
                    return;
                }
                match openapi::parse_text(&f.text, url, &self.opts.yaml) {
                    Ok(v) if openapi::is_spec(&v) => {
                        let version = spec_version(&v);
                        self.docs.insert(url.to_string(), Arc::new(v));
                        self.recognised.push((
                            url.to_string(),
                            Recognised::Spec {
                                key: url.to_string(),
                                version,
                            },
                        ));
                    }
                    Ok(v) if kong::is_kong(&v) => {
                        self.recognised.push((url.to_string(), Recognised::Kong(v)))
                    }
                    Ok(v) if v.get("kind").is_some_and(Value::is_string) => {
                        match manifests::parse_manifests(
                            &f.text,
                            Path::new(url),
                            &ManifestLimits {
                                read: self.opts.read,
                                yaml: self.opts.yaml,
                            },
                        ) {
                            Ok(docs) => self
                                .recognised
                                .push((url.to_string(), Recognised::Manifests(docs))),
                            Err(e) => self.file_error(url, "manifest", e.line(), e.to_string()),
                        }
                    }
                    Ok(_) => {
                        let msg = "the URL answered, but not with an OpenAPI/Swagger description, Kubernetes manifests, a Kong config or a traffic log".to_string();
                        self.diags.push(Diagnostic::error("not-a-spec", url, &msg));
                        self.reports.push(report(url, "error", msg));
                    }
                    Err(e) => {
                        let msg = format!("not an inventory: {e}");
                        self.diags.push(Diagnostic::error("not-a-spec", url, &msg));
                        self.reports.push(report(url, "error", msg));
                    }
                }
            }
        }
    }

    fn file_error(&mut self, source: &str, code: &str, line: Option<usize>, message: String) {
        self.diags
            .push(Diagnostic::error(code, source, &message).at_line(line));
        self.reports.push(report(source, "error", message));
    }

    fn recognise_file(&mut self, file: &Path) {
        let source = file.display().to_string();
        let structured = files::has_extension(file, &["yaml", "yml", "json"]);
        // Sniff the head: logs are streamed, never read whole.
        let head = match read_head(file, 8192) {
            Ok(h) => h,
            Err(e) => return self.file_error(&source, "read", None, format!("cannot read: {e}")),
        };
        if head.contains(&0) {
            if structured {
                return self.file_error(
                    &source,
                    "binary",
                    None,
                    "looks like a binary file, not text".to_string(),
                );
            }
            self.reports.push(report(&source, "skipped", "binary file"));
            return;
        }
        let head_text = String::from_utf8_lossy(&head);
        if let Some(fmt) = traffic::sniff(&head_text) {
            let is_json_doc = structured
                && fmt != traffic::LogFormat::Hubble
                && fmt != traffic::LogFormat::ZeekJson;
            if !is_json_doc {
                self.recognised.push((
                    source,
                    Recognised::Log(fmt, LogInput::File(file.to_path_buf())),
                ));
                return;
            }
        }
        if !structured {
            self.reports.push(report(
                &source,
                "skipped",
                "not a recognised inventory (by extension or content)",
            ));
            return;
        }
        let text = match self.budget.read_text(file) {
            Ok(t) => t,
            Err(e) => {
                let line = match &e {
                    files::ReadError::NotUtf8 { line, .. } => Some(*line),
                    _ => None,
                };
                return self.file_error(
                    &source,
                    "read",
                    line,
                    strip_source(&e.to_string(), &source),
                );
            }
        };
        let limits = ManifestLimits {
            read: self.opts.read,
            yaml: self.opts.yaml,
        };
        let is_json = files::has_extension(file, &["json"]);
        // Specs and Kong configs are single documents; peek at the first one.
        let first: Option<Value> = if is_json {
            match serde_json::Deserializer::from_str(&text)
                .into_iter::<Value>()
                .next()
            {
                Some(Ok(v)) => Some(v),
                Some(Err(e)) => {
                    let evidence = helm::template_evidence(&text);
                    if let Some(ev) = evidence {
                        return self.file_error(
                            &source,
                            "helm-template",
                            Some(ev.line()),
                            format!(
                                "this is a Helm template (Go template syntax `{{{{ … }}}}`): {}",
                                helm::RENDER_FIRST
                            ),
                        );
                    }
                    let (line, column) = manifests::json_error_at(&text, &e);
                    self.diags.push(
                        Diagnostic::error(
                            "json",
                            &source,
                            format!(
                                "invalid JSON: {}",
                                manifests::strip_position(&e.to_string())
                            ),
                        )
                        .at(line, column),
                    );
                    self.reports.push(report(
                        &source,
                        "error",
                        format!("{source}:{line}:{column}: invalid JSON"),
                    ));
                    return;
                }
                None => None,
            }
        } else {
            None
        };
        if let Some(v) = &first {
            if openapi::is_spec(v) || kong::is_kong(v) || v.get("kind").is_none() {
                return self.recognise_value(&source, file, v.clone());
            }
        }
        if !is_json {
            if matches!(
                helm::template_evidence(&text),
                Some(helm::TemplateEvidence::Strong { .. })
            ) {
                // Manifests handles the refusal and its message.
            } else if let Ok(docs) = yaml::parse_documents(&text, &self.opts.yaml) {
                if let Some(v) = docs.iter().map(|d| &d.value).find(|v| !v.is_null()) {
                    if openapi::is_spec(v)
                        || kong::is_kong(v)
                        || (v.get("kind").is_none() && docs.len() == 1)
                    {
                        let v = v.clone();
                        return self.recognise_value(&source, file, v);
                    }
                }
            }
        }
        match manifests::parse_manifests_with_skipped(&text, file, &limits) {
            Ok((docs, skipped)) => {
                for s in skipped {
                    self.diags.push(
                        Diagnostic::info(
                            "not-k8s",
                            &source,
                            format!("document {} skipped: {}", s.index, s.reason),
                        )
                        .at_line(Some(s.line)),
                    );
                }
                if docs.is_empty() {
                    self.reports
                        .push(report(&source, "skipped", "no Kubernetes objects"));
                } else {
                    self.recognised.push((source, Recognised::Manifests(docs)));
                }
            }
            Err(e) => {
                let code = match &e {
                    ManifestError::HelmTemplate { .. } | ManifestError::HelmChart { .. } => {
                        "helm-template"
                    }
                    ManifestError::Yaml { .. } => "yaml",
                    ManifestError::Json { .. } => "json",
                    ManifestError::Read(_) => "read",
                };
                let mut d = Diagnostic::error(code, &source, strip_source(&e.to_string(), &source));
                if let ManifestError::Yaml { error, .. } = &e {
                    d = d.at(error.line, error.column);
                } else {
                    d = d.at_line(e.line());
                }
                self.diags.push(d);
                self.reports.push(report(&source, "error", e.to_string()));
            }
        }
    }

    fn recognise_value(&mut self, source: &str, file: &Path, v: Value) {
        let key = openapi::file_key(file);
        if openapi::is_spec(&v) {
            let version = spec_version(&v);
            self.docs.insert(key.clone(), Arc::new(v));
            self.recognised
                .push((source.to_string(), Recognised::Spec { key, version }));
        } else if kong::is_kong(&v) {
            self.recognised
                .push((source.to_string(), Recognised::Kong(v)));
        } else {
            self.docs.insert(key.clone(), Arc::new(v));
            self.recognised
                .push((source.to_string(), Recognised::Other(key)));
        }
    }

    /// Pass 2: run the importers, then map traffic onto what they found.
    fn build(mut self) -> ImportResult {
        let mut services: BTreeMap<String, Service> = BTreeMap::new();
        let mut flows: BTreeMap<String, bulkhead_core::model::Flow> = BTreeMap::new();
        let mut classes: BTreeSet<dataclass::Detected> = BTreeSet::new();
        let mut manifest_docs: Vec<ManifestDocument> = Vec::new();
        let mut manifest_sources: BTreeMap<PathBuf, String> = BTreeMap::new();
        let mut logs = Vec::new();
        let mut others = Vec::new();
        let recognised = std::mem::take(&mut self.recognised);
        let add_service =
            |services: &mut BTreeMap<String, Service>, s: Service| match services.get_mut(&s.id) {
                Some(have) => {
                    if have.kind == ServiceKind::Api && s.kind != ServiceKind::Api {
                        have.kind = s.kind;
                    }
                    merge::merge_service(have, &s);
                }
                None => {
                    services.insert(s.id.clone(), s);
                }
            };
        for (source, r) in recognised {
            match r {
                Recognised::Spec { key, version } => {
                    match openapi::import_spec(
                        &key,
                        &source,
                        &mut self.docs,
                        &mut self.budget,
                        &mut self.diags,
                    ) {
                        Some(spec) => {
                            let n = spec.service.endpoints.len();
                            let dc = spec.data_classes.len();
                            self.reports.push(report(
                                &source,
                                &version,
                                format!(
                                    "service `{}`: {n} endpoints, {dc} data classes",
                                    spec.service.id
                                ),
                            ));
                            classes.extend(spec.data_classes);
                            add_service(&mut services, spec.service);
                        }
                        None => self.reports.push(report(&source, &version, "no service")),
                    }
                }
                Recognised::Kong(v) => {
                    let k = kong::import(&v, &source, &mut self.diags);
                    self.reports.push(report(
                        &source,
                        "kong",
                        format!("{} services, {} flows", k.services.len(), k.flows.len()),
                    ));
                    for s in k.services {
                        add_service(&mut services, s);
                    }
                    for f in k.flows {
                        flows
                            .entry(f.id.clone())
                            .and_modify(|h| merge::merge_flow(h, &f))
                            .or_insert(f);
                    }
                }
                Recognised::Manifests(docs) => {
                    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
                    for d in &docs {
                        *kinds.entry(d.kind().unwrap_or("?")).or_default() += 1;
                    }
                    let detail: Vec<String> =
                        kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
                    self.reports
                        .push(report(&source, "kubernetes", detail.join(", ")));
                    if let Some(d) = docs.first() {
                        manifest_sources.insert(d.source.clone(), source.clone());
                    }
                    manifest_docs.extend(docs);
                }
                Recognised::Log(fmt, path) => logs.push((source, fmt, path)),
                Recognised::Other(key) => others.push((source, key)),
            }
        }
        let mut live = Vec::new();
        let mut aliases = Vec::new();
        let mut ips = Vec::new();
        if !manifest_docs.is_empty() {
            let k = k8s::import(
                &manifest_docs,
                &|d| d.source.display().to_string(),
                &mut self.diags,
            );
            for s in k.services {
                add_service(&mut services, s);
            }
            for f in k.flows {
                flows
                    .entry(f.id.clone())
                    .and_modify(|h| merge::merge_flow(h, &f))
                    .or_insert(f);
            }
            live = k.live;
            aliases = k.aliases;
            ips = k.ips;
        }
        for (source, key) in others {
            if self.docs.used.contains(&key) {
                self.reports
                    .push(report(&source, "$ref target", "part of a description"));
            } else {
                self.reports.push(report(&source, "skipped", "not a recognised inventory (no `openapi`, `swagger`, `kind` or `_format_version`)"));
            }
        }
        // Traffic, mapped onto everything above.
        let known: Vec<Service> = services.values().cloned().collect();
        let index = traffic::PeerIndex::new(&known, &aliases, &ips);
        let mut traffic = traffic::TrafficImport::new(self.opts.traffic.clone());
        for (source, fmt, path) in logs {
            let result = match path {
                LogInput::Memory(text) => traffic.read(
                    std::io::Cursor::new(text.as_bytes()),
                    fmt,
                    &source,
                    &index,
                    &mut self.diags,
                ),
                LogInput::File(path) => match std::fs::File::open(&path) {
                    Ok(f) => traffic.read(
                        BufReader::with_capacity(64 * 1024, f),
                        fmt,
                        &source,
                        &index,
                        &mut self.diags,
                    ),
                    Err(e) => Err(e),
                },
            };
            match result {
                Ok(stats) => self.reports.push(report(
                    &source,
                    fmt.name(),
                    format!(
                        "{} lines, {} calls, {} unparsed",
                        stats.lines, stats.calls, stats.unparsed
                    ),
                )),
                Err(e) => self.file_error(&source, "read", None, format!("cannot read: {e}")),
            }
        }
        let unmapped: Vec<&String> = traffic
            .unmapped
            .values()
            .filter(|s| s.tags.iter().any(|t| t == "unmapped"))
            .map(|s| &s.id)
            .collect();
        if !unmapped.is_empty() {
            let mut shown: Vec<&str> = unmapped.iter().take(10).map(|s| s.as_str()).collect();
            if unmapped.len() > 10 {
                shown.push("…");
            }
            self.diags.push(Diagnostic::warning(
                "unmapped-peers",
                "traffic",
                format!(
                    "{} peer(s) seen in traffic are not in the imported inventory; they were added as services tagged `unmapped`: {}",
                    unmapped.len(),
                    shown.join(", ")
                ),
            ));
        }
        for f in traffic.flows() {
            flows
                .entry(f.id.clone())
                .and_modify(|h| merge::merge_flow(h, &f))
                .or_insert(f);
        }
        for (_, s) in std::mem::take(&mut traffic.unmapped) {
            add_service(&mut services, s);
        }
        let mut design = Design::new(
            self.opts
                .design_name
                .clone()
                .unwrap_or_else(|| "Imported estate".to_string()),
        );
        design.data_classes = classes.iter().map(|c| c.data_class()).collect();
        design.data_classes.sort_by(|a, b| a.id.cmp(&b.id));
        design.services = services.into_values().collect();
        design.flows = flows.into_values().collect();
        if live.iter().any(|l| l.kind == "NetworkPolicy") {
            design.live = self.live_connectivity(&design, &manifest_docs);
        }
        let existing = self.opts.existing.clone().unwrap_or_else(|| {
            let mut d = Design::new(design.name.clone());
            d.schema = design.schema.clone();
            d
        });
        let proposal = segments::propose(&design, self.opts.existing.as_ref());
        let preview = merge::preview(
            &existing,
            &design,
            Some(&proposal),
            &MergeChoices::default(),
        );
        live.sort_by(|a: &LivePolicyObject, b| {
            (&a.kind, &a.namespace, &a.name, &a.source).cmp(&(
                &b.kind,
                &b.namespace,
                &b.name,
                &b.source,
            ))
        });
        if !live.is_empty() {
            let np = live.iter().filter(|l| l.kind == "NetworkPolicy").count();
            let ap = live.len() - np;
            self.diags.push(Diagnostic::info(
                "live-policy",
                "kubernetes",
                format!("{np} NetworkPolicy and {ap} AuthorizationPolicy object(s) kept as the live policy"),
            ));
        }
        ImportResult {
            design,
            preview,
            proposal,
            live_policy: live,
            sources: self.reports,
            diagnostics: self.diags,
        }
    }
}

impl Importer<'_> {
    /// What the NetworkPolicies in `docs` allow between `design`'s services, computed by the
    /// NetworkPolicy engine with the workloads, namespaces and Services beside them. Invalid
    /// policies are reported (file:line, JSON pointer) and nothing is recorded: a partial
    /// policy set would show connections that the cluster does not allow.
    fn live_connectivity(
        &mut self,
        design: &Design,
        docs: &[ManifestDocument],
    ) -> Option<bulkhead_core::drift::LiveConnectivity> {
        let all: Vec<Value> = docs.iter().map(|d| d.value.clone()).collect();
        let (kept, dups) = bulkhead_core::drift::live::distinct_objects(&all);
        let differing: Vec<String> = dups
            .iter()
            .filter(|(d, f)| all[*d] != all[*f])
            .map(|(d, f)| {
                format!(
                    "{} ({}, first at {})",
                    docs[*d].element(),
                    docs[*d].location(),
                    docs[*f].location()
                )
            })
            .collect();
        if !differing.is_empty() {
            self.diags.push(Diagnostic::warning(
                "live-duplicate-objects",
                "kubernetes",
                format!(
                    "{} object(s) are defined more than once with different contents; the live connectivity uses the first definition of each: {}",
                    differing.len(),
                    differing.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
                ),
            ));
        }
        let docs: Vec<&ManifestDocument> = kept.iter().map(|&i| &docs[i]).collect();
        let values: Vec<Value> = kept.into_iter().map(|i| all[i].clone()).collect();
        // Where the policies are: each folder holding several of them once, else the file.
        let files: BTreeSet<&Path> = docs
            .iter()
            .filter(|d| d.kind() == Some("NetworkPolicy"))
            .map(|d| d.source.as_path())
            .collect();
        let mut per_dir: BTreeMap<&Path, Vec<&Path>> = BTreeMap::new();
        for f in files {
            per_dir
                .entry(f.parent().unwrap_or(Path::new("")))
                .or_default()
                .push(f);
        }
        let source = per_dir
            .into_iter()
            .map(|(dir, files)| match files.as_slice() {
                [one] => one.display().to_string(),
                many => format!("{} ({} files)", dir.join("").display(), many.len()),
            })
            .collect::<Vec<_>>()
            .join(", ");
        match bulkhead_core::drift::live::live_connectivity(design, &values, &source) {
            Ok(input) if input.cluster.workloads.is_empty() => {
                self.diags.push(Diagnostic::warning(
                    "live-no-workloads",
                    "kubernetes",
                    "NetworkPolicies were found but no workloads (Deployment, StatefulSet, Pod, …): their connectivity needs the pods they select, so it was not computed; import the workload manifests together with the policies",
                ));
                None
            }
            Ok(input) => {
                let c = input.connectivity;
                self.diags.push(Diagnostic::info(
                    "live-connectivity",
                    "kubernetes",
                    format!(
                        "the {} NetworkPolicies allow {} service pair(s) ({} from the internet); recorded as the design's live policy",
                        c.policies,
                        c.pairs.len(),
                        c.pairs.iter().filter(|p| p.from == bulkhead_core::model::INTERNET).count()
                    ),
                ));
                Some(c)
            }
            Err(errors) => {
                for e in errors {
                    let d = docs[e.document];
                    self.diags.push(
                        Diagnostic::error(
                            "live-policy-invalid",
                            d.source.display().to_string(),
                            format!(
                                "{}: {}; the live connectivity was not computed",
                                d.element(),
                                e.message
                            ),
                        )
                        .at_line(Some(d.line))
                        .at_pointer(if e.pointer.is_empty() {
                            "/"
                        } else {
                            &e.pointer
                        }),
                    );
                }
                None
            }
        }
    }
}

fn spec_version(v: &Value) -> String {
    match (v.get("openapi"), v.get("swagger")) {
        (Some(Value::String(s)), _) => format!("openapi {s}"),
        (_, Some(Value::String(s))) => format!("swagger {s}"),
        (_, Some(other)) => format!("swagger {other}"),
        _ => "openapi".into(),
    }
}

fn read_head(path: &Path, n: usize) -> std::io::Result<Vec<u8>> {
    let mut f = std::fs::File::open(path)?;
    let mut buf = Vec::with_capacity(n);
    f.by_ref().take(n as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Error texts start with `file:`; diagnostics carry the file separately.
fn strip_source(message: &str, source: &str) -> String {
    message
        .strip_prefix(source)
        .map(|rest| {
            // `:line:col: msg` or `: msg`
            let rest = rest.trim_start_matches(':');
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':');
            rest.trim_start().to_string()
        })
        .unwrap_or_else(|| message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_flow_ids() {
        assert_eq!(slug("Swagger Petstore"), "swagger-petstore");
        assert_eq!(slug("  GitHub v3 REST API "), "github-v3-rest-api");
        assert_eq!(slug("!!!"), "unnamed");
        assert_eq!(
            flow_id(
                FlowKind::Observed,
                "a",
                "b",
                Some(80),
                Some("GET"),
                Some("/x")
            ),
            "observed:a->b:80:GET:/x"
        );
        assert_eq!(
            flow_id(FlowKind::Declared, "a", "b", None, None, None),
            "declared:a->b"
        );
    }
}
