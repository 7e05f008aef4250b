//! Where each value of a design sits in its source text.
//!
//! A [`Locations`] answers "where is the value (or the key) at this JSON pointer?" so that a
//! diagnostic found on the parsed model (which knows only pointers) can say `line:column`.
//!
//! - For JSON nothing is recorded up front: [`Locations::locate`] runs one iterative scan over
//!   the text (already accepted by `serde_json`) and stops at the pointers it was asked for.
//!   Reading a valid design therefore pays only for the duplicate-key check.
//! - For YAML, [`super::yaml`] records every node's span while it builds the value.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Location};

/// A byte range in the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub offset: usize,
    pub length: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
enum Kind {
    /// Spans are found on demand by scanning the text.
    #[default]
    Json,
    /// Spans were recorded while parsing.
    Recorded,
}

/// Pointer → span lookups for one source text.
#[derive(Clone, Debug, Default)]
pub struct Locations {
    kind: Kind,
    text: String,
    /// Where each line starts: after each `\n`, as serde_json counts lines (a `\r\n` line's
    /// `\r` is its last character; a lone `\r` ends no line). The CLI's `Windowed`
    /// (`src/cmd/common.rs`) indexes the same text's lines again, and differently on purpose:
    /// it must count them as miette does (a lone `\r` ends a line too) so that its windowed
    /// snippets are miette's own, and it wants 0-based lines and no columns. The two counts
    /// part only on a text with a lone `\r`, where miette's own header and gutter disagree.
    line_starts: Vec<usize>,
    values: HashMap<String, Span>,
    keys: HashMap<String, Span>,
    /// Pointer prefixes renamed by a format migration: new prefix → prefix in the source.
    renames: Vec<(String, String)>,
}

impl Locations {
    /// Locations in a JSON text, found on demand.
    pub fn json(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Locations {
            kind: Kind::Json,
            text: text.to_string(),
            line_starts,
            ..Locations::default()
        }
    }

    /// Locations recorded by a parser with [`Locations::set_value`] and
    /// [`Locations::set_key`].
    pub fn recorded(text: &str) -> Self {
        Locations {
            kind: Kind::Recorded,
            ..Locations::json(text)
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
        // Longest prefixes first, so `/segments/0/members` wins over `/segments`.
        self.renames.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
    }

    /// The line and column of a byte offset (both 1-based; columns count characters, as the
    /// SARIF reports declare with `columnKind: unicodeCodePoints`, where miette's snippet
    /// header counts bytes).
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
        let found = self.lookup(&[self.source_pointer(pointer)]);
        nearest(&found.values, &self.source_pointer(pointer))
    }

    /// The span of the key naming the value at `pointer` if it has one, else of the value.
    pub fn key_span(&self, pointer: &str) -> Option<Span> {
        let source = self.source_pointer(pointer);
        let found = self.lookup(std::slice::from_ref(&source));
        found
            .keys
            .get(&source)
            .copied()
            .or_else(|| nearest(&found.values, &source))
    }

    /// The location of the value at each pointer (or of its nearest ancestor in the text), in
    /// one pass over the text however many pointers are asked for: for pointing findings
    /// found on the model back into the file (SARIF regions).
    pub fn locate_values(&self, pointers: &[&str]) -> Vec<Option<Location>> {
        let sources: Vec<String> = pointers.iter().map(|p| self.source_pointer(p)).collect();
        if sources.is_empty() {
            return Vec::new();
        }
        let found = self.lookup(&sources);
        sources
            .iter()
            .map(|s| nearest(&found.values, s).map(|span| self.location_of(span)))
            .collect()
    }

    /// Spans for these source pointers and all their ancestors.
    fn lookup(&self, pointers: &[String]) -> Found {
        match self.kind {
            Kind::Recorded => Found {
                values: self.values.clone_subset(pointers),
                keys: self.keys.clone_subset(pointers),
            },
            Kind::Json => {
                let mut wanted = HashSet::new();
                for p in pointers {
                    let mut p = p.as_str();
                    loop {
                        wanted.insert(p.to_string());
                        match p.rfind('/') {
                            Some(i) => p = &p[..i],
                            None => break,
                        }
                    }
                }
                let scan = scan(&self.text, &wanted);
                Found {
                    values: scan.values,
                    keys: scan.keys,
                }
            }
        }
    }

