//! A small, deterministic YAML writer for `serde_json::Value` trees.
//!
//! Kubernetes objects are built as JSON values (keys keep insertion order thanks to
//! `preserve_order`) and written here as block YAML. Strings that could be read back as anything
//! but the same string (numbers, booleans, `null`, leading indicators, `: `, `#`…) are written as
//! JSON double-quoted scalars, which YAML reads identically. No external YAML crate is needed and
//! the output never depends on a library's formatting choices.

use serde_json::Value;

/// A JSON object from `"key": value` pairs, in order, *moving* each value in with
/// [`Value::from`]. `serde_json::json!` serializes every interpolated expression again
/// (`to_value(&expr)`), which deep-copies a nested `Value` (a policy's whole rule list); exports
/// of large designs build objects with this instead. Same keys, same order, same output.
#[macro_export]
macro_rules! obj {
    ({ $($k:literal : $v:expr),* $(,)? }) => {{
        #[allow(unused_mut)]
        let mut m = serde_json::Map::new();
        $( m.insert(String::from($k), serde_json::Value::from($v)); )*
        serde_json::Value::Object(m)
    }};
}

/// One YAML document (without the `---` separator) for `value`, ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    push_yaml(&mut out, value);
    out
}

/// [`to_yaml`] appended to `out` (saves a copy per document in large exports).
pub fn push_yaml(out: &mut String, value: &Value) {
    match value {
        Value::Object(m) if !m.is_empty() => write_map(out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(out, a, 0),
        other => {
            write_scalar(out, other);
            out.push('\n');
        }
    }
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
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
    write_string(out, k);
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
            write_scalar(out, other);
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
                write_scalar(out, other);
                out.push('\n');
            }
        }
    }
}

/// Writes a scalar (or an empty collection) straight into `out`: the writer runs once per
/// output value, so it allocates only for the rare quoted string.
fn write_scalar(out: &mut String, v: &Value) {
    use std::fmt::Write as _;
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        // Writing into a String cannot fail.
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// A string as a plain scalar when that is unambiguous, else JSON-quoted.
fn write_string(out: &mut String, s: &str) {
    if plain_is_safe(s) {
        out.push_str(s);
    } else {
        out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()));
    }
}

/// Byte classes for [`plain_is_safe`], one table lookup per byte.
const PRINTABLE: u8 = 1;
/// `:` and ` `, which start the two-byte sequences `: ` and ` #`.
const SPECIAL: u8 = 2;
const DIGIT: u8 = 4;
/// Bytes a YAML reader may take as part of a number: hex digits and `+-._eExXoObB:`.
const NUMERIC: u8 = 8;
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        let mut class = 0;
        if c.is_ascii_graphic() || c == b' ' {
            class |= PRINTABLE;
        }
        if c == b':' || c == b' ' {
            class |= SPECIAL;
        }
        if c.is_ascii_digit() {
            class |= DIGIT;
        }
        if c.is_ascii_hexdigit()
            || matches!(
                c,
                b'+' | b'-'
                    | b'.'
                    | b'_'
                    | b'e'
                    | b'E'
                    | b'x'
                    | b'X'
                    | b'o'
                    | b'O'
                    | b'b'
                    | b'B'
                    | b':'
            )
        {
            class |= NUMERIC;
        }
        t[b] = class;
        b += 1;
    }
    t
};

fn plain_is_safe(s: &str) -> bool {
    if s.is_empty() || s.len() > 200 {
        return false;
    }
    let bytes = s.as_bytes();
    let first = bytes[0];
    // Characters that start something else in YAML, or that YAML 1.1 readers treat specially.
    if b"-?:,[]{}#&*!|>'\"%@`~ ".contains(&first) {
        return false;
    }
    let last = bytes[bytes.len() - 1];
    if last == b' ' || last == b':' {
        return false;
    }
    // One pass: printable ASCII or space only (this also rules out tabs and newlines), no
    // `: ` and no ` #`; and whether it could read as a number.
    let mut looks_numeric = true;
    let mut has_digit = false;
    for (i, &b) in bytes.iter().enumerate() {
        let class = CLASS[b as usize];
        if class & PRINTABLE == 0 {
            return false;
        }
        if class & SPECIAL != 0 {
            let next = bytes.get(i + 1).copied();
            if (b == b':' && next == Some(b' ')) || (b == b' ' && next == Some(b'#')) {
                return false;
            }
        }
        has_digit |= class & DIGIT != 0;
        looks_numeric &= class & NUMERIC != 0;
    }
    // Anything a YAML 1.1 or 1.2 reader could take for a number, bool or null.
    if s.len() <= 5
        && [
            "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf",
            "-.inf",
        ]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(s))
    {
        return false;
    }
    !(looks_numeric && has_digit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The first implementation of `plain_is_safe` (allocating, several passes), kept as the
    /// oracle for the one-pass version.
    fn plain_is_safe_reference(s: &str) -> bool {
        if s.is_empty() || s.len() > 200 {
            return false;
        }
        let first = s.as_bytes()[0];
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
        let lower = s.to_ascii_lowercase();
        if [
            "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", ".nan", ".inf",
            "-.inf",
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

    #[test]
    fn one_pass_plain_check_matches_the_reference() {
        let mut cases: Vec<String> = [
            "",
            "a",
            "web",
            "True",
            "NULL",
            "Off",
            "-.inf",
            ".NaN",
            "~",
            "y",
            "Y",
            "yes",
            "0x1F",
            "1e5",
            "12:30",
            "1.2.3",
            "abc",
            "deadbeef",
            "dead-beef-1",
            "a: b",
            "a:b",
            "a #b",
            "a#b",
            "a ",
            "a:",
            "-a",
            " a",
            "x\ty",
            "x\ny",
            "é",
            "naïve",
            "a\u{7f}",
            "::1",
            "cluster.local/ns/a/sa/b",
            "/api/{id}",
            "{x}",
            "*",
            "GET",
            "8080",
            "+1",
            "b1",
            "spiffe://example.internal/ns/x/sa/y",
            "a  b",
            "a - b",
            "%x",
            "@x",
            "`x`",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        cases.push("x".repeat(200));
        cases.push("x".repeat(201));
        // Every string over a small alphabet up to length 3, including the tricky characters.
        let alphabet = [b'a', b'1', b':', b' ', b'#', b'-', b'.', b'e', b'x', b'\t'];
        let mut frontier = vec![String::new()];
        for _ in 0..3 {
            let mut next = Vec::new();
            for s in &frontier {
                for &c in &alphabet {
                    let mut t = s.clone();
                    t.push(c as char);
                    next.push(t);
                }
            }
            cases.extend(next.iter().cloned());
            frontier = next;
        }
        for s in &cases {
            assert_eq!(plain_is_safe(s), plain_is_safe_reference(s), "{s:?}");
        }
    }

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
