//! A small, deterministic YAML writer.
//!
//! Renderers stream each Kubernetes object (or the Kong config) through a [`Writer`]: one call
//! per key or item, written as block YAML straight into the output `String`, with no tree in
//! between (a 10,000-service estate is 135 MB of YAML; building it as trees first made the
//! exports spend most of their time allocating and freeing). The few small documents that are
//! still easier to write as a value (kustomizations, default denies, Kong consumers) are
//! [`Node`]s: maps keep insertion order, strings borrow where they can, nothing is hashed, and
//! [`push_yaml`] walks them through the same [`Writer`]. Strings that could be read back as
//! anything but the same string (numbers, booleans, `null`, leading indicators, `: `, `#`,
//! non-ASCII…) are written double-quoted with escapes that JSON and YAML 1.1 and 1.2 readers all
//! read identically (see [`push_quoted`]). No external YAML crate is needed and the output never
//! depends on a library's formatting choices.
//!
//! History: the tree replaced `serde_json::Value` in session 3 (same bytes, except strings with
//! characters YAML reads as line breaks or refuses, which were written wrongly before); the
//! streaming writer replaced building trees in session 4 (same bytes: a property test checks it
//! against the tree writer it replaced).

use std::borrow::Cow;

/// One value of a document: what a JSON value can be, with borrowed strings and ordered,
/// unhashed maps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node<'a> {
    Null,
    Bool(bool),
    /// Every number an export writes is a non-negative integer (ports, counts, limits).
    Int(u64),
    Str(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    /// Entries in insertion order; [`Node::insert`] replaces an existing key in place.
    Map(Vec<(Cow<'a, str>, Node<'a>)>),
}

/// A map [`Node`] from `"key": value` pairs, in order, converting each value with
/// [`Node::from`] (moved, not copied).
#[macro_export]
macro_rules! obj {
    ({ $($k:tt : $v:expr),* $(,)? }) => {
        $crate::yaml::Node::Map(vec![
            $( (::std::borrow::Cow::Borrowed($k), $crate::yaml::Node::from($v)), )*
        ])
    };
}

/// A sequence [`Node`] from values, each converted with [`Node::from`].
#[macro_export]
macro_rules! seq {
    ($($v:expr),* $(,)?) => {
        $crate::yaml::Node::Seq(vec![ $( $crate::yaml::Node::from($v), )* ])
    };
}

impl<'a> Node<'a> {
    /// An empty map.
    pub fn map() -> Self {
        Node::Map(Vec::new())
    }

    /// Sets `key` to `value`: replaces the value in place if the key exists, else appends.
    /// Does nothing on a non-map (exporters only call it on maps they built).
    pub fn insert(&mut self, key: impl Into<Cow<'a, str>>, value: impl Into<Node<'a>>) {
        if let Node::Map(entries) = self {
            let key = key.into();
            let value = value.into();
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => entries.push((key, value)),
            }
        }
    }

    /// The node as compact JSON, exactly as `serde_json::to_string` writes the equivalent
    /// `serde_json::Value` (the renderers' grouping keys are this JSON, written directly with
    /// [`push_json_string`]; the tests check both against serde_json).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.push_json(&mut out);
        out
    }

    fn push_json(&self, out: &mut String) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Int(n) => push_int(out, *n),
            Node::Str(s) => push_json_string(out, s),
            Node::Seq(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.push_json(out);
                }
                out.push(']');
            }
            Node::Map(entries) => {
                out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_json_string(out, k);
                    out.push(':');
                    v.push_json(out);
                }
                out.push('}');
            }
        }
    }
}

