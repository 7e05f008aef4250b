//! Kubernetes manifests from files and folders, as JSON values with their location.
//!
//! This module only *reads*: it turns files into Kubernetes objects and says where each came
//! from. Interpreting them (services, exposure, flows, NetworkPolicies) is the business of the
//! callers, e.g. the Kubernetes importer or `bulkhead_core::netpol`.
//!
//! # API
//!
//! - [`read_manifests`]`(paths, &ManifestLimits) -> ManifestSet` reads files and folders
//!   (folders recursively, `*.yaml`, `*.yml`, `*.json`, hidden entries skipped, sorted by name).
//!   It never stops at the first problem: every object found is in [`ManifestSet::documents`],
//!   every problem in [`ManifestSet::errors`], every document that is not a Kubernetes object in
//!   [`ManifestSet::skipped`].
//! - [`parse_manifests`]`(text, source, &ManifestLimits) -> Result<Vec<ManifestDocument>, ManifestError>`
//!   does the same for text already in memory (one file); documents without `kind` are dropped.
//! - [`ManifestDocument`] holds one object: `value` (a `serde_json::Value`), `source` (the file),
//!   `index` (0-based document in the file), `item` (0-based position inside a `List`, whose
//!   items are flattened into separate documents) and `line` (1-based line where it starts).
//!   Accessors: [`kind`](ManifestDocument::kind), [`api_version`](ManifestDocument::api_version),
//!   [`name`](ManifestDocument::name), [`namespace`](ManifestDocument::namespace),
//!   [`location`](ManifestDocument::location) (`file:line`), [`element`](ManifestDocument::element)
//!   (`Kind namespace/name`).
//! - [`ManifestError`] displays as `file:line:column: message`.
//!
//! # Safety on hostile input
//!
//! Per-file and total size caps, folder depth and file count caps ([`ReadLimits`]); YAML alias
//! expansion and nesting depth budgets, duplicate keys refused ([`YamlLimits`]); binary and
//! non-UTF-8 files refused. Helm templates (Go template syntax `{{ … }}`) and folders holding a
//! `Chart.yaml` are refused with "render it with `helm template` first" rather than reported as
//! YAML errors.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::files::{self, ReadBudget, ReadError, ReadLimits};
use crate::helm::{self, RENDER_FIRST, TemplateEvidence};
use crate::yaml::{self, YamlError, YamlLimits};

/// Bounds for reading manifests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ManifestLimits {
    pub read: ReadLimits,
    pub yaml: YamlLimits,
}

/// One Kubernetes object and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct ManifestDocument {
    /// The file it was read from.
    pub source: PathBuf,
    /// 0-based document index in the file (YAML `---` sections; for JSON, top-level values).
    pub index: usize,
    /// 0-based position in the `items` of a `List` it was flattened from.
    pub item: Option<usize>,
    /// 1-based line where the object starts.
    pub line: usize,
    /// The object itself.
    pub value: Value,
}

impl ManifestDocument {
    fn str_at(&self, pointer: &str) -> Option<&str> {
        self.value.pointer(pointer).and_then(Value::as_str)
    }

    pub fn kind(&self) -> Option<&str> {
        self.str_at("/kind")
    }

    pub fn api_version(&self) -> Option<&str> {
        self.str_at("/apiVersion")
    }

    pub fn name(&self) -> Option<&str> {
        self.str_at("/metadata/name")
    }

    pub fn namespace(&self) -> Option<&str> {
        self.str_at("/metadata/namespace")
    }

    /// `file:line`, for messages.
    pub fn location(&self) -> String {
        format!("{}:{}", self.source.display(), self.line)
    }

    /// `Kind namespace/name` (or `Kind name`), for provenance.
    pub fn element(&self) -> String {
        let kind = self.kind().unwrap_or("?");
        let name = self.name().unwrap_or("?");
        match self.namespace() {
            Some(ns) => format!("{kind} {ns}/{name}"),
            None => format!("{kind} {name}"),
        }
    }
}