    /// Fill in `location` of every diagnostic from its pointer, in one pass over the text.
    /// Unknown-field and duplicate-key diagnostics point at the key; everything else at the
    /// value.
    pub fn locate(&self, diagnostics: &mut [Diagnostic]) {
        let sources: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.location.is_none())
            .map(|d| self.source_pointer(&d.pointer))
            .collect();
        if sources.is_empty() {
            return;
        }
        let found = self.lookup(&sources);
        for d in diagnostics.iter_mut().filter(|d| d.location.is_none()) {
            let source = self.source_pointer(&d.pointer);
            let span = match d.code {
                "unknown-field" | "duplicate-key" => found
                    .keys
                    .get(&source)
                    .copied()
                    .or_else(|| nearest(&found.values, &source)),
                _ => nearest(&found.values, &source),
            };
            d.location = span.map(|s| self.location_of(s));
        }
    }
}

struct Found {
    values: HashMap<String, Span>,
    keys: HashMap<String, Span>,
}

trait CloneSubset {
    fn clone_subset(&self, pointers: &[String]) -> Self;
}

impl CloneSubset for HashMap<String, Span> {
    /// The entries for `pointers` and their ancestors.
    fn clone_subset(&self, pointers: &[String]) -> Self {
        let mut out = HashMap::new();
        for p in pointers {
            let mut p = p.as_str();
            loop {
                if let Some(s) = self.get(p) {
                    out.insert(p.to_string(), *s);
                }
                match p.rfind('/') {
                    Some(i) => p = &p[..i],
                    None => break,
                }
            }
        }
        out
    }
}

/// The span at `pointer` or at its nearest ancestor.
fn nearest(values: &HashMap<String, Span>, pointer: &str) -> Option<Span> {
    let mut p = pointer;
    loop {
        if let Some(span) = values.get(p) {
            return Some(*span);
        }
        p = &p[..p.rfind('/')?];
    }
}

enum Frame<'t> {
    Object {
        /// Length of the path buffer without this object's current key.
        base: usize,
        key: bool,
        /// Where this object's keys start in the scan's key stack.
        first: usize,
        /// This object's keys as a set, once it has too many to compare one by one.
        many: Option<HashSet<&'t str>>,
    },
    Array {
        base: usize,
        index: usize,
    },
}

/// Keys an object holds before duplicates are looked up in a set instead of compared one by
/// one: most objects of a design have a handful of keys, a few (layout positions) thousands.
const FEW_KEYS: usize = 16;

struct Scan {
    values: HashMap<String, Span>,
    keys: HashMap<String, Span>,
    duplicates: Vec<(String, String, Span)>,
}

