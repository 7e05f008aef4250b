//! YAML design text → `serde_json::Value` plus the location of every value and key.
//!
//! Built on the event parser of `saphyr-parser` (maintained, pure Rust, an explicit state stack
//! rather than recursion), which never expands aliases itself. This module does, under budgets a
//! hostile file cannot get around:
//!
//! - **alias expansion** ("billion laughs"): the nodes and the scalar bytes that aliases copy
//!   are counted *before* each copy, against a budget in proportion to what the text itself
//!   has written so far ([`alias_budget`]);
//! - **nesting depth**: capped at [`MAX_DEPTH`], including depth reached through an alias;
//! - **one document**: a design is one YAML document;
//! - **duplicate keys** and **complex keys** (a mapping used as a key) are errors.
//!
//! Scalars resolve per the YAML 1.2 core schema (`null`/`~`, `true`/`false`, integers, floats);
//! quoted and block scalars are strings; `!!str` forces a string. Merge keys (`<<`) are not
//! supported in designs and surface as an unknown field.
//!
//! `bulkhead_import::yaml` is the other YAML reader, for the importers' files; plain scalars
//! resolve alike in both ([`resolve_plain`] is theirs too). The builders stay two because they
//! build different things: this one reads one document and records the span of every value
//! and key under its JSON pointer, and fails with a located [`Diagnostic`]; the importers'
//! reads a stream of documents with the line of each document and list item, honours `<<`
//! and the other core tags, and fails with a `YamlError` whose wording the import summaries
//! show. Their budgets differ as well: a design is one document about six levels deep, so its
//! budgets are fixed (and named in `docs/diagnostics.md`), the alias budget in proportion to
//! the text; the importers' are set per import (`YamlLimits`), looser by default for deep CRD
//! schemas and large rendered charts.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan, Tag};
use serde_json::{Map, Number, Value};

use super::locate::{Locations, Span};
use crate::diagnostic::{Diagnostic, pointer_push};

/// Deepest nesting of mappings and sequences in a design (real designs need about 6).
pub const MAX_DEPTH: usize = 64;
/// Aliases may always copy this many nodes, however small the document (the flat budget of
/// sessions before 11, so no design read then is refused now for its node count).
pub const MIN_ALIAS_NODES: usize = 10_000;
/// Aliases may copy this many nodes, and scalar bytes, per node and byte the text itself has
/// written so far. A bomb is an expansion out of proportion to its text (the 9-level billion
/// laughs copies ten million times its own size); a design that shares one list among its
/// services copies less than its own size. go-yaml v3 draws the line in the same place for
/// documents under 400,000 nodes (up to 99% of decoded nodes may come from aliases); serde_yaml
/// allows 100 alias jumps per event of the document.
pub const ALIAS_RATIO: usize = 100;
/// Never more nodes than this from aliases, whatever the text's size: a hard bound on the time
/// and memory an expansion costs (a file just under it took 0.44 s and 104 MB peak to
/// `validate` with a debug build of the CLI).
pub const MAX_ALIAS_NODES: usize = 1_000_000;
/// Aliases may always copy this many bytes of scalar text (keys included).
pub const MIN_ALIAS_BYTES: usize = 1 << 20;
/// Never more scalar bytes than this from aliases: node counts alone do not bound memory, as
/// one anchored long string copied by each alias would show.
pub const MAX_ALIAS_BYTES: usize = 64 << 20;

/// What aliases may copy once the text has written `own` of the same unit (nodes or bytes):
/// [`ALIAS_RATIO`] times that, at least `floor` and at most `ceiling`. Measured against the text
/// read *so far*, so the check needs no second pass and an alias near the top of a file cannot
/// borrow budget from text that may never come.
pub fn alias_budget(own: usize, floor: usize, ceiling: usize) -> usize {
    own.saturating_mul(ALIAS_RATIO).clamp(floor, ceiling)
}

#[derive(Clone)]
struct Node {
    value: Value,
    /// Nodes in the subtree, itself included (keys are not nodes here).
    count: usize,
    /// Bytes of scalar text in the subtree, keys included.
    bytes: usize,
    /// 0 for scalars, 1 + the deepest child for collections.
    height: usize,
    /// The scalar's text, when it can be a key.
    key: Option<String>,
}