/// A document that was read but is not a Kubernetes object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedDocument {
    pub source: PathBuf,
    pub index: usize,
    pub line: usize,
    pub reason: String,
}

/// Why a manifest file could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(
        "{path}:{line}: this is a Helm template (Go template syntax `{{{{ … }}}}`): {RENDER_FIRST}"
    )]
    HelmTemplate { path: PathBuf, line: usize },
    #[error("{path}: this folder is a Helm chart (it has a `Chart.yaml`): {RENDER_FIRST}")]
    HelmChart { path: PathBuf },
    #[error("{path}:{}:{}: {}", .error.line, .error.column, .error.kind)]
    Yaml { path: PathBuf, error: YamlError },
    #[error("{path}:{line}:{column}: invalid JSON: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl ManifestError {
    /// The file or folder the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ManifestError::Read(e) => e.path(),
            ManifestError::HelmTemplate { path, .. }
            | ManifestError::HelmChart { path }
            | ManifestError::Yaml { path, .. }
            | ManifestError::Json { path, .. } => path,
        }
    }

    /// 1-based line, when the error points into a file.
    pub fn line(&self) -> Option<usize> {
        match self {
            ManifestError::HelmTemplate { line, .. } | ManifestError::Json { line, .. } => {
                Some(*line)
            }
            ManifestError::Yaml { error, .. } => Some(error.line),
            ManifestError::Read(ReadError::NotUtf8 { line, .. }) => Some(*line),
            _ => None,
        }
    }
}

/// Everything read from a set of files and folders.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ManifestSet {
    /// Kubernetes objects (anything with a string `kind`), `List`s flattened, in file order.
    pub documents: Vec<ManifestDocument>,
    /// Documents that are not Kubernetes objects (no `kind`, not a mapping), with why.
    pub skipped: Vec<SkippedDocument>,
    /// Files and folders that could not be used; the rest of the import still completed.
    pub errors: Vec<ManifestError>,
    /// Files read successfully.
    pub files: Vec<PathBuf>,
}

/// Whether a folder walk picks up `path` as a manifest.
pub fn is_manifest_file(path: &Path) -> bool {
    files::has_extension(path, &["yaml", "yml", "json"])
}

/// Read Kubernetes manifests from files and folders. See the module docs.
pub fn read_manifests<P: AsRef<Path>>(paths: &[P], limits: &ManifestLimits) -> ManifestSet {
    let paths: Vec<PathBuf> = paths.iter().map(|p| p.as_ref().to_path_buf()).collect();
    let walk = files::walk(&paths, &limits.read, &is_manifest_file, &|dir| {
        helm::is_chart_dir(dir).then(|| RENDER_FIRST.to_string())
    });
    let mut set = ManifestSet::default();
    set.errors
        .extend(walk.errors.into_iter().map(ManifestError::from));
    set.errors.extend(
        walk.refused
            .into_iter()
            .map(|(path, _)| ManifestError::HelmChart { path }),
    );
    let mut budget = ReadBudget::new(limits.read);
    for file in walk.files {
        let text = match budget.read_text(&file) {
            Ok(t) => t,
            Err(e) => {
                let stop = matches!(e, ReadError::TotalTooLarge { .. });
                set.errors.push(e.into());
                if stop {
                    break;
                }
                continue;
            }
        };
        match parse_all(&text, &file, limits) {
            Ok((docs, skipped)) => {
                set.documents.extend(docs);
                set.skipped.extend(skipped);
                set.files.push(file);
            }
            Err(e) => set.errors.push(e),
        }
    }
    set
}

/// Parse one file's text into Kubernetes objects (documents without `kind` are dropped).
pub fn parse_manifests(
    text: &str,
    source: &Path,
    limits: &ManifestLimits,
) -> Result<Vec<ManifestDocument>, ManifestError> {
    parse_all(text, source, limits).map(|(docs, _)| docs)
}

