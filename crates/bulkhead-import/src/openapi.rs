//! OpenAPI 3.0 / 3.1 and Swagger 2.0 descriptions → one service with its endpoints.
//!
//! A description may be one file or many joined by relative `$ref`s (the GitHub REST
//! description is 609 files). [`SpecDocuments`] loads each referenced file once, resolves JSON
//! pointers (`~0`, `~1`, percent-escapes) and refuses remote `$ref`s unless the user allowed them.
//! Walking schemas keeps a visited set per operation, so `$ref` cycles end, memoizes what each
//! fully walked `$ref` target holds across operations (big specs share schemas), and keeps a node budget per
//! operation, so a hostile description cannot make the walk explode.
//!
//! Each operation becomes an [`Endpoint`]: method, path template (prefixed with the server's or
//! `basePath`'s path), `operationId`, the declared security (schemes, their type and scopes) and
//! the data classes detected in its parameters, request body and responses, with the evidence
//! (which property, in which schema). `info.title` names the service; `servers`/`host` give its
//! host and exposure (a public DNS name means internet-facing).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bulkhead_core::model::{Endpoint, Exposure, Provenance, Service, ServiceKind};
use serde_json::Value;

use crate::dataclass::{self, Detected};
use crate::diagnostic::Diagnostic;
use crate::fetch::{self, FetchOptions};
use crate::files::ReadBudget;
use crate::yaml::{self, YamlLimits};

/// HTTP methods an OpenAPI path item may hold, in the order endpoints are listed.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Most schema nodes walked for one operation.
const SCAN_BUDGET: usize = 50_000;
/// Deepest schema nesting walked.
const SCAN_DEPTH: usize = 64;
/// Most evidence lines kept per endpoint (the rest are counted).
const EVIDENCE_CAP: usize = 12;

/// Whether a parsed document is an OpenAPI or Swagger description (its root).
pub fn is_spec(value: &Value) -> bool {
    value.get("openapi").is_some_and(Value::is_string)
        || value
            .get("swagger")
            .is_some_and(|v| v.is_string() || v.is_number())
}

/// Parsed documents of one import, keyed by canonical path or URL, each parsed once.
#[derive(Default)]
pub struct SpecDocuments {
    docs: HashMap<String, Arc<Value>>,
    /// Keys of documents loaded only because a `$ref` pointed at them.
    pub referenced: BTreeSet<String>,
    /// Keys of every document a `$ref` resolved into.
    pub used: BTreeSet<String>,
    /// Data classes found under each fully walked `$ref` target, shared by all operations.
    memo: HashMap<(String, String), Arc<Found>>,
    pub allow_remote: bool,
    pub fetch: FetchOptions,
    pub yaml: YamlLimits,
    reported: HashSet<String>,
}

impl SpecDocuments {
    pub fn new(allow_remote: bool, fetch: FetchOptions, yaml: YamlLimits) -> Self {
        SpecDocuments {
            allow_remote,
            fetch,
            yaml,
            ..SpecDocuments::default()
        }
    }

    /// Register a document already parsed (a file of the import, or a fetched URL).
    pub fn insert(&mut self, key: String, value: Arc<Value>) {
        self.docs.insert(key, value);
    }

    pub fn get(&self, key: &str) -> Option<Arc<Value>> {
        self.docs.get(key).cloned()
    }