enum Frame {
    Seq {
        pointer: String,
        anchor: usize,
        items: Vec<Value>,
        count: usize,
        bytes: usize,
        height: usize,
    },
    Map {
        pointer: String,
        anchor: usize,
        map: Map<String, Value>,
        count: usize,
        bytes: usize,
        height: usize,
        pending_key: Option<String>,
    },
}

struct Builder {
    loc: Locations,
    /// Char index → byte offset, only for non-ASCII text (saphyr's markers count characters).
    char_bytes: Option<Vec<usize>>,
    anchors: HashMap<usize, Node>,
    stack: Vec<Frame>,
    /// Nodes the text has written itself: one per scalar (keys too), collection and alias.
    own_nodes: usize,
    /// Nodes and scalar bytes aliases have copied so far.
    alias_nodes: usize,
    alias_bytes: usize,
    root: Option<Node>,
    documents: usize,
}

impl Builder {
    fn span(&self, s: &YamlSpan) -> Span {
        let byte = |i: usize| match &self.char_bytes {
            None => i,
            Some(t) => t
                .get(i)
                .copied()
                .unwrap_or_else(|| t.last().copied().unwrap_or(0)),
        };
        let start = byte(s.start.index());
        let end = byte(s.end.index()).max(start);
        Span {
            offset: start,
            length: (end - start).max(1),
        }
    }

    fn err(&self, s: &YamlSpan, code: &'static str, message: String) -> Diagnostic {
        let span = self.span(s);
        Diagnostic::error(code, "", message).with_location(Some(self.loc.location_of(span)))
    }