/// Like [`parse_manifests`], also returning the documents that are not Kubernetes objects.
pub fn parse_manifests_with_skipped(
    text: &str,
    source: &Path,
    limits: &ManifestLimits,
) -> Result<(Vec<ManifestDocument>, Vec<SkippedDocument>), ManifestError> {
    parse_all(text, source, limits)
}

/// A parsed document before `List` flattening.
struct RawDocument {
    index: usize,
    line: usize,
    value: Value,
    item_lines: Vec<usize>,
}

fn parse_all(
    text: &str,
    source: &Path,
    limits: &ManifestLimits,
) -> Result<(Vec<ManifestDocument>, Vec<SkippedDocument>), ManifestError> {
    let evidence = helm::template_evidence(text);
    if let Some(TemplateEvidence::Strong { line }) = evidence {
        return Err(ManifestError::HelmTemplate {
            path: source.to_path_buf(),
            line,
        });
    }
    let parsed = if looks_like_json(source) {
        parse_json_stream(text, source)
    } else {
        yaml::parse_documents(text, &limits.yaml)
            .map(|docs| {
                docs.into_iter()
                    .map(|d| RawDocument {
                        index: d.index,
                        line: d.line,
                        value: d.value,
                        item_lines: d.item_lines,
                    })
                    .collect()
            })
            .map_err(|error| ManifestError::Yaml {
                path: source.to_path_buf(),
                error,
            })
    };
    let raw = match (parsed, evidence) {
        (Ok(raw), _) => raw,
        (Err(_), Some(weak)) => {
            return Err(ManifestError::HelmTemplate {
                path: source.to_path_buf(),
                line: weak.line(),
            });
        }
        (Err(e), None) => return Err(e),
    };
    let mut docs = Vec::new();
    let mut skipped = Vec::new();
    for doc in raw {
        flatten(doc, source, &mut docs, &mut skipped);
    }
    Ok((docs, skipped))
}

/// `.json` files go to serde_json (faster, and JSON Lines work); anything else is YAML, which
/// also reads JSON.
fn looks_like_json(source: &Path) -> bool {
    files::has_extension(source, &["json"])
}

fn flatten(
    doc: RawDocument,
    source: &Path,
    docs: &mut Vec<ManifestDocument>,
    skipped: &mut Vec<SkippedDocument>,
) {
    let skip = |reason: &str| SkippedDocument {
        source: source.to_path_buf(),
        index: doc.index,
        line: doc.line,
        reason: reason.to_string(),
    };
    match &doc.value {
        Value::Null => return, // empty document, e.g. a trailing `---`
        Value::Object(map) => match map.get("kind").and_then(Value::as_str) {
            Some(kind) if is_list_kind(kind) && map.get("items").is_some_and(Value::is_array) => {}
            Some(_) => {
                docs.push(ManifestDocument {
                    source: source.to_path_buf(),
                    index: doc.index,
                    item: None,
                    line: doc.line,
                    value: doc.value,
                });
                return;
            }
            None => {
                skipped.push(skip("no `kind`: not a Kubernetes object"));
                return;
            }
        },
        _ => {
            skipped.push(skip("not a mapping: not a Kubernetes object"));
            return;
        }
    }
    let Value::Object(mut map) = doc.value else {
        return;
    };
    let Some(Value::Array(items)) = map.remove("items") else {
        return;
    };
    for (i, item) in items.into_iter().enumerate() {
        let line = doc.item_lines.get(i).copied().unwrap_or(doc.line);
        let has_kind = item.get("kind").and_then(Value::as_str).is_some();
        if has_kind {
            docs.push(ManifestDocument {
                source: source.to_path_buf(),
                index: doc.index,
                item: Some(i),
                line,
                value: item,
            });
        } else {
            skipped.push(SkippedDocument {
                source: source.to_path_buf(),
                index: doc.index,
                line,
                reason: format!("`items[{i}]` of the List has no `kind`"),
            });
        }
    }
}

/// `List`, `v1/List`, and typed lists such as `DeploymentList`.
fn is_list_kind(kind: &str) -> bool {
    kind.ends_with("List")
}