/// Push the token for the next value of the innermost container onto `path` (an object's
/// member is already there: its key pushed it).
fn enter(path: &mut String, stack: &[Frame<'_>]) {
    if let Some(Frame::Array { index, .. }) = stack.last() {
        // Writing to a String cannot fail.
        let _ = write!(path, "/{index}");
    }
}

/// After a value: cut the path back to its container and advance the container.
fn leave(path: &mut String, stack: &mut [Frame<'_>]) {
    match stack.last_mut() {
        Some(Frame::Object { base, key, .. }) => {
            path.truncate(*base);
            *key = false;
        }
        Some(Frame::Array { base, index }) => {
            path.truncate(*base);
            *index += 1;
        }
        None => path.clear(),
    }
}

/// Append `/token` to a pointer, escaped as [`crate::diagnostic::pointer_push`] does, in
/// place.
fn push_token(path: &mut String, token: &str) {
    path.push('/');
    if !token.contains(['~', '/']) {
        path.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
}

/// Records `raw` among the keys of the object on top of `stack`; false if it was there.
fn first_time<'t>(keys: &mut Vec<&'t str>, stack: &mut [Frame<'t>], raw: &'t str) -> bool {
    let Some(Frame::Object { first, many, .. }) = stack.last_mut() else {
        return true;
    };
    if let Some(set) = many {
        return set.insert(raw);
    }
    let own = &keys[*first..];
    if own.contains(&raw) {
        return false;
    }
    if own.len() >= FEW_KEYS {
        let mut set: HashSet<&'t str> = own.iter().copied().collect();
        set.insert(raw);
        keys.truncate(*first);
        *many = Some(set);
    } else {
        keys.push(raw);
    }
    true
}

/// One iterative pass over JSON text that `serde_json` accepted: records the spans of the
/// `wanted` pointers and reports duplicate keys. Memory is the nesting depth plus the answers
/// (and the keys of the open objects); the path is one buffer, cut back after each value.
fn scan<'t>(text: &'t str, wanted: &HashSet<String>) -> Scan {
    let mut out = Scan {
        values: HashMap::new(),
        keys: HashMap::new(),
        duplicates: Vec::new(),
    };
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame<'t>> = Vec::new();
    // The keys of every open object, innermost last (each frame knows where its own start).
    let mut keys: Vec<&'t str> = Vec::new();
    let mut path = String::new();
    let mut i = 0;
    // INVARIANT: every iteration advances `i`, so the loop ends after at most `len` steps.
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => {
                enter(&mut path, &stack);
                // Looking for pointers (not for duplicates, which the first scan reported):
                // a container that holds none of them is stepped over without paths.
                if !wanted.is_empty() && !wanted.contains(path.as_str()) {
                    i = container_end(bytes, i);
                    leave(&mut path, &mut stack);
                    continue;
                }
                if wanted.contains(path.as_str()) {
                    out.values.insert(
                        path.clone(),
                        Span {
                            offset: i,
                            length: 1,
                        },
                    );
                }
                let base = path.len();
                stack.push(if bytes[i] == b'{' {
                    Frame::Object {
                        base,
                        key: false,
                        first: keys.len(),
                        many: None,
                    }
                } else {
                    Frame::Array { base, index: 0 }
                });
                i += 1;
            }
            b'}' | b']' => {
                if let Some(Frame::Object { first, .. }) = stack.pop() {
                    keys.truncate(first);
                }
                leave(&mut path, &mut stack);
                i += 1;
            }
            b'"' => {
                let end = string_end(bytes, i);
                let span = Span {
                    offset: i,
                    length: end - i,
                };
                // `get`: an unterminated string may end inside a character (the scan also
                // runs beside the parser, before the text is known to be JSON).
                let raw = text
                    .get(i + 1..end.saturating_sub(1).max(i + 1))
                    .unwrap_or_default();
                let is_key = matches!(stack.last(), Some(Frame::Object { key: false, .. }));
                if is_key {
                    let unescaped;
                    let key = if raw.contains('\\') {
                        unescaped =
                            serde_json::from_str::<String>(&text[i..end]).unwrap_or_default();
                        unescaped.as_str()
                    } else {
                        raw
                    };
                    if let Some(Frame::Object { base, key: k, .. }) = stack.last_mut() {
                        *k = true;
                        path.truncate(*base);
                    }
                    push_token(&mut path, key);
                    if !first_time(&mut keys, &mut stack, raw) {
                        out.duplicates.push((path.clone(), key.to_string(), span));
                    } else if wanted.contains(path.as_str()) {
                        out.keys.insert(path.clone(), span);
                    }
                } else {
                    enter(&mut path, &stack);
                    if wanted.contains(path.as_str()) {
                        out.values.insert(path.clone(), span);
                    }
                    leave(&mut path, &mut stack);
                }
                i = end;
            }
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => i += 1,
            _ => {
                let start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                {
                    i += 1;
                }
                enter(&mut path, &stack);
                if wanted.contains(path.as_str()) {
                    out.values.insert(
                        path.clone(),
                        Span {
                            offset: start,
                            length: i - start,
                        },
                    );
                }
                leave(&mut path, &mut stack);
            }
        }
    }
    out
}

/// Check a JSON text that `serde_json` accepted for duplicate object keys, which `serde_json`
/// silently resolves to the last one. Returns its (lazy) locations and the duplicates.
pub fn scan_json(text: &str) -> (Locations, Vec<Diagnostic>) {
    let loc = Locations::json(text);
    let found = scan(text, &HashSet::new());
    let dups = found
        .duplicates
        .into_iter()
        .map(|(pointer, key, span)| {
            Diagnostic::error("duplicate-key", pointer, format!("duplicate key `{key}`"))
                .with_help("JSON readers disagree on which copy wins; keep one")
                .with_location(Some(loc.location_of(span)))
        })
        .collect();
    (loc, dups)
}

/// The byte just past the bracket closing the object or array opened at `start`.
fn container_end(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i = string_end(bytes, i);
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
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
