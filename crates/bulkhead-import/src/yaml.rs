//! YAML text → `serde_json::Value` documents, safe on untrusted input.
//!
//! Why not a serde YAML deserializer: importers need (a) every document of a multi-document
//! stream with the line it starts on, (b) errors with line:column, and (c) hard budgets that a
//! hostile file cannot get around. The event parser (`saphyr-parser`, maintained, pure Rust, an
//! explicit state stack instead of recursion) never expands aliases itself; this module builds
//! the values and enforces the budgets while it does:
//!
//! - **alias expansion** ("billion laughs"): every alias copies a finished node; the nodes and
//!   the scalar bytes copied per file are capped by [`YamlLimits::max_alias_nodes`] and
//!   [`YamlLimits::max_alias_bytes`], checked *before* the copy is made, so memory stays
//!   bounded (nodes alone do not bound it: one anchored long string under every alias);
//! - **nesting depth**: capped by [`YamlLimits::max_depth`], including depth reached through an
//!   alias, so building and dropping values never recurses deeply;
//! - **duplicate keys** are an error naming both lines (Kubernetes' strict decoding refuses them too);
//! - **complex keys** (a mapping or sequence used as a key) are an error: JSON cannot hold them.
//!
//! Scalars resolve per the YAML 1.2 core schema (`null`/`~`, `true`/`false`, decimal, `0x`, `0o`
//! integers, floats); quoted and block scalars are always strings; `!!str`, `!!int`, `!!float`,
//! `!!bool`, `!!null` tags are honoured; other tags are ignored. `<<` merge keys are supported.
//! Plain scalars resolve with the design reader's `resolve_plain` (`bulkhead_core::file::yaml`,
//! which also says why the two readers are otherwise apart).

use std::collections::HashMap;

use bulkhead_core::file::yaml::resolve_plain;
use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Value};

/// Budgets for one YAML file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YamlLimits {
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes that aliases may copy in one file.
    pub max_alias_nodes: usize,
    /// Most bytes of scalar text (keys included) that aliases may copy in one file.
    pub max_alias_bytes: usize,
    /// Most documents in one file.
    pub max_documents: usize,
}

impl Default for YamlLimits {
    fn default() -> Self {
        YamlLimits {
            max_depth: 128,
            max_alias_nodes: 100_000,
            max_alias_bytes: 64 << 20,
            max_documents: 10_000,
        }
    }
}

/// One document of a YAML stream.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlDocument {
    /// 0-based position in the stream, counting empty documents.
    pub index: usize,
    /// 1-based line of the document's root node (or of its `---` when empty).
    pub line: usize,
    pub value: Value,
    /// When the root is a mapping with an `items` sequence (a Kubernetes `List`), the 1-based
    /// line of each element of that sequence.
    pub item_lines: Vec<usize>,
}

/// What went wrong, and where (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at line {line} column {column}")]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub kind: YamlErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum YamlErrorKind {
    #[error("invalid YAML: {0}")]
    Syntax(String),
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
    #[error(
        "aliases expand to more than {0} nodes (a \"billion laughs\" YAML bomb?); refusing to expand"
    )]
    AliasBudget(usize),
    #[error(
        "aliases copy more than {0} bytes of text (a \"billion laughs\" YAML bomb?); refusing to expand"
    )]
    AliasBytes(usize),
    #[error("more than {0} documents in one file")]
    TooManyDocuments(usize),
    #[error("duplicate key `{key}` (first defined at line {first_line})")]
    DuplicateKey { key: String, first_line: usize },
    #[error("a mapping or sequence used as a mapping key is not supported")]
    ComplexKey,
    #[error("alias refers to an anchor that is not defined before it (or that contains it)")]
    UnknownAlias,
    #[error("`<<` merge value must be a mapping or a sequence of mappings")]
    BadMerge,
}

