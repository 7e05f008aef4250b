//! Where each value of a design sits in its source text.
//!
//! A [`Locations`] maps JSON pointers to byte spans, for values and for object keys, so that a
//! diagnostic found on the parsed model (which knows only pointers) can say `line:column`. The
//! JSON side is a small iterative scanner over text that `serde_json` has already accepted; the
//! YAML side is filled in by [`super::yaml`] while it builds the value.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Diagnostic, Location, pointer_push};

/// A byte range in the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub offset: usize,
    pub length: usize,
}

/// Pointer → span tables for one source text.
#[derive(Clone, Debug, Default)]
pub struct Locations {
    text: String,
    line_starts: Vec<usize>,
    values: HashMap<String, Span>,
    keys: HashMap<String, Span>,
    /// Pointer prefixes renamed by a format migration: new prefix → prefix in the source.
    renames: Vec<(String, String)>,
}

impl Locations {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Locations {
            text: text.to_string(),
            line_starts,
            ..Locations::default()
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn set_value(&mut self, pointer: String, span: Span) {
        self.values.insert(pointer, span);
    }

    pub(crate) fn set_key(&mut self, pointer: String, span: Span) {
        self.keys.insert(pointer, span);
    }

    pub(crate) fn add_rename(&mut self, new_prefix: String, old_prefix: String) {
        self.renames.push((new_prefix, old_prefix));
    }

    /// The line and column of a byte offset (both 1-based; columns count characters).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, column)
    }

    /// A location for a span of the text.
    pub fn location_of(&self, span: Span) -> Location {
        let (line, column) = self.line_col(span.offset);
        Location {
            line,
            column,
            offset: span.offset,
            length: span.length,
        }
    }

    fn source_pointer(&self, pointer: &str) -> String {
        for (new, old) in &self.renames {
            if let Some(rest) = pointer.strip_prefix(new.as_str())
                && (rest.is_empty() || rest.starts_with('/'))
            {
                return format!("{old}{rest}");
            }
        }
        pointer.to_string()
    }

    /// The span of the value at `pointer`, or of its nearest ancestor that is in the text
    /// (a missing field points at the object that lacks it).
    pub fn value_span(&self, pointer: &str) -> Option<Span> {
        let mut p = self.source_pointer(pointer);
        loop {
            if let Some(span) = self.values.get(&p) {
                return Some(*span);
            }
            let cut = p.rfind('/')?;
            p.truncate(cut);
        }
    }

    /// The span of the key naming the value at `pointer` if it has one, else of the value.
    pub fn key_span(&self, pointer: &str) -> Option<Span> {
        self.keys
            .get(&self.source_pointer(pointer))
            .copied()
            .or_else(|| self.value_span(pointer))
    }

    /// Fill in `location` of every diagnostic from its pointer. Unknown-field and duplicate-key
    /// diagnostics point at the key; everything else at the value.
    pub fn locate(&self, diagnostics: &mut [Diagnostic]) {
        for d in diagnostics.iter_mut().filter(|d| d.location.is_none()) {
            let span = match d.code {
                "unknown-field" | "duplicate-key" => self.key_span(&d.pointer),
                _ => self.value_span(&d.pointer),
            };
            d.location = span.map(|s| self.location_of(s));
        }
    }
}

enum Frame {
    Object {
        pointer: String,
        start: usize,
        key: Option<String>,
        seen: HashSet<String>,
    },
    Array {
        pointer: String,
        start: usize,
        index: usize,
    },
}

fn child_pointer(stack: &[Frame]) -> String {
    match stack.last() {
        None => String::new(),
        Some(Frame::Object {
            pointer,
            key: Some(k),
            ..
        }) => pointer_push(pointer, k),
        Some(Frame::Object { pointer, .. }) => pointer.clone(),
        Some(Frame::Array { pointer, index, .. }) => pointer_push(pointer, &index.to_string()),
    }
}