    /// The pointer of the next value pushed into the current collection.
    fn child_pointer(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Seq { pointer, items, .. }) => {
                pointer_push(pointer, &items.len().to_string())
            }
            Some(Frame::Map {
                pointer,
                pending_key: Some(k),
                ..
            }) => pointer_push(pointer, k),
            Some(Frame::Map { pointer, .. }) => pointer.clone(),
        }
    }

    fn expecting_key(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Map {
                pending_key: None,
                ..
            })
        )
    }

    fn check_depth(&self, s: &YamlSpan, extra: usize) -> Result<(), Diagnostic> {
        if self.stack.len() + extra > MAX_DEPTH {
            return Err(self.err(
                s,
                "too-deep",
                format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn push(&mut self, node: Node, s: &YamlSpan) -> Result<(), Diagnostic> {
        if node.height > 0 {
            self.check_depth(s, node.height.saturating_sub(1))?;
        }
        let span = self.span(s);
        match self.stack.last_mut() {
            None => {
                self.root = Some(node);
                Ok(())
            }
            Some(Frame::Seq {
                items,
                count,
                bytes,
                height,
                ..
            }) => {
                *count += node.count;
                *bytes += node.bytes;
                *height = (*height).max(node.height + 1);
                items.push(node.value);
                Ok(())
            }
            Some(Frame::Map {
                pointer,
                map,
                count,
                bytes,
                height,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => {
                    let Some(key) = node.key else {
                        let d = Diagnostic::error(
                            "syntax",
                            pointer.clone(),
                            "a mapping or sequence used as a key is not supported",
                        );
                        return Err(d.with_location(Some(self.loc.location_of(span))));
                    };
                    let child = pointer_push(pointer, &key);
                    if map.contains_key(&key) {
                        let d = Diagnostic::error(
                            "duplicate-key",
                            child,
                            format!("duplicate key `{key}`"),
                        )
                        .with_help("YAML readers disagree on which copy wins; keep one");
                        return Err(d.with_location(Some(self.loc.location_of(span))));
                    }
                    self.loc.set_key(child, span);
                    *bytes += key.len();
                    *pending_key = Some(key);
                    Ok(())
                }
                Some(key) => {
                    *count += node.count;
                    *bytes += node.bytes;
                    *height = (*height).max(node.height + 1);
                    map.insert(key, node.value);
                    Ok(())
                }
            },
        }
    }
}

/// Parse one YAML document into a value and its locations.
pub fn parse(text: &str) -> Result<(Value, Locations), Vec<Diagnostic>> {
    let char_bytes = (!text.is_ascii()).then(|| {
        let mut t: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        t.push(text.len());
        t
    });
    let mut b = Builder {
        loc: Locations::recorded(text),
        char_bytes,
        anchors: HashMap::new(),
        stack: Vec::new(),
        own_nodes: 0,
        alias_nodes: 0,
        alias_bytes: 0,
        root: None,
        documents: 0,
    };
    run(&mut b, text).map_err(|d| vec![d])?;
    let value = b.root.take().map_or(Value::Null, |n| n.value);
    Ok((value, b.loc))
}

fn run(b: &mut Builder, text: &str) -> Result<(), Diagnostic> {
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        let (event, s) = event.map_err(|e| {
            let m = e.marker();
            let span = YamlSpan { start: *m, end: *m };
            let info = e.info();
            if info.contains("recursion limit") {
                b.err(
                    &span,
                    "too-deep",
                    format!("nesting deeper than {MAX_DEPTH} levels"),
                )
            } else {
                b.err(&span, "syntax", format!("invalid YAML: {info}"))
            }
        })?;
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentEnd => {}
            Event::DocumentStart(_) => {
                b.documents += 1;
                if b.documents > 1 {
                    return Err(b.err(
                        &s,
                        "syntax",
                        "a design is one YAML document, but this file has several".into(),
                    ));
                }
                b.anchors.clear();
            }
            Event::Alias(id) => {
                let pointer = b.child_pointer();
                let Some(node) = b.anchors.get(&id) else {
                    return Err(b.err(&s, "syntax", "alias to an undefined anchor".into()));
                };
                // INVARIANT: the budget is checked before the copy, so a bomb never allocates.
                b.own_nodes += 1;
                b.alias_nodes = b.alias_nodes.saturating_add(node.count);
                b.alias_bytes = b.alias_bytes.saturating_add(node.bytes);
                let read = b.span(&s).offset;
                let nodes = alias_budget(b.own_nodes, MIN_ALIAS_NODES, MAX_ALIAS_NODES);
                let bytes = alias_budget(read, MIN_ALIAS_BYTES, MAX_ALIAS_BYTES);
                let why = if b.alias_nodes > nodes {
                    let copied = format!("{} nodes", b.alias_nodes);
                    if nodes == MAX_ALIAS_NODES {
                        Some(format!("{copied}, over the limit of {MAX_ALIAS_NODES}"))
                    } else {
                        let own = b.own_nodes;
                        Some(format!(
                            "{copied}, more than {ALIAS_RATIO} times the {own} nodes the file writes out up to here"
                        ))
                    }
                } else if b.alias_bytes > bytes {
                    let copied = format!("{} bytes of scalars", b.alias_bytes);
                    if bytes == MAX_ALIAS_BYTES {
                        Some(format!("{copied}, over the limit of {MAX_ALIAS_BYTES}"))
                    } else {
                        Some(format!(
                            "{copied}, more than {ALIAS_RATIO} times the {read} bytes of text up to here"
                        ))
                    }
                } else {
                    None
                };
                if let Some(why) = why {
                    let d = Diagnostic::error(
                        "yaml-budget",
                        pointer,
                        format!(
                            "aliases expand to {why} (a \"billion laughs\" YAML bomb?); refusing to expand"
                        ),
                    );
                    return Err(d.with_location(Some(b.loc.location_of(b.span(&s)))));
                }
                let node = node.clone();
                if !b.expecting_key() {
                    let span = b.span(&s);
                    b.loc.set_value(pointer, span);
                }
                b.push(node, &s)?;
            }
            Event::Scalar(value, style, anchor, tag) => {
                b.own_nodes += 1;
                let node = scalar(&value, style, tag.as_deref());
                if !b.expecting_key() {
                    let span = b.span(&s);
                    let pointer = b.child_pointer();
                    b.loc.set_value(pointer, span);
                }
                if anchor > 0 {
                    b.anchors.insert(anchor, node.clone());
                }
                b.push(node, &s)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if b.expecting_key() {
                    return Err(b.err(
                        &s,
                        "syntax",
                        "a mapping or sequence used as a key is not supported".into(),
                    ));
                }
                b.check_depth(&s, 1)?;
                b.own_nodes += 1;
                let pointer = b.child_pointer();
                let mut span = b.span(&s);
                span.length = 1;
                b.loc.set_value(pointer.clone(), span);
                let frame = if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        pointer,
                        anchor,
                        items: Vec::new(),
                        count: 1,
                        bytes: 0,
                        height: 1,
                    }
                } else {
                    Frame::Map {
                        pointer,
                        anchor,
                        map: Map::new(),
                        count: 1,
                        bytes: 0,
                        height: 1,
                        pending_key: None,
                    }
                };
                b.stack.push(frame);
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, value, count, bytes, height) = match b.stack.pop() {
                    Some(Frame::Seq {
                        anchor,
                        items,
                        count,
                        bytes,
                        height,
                        ..
                    }) => (anchor, Value::Array(items), count, bytes, height),
                    Some(Frame::Map {
                        anchor,
                        map,
                        count,
                        bytes,
                        height,
                        ..
                    }) => (anchor, Value::Object(map), count, bytes, height),
                    None => return Err(b.err(&s, "syntax", "unbalanced collection".into())),
                };
                let node = Node {
                    value,
                    count,
                    bytes,
                    height,
                    key: None,
                };
                if anchor > 0 {
                    b.anchors.insert(anchor, node.clone());
                }
                b.push(node, &s)?;
            }
        }
    }
    Ok(())
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Node {
    let value = if style != ScalarStyle::Plain
        || tag.is_some_and(|t| t.is_yaml_core_schema() && t.suffix == "str")
    {
        Value::String(text.to_string())
    } else {
        resolve_plain(text).unwrap_or_else(|| Value::String(text.to_string()))
    };
    Node {
        value,
        count: 1,
        bytes: text.len(),
        height: 0,
        key: Some(text.to_string()),
    }
}

