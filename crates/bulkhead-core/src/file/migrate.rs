//! Format versions: `bulkhead/1` is read as is, the legacy `bulkhead/0` is migrated, anything
//! newer is refused.
//!
//! # The legacy `bulkhead/0` shape
//!
//! Pre-release designs (before segments had policies) differ from `bulkhead/1` in four places:
//!
//! | `bulkhead/0` | `bulkhead/1` |
//! |---|---|
//! | `zones: [{id, …, services: [ids], auth, rate_limit, intra}]` | `segments: [{id, …, members: [ids], policy: {auth, rate_limit, intra, default_action}}]` |
//! | a service's `exposed: true/false` | `exposure: internet/internal` |
//! | a rule's `from`/`to` as strings: `internet`, `any`, `zone:<id>` or a service id | `internet`, `any`, `{segment: id}`, `{service: id}` |
//! | top-level `positions: {id: {x, y}}` | `layout: {positions: …}` |
//!
//! Migration works on the parsed value, before typed reading, and records which pointer
//! prefixes moved so that diagnostics still point at the right place in the old text.

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostic;
use crate::model::FORMAT;

/// The format version this build reads and writes, as a number.
pub const CURRENT: u32 = 1;

/// A pointer prefix moved by migration: (prefix in the migrated value, prefix in the source).
pub type Rename = (String, String);

/// The version number a `format` string names (`bulkhead/<n>`), if it names one.
fn version_of(format: &str) -> Option<u32> {
    format
        .strip_prefix("bulkhead/")
        .and_then(|v| v.parse::<u32>().ok())
}

/// Whether a design whose `format` is this is read as it is: [`migrate`] leaves it unchanged,
/// with nothing to report.
pub fn is_current(format: &str) -> bool {
    version_of(format) == Some(CURRENT)
}

/// Check `format` and migrate older versions in place. Returns the version migrated from (if
/// any) and the pointer renames, or the refusal.
pub fn migrate(root: &mut Value) -> Result<(Option<String>, Vec<Rename>), Diagnostic> {
    let Value::Object(map) = root else {
        return Err(Diagnostic::error(
            "invalid-type",
            "",
            "a design must be an object with `format`, `services`, `segments`, …",
        ));
    };
    let format = match map.get("format") {
        None => {
            return Err(Diagnostic::error(
                "format-missing",
                "",
                "missing `format`: this does not look like a Bulkhead design",
            )
            .with_help(format!("add `\"format\": \"{FORMAT}\"` at the top")));
        }
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(Diagnostic::error(
                "invalid-type",
                "/format",
                format!(
                    "`format` must be a string like `{FORMAT}`, not {}",
                    kind_of(other)
                ),
            ));
        }
    };
    match version_of(&format) {
        Some(CURRENT) => Ok((None, Vec::new())),
        Some(0) => {
            let renames = migrate_v0(map);
            Ok((Some(format), renames))
        }
        Some(v) if v > CURRENT => Err(Diagnostic::error(
            "format-unsupported",
            "/format",
            format!(
                "this design is format `{format}`, newer than this version of Bulkhead understands (`{FORMAT}`)"
            ),
        )
        .with_help(format!(
            "upgrade Bulkhead to open it; this build reads `bulkhead/0` and `{FORMAT}`"
        ))),
        _ => Err(Diagnostic::error(
            "format-unknown",
            "/format",
            format!("unknown format `{format}`"),
        )
        .with_help(format!("expected `{FORMAT}`"))),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn migrate_v0(map: &mut Map<String, Value>) -> Vec<Rename> {
    let mut renames = Vec::new();
    map.insert("format".into(), Value::String(FORMAT.into()));

    if let Some(Value::Array(services)) = map.get_mut("services") {
        for (i, s) in services.iter_mut().enumerate() {
            if let Value::Object(s) = s
                && let Some(exposed) = s.remove("exposed")
            {
                let exposure = match exposed {
                    Value::Bool(true) => Value::String("internet".into()),
                    Value::Bool(false) => Value::String("internal".into()),
                    other => other,
                };
                s.insert("exposure".into(), exposure);
                renames.push((
                    format!("/services/{i}/exposure"),
                    format!("/services/{i}/exposed"),
                ));
            }
        }
    }

    if let Some(mut zones) = map.remove("zones") {
        if let Value::Array(zones) = &mut zones {
            for (i, z) in zones.iter_mut().enumerate() {
                let Value::Object(z) = z else { continue };
                if let Some(members) = z.remove("services") {
                    z.insert("members".into(), members);
                    renames.push((
                        format!("/segments/{i}/members"),
                        format!("/zones/{i}/services"),
                    ));
                }
                let mut policy = Map::new();
                for key in ["auth", "rate_limit", "intra"] {
                    if let Some(v) = z.remove(key) {
                        policy.insert(key.into(), v);
                        renames.push((
                            format!("/segments/{i}/policy/{key}"),
                            format!("/zones/{i}/{key}"),
                        ));
                    }
                }
                policy.insert("default_action".into(), Value::String("deny".into()));
                z.insert("policy".into(), Value::Object(policy));
            }
        }
        map.insert("segments".into(), zones);
        renames.push(("/segments".into(), "/zones".into()));
    }

    if let Some(Value::Array(rules)) = map.get_mut("rules") {
        for r in rules.iter_mut() {
            let Value::Object(r) = r else { continue };
            for side in ["from", "to"] {
                if let Some(Value::String(peer)) = r.get(side) {
                    let new = match peer.as_str() {
                        "internet" | "any" => Value::String(peer.clone()),
                        p => match p.strip_prefix("zone:") {
                            Some(z) => serde_json::json!({ "segment": z }),
                            None => serde_json::json!({ "service": p }),
                        },
                    };
                    r.insert(side.into(), new);
                }
            }
        }
    }

    if let Some(positions) = map.remove("positions") {
        let mut layout = Map::new();
        layout.insert("positions".into(), positions);
        map.insert("layout".into(), Value::Object(layout));
        renames.push(("/layout/positions".into(), "/positions".into()));
    }
    // Longest prefixes first, so `/segments/0/members` wins over `/segments`.
    renames.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
    renames
}
