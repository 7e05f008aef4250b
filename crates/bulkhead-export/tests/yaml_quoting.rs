//! The YAML emitter's quoting, checked by round trips: any string, as a key or a value, written
//! by `bulkhead_export::yaml` (as a tree, and streamed through its `Writer`, which must write the
//! same text) reads back as exactly that string in two independent YAML readers (serde_yaml on
//! libyaml's scanner, and the saphyr parser the design reader uses) and, when quoted, as a JSON
//! string.

use bulkhead_export::yaml::{Node, Writer, push_quoted, to_yaml, write_string};
use bulkhead_export::{obj, seq};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Pieces that are hard for a YAML writer: indicators, comment and mapping sequences, words
/// YAML 1.1 resolves to booleans or null, numbers, control characters, line breaks YAML folds
/// (NEL, LS, PS), the BOM, non-characters, quotes and backslashes, non-ASCII text.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9/._{}*-]{0,8}",
        prop::sample::select(vec![
            "-", "? ", ": ", " #", "#", "&a", "*a", "!tag", "|", ">", "'", "\"", "%", "@", "`",
            "~", ",", "[", "]", "{", "}", "yes", "No", "on", "OFF", "y", "n", "null", "NULL",
            "true", "False", ".inf", "-.inf", ".nan", "0x1F", "0o17", "1e5", "+1", "-2", "12:30",
            "1_000", "0", "\t", "\n", "\r", "\r\n", "\u{0}", "\u{1}", "\u{8}", "\u{b}", "\u{c}",
            "\u{1b}", "\u{7f}", "\u{80}", "\u{85}", "\u{9f}", "\u{a0}", "\u{2028}", "\u{2029}",
            "\u{feff}", "\u{fffe}", "\u{ffff}", "\\", "\\n", "é", "naïve", "日本", "🦀", " ", "  ",
        ])
        .prop_map(str::to_string),
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn tricky() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..6).prop_map(|v| v.concat())
}

/// A document with `key` and `value` in every position the exporters use: map key, map value,
/// sequence item, nested map.
fn document<'a>(key: &'a str, value: &'a str) -> (Node<'a>, Value) {
    let mut labels = Node::map();
    labels.insert(key, value);
    let node = obj!({
        "apiVersion": "v1",
        "metadata": obj!({"name": value, "labels": labels}),
        "items": seq![value, obj!({"path": value, "port": 8080u32})],
    });
    let expected = json!({
        "apiVersion": "v1",
        "metadata": {"name": value, "labels": {key: value}},
        "items": [value, {"path": value, "port": 8080}],
    });
    (node, expected)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_string_reads_back_as_itself(key in tricky(), value in tricky()) {
        let (node, expected) = document(&key, &value);
        let text = to_yaml(&node);
        // The renderers stream the same document through the writer's calls.
        let mut streamed = String::new();
        let mut w = Writer::doc_map(&mut streamed);
        w.str("apiVersion", "v1");
        w.map("metadata");
        w.str("name", &value);
        w.map("labels");
        w.str(&key, &value);
        w.end();
        w.end();
        w.seq("items");
        w.item_str(&value);
        w.item_map();
        w.str("path", &value);
        w.int("port", 8080);
        w.finish();
        prop_assert_eq!(&streamed, &text);
        let libyaml: Value = serde_yaml::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("serde_yaml: {e}\n{text}")))?;
        prop_assert_eq!(&libyaml, &expected, "serde_yaml read\n{}", text);
        let (saphyr, _) = bulkhead_core::file::yaml::parse(&text)
            .map_err(|e| TestCaseError::fail(format!("saphyr: {e:?}\n{text}")))?;
        prop_assert_eq!(&saphyr, &expected, "saphyr read\n{}", text);
        // The emitter's JSON (the exporters' grouping keys) is what serde_json writes.
        prop_assert_eq!(node.to_json(), serde_json::to_string(&expected).unwrap());
    }

    #[test]
    fn quoted_strings_are_json_strings(s in tricky()) {
        let mut out = String::new();
        push_quoted(&mut out, &s);
        let back: String = serde_json::from_str(&out)
            .map_err(|e| TestCaseError::fail(format!("{e}: {out}")))?;
        prop_assert_eq!(back, s);
    }

    #[test]
    fn written_strings_are_one_line(s in tricky()) {
        // A scalar never spills onto another line, whatever it holds.
        let mut out = String::new();
        write_string(&mut out, &s);
        prop_assert!(!out.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']), "{:?}", out);
    }
}