    /// Resolve `reference` (a `$ref` value) against the document `base`: the target
    /// document's key and the value. Problems are reported once each into `diags`.
    fn resolve(
        &mut self,
        base: &str,
        reference: &str,
        budget: &mut ReadBudget,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(String, Arc<Value>, String)> {
        let (target, fragment) = match reference.split_once('#') {
            Some((t, f)) => (t, f),
            None => (reference, ""),
        };
        let key = if target.is_empty() {
            base.to_string()
        } else {
            match self.load(base, target, budget) {
                Ok(k) => k,
                Err(message) => {
                    if self.reported.insert(format!("{base}|{target}")) {
                        diags.push(Diagnostic::warning("ref", base, message).at_pointer(reference));
                    }
                    return None;
                }
            }
        };
        let doc = self.docs.get(&key)?.clone();
        if !self.used.contains(&key) {
            self.used.insert(key.clone());
        }
        let pointer = decode_pointer(fragment);
        if doc.pointer(&pointer).is_none() {
            if self.reported.insert(format!("{key}#{pointer}")) {
                diags.push(Diagnostic::warning(
                    "ref",
                    base,
                    format!("`$ref: {reference}` points at nothing in `{key}`"),
                ));
            }
            return None;
        }
        Some((key, doc, pointer))
    }

    /// Load the document `target` relative to `base`; its key.
    fn load(
        &mut self,
        base: &str,
        target: &str,
        budget: &mut ReadBudget,
    ) -> Result<String, String> {
        let remote_base = fetch::is_url(base);
        if fetch::is_url(target) || remote_base {
            let url = if fetch::is_url(target) {
                target.to_string()
            } else {
                reqwest::Url::parse(base)
                    .and_then(|b| b.join(target))
                    .map_err(|e| format!("cannot join `{target}` to `{base}`: {e}"))?
                    .to_string()
            };
            if self.docs.contains_key(&url) {
                return Ok(url);
            }
            if !self.allow_remote {
                return Err(format!(
                    "remote `$ref` to `{url}` not followed (allow it with `--allow-remote-refs`)"
                ));
            }
            let fetched = fetch::fetch_blocking(&url, &self.fetch).map_err(|e| e.to_string())?;
            let value = parse_text(&fetched.text, &url, &self.yaml)?;
            self.docs.insert(url.clone(), Arc::new(value));
            return Ok(url);
        }
        let base_dir = Path::new(base).parent().unwrap_or(Path::new("."));
        let path = base_dir.join(percent_decode(target));
        let canonical = path
            .canonicalize()
            .map_err(|e| format!("`$ref` to `{}`: {e}", path.display()))?;
        let key = canonical.to_string_lossy().into_owned();
        if self.docs.contains_key(&key) {
            return Ok(key);
        }
        let text = budget.read_text(&canonical).map_err(|e| e.to_string())?;
        let value = parse_text(&text, &key, &self.yaml)?;
        self.docs.insert(key.clone(), Arc::new(value));
        self.referenced.insert(key.clone());
        Ok(key)
    }
}

/// Parse a description file's text: JSON when it looks like JSON, else YAML (first document).
pub fn parse_text(text: &str, source: &str, limits: &YamlLimits) -> Result<Value, String> {
    let trimmed = text.trim_start();
    if source.ends_with(".json") || trimmed.starts_with('{') {
        return serde_json::from_str(text).map_err(|e| {
            let (line, column) = crate::manifests::json_error_at(text, &e);
            format!(
                "{source}:{line}:{column}: invalid JSON: {}",
                crate::manifests::strip_position(&e.to_string())
            )
        });
    }
    let docs = yaml::parse_documents(text, limits).map_err(|e| format!("{source}:{e}"))?;
    Ok(docs
        .into_iter()
        .map(|d| d.value)
        .find(|v| !v.is_null())
        .unwrap_or(Value::Null))
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A URI fragment to a JSON pointer `Value::pointer` accepts.
fn decode_pointer(fragment: &str) -> String {
    let p = percent_decode(fragment);
    if p.is_empty() || p.starts_with('/') {
        p
    } else {
        format!("/{p}")
    }
}

/// The last segment of a JSON pointer, unescaped: a schema's name.
fn pointer_name(pointer: &str) -> Option<String> {
    let last = pointer.rsplit('/').next()?;
    (!last.is_empty()).then(|| last.replace("~1", "/").replace("~0", "~"))
}

/// What an import of one description found.
pub struct SpecImport {
    pub service: Service,
    /// Data classes used by the endpoints.
    pub data_classes: BTreeSet<Detected>,
}

/// Import the description whose root document is `root_key` (already in `docs`).
pub fn import_spec(
    root_key: &str,
    display_source: &str,
    docs: &mut SpecDocuments,
    budget: &mut ReadBudget,
    diags: &mut Vec<Diagnostic>,
) -> Option<SpecImport> {
    let root = docs.get(root_key)?;
    let swagger2 = root.get("swagger").is_some();
    let title = root
        .pointer("/info/title")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let stem = Path::new(display_source)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "api".into());
    let name = title.map(str::to_string).unwrap_or_else(|| stem.clone());
    let (host, base_path) = server_of(&root, swagger2);
    let mut service = Service {
        id: crate::slug(&name),
        name: name.clone(),
        kind: ServiceKind::Api,
        ..Service::default()
    };
    let version = root
        .get("openapi")
        .or_else(|| root.get("swagger"))
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    service.tags.push(if swagger2 {
        format!("swagger:{version}")
    } else {
        format!("openapi:{version}")
    });
    if let Some(h) = &host {
        service.tags.push(format!("host:{h}"));
        if is_public_host(h) {
            service.exposure = Exposure::Internet;
        }
    }
    service.provenance.push(Provenance {
        source: display_source.to_string(),
        element: Some(format!(
            "{} `{name}`",
            if swagger2 { "Swagger" } else { "OpenAPI" }
        )),
    });

    let schemes = security_schemes(&root, swagger2, root_key, docs, budget, diags);
    let root_security = root.get("security").cloned();
    let mut classes = BTreeSet::new();
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        diags.push(Diagnostic::warning(
            "openapi",
            display_source,
            "the description has no `paths`: no endpoints imported",
        ));
        return Some(SpecImport {
            service,
            data_classes: classes,
        });
    };
    for (path, item) in paths {
        let (item_doc, item_node) = match deref(root_key, item, docs, budget, diags) {
            Some(x) => x,
            None => continue,
        };
        let item = item_node.get();
        let shared_params: Vec<Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let (op_doc, op_node) = match deref(&item_doc, op, docs, budget, diags) {
                Some(x) => x,
                None => continue,
            };
            let op = op_node.get();
            let mut scan = Scan {
                docs,
                budget,
                diags,
                visited: HashSet::new(),
                cut: false,
                found: BTreeMap::new(),
                nodes: 0,
                exhausted: false,
            };
            for p in &shared_params {
                scan.parameter(&item_doc, p, swagger2);
            }
            if let Some(params) = op.get("parameters").and_then(Value::as_array) {
                for p in params {
                    scan.parameter(&op_doc, p, swagger2);
                }
            }
            if let Some(body) = op.get("requestBody") {
                scan.content_holder(&op_doc, body, "request body");
            }
            if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                for (code, response) in responses {
                    if swagger2 {
                        if let Some(schema) = response.get("schema") {
                            scan.schema(&op_doc, schema, &format!("response {code}"), 0);
                        }
                    } else {
                        scan.content_holder(&op_doc, response, &format!("response {code}"));
                    }
                }
            }
            if scan.exhausted {
                let msg = format!(
                    "schemas of `{} {path}` are larger than {SCAN_BUDGET} nodes; data classes may be incomplete",
                    method.to_uppercase()
                );
                scan.diags
                    .push(Diagnostic::warning("openapi-budget", display_source, msg));
            }
            let found = std::mem::take(&mut scan.found);
            let security = op
                .get("security")
                .cloned()
                .or_else(|| root_security.clone());
            let mut endpoint = Endpoint {
                method: method.to_uppercase(),
                path: join_path(&base_path, path),
                operation_id: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                declared_auth: declared_auth(security.as_ref(), &schemes),
                ..Endpoint::default()
            };
            let mut evidence = Vec::new();
            for (class, lines) in found {
                classes.insert(class);
                endpoint.data_classes.push(class.id().to_string());
                evidence.extend(lines);
            }
            if evidence.len() > EVIDENCE_CAP {
                let more = evidence.len() - EVIDENCE_CAP;
                evidence.truncate(EVIDENCE_CAP);
                evidence.push(format!("… and {more} more"));
            }
            endpoint.evidence = evidence;
            service.endpoints.push(endpoint);
        }
    }
    if let Some(hooks) = root.get("webhooks").and_then(Value::as_object) {
        if !hooks.is_empty() {
            diags.push(Diagnostic::info(
                "openapi-webhooks",
                display_source,
                format!(
                    "{} webhook(s) describe calls this API makes to others; they are not endpoints of `{}`",
                    hooks.len(),
                    service.id
                ),
            ));
        }
    }
    service
        .endpoints
        .sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    service.data_held = classes.iter().map(|c| c.id().to_string()).collect();
    Some(SpecImport {
        service,
        data_classes: classes,
    })
}