/// A finished node with the facts the budgets need.
#[derive(Clone)]
struct Node {
    value: Value,
    /// Nodes in this subtree (itself included).
    count: usize,
    /// Bytes of scalar text in this subtree, keys included.
    bytes: usize,
    /// Nesting height: 0 for scalars, 1 + max child height for collections.
    height: usize,
    /// A scalar may serve as a mapping key: its text is the string value itself, or for a
    /// resolved scalar (number, bool, null) the text kept in `key_text`. (Not a second copy
    /// of every string: large estates have millions of scalars.)
    scalar: bool,
    key_text: Option<String>,
}

impl Node {
    /// The text of a scalar used as a mapping key; `None` for a mapping or sequence.
    fn into_key(self) -> Option<String> {
        if !self.scalar {
            return None;
        }
        match (self.key_text, self.value) {
            (Some(text), _) => Some(text),
            (None, Value::String(s)) => Some(s),
            (None, _) => None,
        }
    }
}

enum Frame {
    Seq {
        anchor: usize,
        items: Vec<Value>,
        count: usize,
        bytes: usize,
        height: usize,
        record_lines: bool,
        lines: Vec<usize>,
    },
    Map {
        anchor: usize,
        map: Map<String, Value>,
        count: usize,
        bytes: usize,
        height: usize,
        /// Line of each explicit key, in insertion order (the map keeps that order).
        key_lines: Vec<usize>,
        pending: Option<(String, usize, bool)>,
        merges: Vec<Value>,
        is_root: bool,
    },
}

fn syntax(span: &Span, msg: impl Into<String>) -> YamlError {
    YamlError {
        line: span.start.line(),
        column: span.start.col() + 1,
        kind: YamlErrorKind::Syntax(msg.into()),
    }
}

fn at(span: &Span, kind: YamlErrorKind) -> YamlError {
    YamlError {
        line: span.start.line(),
        column: span.start.col() + 1,
        kind,
    }
}