/// A JSON file may hold one value or several (JSON Lines, concatenated values).
fn parse_json_stream(text: &str, source: &Path) -> Result<Vec<RawDocument>, ManifestError> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut offset = 0;
    let mut line = 1;
    loop {
        // Line of the next value: skip whitespace after the previous one.
        let rest = &text[offset..];
        let ws = rest.len() - rest.trim_start().len();
        line += rest[..ws].bytes().filter(|b| *b == b'\n').count();
        let start_line = line;
        let Some(next) = stream.next() else {
            break;
        };
        match next {
            Ok(value) => {
                let end = stream.byte_offset();
                line += text[offset + ws..end]
                    .bytes()
                    .filter(|b| *b == b'\n')
                    .count();
                offset = end;
                out.push(RawDocument {
                    index: out.len(),
                    line: start_line,
                    value,
                    item_lines: Vec::new(),
                });
            }
            Err(e) => {
                let (line, column) = json_error_at(text, &e);
                return Err(ManifestError::Json {
                    path: source.to_path_buf(),
                    line,
                    column,
                    message: strip_position(&e.to_string()),
                });
            }
        }
    }
    Ok(out)
}

/// The 1-based line and column of a JSON error in `text`, the column in characters. serde_json
/// counts it in bytes since the line's start; the YAML parser's errors, the design validator's
/// diagnostics and SARIF count characters, so a line with non-ASCII text before the error gave
/// the import a column further right than any of them.
pub(crate) fn json_error_at(text: &str, e: &serde_json::Error) -> (usize, usize) {
    let (line, bytes) = (e.line(), e.column());
    let Some(start) = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .try_fold(0usize, |at, len| Some(at + len))
    else {
        return (line, bytes);
    };
    // serde_json's column is the number of bytes read on the line, through the one it failed
    // at: the characters that start within them, the last of which is the one it failed at.
    let chars = text.get(start..).map_or(bytes, |rest| {
        rest.char_indices().take_while(|(i, _)| *i < bytes).count()
    });
    (line, chars)
}