/// A value reached through zero or more `$ref`s: borrowed when inline (no copy of big
/// subtrees), else its document and pointer.
enum Node<'a> {
    Here(&'a Value),
    There(Arc<Value>, String),
}

impl Node<'_> {
    fn get(&self) -> &Value {
        match self {
            Node::Here(v) => v,
            Node::There(doc, pointer) => doc.pointer(pointer).unwrap_or(&Value::Null),
        }
    }
}

/// Follow a `$ref` on a path item, operation, parameter, body or response.
fn deref<'a>(
    doc: &str,
    value: &'a Value,
    docs: &mut SpecDocuments,
    budget: &mut ReadBudget,
    diags: &mut Vec<Diagnostic>,
) -> Option<(String, Node<'a>)> {
    let Some(first) = value.get("$ref").and_then(Value::as_str) else {
        return Some((doc.to_string(), Node::Here(value)));
    };
    let (mut key, mut target, mut pointer) = docs.resolve(doc, first, budget, diags)?;
    // Chains of `$ref` to `$ref` are bounded; a loop of them resolves to nothing.
    for _ in 0..16 {
        let next = target
            .pointer(&pointer)?
            .get("$ref")
            .and_then(Value::as_str)
            .map(str::to_string);
        let Some(r) = next else {
            return Some((key, Node::There(target, pointer)));
        };
        (key, target, pointer) = docs.resolve(&key, &r, budget, diags)?;
    }
    None
}