/// Parse every document in `text`. Stops at the first error (the rest of a broken stream
/// cannot be trusted), bounded by `limits`.
pub fn parse_documents(text: &str, limits: &YamlLimits) -> Result<Vec<YamlDocument>, YamlError> {
    let mut builder = Builder {
        limits: *limits,
        anchors: HashMap::new(),
        stack: Vec::new(),
        alias_nodes: 0,
        alias_bytes: 0,
        docs: Vec::new(),
        doc_line: None,
        root_lines: Vec::new(),
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    let mut doc_start_line = 1;
    while let Some(event) = parser.next_event() {
        let (event, span) = event.map_err(|e| YamlError {
            line: e.marker().line(),
            column: e.marker().col() + 1,
            // The scanner caps flow nesting itself (below our own cap, when it reads ahead).
            kind: if e.info().contains("recursion limit") {
                YamlErrorKind::TooDeep(limits.max_depth)
            } else {
                YamlErrorKind::Syntax(e.info().to_string())
            },
        })?;
        match event {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                if builder.docs.len() >= limits.max_documents {
                    return Err(at(
                        &span,
                        YamlErrorKind::TooManyDocuments(limits.max_documents),
                    ));
                }
                doc_start_line = span.start.line();
                builder.doc_line = None;
                builder.root = None;
                builder.root_lines.clear();
                // Anchors are scoped to their document.
                builder.anchors.clear();
            }
            Event::DocumentEnd => {
                let value = builder.root.take().map(|n| n.value).unwrap_or(Value::Null);
                let index = builder.docs.len();
                // An empty document's null sits where the next one starts: use its `---`.
                let line = match value {
                    Value::Null => doc_start_line,
                    _ => builder.doc_line.unwrap_or(doc_start_line),
                };
                builder.docs.push(YamlDocument {
                    index,
                    line,
                    value,
                    item_lines: std::mem::take(&mut builder.root_lines),
                });
            }
            Event::Alias(id) => {
                builder.note_line(&span);
                let node = builder.anchors.get(&id).cloned_checked(
                    &span,
                    (&mut builder.alias_nodes, &mut builder.alias_bytes),
                    limits,
                )?;
                builder.push_node(node, &span)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                builder.note_line(&span);
                let node = scalar_node(&text, style, tag.as_deref());
                if anchor > 0 {
                    builder.anchors.insert(anchor, node.clone());
                }
                builder.push_node(node, &span)?;
            }
            Event::SequenceStart(anchor, _) => {
                builder.note_line(&span);
                builder.check_depth(&span, 1)?;
                let record_lines = builder.is_items_value();
                builder.stack.push(Frame::Seq {
                    anchor,
                    items: Vec::new(),
                    count: 1,
                    bytes: 0,
                    height: 1,
                    record_lines,
                    lines: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                builder.note_line(&span);
                builder.check_depth(&span, 1)?;
                let is_root = builder.stack.is_empty();
                builder.stack.push(Frame::Map {
                    anchor,
                    map: Map::new(),
                    count: 1,
                    bytes: 0,
                    height: 1,
                    key_lines: Vec::new(),
                    pending: None,
                    merges: Vec::new(),
                    is_root,
                });
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq {
                    anchor,
                    items,
                    count,
                    bytes,
                    height,
                    record_lines,
                    lines,
                }) = builder.stack.pop()
                else {
                    return Err(syntax(&span, "unexpected end of sequence"));
                };
                if record_lines && builder.stack.len() == 1 {
                    builder.root_lines = lines;
                }
                let node = Node {
                    value: Value::Array(items),
                    count,
                    bytes,
                    height,
                    scalar: false,
                    key_text: None,
                };
                if anchor > 0 {
                    builder.anchors.insert(anchor, node.clone());
                }
                builder.push_node(node, &span)?;
            }
            Event::MappingEnd => {
                let Some(Frame::Map {
                    anchor,
                    mut map,
                    count,
                    bytes,
                    height,
                    merges,
                    ..
                }) = builder.stack.pop()
                else {
                    return Err(syntax(&span, "unexpected end of mapping"));
                };
                // Explicit keys win over merged ones, whatever their order.
                for merge in merges {
                    if let Value::Object(m) = merge {
                        for (k, v) in m {
                            map.entry(k).or_insert(v);
                        }
                    }
                }
                let node = Node {
                    value: Value::Object(map),
                    count,
                    bytes,
                    height,
                    scalar: false,
                    key_text: None,
                };
                if anchor > 0 {
                    builder.anchors.insert(anchor, node.clone());
                }
                builder.push_node(node, &span)?;
            }
        }
    }
    Ok(builder.docs)
}

trait ClonedChecked {
    fn cloned_checked(
        self,
        span: &Span,
        used: (&mut usize, &mut usize),
        limits: &YamlLimits,
    ) -> Result<Node, YamlError>;
}

impl ClonedChecked for Option<&Node> {
    fn cloned_checked(
        self,
        span: &Span,
        (nodes, bytes): (&mut usize, &mut usize),
        limits: &YamlLimits,
    ) -> Result<Node, YamlError> {
        let Some(node) = self else {
            return Err(at(span, YamlErrorKind::UnknownAlias));
        };
        // INVARIANT: the budget is checked before cloning, so a bomb never allocates.
        *nodes = nodes.saturating_add(node.count);
        if *nodes > limits.max_alias_nodes {
            return Err(at(span, YamlErrorKind::AliasBudget(limits.max_alias_nodes)));
        }
        *bytes = bytes.saturating_add(node.bytes);
        if *bytes > limits.max_alias_bytes {
            return Err(at(span, YamlErrorKind::AliasBytes(limits.max_alias_bytes)));
        }
        Ok(node.clone())
    }
}

struct Builder {
    limits: YamlLimits,
    anchors: HashMap<usize, Node>,
    stack: Vec<Frame>,
    alias_nodes: usize,
    alias_bytes: usize,
    docs: Vec<YamlDocument>,
    doc_line: Option<usize>,
    root_lines: Vec<usize>,
    root: Option<Node>,
}

impl Builder {
    fn note_line(&mut self, span: &Span) {
        if self.doc_line.is_none() {
            self.doc_line = Some(span.start.line());
        }
        // Record where each element of a root `items` sequence starts.
        let depth = self.stack.len();
        if let Some(Frame::Seq {
            record_lines: true,
            lines,
            ..
        }) = self.stack.last_mut()
        {
            if depth == 2 {
                lines.push(span.start.line());
            }
        }
    }

    fn is_items_value(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame::Map { is_root: true, pending: Some((k, _, _)), .. }) if k == "items"
        ) && self.stack.len() == 1
    }

    fn check_depth(&self, span: &Span, extra: usize) -> Result<(), YamlError> {
        if self.stack.len() + extra > self.limits.max_depth {
            return Err(at(span, YamlErrorKind::TooDeep(self.limits.max_depth)));
        }
        Ok(())
    }

    fn push_node(&mut self, node: Node, span: &Span) -> Result<(), YamlError> {
        if node.height > 0 {
            // Depth reached through an alias counts too.
            self.check_depth(span, node.height.saturating_sub(1))?;
        }
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
                map,
                count,
                bytes,
                height,
                key_lines,
                pending,
                merges,
                ..
            }) => match pending.take() {
                None => {
                    let is_string = matches!(node.value, Value::String(_));
                    let Some(key) = node.into_key() else {
                        return Err(at(span, YamlErrorKind::ComplexKey));
                    };
                    let is_merge = key == "<<" && is_string;
                    let line = span.start.line();
                    if !is_merge {
                        // The map holds exactly the explicit keys so far (merged keys are
                        // added at the end of the mapping), in insertion order.
                        if map.contains_key(&key) {
                            let first_line = map
                                .keys()
                                .position(|k| *k == key)
                                .and_then(|i| key_lines.get(i).copied())
                                .unwrap_or(line);
                            return Err(at(span, YamlErrorKind::DuplicateKey { key, first_line }));
                        }
                        key_lines.push(line);
                    }
                    *bytes += key.len();
                    *pending = Some((key, line, is_merge));
                    Ok(())
                }
                Some((key, _, is_merge)) => {
                    *count += node.count;
                    *bytes += node.bytes;
                    *height = (*height).max(node.height + 1);
                    if is_merge {
                        match node.value {
                            Value::Object(_) => merges.push(node.value),
                            Value::Array(list) => {
                                for m in list {
                                    if !m.is_object() {
                                        return Err(at(span, YamlErrorKind::BadMerge));
                                    }
                                    merges.push(m);
                                }
                            }
                            _ => return Err(at(span, YamlErrorKind::BadMerge)),
                        }
                    } else {
                        map.insert(key, node.value);
                    }
                    Ok(())
                }
            },
        }
    }
}