fn after_value(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Object { key, .. }) => *key = None,
        Some(Frame::Array { index, .. }) => *index += 1,
        None => {}
    }
}

/// Locations of every value and key of a JSON text that `serde_json` has already accepted.
/// Also reports duplicate object keys, which `serde_json` silently resolves to the last one.
pub fn scan_json(text: &str) -> (Locations, Vec<Diagnostic>) {
    let mut loc = Locations::new(text);
    let mut dups = Vec::new();
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    // INVARIANT: every iteration advances `i`, so the loop ends after at most `len` steps.
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => i += 1,
            b'{' => {
                let pointer = child_pointer(&stack);
                loc.set_value(
                    pointer.clone(),
                    Span {
                        offset: i,
                        length: 1,
                    },
                );
                stack.push(Frame::Object {
                    pointer,
                    start: i,
                    key: None,
                    seen: HashSet::new(),
                });
                i += 1;
            }
            b'[' => {
                let pointer = child_pointer(&stack);
                loc.set_value(
                    pointer.clone(),
                    Span {
                        offset: i,
                        length: 1,
                    },
                );
                stack.push(Frame::Array {
                    pointer,
                    start: i,
                    index: 0,
                });
                i += 1;
            }
            b'}' | b']' => {
                let _ = stack.pop().map(|f| match f {
                    Frame::Object { start, .. } | Frame::Array { start, .. } => start,
                });
                after_value(&mut stack);
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i);
                let span = Span {
                    offset: i,
                    length: end - i,
                };
                let is_key = matches!(stack.last(), Some(Frame::Object { key: None, .. }));
                if is_key {
                    let key: String = serde_json::from_str(&text[i..end]).unwrap_or_default();
                    if let Some(Frame::Object {
                        pointer,
                        key: slot,
                        seen,
                        ..
                    }) = stack.last_mut()
                    {
                        let child = pointer_push(pointer, &key);
                        if !seen.insert(key.clone()) {
                            dups.push(
                                Diagnostic::error(
                                    "duplicate-key",
                                    child.clone(),
                                    format!("duplicate key `{key}`"),
                                )
                                .with_help("JSON readers disagree on which copy wins; keep one")
                                .with_location(Some(loc.location_of(span))),
                            );
                        } else {
                            loc.set_key(child, span);
                        }
                        *slot = Some(key);
                    }
                } else {
                    loc.set_value(child_pointer(&stack), span);
                    after_value(&mut stack);
                }
                i = end;
            }
            _ => {
                let start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    i += 1;
                }
                loc.set_value(
                    child_pointer(&stack),
                    Span {
                        offset: start,
                        length: i - start,
                    },
                );
                after_value(&mut stack);
            }
        }
    }
    (loc, dups)
}

/// The byte just past the closing quote of the string starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_pointers_map_to_line_and_column() {
        let text = "{\n  \"services\": [\n    {\"id\": \"a\", \"ports\": [{\"port\": 0}]},\n    {\"id\": \"é/b\"}\n  ]\n}\n";
        let (loc, dups) = scan_json(text);
        assert!(dups.is_empty());
        let at = |p: &str| {
            let l = loc.location_of(loc.value_span(p).unwrap());
            (l.line, l.column)
        };
        assert_eq!(at("/services/0/id"), (3, 12));
        assert_eq!(at("/services/0/ports/0/port"), (3, 36));
        assert_eq!(at("/services/1/id"), (4, 12));
        assert_eq!(
            at("/services/1/name"),
            (4, 5),
            "missing field points at its object"
        );
        let key = loc.location_of(loc.key_span("/services/0/ports").unwrap());
        assert_eq!((key.line, key.column), (3, 17));
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let (_, dups) = scan_json("{\"a\": 1,\n \"a\": 2}");
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].pointer, "/a");
        assert_eq!(dups[0].location.map(|l| l.line), Some(2));
    }
}
