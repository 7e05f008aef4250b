//! Typed reading of a design value, with every error as a located diagnostic.
//!
//! serde stops at the first error, which would make a user fix a file one typo at a time. So
//! each element of the top-level lists (services, segments, rules, …) is read on its own, and
//! unknown fields are reported, removed and the element read again, up to a bound: one pass
//! reports every element's first type error and every unknown field.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, did_you_mean, pointer_push};
use crate::model::Design;

/// Unknown fields reported per element before giving up on it.
const MAX_RETRIES: usize = 32;

/// What could be read of a design that has errors: every readable element, with placeholders
/// (keeping only the id) for unreadable ones so that indices and references still line up.
/// Validation runs on it to report more problems at once; its diagnostics under `skipped`
/// pointers are dropped, since they would be about placeholders.
#[derive(Clone, Debug)]
pub struct Partial {
    pub design: Design,
    /// Pointers of placeholder elements (`/services/3`), or `""` when the top level itself was
    /// unreadable.
    pub skipped: Vec<String>,
}

impl Partial {
    /// Is `pointer` inside a placeholder?
    pub fn is_skipped(&self, pointer: &str) -> bool {
        self.skipped.iter().any(|s| {
            pointer
                .strip_prefix(s.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }
}

pub fn design_from_value(root: Value) -> Result<Design, (Vec<Diagnostic>, Option<Partial>)> {
    let Value::Object(mut map) = root else {
        return Err((
            vec![Diagnostic::error(
                "invalid-type",
                "",
                "a design must be an object with `format`, `services`, `segments`, …",
            )],
            None,
        ));
    };
    let mut diags = Vec::new();
    let mut skipped = Vec::new();
    let (d_, s_) = (&mut diags, &mut skipped);
    let data_classes = take_list(&mut map, "data_classes", d_, s_);
    let services = take_list(&mut map, "services", d_, s_);
    let segments = take_list(&mut map, "segments", d_, s_);
    let rules = take_list(&mut map, "rules", d_, s_);
    let flows = take_list(&mut map, "flows", d_, s_);
    let triage = take_list(&mut map, "triage", d_, s_);
    let shell: Option<Design> = read_lenient(Value::Object(map), "", &mut diags);
    if shell.is_none() {
        skipped.push(String::new());
    }
    let mut d = shell.unwrap_or_default();
    d.data_classes = data_classes;
    d.services = services;
    d.segments = segments;
    d.rules = rules;
    d.flows = flows;
    d.triage = triage;
    if diags.is_empty() {
        Ok(d)
    } else {
        Err((diags, Some(Partial { design: d, skipped })))
    }
}

/// An element that stands in for an unreadable one, keeping its id.
trait Placeholder: Sized {
    fn placeholder(id: String) -> Self;
}

impl Placeholder for crate::model::DataClass {
    fn placeholder(id: String) -> Self {
        crate::model::DataClass {
            id,
            name: String::new(),
            sensitivity: crate::model::Sensitivity::Public,
            crown_jewel: false,
            description: None,
        }
    }
}

impl Placeholder for crate::model::Service {
    fn placeholder(id: String) -> Self {
        crate::model::Service {
            id,
            ..Default::default()
        }
    }
}

impl Placeholder for crate::model::Segment {
    fn placeholder(id: String) -> Self {
        crate::model::Segment {
            id,
            ..Default::default()
        }
    }
}

impl Placeholder for crate::model::Rule {
    fn placeholder(id: String) -> Self {
        crate::model::Rule {
            id,
            ..Default::default()
        }
    }
}

impl Placeholder for crate::model::Flow {
    fn placeholder(id: String) -> Self {
        crate::model::Flow {
            id,
            from: crate::model::INTERNET.into(),
            ..Default::default()
        }
    }
}

impl Placeholder for crate::model::Triage {
    fn placeholder(id: String) -> Self {
        crate::model::Triage {
            finding: id,
            status: crate::model::TriageStatus::Accepted,
            reason: String::new(),
        }
    }
}

/// Read `map[key]` element by element. A value that is not a list stays in the map for the
/// shell to report.
fn take_list<T: DeserializeOwned + Placeholder>(
    map: &mut Map<String, Value>,
    key: &str,
    diags: &mut Vec<Diagnostic>,
    skipped: &mut Vec<String>,
) -> Vec<T> {
    match map.remove(key) {
        Some(Value::Array(items)) => {
            let base = pointer_push("", key);
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let pointer = pointer_push(&base, &i.to_string());
                    let id = v
                        .get("id")
                        .or_else(|| v.get("finding"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    read_lenient(v, &pointer, diags).unwrap_or_else(|| {
                        skipped.push(pointer);
                        T::placeholder(id)
                    })
                })
                .collect()
        }
        Some(other) => {
            map.insert(key.to_string(), other);
            Vec::new()
        }
        None => Vec::new(),
    }
}

fn read_lenient<T: DeserializeOwned>(
    mut value: Value,
    base: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<T> {
    // Most elements read: only a failed one is read again with its path tracked.
    let plain: Result<T, _> = serde::Deserialize::deserialize(&value);
    if let Ok(t) = plain {
        return Some(t);
    }
    for _ in 0..MAX_RETRIES {
        match serde_path_to_error::deserialize::<_, T>(&value) {
            // Readable once unknown fields are dropped: keep it so validation still sees it
            // (the unknown fields are already reported, so the read fails anyway).
            Ok(t) => return Some(t),
            Err(e) => {
                let mut pointer = base.to_string();
                for seg in e.path().iter() {
                    match seg {
                        serde_path_to_error::Segment::Seq { index } => {
                            pointer = pointer_push(&pointer, &index.to_string());
                        }
                        serde_path_to_error::Segment::Map { key } => {
                            pointer = pointer_push(&pointer, key);
                        }
                        serde_path_to_error::Segment::Enum { .. }
                        | serde_path_to_error::Segment::Unknown => {}
                    }
                }
                let raw = e.into_inner().to_string();
                let d = humanize(&raw, pointer);
                let unknown_field = d.code == "unknown-field";
                let relative = d.pointer[base.len()..].to_string();
                diags.push(d);
                if !unknown_field || !remove_at(&mut value, &relative) {
                    return None;
                }
            }
        }
    }
    None
}

/// Remove the value at a relative pointer; false if there is nothing to remove.
fn remove_at(root: &mut Value, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    match root.pointer_mut(parent) {
        Some(Value::Object(m)) => m.remove(&last).is_some(),
        _ => false,
    }
}

/// Turn a serde message into a diagnostic that never names a Rust type.
fn humanize(raw: &str, pointer: String) -> Diagnostic {
    let quoted = |s: &str| -> Vec<String> {
        s.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let names = quoted(rest);
        let field = names.first().cloned().unwrap_or_default();
        let expected: Vec<&str> = names.iter().skip(1).map(String::as_str).collect();
        let help = match did_you_mean(&field, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if expected.is_empty() => "remove it".to_string(),
            None => format!("expected one of {}", list(&expected)),
        };
        // Point at the unknown key itself (serde's path may or may not already end with it).
        let own = pointer_push("", &field);
        let pointer = if pointer.ends_with(&own) {
            pointer
        } else {
            pointer_push(&pointer, &field)
        };
        return Diagnostic::error("unknown-field", pointer, format!("unknown field `{field}`"))
            .with_help(help);
    }
    if let Some(rest) = raw.strip_prefix("unknown variant ") {
        let names = quoted(rest);
        let got = names.first().cloned().unwrap_or_default();
        let expected: Vec<&str> = names.iter().skip(1).map(String::as_str).collect();
        let help = match did_you_mean(&got, expected.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("expected one of {}", list(&expected)),
        };
        return Diagnostic::error("invalid-value", pointer, format!("unknown value `{got}`"))
            .with_help(help);
    }
    if let Some(rest) = raw.strip_prefix("missing field ") {
        let field = quoted(rest).into_iter().next().unwrap_or_default();
        return Diagnostic::error(
            "missing-field",
            pointer,
            format!("missing required field `{field}`"),
        );
    }
    let message = raw
        .replace(
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        )
        .replace("expected u64", "expected a non-negative whole number")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array")
        .replace("expected a map", "expected an object")
        .replace("invalid type: map", "invalid type: object")
        .replace("invalid type: sequence", "invalid type: array")
        .replace("unit value", "null");
    let message = strip_rust_names(&message);
    let code = if message.starts_with("invalid value") {
        "invalid-value"
    } else {
        "invalid-type"
    };
    Diagnostic::error(code, pointer, message)
}

/// `expected struct Service` → `expected an object`; `internally tagged enum Auth` → `an
/// object with a \`type\``.
fn strip_rust_names(message: &str) -> String {
    let mut out = message.to_string();
    for (prefix, replacement) in [
        ("expected struct ", "expected an object"),
        (
            "expected internally tagged enum ",
            "expected an object with a `type`",
        ),
        ("expected enum ", "expected a string or an object"),
    ] {
        if let Some(i) = out.find(prefix) {
            let tail_start = i + prefix.len();
            let name_end = out[tail_start..]
                .find(|c: char| !c.is_alphanumeric() && c != '_')
                .map_or(out.len(), |e| tail_start + e);
            out.replace_range(i..name_end, replacement);
        }
    }
    out
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