impl<'a> From<&'a str> for Node<'a> {
    fn from(s: &'a str) -> Self {
        Node::Str(Cow::Borrowed(s))
    }
}
impl<'a> From<&'a String> for Node<'a> {
    fn from(s: &'a String) -> Self {
        Node::Str(Cow::Borrowed(s.as_str()))
    }
}
impl From<String> for Node<'_> {
    fn from(s: String) -> Self {
        Node::Str(Cow::Owned(s))
    }
}
impl<'a> From<Cow<'a, str>> for Node<'a> {
    fn from(s: Cow<'a, str>) -> Self {
        Node::Str(s)
    }
}
impl From<bool> for Node<'_> {
    fn from(b: bool) -> Self {
        Node::Bool(b)
    }
}
impl From<u16> for Node<'_> {
    fn from(n: u16) -> Self {
        Node::Int(n.into())
    }
}
impl From<u32> for Node<'_> {
    fn from(n: u32) -> Self {
        Node::Int(n.into())
    }
}
impl From<u64> for Node<'_> {
    fn from(n: u64) -> Self {
        Node::Int(n)
    }
}
impl<'a, T: Into<Node<'a>>> From<Vec<T>> for Node<'a> {
    fn from(items: Vec<T>) -> Self {
        Node::Seq(items.into_iter().map(Into::into).collect())
    }
}
impl<'a, K: Into<Cow<'a, str>>, V: Into<Node<'a>>> FromIterator<(K, V)> for Node<'a> {
    /// A map from `(key, value)` pairs, in iteration order (keys assumed distinct).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Node::Map(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// One YAML document (without the `---` separator) for `value`, ending in a newline.
pub fn to_yaml(value: &Node<'_>) -> String {
    let mut out = String::new();
    push_yaml(&mut out, value);
    out
}

/// [`to_yaml`] appended to `out`: the tree is walked through a [`Writer`], so a tree and a
/// renderer that streams the same calls write the same bytes.
pub fn push_yaml(out: &mut String, value: &Node<'_>) {
    match value {
        Node::Map(m) => {
            let mut w = Writer::doc_map(out);
            for (k, v) in m {
                put_entry(&mut w, k, v);
            }
            w.finish();
        }
        Node::Seq(a) => {
            let mut w = Writer::doc_seq(out);
            for v in a {
                put_item(&mut w, v);
            }
            w.finish();
        }
        other => {
            write_scalar(out, other);
            out.push('\n');
        }
    }
}

fn put_entry(w: &mut Writer<'_>, k: &str, v: &Node<'_>) {
    match v {
        Node::Map(m) => {
            w.map(k);
            for (k, v) in m {
                put_entry(w, k, v);
            }
            w.end();
        }
        Node::Seq(a) => {
            w.seq(k);
            for v in a {
                put_item(w, v);
            }
            w.end();
        }
        Node::Str(s) => w.str(k, s),
        Node::Int(n) => w.int(k, *n),
        Node::Bool(b) => w.bool(k, *b),
        Node::Null => w.null(k),
    }
}

fn put_item(w: &mut Writer<'_>, v: &Node<'_>) {
    match v {
        Node::Map(m) => {
            w.item_map();
            for (k, v) in m {
                put_entry(w, k, v);
            }
            w.end();
        }
        Node::Seq(a) => {
            w.item_seq();
            for v in a {
                put_item(w, v);
            }
            w.end();
        }
        Node::Str(s) => w.item_str(s),
        Node::Int(n) => w.item_int(*n),
        Node::Bool(b) => w.item_bool(*b),
        Node::Null => w.item_null(),
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

/// An open map or sequence of a [`Writer`].
#[derive(Clone, Copy, Debug)]
struct Frame {
    /// Indentation of this collection's lines (a map's keys, a sequence's dashes).
    level: usize,
    seq: bool,
    /// Opened as a map entry's value (`key:` ends the line, the first child starts a new
    /// one), rather than as a sequence item or a document, whose first child follows on the
    /// same line.
    entry: bool,
    /// Children written so far: an empty collection is written `{}` or `[]` when it ends.
    items: usize,
}

/// Block YAML written straight into a `String`, one call per key or item, without building a
/// [`Node`] tree: the large exports' renderers stream through it.
///
/// A document is a map ([`Writer::doc_map`]) or a sequence ([`Writer::doc_seq`]). In a map, each call
/// writes one entry (`str`, `int`, `bool`, `null`) or opens one (`map`, `seq`) whose children
/// follow until the matching [`Writer::end`]; in a sequence the `item_*` calls do the same for
/// items. [`Writer::finish`] ends what is still open. The text is exactly what [`push_yaml`]
/// writes for the equivalent tree (maps in block style, sequences not indented under their key,
/// empty collections as `{}` and `[]`), with strings quoted by [`write_string`]. Calling a
/// map method on a sequence (or the reverse) is a bug in the renderer: debug builds assert.
pub struct Writer<'o> {
    out: &'o mut String,
    stack: Vec<Frame>,
}

impl<'o> Writer<'o> {
    /// Starts a document that is a map, appended to `out`.
    pub fn doc_map(out: &'o mut String) -> Self {
        Self::document(out, false)
    }

    /// Starts a document that is a sequence, appended to `out`.
    pub fn doc_seq(out: &'o mut String) -> Self {
        Self::document(out, true)
    }

    fn document(out: &'o mut String, seq: bool) -> Self {
        let mut stack = Vec::with_capacity(12);
        stack.push(Frame {
            level: 0,
            seq,
            entry: false,
            items: 0,
        });
        Writer { out, stack }
    }

    /// Ends every collection still open, the document last.
    pub fn finish(mut self) {
        while !self.stack.is_empty() {
            self.end();
        }
    }

    /// Ends the innermost open collection.
    pub fn end(&mut self) {
        let Some(f) = self.stack.pop() else {
            debug_assert!(false, "Writer::end with nothing open");
            return;
        };
        if f.items == 0 {
            self.out.push_str(match (f.entry, f.seq) {
                (true, true) => " []\n",
                (true, false) => " {}\n",
                (false, true) => "[]\n",
                (false, false) => "{}\n",
            });
        }
    }

    /// What comes before a child of the innermost collection: the line break after its key
    /// (first child of an entry's value), the indentation (later children), the dash (items).
    /// Returns the innermost collection's level.
    fn child(&mut self, seq: bool) -> usize {
        let Some(f) = self.stack.last_mut() else {
            debug_assert!(false, "Writer: write after finish");
            return 0;
        };
        debug_assert_eq!(
            f.seq, seq,
            "Writer: an item in a map or a key in a sequence"
        );
        if f.items > 0 {
            indent(self.out, f.level);
        } else if f.entry {
            self.out.push('\n');
            indent(self.out, f.level);
        }
        f.items += 1;
        if f.seq {
            self.out.push_str("- ");
        }
        f.level
    }

    // Inlined, with the plain-scalar check, into the renderers' calls: nearly every key is a
    // string literal, whose check the compiler then evaluates at build time.
    #[inline(always)]
    fn key(&mut self, k: &str) -> usize {
        let level = self.child(false);
        if plain_is_safe(k) {
            self.out.push_str(k);
        } else {
            push_quoted(self.out, k);
        }
        level
    }

    /// `k: v` with a string value.
    #[inline]
    pub fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        self.out.push_str(": ");
        write_string(self.out, v);
        self.out.push('\n');
    }

    /// `k: n`.
    #[inline]
    pub fn int(&mut self, k: &str, n: u64) {
        self.key(k);
        self.out.push_str(": ");
        push_int(self.out, n);
        self.out.push('\n');
    }

    /// `k: true` or `k: false`.
    #[inline]
    pub fn bool(&mut self, k: &str, b: bool) {
        self.key(k);
        self.out.push_str(if b { ": true\n" } else { ": false\n" });
    }

    /// `k: null`.
    pub fn null(&mut self, k: &str) {
        self.key(k);
        self.out.push_str(": null\n");
    }

    /// Opens a map as the value of `k`.
    #[inline]
    pub fn map(&mut self, k: &str) {
        let level = self.key(k);
        self.out.push(':');
        self.stack.push(Frame {
            level: level + 2,
            seq: false,
            entry: true,
            items: 0,
        });
    }

    /// Opens a sequence as the value of `k` (its dashes at the key's indentation).
    #[inline]
    pub fn seq(&mut self, k: &str) {
        let level = self.key(k);
        self.out.push(':');
        self.stack.push(Frame {
            level,
            seq: true,
            entry: true,
            items: 0,
        });
    }

    /// `k:` followed by a non-empty sequence's items already written by a
    /// [`Writer::doc_seq`]: for a key of a document's top-level map, whose sequence items
    /// stand at column 0 as a document's own do (lets a renderer stream a long list before it
    /// knows what comes above it).
    pub fn raw_seq(&mut self, k: &str, items: &str) {
        let level = self.key(k);
        debug_assert_eq!(level, 0, "Writer::raw_seq below the top level");
        debug_assert!(!items.is_empty(), "Writer::raw_seq of an empty sequence");
        self.out.push_str(":\n");
        self.out.push_str(items);
    }

    /// `k:` followed by one string item per element.
    #[inline]
    pub fn str_seq<S: AsRef<str>>(&mut self, k: &str, items: impl IntoIterator<Item = S>) {
        self.seq(k);
        for s in items {
            self.item_str(s.as_ref());
        }
        self.end();
    }

    /// `- v`.
    pub fn item_str(&mut self, v: &str) {
        self.child(true);
        write_string(self.out, v);
        self.out.push('\n');
    }

    /// `- n`.
    pub fn item_int(&mut self, n: u64) {
        self.child(true);
        push_int(self.out, n);
        self.out.push('\n');
    }

    /// `- true` or `- false`.
    pub fn item_bool(&mut self, b: bool) {
        self.child(true);
        self.out.push_str(if b { "true\n" } else { "false\n" });
    }

    /// `- null`.
    pub fn item_null(&mut self) {
        self.child(true);
        self.out.push_str("null\n");
    }

    /// Opens a map as the next item (its first key on the dash's line).
    pub fn item_map(&mut self) {
        let level = self.child(true);
        self.stack.push(Frame {
            level: level + 2,
            seq: false,
            entry: false,
            items: 0,
        });
    }

    /// Opens a sequence as the next item.
    pub fn item_seq(&mut self) {
        let level = self.child(true);
        self.stack.push(Frame {
            level: level + 2,
            seq: true,
            entry: false,
            items: 0,
        });
    }

    /// A sub-tree as the value of `k` (for the few parts still built as [`Node`]s).
    pub fn node(&mut self, k: &str, v: &Node<'_>) {
        put_entry(self, k, v);
    }

    /// A sub-tree as the next item.
    pub fn item_node(&mut self, v: &Node<'_>) {
        put_item(self, v);
    }
}

/// Writes a scalar (or an empty collection) straight into `out`.
fn write_scalar(out: &mut String, v: &Node<'_>) {
    match v {
        Node::Null => out.push_str("null"),
        Node::Bool(true) => out.push_str("true"),
        Node::Bool(false) => out.push_str("false"),
        Node::Int(n) => push_int(out, *n),
        Node::Str(s) => write_string(out, s),
        Node::Seq(_) => out.push_str("[]"),
        Node::Map(_) => out.push_str("{}"),
    }
}

/// Decimal digits of `n`, without `fmt` machinery.
pub fn push_int(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

/// A string (key or value) as a plain scalar when that is unambiguous, else double-quoted.
pub fn write_string(out: &mut String, s: &str) {
    if plain_is_safe(s) {
        out.push_str(s);
    } else {
        push_quoted(out, s);
    }
}

/// `s` as a double-quoted scalar that reads back as exactly `s` in YAML 1.1 and 1.2 readers
/// (libyaml, PyYAML, go-yaml, saphyr) and in JSON.
///
/// It is JSON's escaping (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00XX` for other
/// control characters) plus `\uXXXX` for the characters a YAML reader would not keep as they
/// are: DEL and the C1 controls (U+007F to U+009F; PyYAML refuses them), the BOM (U+FEFF) and
/// the non-characters U+FFFE and U+FFFF, and U+2028 and U+2029, which YAML takes as line
/// breaks and folds into a space (as it does U+0085, a C1 control). Every `\uXXXX` escape is
/// valid in both JSON and YAML double-quoted scalars.
pub fn push_quoted(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Most strings need no escape at all: printable ASCII without `"` and `\\`.
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{feff}'
            | '\u{fffe}'
            | '\u{ffff}' => Some(""),
            _ => None,
        };
        let Some(escape) = escape else { continue };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            let n = c as u32;
            out.push_str("\\u");
            for shift in [12, 8, 4, 0] {
                out.push(HEX[((n >> shift) & 0xf) as usize] as char);
            }
        } else {
            out.push_str(escape);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// `s` as a JSON string, as `serde_json` writes it (used for [`Node::to_json`] and the
/// renderers' grouping keys, which only need to be the same as before, not YAML-safe).
pub fn push_json_string(out: &mut String, s: &str) {
    // serde_json escapes only `"`, `\` and the C0 controls; for strings without the extra
    // characters [`push_quoted`] escapes (all from DEL up), the two agree.
    if s.bytes().any(|b| b >= 0x7f)
        && s.chars().any(|c| {
            matches!(
                c,
                '\u{7f}'
                    ..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
            )
        })
    {
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    } else {
        push_quoted(out, s);
    }
}

/// Byte classes for [`plain_is_safe`], one table lookup per byte.
const PRINTABLE: u8 = 1;
/// `:` and ` `, which start the two-byte sequences `: ` and ` #`.
const SPECIAL: u8 = 2;
const DIGIT: u8 = 4;
/// Bytes that start something else in YAML as a scalar's first character, or that YAML 1.1
/// readers treat specially there.
const BAD_FIRST: u8 = 16;
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
        let mut k = 0;
        let bad_first = b"-?:,[]{}#&*!|>'\"%@`~ ";
        while k < bad_first.len() {
            if bad_first[k] == c {
                class |= BAD_FIRST;
            }
            k += 1;
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

#[inline(always)]
fn plain_is_safe(s: &str) -> bool {
    if s.is_empty() || s.len() > 200 {
        return false;
    }
    let bytes = s.as_bytes();
    if CLASS[bytes[0] as usize] & BAD_FIRST != 0 {
        return false;
    }
    let last = bytes[bytes.len() - 1];
    if last == b' ' || last == b':' {
        return false;
    }
    // One branch-free pass gathers which classes every byte has (`all`) and which some byte
    // has (`any`): printable ASCII or space only (this also rules out tabs and newlines);
    // whether it could read as a number. Only a string with a `:` or a space is then searched
    // for `: ` and ` #`.
    let (mut all, mut any) = (u8::MAX, 0u8);
    for &b in bytes {
        let class = CLASS[b as usize];
        all &= class;
        any |= class;
    }
    if all & PRINTABLE == 0 {
        return false;
    }
    // Byte comparisons, not 2-byte slice equality (which compiles to a `memcmp` call per
    // window): long annotations such as a policy's allowing rules have many spaces.
    if any & SPECIAL != 0
        && bytes
            .windows(2)
            .any(|p| (p[0] == b':' && p[1] == b' ') || (p[0] == b' ' && p[1] == b'#'))
    {
        return false;
    }
    let looks_numeric = all & NUMERIC != 0;
    let has_digit = any & DIGIT != 0;
    // Anything a YAML 1.1 or 1.2 reader could take for a number, bool or null (each starts
    // with one of these bytes; `~` and `-` are already refused as a first byte).
    // Only the words of the string's length are compared: most keys are short (`name`,
    // `tags`, `to`, `from`) and start with one of these letters.
    if s.len() <= 5 && matches!(bytes[0] | 0x20, b't' | b'f' | b'y' | b'n' | b'o' | b'.') {
        let words: &[&str] = match s.len() {
            1 => &["y", "n", "~"],
            2 => &["no", "on"],
            3 => &["yes", "off"],
            4 => &["true", "null", ".nan", ".inf"],
            _ => &["false", "-.inf"],
        };
        if words.iter().any(|w| w.eq_ignore_ascii_case(s)) {
            return false;
        }
    }
    !(looks_numeric && has_digit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The recursive tree writer that rendered every export before the streaming [`Writer`],
    /// kept as the oracle for it.
    fn to_yaml_reference(value: &Node<'_>) -> String {
        let mut out = String::new();
        match value {
            Node::Map(m) if !m.is_empty() => write_map(&mut out, m, 0),
            Node::Seq(a) if !a.is_empty() => write_seq(&mut out, a, 0),
            other => {
                write_scalar(&mut out, other);
                out.push('\n');
            }
        }
        out
    }

    fn write_map(out: &mut String, m: &[(Cow<'_, str>, Node<'_>)], level: usize) {
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
    fn write_entry(out: &mut String, k: &str, v: &Node<'_>, level: usize) {
        write_string(out, k);
        out.push(':');
        match v {
            Node::Map(m) if !m.is_empty() => {
                out.push('\n');
                indent(out, level + 2);
                write_map(out, m, level + 2);
            }
            Node::Seq(a) if !a.is_empty() => {
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

    fn write_seq(out: &mut String, a: &[Node<'_>], level: usize) {
        let mut first = true;
        for v in a {
            if !first {
                indent(out, level);
            }
            first = false;
            out.push_str("- ");
            match v {
                Node::Map(m) if !m.is_empty() => write_map(out, m, level + 2),
                Node::Seq(inner) if !inner.is_empty() => write_seq(out, inner, level + 2),
                other => {
                    write_scalar(out, other);
                    out.push('\n');
                }
            }
        }
    }

    /// Trees of every shape the exporters write: nested maps and sequences, empty ones,
    /// sequences of sequences, and scalars of each kind.
    fn tree() -> impl Strategy<Value = Node<'static>> {
        let leaf = prop_oneof![
            Just(Node::Null),
            any::<bool>().prop_map(Node::Bool),
            any::<u64>().prop_map(Node::Int),
            "[a-z0-9 :#-]{0,6}".prop_map(|s| Node::Str(Cow::Owned(s))),
            Just(Node::map()),
            Just(Node::Seq(Vec::new())),
        ];
        leaf.prop_recursive(5, 48, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Node::Seq),
                prop::collection::vec(("[a-z]{1,3}", inner), 0..5).prop_map(|entries| {
                    Node::Map(
                        entries
                            .into_iter()
                            .map(|(k, v)| (Cow::Owned(k), v))
                            .collect(),
                    )
                }),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        #[test]
        fn streaming_writer_writes_what_the_tree_writer_wrote(node in tree()) {
            prop_assert_eq!(to_yaml(&node), to_yaml_reference(&node));
        }
    }

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
            // Every reserved word by length, in mixed case, and near misses of each length.
            "n",
            "N",
            "no",
            "On",
            "oN",
            "YES",
            "oFf",
            "tRUE",
            "Null",
            ".Inf",
            "FALSE",
            "fAlse",
            "to",
            "nO1",
            "from",
            "name",
            "tags",
            "falsy",
            ".nans",
            // Names as exports write them, and numbers that look like names.
            "deadbeef1",
            "12345678",
            "1234567.89",
            "0x1f2e3d4c5b",
            "abcdefgh",
            "payments-api-1",
            "networking.k8s.io/v1",
            "cluster.local/ns/payments/sa/payments-api-1",
            "abcdefg:h",
            "abcdefgh: i",
            "abcdefghABC",
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

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

        /// Strings longer than the exhaustive ones above, over the bytes that decide (controls,
        /// DEL, non-ASCII, `:`, space, `#`, digits, letters a number may hold).
        #[test]
        fn plain_check_matches_the_reference_on_long_strings(
            s in prop_oneof![
                "[a1:# .ex\\t\\n\\x7f\\x1fé_/zZ0-]{0,40}",
                // Printable: the `: `, ` #` and number checks decide.
                "[a1:# .exz0+-]{0,24}",
                "[a-f0-9.xo_+-]{0,20}",
                // Names, labels and paths, and such strings with one other byte.
                "[a-z0-9./-]{0,40}",
                "[a-gnoxyz0-9./-]{6,40}",
                "[a-z0-9./-]{8,30}[A-Z:# _é\t+][a-z0-9./-]{0,20}",
            ]
        ) {
            prop_assert_eq!(plain_is_safe(&s), plain_is_safe_reference(&s), "{:?}", s);
        }
    }

    #[test]
    fn nested_maps_and_sequences() {
        let v = obj!({
            "apiVersion": "v1",
            "spec": obj!({"podSelector": Node::map(), "ingress": seq![obj!({"from": seq![obj!({"podSelector": obj!({"matchLabels": obj!({"app": "web"})})})], "ports": seq![obj!({"port": 8080u32, "protocol": "TCP"})]})]}),
            "empty": Node::Seq(Vec::new()),
            "list": seq!["a", "80", "true", "x: y", "-x"],
        });
        assert_eq!(
            to_yaml(&v),
            "apiVersion: v1\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          app: web\n    ports:\n    - port: 8080\n      protocol: TCP\nempty: []\nlist:\n- a\n- \"80\"\n- \"true\"\n- \"x: y\"\n- \"-x\"\n"
        );
    }

    #[test]
    fn json_is_what_serde_json_writes() {
        let v = obj!({"a": seq![1u32, "x\"y\\z\n\u{1}", true], "b": Node::map(), "é": Node::Null});
        let expected = serde_json::json!({"a": [1, "x\"y\\z\n\u{1}", true], "b": {}, "é": null});
        assert_eq!(v.to_json(), serde_json::to_string(&expected).unwrap());
    }

    #[test]
    fn lines_breaks_yaml_would_fold_are_escaped() {
        let mut out = String::new();
        push_quoted(&mut out, "a\u{2028}b\u{85}c\u{7f}d\u{feff}\té");
        assert_eq!(out, "\"a\\u2028b\\u0085c\\u007fd\\ufeff\\té\"");
        // Still a JSON string with the same value.
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, "a\u{2028}b\u{85}c\u{7f}d\u{feff}\té");
    }
}
