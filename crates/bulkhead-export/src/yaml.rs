//! A small, deterministic YAML writer for `serde_json::Value` trees.
//!
//! Kubernetes objects are built as JSON values (keys keep insertion order thanks to
//! `preserve_order`) and written here as block YAML. Strings that could be read back as anything
//! but the same string (numbers, booleans, `null`, leading indicators, `: `, `#`…) are written as
//! JSON double-quoted scalars, which YAML reads identically. No external YAML crate is needed and
//! the output never depends on a library's formatting choices.

use serde_json::Value;

/// One YAML document (without the `---` separator) for `value`, ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn write_map(out: &mut String, m: &serde_json::Map<String, Value>, level: usize) {
    let mut first = true;
    for (k, v) in m {
        if !first {
            indent(out, level);
        }
        first = false;
        write_entry(out, k, v, level);
    }
}

/// Writes `key: value` assuming the cursor is already indented for this line.
fn write_entry(out: &mut String, k: &str, v: &Value, level: usize) {
    out.push_str(&string_scalar(k));
    out.push(':');
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            indent(out, level + 2);
            write_map(out, m, level + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            indent(out, level);
            write_seq(out, a, level);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn write_seq(out: &mut String, a: &[Value], level: usize) {
    let mut first = true;
    for v in a {
        if !first {
            indent(out, level);
        }
        first = false;
        out.push_str("- ");
        match v {
            Value::Object(m) if !m.is_empty() => write_map(out, m, level + 2),
            Value::Array(inner) if !inner.is_empty() => write_seq(out, inner, level + 2),
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string_scalar(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// A string as a plain scalar when that is unambiguous, else JSON-quoted.
fn string_scalar(s: &str) -> String {
    if plain_is_safe(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
    }
}

fn plain_is_safe(s: &str) -> bool {
    if s.is_empty() || s.len() > 200 {
        return false;
    }
    let first = s.as_bytes()[0];
    // Characters that start something else in YAML, or that YAML 1.1 readers treat specially.
    if b"-?:,[]{}#&*!|>'\"%@`~ ".contains(&first) {
        return false;
    }
    if s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.contains('\t') || s.contains('\n') {
        return false;
    }
    if !s.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
        return false;
    }
    // Anything a YAML 1.1 or 1.2 reader could take for a number, bool or null.
    let lower = s.to_ascii_lowercase();
    if [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf", "-.inf",
    ]
    .contains(&lower.as_str())
    {
        return false;
    }
    let looks_numeric = s
        .chars()
        .all(|c| c.is_ascii_digit() || "+-._eExXoObB:".contains(c) || c.is_ascii_hexdigit());
    if looks_numeric && s.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_maps_and_sequences() {
        let v = json!({
            "apiVersion": "v1",
            "spec": {"podSelector": {}, "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 8080, "protocol": "TCP"}]}]},
            "empty": [],
            "list": ["a", "80", "true", "x: y", "-x"]
        });
        assert_eq!(
            to_yaml(&v),
            "apiVersion: v1\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          app: web\n    ports:\n    - port: 8080\n      protocol: TCP\nempty: []\nlist:\n- a\n- \"80\"\n- \"true\"\n- \"x: y\"\n- \"-x\"\n"
        );
    }
}