/// YAML 1.2 core schema resolution of a plain scalar; `None` means "a string". The one
/// resolution of both YAML readers: designs here, the importers' manifests and specs in
/// `bulkhead_import::yaml`.
pub fn resolve_plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    let first = text.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return None;
    }
    // `0x[0-9a-fA-F]+`, `0o[0-7]+`: no sign after the prefix, which `from_str_radix` would
    // accept (`0x-1` was -1 in designs; `0x+1F` was 31 in both readers).
    let radix = |digits: &str, radix: u32| {
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return None;
        }
        u64::from_str_radix(digits, radix).ok().map(Value::from)
    };
    if let Some(hex) = text.strip_prefix("0x") {
        return radix(hex, 16);
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return radix(oct, 8);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let t = text.strip_prefix('+').unwrap_or(text);
        if let Ok(i) = t.parse::<i64>() {
            return Some(Value::from(i));
        }
        if let Ok(u) = t.parse::<u64>() {
            return Some(Value::from(u));
        }
        return t
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number);
    }
    match digits {
        // JSON has no infinities or NaN: keep the text.
        ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN" => {
            return Some(Value::String(text.to_string()));
        }
        _ => {}
    }
    if is_core_float(digits) {
        return text
            .strip_prefix('+')
            .unwrap_or(text)
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number);
    }
    None
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - s;
    }
    if int_digits == 0 && frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == s {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_locations() {
        let text = "format: bulkhead/1\nservices:\n  - id: a\n    ports:\n      - port: 0x50\n  - id: \"b\"\n";
        let (v, loc) = parse(text).unwrap();
        assert_eq!(v["services"][0]["ports"][0]["port"], 80);
        assert_eq!(v["services"][1]["id"], "b");
        let at = |p: &str| {
            let l = loc.location_of(loc.value_span(p).unwrap());
            (l.line, l.column)
        };
        assert_eq!(at("/services/0/ports/0/port"), (5, 15));
        assert_eq!(at("/services/1/id"), (6, 9));
        let k = loc.location_of(loc.key_span("/services/0/ports").unwrap());
        assert_eq!((k.line, k.column), (4, 5));
    }

    #[test]
    fn core_schema_scalars() {
        let (v, _) = parse("[~, true, '1', 1.5, -3, 1e3, yes, .inf]").unwrap();
        assert_eq!(
            v,
            serde_json::json!([null, true, "1", 1.5, -3, 1000.0, "yes", ".inf"])
        );
        // Regression: `0x-1` read as -1 here (and `0x+1F` as 31 here and in the importers):
        // the core schema's hex and octal integers have no sign.
        let (v, _) = parse("[0x-1, 0x+1F, 0o-7, 0o+7, 0x1F, 0o17, 0x, 0xG]").unwrap();
        assert_eq!(
            v,
            serde_json::json!(["0x-1", "0x+1F", "0o-7", "0o+7", 31, 15, "0x", "0xG"])
        );
    }

    #[test]
    fn alias_bomb_is_refused_before_it_allocates() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = parse(&text).unwrap_err();
        assert_eq!(err[0].code, "yaml-budget");
    }

    #[test]
    fn classic_billion_laughs_is_refused_where_it_starts() {
        // The 9-level original: `lol9` would be 10^9 strings from 9 lines.
        let mut text =
            String::from("lol1: &lol1 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 2..=9 {
            let p = format!("*lol{}", i - 1);
            let items = [p.as_str(); 10].join(", ");
            text.push_str(&format!("lol{i}: &lol{i} [{items}]\n"));
        }
        let err = parse(&text).unwrap_err();
        assert_eq!(err[0].code, "yaml-budget", "{err:?}");
        // Refused at the first alias past the 10,000-node floor: `lol2` and `lol3` copy 1,220
        // nodes, each `*lol3` 1,111 more, so the 8th `*lol3` in `lol4`.
        assert_eq!(err[0].pointer, "/lol4/7");
        assert_eq!(err[0].location.unwrap().line, 4);
        assert!(
            err[0].message.contains("more than 100 times the"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn wide_alias_bomb_is_refused() {
        // Two levels, but wide: 2,000 aliases of a 2,000-item list is 4 million nodes from
        // about 4,000 of text.
        let items = vec!["x"; 2_000].join(", ");
        let aliases = vec!["*a"; 2_000].join(", ");
        let err = parse(&format!("a: &a [{items}]\nb: [{aliases}]\n")).unwrap_err();
        assert_eq!(err[0].code, "yaml-budget", "{err:?}");
        assert_eq!(err[0].location.unwrap().line, 2);
    }

    #[test]
    fn one_long_string_copied_by_each_alias_is_refused() {
        // Few nodes, many bytes: the node count alone would let this allocate 64 GB.
        let long = "x".repeat(1 << 20);
        let aliases = vec!["*s"; 1_000].join(", ");
        let err = parse(&format!("s: &s {long}\nb: [{aliases}]\n")).unwrap_err();
        assert_eq!(err[0].code, "yaml-budget", "{err:?}");
        assert!(err[0].message.contains("bytes"), "{}", err[0].message);
    }

    #[test]
    fn the_hard_ceiling_holds_whatever_the_text_size() {
        // 21,000 nodes of own text before the aliases allow 100 times that by the ratio, but
        // the ceiling stops 1,200 copies of a 1,001-node list at 1,000,000.
        let items = vec!["x"; 1_000].join(", ");
        let mut text = format!("a: &a [{items}]\nc:\n");
        for i in 0..20_000 {
            text.push_str(&format!("  - {i}\n"));
        }
        text.push_str("b:\n");
        for _ in 0..1_200 {
            text.push_str("  - *a\n");
        }
        let err = parse(&text).unwrap_err();
        assert!(
            err[0].message.contains("over the limit of 1000000"),
            "{}",
            err[0].message
        );
    }

    #[test]
    fn a_shared_anchor_in_a_large_design_is_not_a_bomb() {
        // Regression: 3,400 services sharing one anchored 2-item list copy 10,200 nodes,
        // which the flat 10,000-node budget refused as a bomb. The text writes ~17,000 nodes.
        let mut text = String::from("format: bulkhead/1\nname: x\nx-tags: &t [a, b]\nservices:\n");
        for i in 0..3_400 {
            text.push_str(&format!("  - id: s{i}\n    tags: *t\n"));
        }
        let (v, loc) = parse(&text).unwrap();
        assert_eq!(v["services"][3_399]["tags"], serde_json::json!(["a", "b"]));
        assert_eq!(
            loc.location_of(loc.value_span("/services/3399/tags").unwrap())
                .line,
            6_804
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        let err = parse(&text).unwrap_err();
        assert!(matches!(err[0].code, "too-deep" | "syntax"), "{err:?}");
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let err = parse(&block).unwrap_err();
        assert_eq!(err[0].code, "too-deep", "{err:?}");
    }

    #[test]
    fn duplicate_keys_and_documents() {
        let err = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err[0].code, "duplicate-key");
        assert_eq!(err[0].location.unwrap().line, 3);
        let err = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err[0].code, "syntax");
    }
}