fn scalar_node(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Node {
    let value = match tag {
        Some(t) if t.is_yaml_core_schema() => match t.suffix.as_str() {
            "str" => Value::String(text.to_string()),
            "null" => Value::Null,
            "bool" | "int" | "float" => {
                resolve_plain(text).unwrap_or_else(|| Value::String(text.to_string()))
            }
            _ => default_scalar(text, style),
        },
        _ => default_scalar(text, style),
    };
    let key_text = (!value.is_string()).then(|| text.to_string());
    Node {
        value,
        count: 1,
        bytes: text.len(),
        height: 0,
        scalar: true,
        key_text,
    }
}

fn default_scalar(text: &str, style: ScalarStyle) -> Value {
    if style == ScalarStyle::Plain {
        resolve_plain(text).unwrap_or_else(|| Value::String(text.to_string()))
    } else {
        Value::String(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Result<Vec<YamlDocument>, YamlError> {
        parse_documents(text, &YamlLimits::default())
    }

    #[test]
    fn scalars_resolve_per_core_schema() {
        let docs = parse(
            "a: 1\nb: -2\nc: 1.5\nd: true\ne: ~\nf: '1'\ng: yes\nh: 0x1f\ni: .inf\nj: 1e3\nk: !!str 5\nl: 08\n",
        )
        .unwrap();
        assert_eq!(
            docs[0].value,
            json!({"a":1,"b":-2,"c":1.5,"d":true,"e":null,"f":"1","g":"yes","h":31,"i":".inf","j":1000.0,"k":"5","l":8})
        );
    }

    #[test]
    fn documents_carry_index_and_line() {
        let docs = parse("# c\n---\na: 1\n---\n---\n\n# x\nb: 2\n").unwrap();
        let found: Vec<(usize, usize, Value)> = docs
            .into_iter()
            .map(|d| (d.index, d.line, d.value))
            .collect();
        assert_eq!(
            found,
            vec![
                (0, 3, json!({"a":1})),
                (1, 4, Value::Null),
                (2, 8, json!({"b":2}))
            ]
        );
    }

    #[test]
    fn list_item_lines_are_recorded() {
        let docs = parse("kind: List\nitems:\n- a: 1\n  b: 2\n- c: 3\n").unwrap();
        assert_eq!(docs[0].item_lines, vec![3, 5]);
    }

    #[test]
    fn merge_keys_and_anchors() {
        let docs = parse("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\nl: [*b]\n").unwrap();
        assert_eq!(
            docs[0].value,
            json!({"base":{"x":1,"y":2},"d":{"y":3,"x":1},"l":[{"x":1,"y":2}]})
        );
    }

    #[test]
    fn billion_laughs_is_refused_quickly() {
        let mut bomb = String::from(
            "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            let refs = vec![prev; 9].join(",");
            bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = parse(&bomb).unwrap_err();
        assert!(matches!(err.kind, YamlErrorKind::AliasBudget(_)), "{err}");
        assert!(err.line > 1);
    }

    #[test]
    fn one_long_string_under_every_alias_is_refused() {
        // Few nodes, many bytes: 1 MiB copied by each of 1,000 aliases passed the node
        // budget and would have allocated 1 GB (100,000 aliases: 100 GB).
        let long = "x".repeat(1 << 20);
        let aliases = vec!["*s"; 1_000].join(", ");
        let err = parse(&format!("s: &s {long}\nb: [{aliases}]\n")).unwrap_err();
        assert_eq!(
            (err.kind, err.line),
            (YamlErrorKind::AliasBytes(64 << 20), 2)
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let err = parse(&deep).unwrap_err();
        assert_eq!(err.kind, YamlErrorKind::TooDeep(128));
        let block: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        assert_eq!(parse(&block).unwrap_err().kind, YamlErrorKind::TooDeep(128));
    }

    #[test]
    fn depth_through_alias_counts() {
        let limits = YamlLimits {
            max_depth: 4,
            ..YamlLimits::default()
        };
        let err = parse_documents("a: &a [[[1]]]\nb: {c: {d: *a}}\n", &limits).unwrap_err();
        assert_eq!((err.kind, err.line), (YamlErrorKind::TooDeep(4), 2));
    }

    #[test]
    fn duplicate_keys_name_both_lines() {
        let err = parse("metadata:\n  name: a\n  name: b\n").unwrap_err();
        assert_eq!(
            (err.line, err.column, err.kind),
            (
                3,
                3,
                YamlErrorKind::DuplicateKey {
                    key: "name".into(),
                    first_line: 2
                }
            )
        );
        // Keys out of alphabetical order, a merge, and non-string keys: the first line is
        // still the one where the duplicated key was written.
        let err = parse("z: 1\n<<: {m: 0}\n1: x\nb: 2\ntrue: y\nz: 3\n").unwrap_err();
        assert_eq!(
            (err.line, err.kind),
            (
                6,
                YamlErrorKind::DuplicateKey {
                    key: "z".into(),
                    first_line: 1
                }
            )
        );
        let err = parse("b: 1\n1: x\na: 2\n1: y\n").unwrap_err();
        assert_eq!(
            (err.line, err.kind),
            (
                4,
                YamlErrorKind::DuplicateKey {
                    key: "1".into(),
                    first_line: 2
                }
            )
        );
    }

    #[test]
    fn complex_keys_and_syntax_errors_have_locations() {
        let err = parse("a: 1\n? [x]\n: 2\n").unwrap_err();
        assert_eq!((err.kind, err.line), (YamlErrorKind::ComplexKey, 2));
        let err = parse("a: 1\n b: 2\nc: [\n").unwrap_err();
        assert!(matches!(err.kind, YamlErrorKind::Syntax(_)), "{err}");
        assert_eq!(err.line, 2);
    }

    #[test]
    fn unknown_alias_is_an_error() {
        assert!(parse("a: *nope\n").is_err());
    }
}