/// Host and base path of the first server (OpenAPI 3) or of `host`/`basePath` (Swagger 2).
fn server_of(root: &Value, swagger2: bool) -> (Option<String>, String) {
    if swagger2 {
        let host = root
            .get("host")
            .and_then(Value::as_str)
            .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase());
        let base = root
            .get("basePath")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        return (host, base);
    }
    let Some(server) = root.pointer("/servers/0") else {
        return (None, String::new());
    };
    let mut url = server
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(vars) = server.get("variables").and_then(Value::as_object) {
        for (name, var) in vars {
            if let Some(default) = var.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    let rest = match url.split_once("://") {
        Some((_, rest)) => rest,
        None => {
            // A relative server URL: only a base path.
            return (None, url.trim_end_matches('/').to_string());
        }
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or(authority)
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let host = (!host.is_empty() && !host.contains('{')).then_some(host);
    (host, path.trim_end_matches('/').to_string())
}

fn join_path(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    if base.is_empty() || base.contains('{') {
        return path.to_string();
    }
    format!("{base}{path}")
}

/// A DNS name that the internet can resolve: not localhost, not a private or cluster name,
/// not an IP address in a private range.
pub fn is_public_host(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if let Ok(ip) = host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
        return match ip {
            std::net::IpAddr::V4(v4) => {
                !(v4.is_private() || v4.is_loopback() || v4.is_link_local() || v4.is_unspecified())
            }
            std::net::IpAddr::V6(v6) => !(v6.is_loopback() || v6.is_unspecified()),
        };
    }
    const PRIVATE_SUFFIXES: [&str; 12] = [
        ".local",
        ".internal",
        ".svc",
        ".cluster.local",
        ".lan",
        ".corp",
        ".test",
        ".example",
        ".invalid",
        ".localhost",
        ".home",
        ".intranet",
    ];
    host.contains('.')
        && host != "localhost"
        && !PRIVATE_SUFFIXES.iter().any(|s| host.ends_with(s))
        && !matches!(host.as_str(), "example.com" | "example.org" | "example.net")
}

/// Security schemes by name: a short description of each (`oauth2`, `apiKey in header X`).
fn security_schemes(
    root: &Value,
    swagger2: bool,
    root_key: &str,
    docs: &mut SpecDocuments,
    budget: &mut ReadBudget,
    diags: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let defs = if swagger2 {
        root.get("securityDefinitions")
    } else {
        root.pointer("/components/securitySchemes")
    };
    let mut out = BTreeMap::new();
    let Some(defs) = defs.and_then(Value::as_object) else {
        return out;
    };
    for (name, def) in defs {
        let Some((_, def_node)) = deref(root_key, def, docs, budget, diags) else {
            continue;
        };
        let def = def_node.get();
        let kind = def.get("type").and_then(Value::as_str).unwrap_or("unknown");
        let text = match kind {
            "apiKey" => format!(
                "apiKey in {} `{}`",
                def.get("in").and_then(Value::as_str).unwrap_or("?"),
                def.get("name").and_then(Value::as_str).unwrap_or("?")
            ),
            "http" => {
                let scheme = def.get("scheme").and_then(Value::as_str).unwrap_or("?");
                match def.get("bearerFormat").and_then(Value::as_str) {
                    Some(f) => format!("http {scheme} ({f})"),
                    None => format!("http {scheme}"),
                }
            }
            other => other.to_string(),
        };
        out.insert(name.clone(), text);
    }
    out
}

/// One line per alternative security requirement: `name: type [scopes] + name2: …`.
fn declared_auth(security: Option<&Value>, schemes: &BTreeMap<String, String>) -> Vec<String> {
    let Some(reqs) = security.and_then(Value::as_array) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for req in reqs {
        let Some(req) = req.as_object() else { continue };
        if req.is_empty() {
            out.push("none (anonymous access allowed)".to_string());
            continue;
        }
        let parts: Vec<String> = req
            .iter()
            .map(|(name, scopes)| {
                let kind = schemes
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| "undeclared scheme".to_string());
                let scopes: Vec<&str> = scopes
                    .as_array()
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if scopes.is_empty() {
                    format!("{name}: {kind}")
                } else {
                    format!("{name}: {kind} [{}]", scopes.join(", "))
                }
            })
            .collect();
        out.push(parts.join(" + "));
    }
    out
}