/// serde_json appends " at line L column C"; we print the position ourselves.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str, name: &str) -> Result<Vec<ManifestDocument>, ManifestError> {
        parse_manifests(text, Path::new(name), &ManifestLimits::default())
    }

    #[test]
    fn multi_document_yaml_with_lines() {
        let docs = parse(
            "# header\napiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: shop}\n---\n---\nkind: Deployment\nmetadata:\n  name: b\n",
            "m.yaml",
        )
        .unwrap();
        let found: Vec<_> = docs
            .iter()
            .map(|d| (d.index, d.line, d.element(), d.location()))
            .collect();
        assert_eq!(
            found,
            vec![
                (0, 2, "Service shop/a".to_string(), "m.yaml:2".to_string()),
                (2, 7, "Deployment b".to_string(), "m.yaml:7".to_string()),
            ]
        );
    }

    #[test]
    fn lists_are_flattened_with_item_lines() {
        let docs = parse(
            "apiVersion: v1\nkind: List\nitems:\n- kind: Service\n  metadata: {name: a}\n- kind: Pod\n  metadata: {name: b}\n",
            "l.yaml",
        )
        .unwrap();
        let found: Vec<_> = docs.iter().map(|d| (d.item, d.line, d.element())).collect();
        assert_eq!(
            found,
            vec![
                (Some(0), 4, "Service a".to_string()),
                (Some(1), 6, "Pod b".to_string())
            ]
        );
    }

    #[test]
    fn json_files_and_json_lists() {
        let docs = parse(
            "{\"kind\":\"ServiceList\",\"items\":[{\"kind\":\"Service\",\"metadata\":{\"name\":\"x\"}}]}\n\n{\"kind\":\"Pod\"}\n",
            "l.json",
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[1].index, docs[1].line), (1, 3));
        assert_eq!(
            docs[0].value,
            json!({"kind":"Service","metadata":{"name":"x"}})
        );
    }

    #[test]
    fn json_error_has_location() {
        let err = parse("{\n\"kind\": \"Pod\",\n}", "bad.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad.json:3:1: invalid JSON: trailing comma"
        );
    }

    #[test]
    fn helm_templates_are_refused_not_parse_errors() {
        let err = parse(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n",
            "svc.yaml",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "svc.yaml:4: this is a Helm template (Go template syntax `{{ … }}`): render it with `helm template` first"
        );
        // Weak evidence plus a YAML failure is a template too.
        let err = parse("{{- if .x }}\nkind: Service\n{{- end }}\n", "t.yaml").unwrap_err();
        assert!(matches!(err, ManifestError::HelmTemplate { line: 1, .. }));
        // Weak evidence inside a valid YAML string is just text.
        let docs = parse(
            "kind: ConfigMap\ndata:\n  rule: \"{{ $labels.instance }} down\"\n",
            "cm.yaml",
        )
        .unwrap();
        assert_eq!(docs.len(), 1);
    }

    /// Regression: the column of an invalid JSON value counted bytes (serde_json's count), so
    /// non-ASCII text before it on its line put it further right than it is.
    #[test]
    fn json_errors_count_the_column_in_characters() {
        let text =
            "{\"kind\": \"Service\",\n \"metadata\": {\"name\": \"Zürich–Genève ✓\", oops}}\n";
        let err = parse(text, "bad.json").unwrap_err().to_string();
        let at = text.lines().nth(1).unwrap();
        let column = at[..at.find("oops").unwrap()].chars().count() + 1;
        assert!(column < at.find("oops").unwrap() + 1);
        assert!(
            err.starts_with(&format!("bad.json:2:{column}: invalid JSON")),
            "{err}"
        );
        // An ASCII line is counted as serde_json counts it.
        let ascii = "{\"a\": 1,\n \"b\": oops}\n";
        let e = serde_json::from_str::<Value>(ascii).unwrap_err();
        assert_eq!(json_error_at(ascii, &e), (e.line(), e.column()));
        // Past a multi-byte character it failed at: that character's column.
        let e = serde_json::from_str::<Value>("[1, é]").unwrap_err();
        assert_eq!(json_error_at("[1, é]", &e).1, 5, "{e}");
    }

    #[test]
    fn yaml_errors_have_file_line_column() {
        let err = parse("kind: Pod\nmetadata:\n  name: a\n  name: b\n", "dup.yaml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "dup.yaml:4:3: duplicate key `name` (first defined at line 3)"
        );
    }

    #[test]
    fn folders_are_walked_and_errors_do_not_stop_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::create_dir_all(root.join("chart/templates")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::write(
            root.join("a/b/svc.yml"),
            "kind: Service\nmetadata: {name: s}\n",
        )
        .unwrap();
        std::fs::write(root.join("a/bad.yaml"), "kind: [\n").unwrap();
        std::fs::write(root.join("a/notes.txt"), "kind: Service\n").unwrap();
        std::fs::write(root.join("a/values.yaml"), "replicas: 3\n").unwrap();
        std::fs::write(root.join("chart/Chart.yaml"), "name: c\n").unwrap();
        std::fs::write(root.join(".git/x.yaml"), "kind: Pod\n").unwrap();
        std::fs::write(root.join("z.json"), "{\"kind\":\"Pod\"}").unwrap();
        let set = read_manifests(&[root], &ManifestLimits::default());
        let kinds: Vec<_> = set.documents.iter().map(|d| d.kind().unwrap()).collect();
        assert_eq!(kinds, vec!["Service", "Pod"]);
        assert_eq!(set.errors.len(), 2, "{:?}", set.errors);
        assert!(matches!(set.errors[0], ManifestError::HelmChart { .. }));
        assert!(matches!(set.errors[1], ManifestError::Yaml { .. }));
        assert_eq!(set.skipped.len(), 1);
        assert_eq!(set.skipped[0].reason, "no `kind`: not a Kubernetes object");
        assert_eq!(set.files.len(), 3);
    }
}