/// Data classes with their evidence lines.
type Found = BTreeMap<Detected, BTreeSet<String>>;

/// Walks the schemas one operation touches, collecting data classes with evidence.
struct Scan<'a> {
    docs: &'a mut SpecDocuments,
    budget: &'a mut ReadBudget,
    diags: &'a mut Vec<Diagnostic>,
    /// `(document, pointer)` of every `$ref` already followed for this operation.
    visited: HashSet<(String, String)>,
    /// Whether the current walk skipped something, so its result must not be memoized.
    cut: bool,
    found: Found,
    nodes: usize,
    exhausted: bool,
}

impl Scan<'_> {
    fn note(&mut self, class: Detected, what: String) {
        self.found
            .entry(class)
            .or_default()
            .insert(format!("{}: {what}", class.id()));
    }

    fn parameter(&mut self, doc: &str, p: &Value, swagger2: bool) {
        let Some((doc, p_node)) = deref(doc, p, self.docs, self.budget, self.diags) else {
            return;
        };
        let p = p_node.get();
        let name = p.get("name").and_then(Value::as_str).unwrap_or("");
        let location = p.get("in").and_then(Value::as_str).unwrap_or("");
        if location == "body" {
            if let Some(schema) = p.get("schema") {
                self.schema(&doc, schema, "request body", 0);
            }
            return;
        }
        let format = if swagger2 {
            p.get("format").and_then(Value::as_str)
        } else {
            p.pointer("/schema/format").and_then(Value::as_str)
        };
        let kind = if swagger2 {
            p.get("type").and_then(Value::as_str)
        } else {
            p.pointer("/schema/type").and_then(Value::as_str)
        };
        if let Some(class) = dataclass::classify_typed(name, format, kind) {
            self.note(class, format!("{location} parameter `{name}`"));
        }
        if let Some(schema) = p.get("schema") {
            self.schema(&doc, schema, &format!("{location} parameter `{name}`"), 0);
        }
    }

    /// A request body or response: OpenAPI 3 `content` (maybe behind a `$ref`).
    fn content_holder(&mut self, doc: &str, holder: &Value, context: &str) {
        let Some((doc, holder_node)) = deref(doc, holder, self.docs, self.budget, self.diags)
        else {
            return;
        };
        let holder = holder_node.get();
        if let Some(content) = holder.get("content").and_then(Value::as_object) {
            for media in content.values() {
                if let Some(schema) = media.get("schema") {
                    self.schema(&doc, schema, context, 0);
                }
            }
        }
    }

    fn schema(&mut self, doc: &str, schema: &Value, context: &str, depth: usize) {
        if depth > SCAN_DEPTH || self.exhausted {
            return;
        }
        self.nodes += 1;
        if self.nodes > SCAN_BUDGET {
            self.exhausted = true;
            return;
        }
        let Some(obj) = schema.as_object() else {
            return;
        };
        if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
            let Some((key, target, pointer)) = self.docs.resolve(doc, r, self.budget, self.diags)
            else {
                return;
            };
            let id = (key, pointer);
            if let Some(known) = self.docs.memo.get(&id) {
                for (class, lines) in known.iter() {
                    self.found
                        .entry(*class)
                        .or_default()
                        .extend(lines.iter().cloned());
                }
                return;
            }
            // INVARIANT: each `(document, pointer)` is walked at most once per operation, so
            // `$ref` cycles terminate; a walk that skipped anything is not memoized, so a
            // memoized result is always complete.
            if !self.visited.insert(id.clone()) {
                self.cut = true;
                return;
            }
            let name = pointer_name(&id.1).unwrap_or_else(|| {
                Path::new(&id.0)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_else(|| id.0.clone())
            });
            let Some(target) = target.pointer(&id.1) else {
                return;
            };
            let outer_found = std::mem::take(&mut self.found);
            let outer_cut = std::mem::replace(&mut self.cut, false);
            self.schema(&id.0, target, &format!("`{name}`"), depth + 1);
            let inner = std::mem::replace(&mut self.found, outer_found);
            if !self.cut && !self.exhausted {
                self.docs.memo.insert(id, Arc::new(inner.clone()));
            }
            self.cut |= outer_cut;
            for (class, lines) in inner {
                self.found.entry(class).or_default().extend(lines);
            }
            return;
        }
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            for (name, sub) in props {
                let format = sub.get("format").and_then(Value::as_str);
                let kind = sub.get("type").and_then(Value::as_str);
                if let Some(class) = dataclass::classify_typed(name, format, kind) {
                    let via = match format {
                        Some(f) if dataclass::classify("", Some(f)).is_some() => {
                            format!(" (format `{f}`)")
                        }
                        _ => String::new(),
                    };
                    self.note(class, format!("property `{name}` in {context}{via}"));
                }
                self.schema(doc, sub, context, depth + 1);
            }
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(sub) = obj.get(key) {
                if sub.is_object() {
                    self.schema(doc, sub, context, depth + 1);
                }
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(list) = obj.get(key).and_then(Value::as_array) {
                for sub in list {
                    self.schema(doc, sub, context, depth + 1);
                }
            }
        }
    }
}

/// The key under which a local file is registered in [`SpecDocuments`].
pub fn file_key(path: &Path) -> String {
    path.canonicalize()
        .unwrap_or_else(|_| PathBuf::from(path))
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_and_names() {
        assert_eq!(
            decode_pointer("/paths/~1users~1%7Bid%7D"),
            "/paths/~1users~1{id}"
        );
        assert_eq!(
            pointer_name("/components/schemas/User"),
            Some("User".into())
        );
        assert_eq!(pointer_name(""), None);
    }

    #[test]
    fn public_hosts() {
        assert!(is_public_host("api.github.com"));
        assert!(!is_public_host("localhost"));
        assert!(!is_public_host("10.1.2.3"));
        assert!(!is_public_host("cart.shop.svc.cluster.local"));
        assert!(!is_public_host("cartservice"));
        assert!(is_public_host("8.8.8.8"));
    }

    #[test]
    fn servers_give_host_and_base_path() {
        let root = serde_json::json!({"servers":[{"url":"{scheme}://api.example.io:8443/v1/","variables":{"scheme":{"default":"https"}}}]});
        assert_eq!(
            server_of(&root, false),
            (Some("api.example.io".into()), "/v1".into())
        );
        let root = serde_json::json!({"servers":[{"url":"/api/v3"}]});
        assert_eq!(server_of(&root, false), (None, "/api/v3".into()));
    }
}
