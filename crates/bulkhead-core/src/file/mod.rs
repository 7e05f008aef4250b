//! Design text: reading it (JSON, or YAML when it is not JSON) with the location of every
//! value, migrating older format versions, and writing canonical JSON.
//!
//! Canonical form is pretty JSON (two-space indent) with keys in the model's field order and a
//! trailing newline. Because the model keeps maps in `BTreeMap`s and positions only in
//! `layout`, a design written twice is byte-identical and moving a box changes only `layout`.

pub mod locate;
pub mod migrate;
mod read;

pub use read::Partial;
pub mod yaml;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::model::Design;
pub use locate::Locations;

/// The largest design text accepted (a design of 10 000 services is about 20 MiB).
pub const MAX_TEXT_BYTES: usize = 64 * 1024 * 1024;

/// The syntax a design was read from.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Syntax {
    Json,
    Yaml,
}

/// A design read from text, with what is needed to point back into that text.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub design: Design,
    pub syntax: Syntax,
    /// The legacy format the text was migrated from, if any.
    pub migrated_from: Option<String>,
    /// Warnings raised while reading (errors make [`parse`] fail instead).
    pub warnings: Vec<Diagnostic>,
    pub locations: Locations,
}

impl Parsed {
    /// Fill in line:column of diagnostics found on [`Parsed::design`] (e.g. by validation).
    pub fn locate(&self, diagnostics: &mut [Diagnostic]) {
        self.locations.locate(diagnostics);
    }

    /// Is the text already exactly what [`to_canonical_json`] writes?
    pub fn is_canonical(&self) -> bool {
        self.locations.text() == to_canonical_json(&self.design)
    }
}

/// Which syntax `text` is in: JSON when its first non-blank character opens an object.
pub fn detect(text: &str) -> Syntax {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') {
        Syntax::Json
    } else {
        Syntax::Yaml
    }
}

/// Why a text could not be read: every problem found, located, and what could be read anyway.
#[derive(Clone, Debug)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
    /// The readable part, when the text was well-formed and only some elements were not.
    pub partial: Option<(Partial, Locations)>,
}

/// Read design text. On failure, every problem found is returned, each located in `text`.
pub fn parse(text: &str) -> Result<Parsed, Vec<Diagnostic>> {
    parse_with_partial(text).map_err(|f| f.diagnostics)
}

/// [`parse`], keeping what could be read of a design with errors (for validation to report
/// more problems in one pass).
pub fn parse_with_partial(text: &str) -> Result<Parsed, Failure> {
    parse_as(text, true)
}

/// How JSON text was read: straight into the typed design, or as a value to migrate and read
/// element by element.
enum Read {
    Typed(Box<Design>),
    Value(serde_json::Value),
}

/// [`parse_with_partial`]; `typed`: JSON text is first read straight into the typed design, and
/// read through a [`serde_json::Value`] (migrated, then element by element) only when that
/// fails or the text is in a legacy format. Both give the same answer (a test compares them
/// on the examples, generated designs and broken texts) because both read through the
/// model's own serde derives: a text that reads as a [`Design`] at the current format has
/// every element readable, and no field that `deny_unknown_fields` refuses, so the value path
/// would read the same design with nothing to report. (serde alone ignores the fields beside
/// `type` of an internally tagged unit variant; `Auth`, the model's one such enum, is read
/// through a struct variant so that its `none` refuses them on both paths.) Duplicate keys do not fail the typed read of a map; the scan reports them on both paths.
/// Anything else takes the value path, which finds every problem. The typed read skips
/// building the value (a map with a hashed key per field of every element) and reading it
/// again: most of the parse of a large design.
fn parse_as(text: &str, typed: bool) -> Result<Parsed, Failure> {
    let fail = |diagnostics| Failure {
        diagnostics,
        partial: None,
    };
    if text.len() > MAX_TEXT_BYTES {
        return Err(fail(vec![Diagnostic::error(
            "too-large",
            "",
            format!(
                "the design is {} MiB, more than the {} MiB limit",
                text.len() / (1024 * 1024),
                MAX_TEXT_BYTES / (1024 * 1024)
            ),
        )]));
    }
    let syntax = detect(text);
    let body = text.trim_start_matches('\u{feff}');
    let bom = text.len() - body.len();
    let (read, mut locations, mut errors) = match syntax {
        Syntax::Json => match parse_and_scan(text, body, typed) {
            (Ok(read), scanned) => {
                let (loc, dups) = scanned();
                (read, loc, dups)
            }
            (Err(e), _) => {
                let loc = Locations::json(text);
                let offset = offset_of(body, e.line(), e.column()) + bom;
                let code = if e.to_string().contains("recursion limit") {
                    "too-deep"
                } else {
                    "syntax"
                };
                let message = format!("invalid JSON: {}", strip_position(&e.to_string()));
                let d = Diagnostic::error(code, "", message)
                    .with_location(Some(loc.location_of(locate::Span { offset, length: 1 })));
                return Err(fail(vec![d]));
            }
        },
        Syntax::Yaml => {
            let (v, loc) = yaml::parse(text).map_err(fail)?;
            (Read::Value(v), loc, Vec::new())
        }
    };
    let mut value = match read {
        Read::Value(v) => v,
        Read::Typed(design) => {
            // Current format, every element read: no migration, no warning.
            let design = *design;
            let partial = (!errors.is_empty()).then(|| Partial {
                design: design.clone(),
                skipped: Vec::new(),
            });
            if !errors.is_empty() {
                locations.locate(&mut errors);
                return Err(Failure {
                    diagnostics: errors,
                    partial: partial.map(|p| (p, locations)),
                });
            }
            return Ok(Parsed {
                design,
                syntax,
                migrated_from: None,
                warnings: Vec::new(),
                locations,
            });
        }
    };

    let (migrated_from, renames) = match migrate::migrate(&mut value) {
        Ok(r) => r,
        Err(d) => {
            errors.push(d);
            locations.locate(&mut errors);
            return Err(fail(errors));
        }
    };
    for (new, old) in renames {
        locations.add_rename(new, old);
    }
    let mut warnings = Vec::new();
    if let Some(old) = &migrated_from {
        warnings.push(
            Diagnostic::warning(
                "migrated",
                "/format",
                format!(
                    "migrated from the legacy format `{old}` to `{}`",
                    crate::model::FORMAT
                ),
            )
            .with_help("`bulkhead fmt` rewrites the file in the current format"),
        );
    }
    let (design, partial) = match read::design_from_value(value) {
        Ok(d) if errors.is_empty() => (d, None),
        Ok(d) => (
            d.clone(),
            Some(Partial {
                design: d,
                skipped: Vec::new(),
            }),
        ),
        Err((more, partial)) => {
            errors.extend(more);
            (Design::default(), partial)
        }
    };
    if !errors.is_empty() {
        errors.extend(warnings);
        locations.locate(&mut errors);
        return Err(Failure {
            diagnostics: errors,
            partial: partial.map(|p| (p, locations)),
        });
    }
    locations.locate(&mut warnings);
    Ok(Parsed {
        design,
        syntax,
        migrated_from,
        warnings,
        locations,
    })
}

/// Texts from this size on are scanned for duplicate keys ([`locate::scan_json`]) on a second
/// thread while `serde_json` parses them: on the 24 MB, 10,000-service design the scan takes
/// about as long as the parse. Smaller texts are not worth a thread.
const SCAN_BESIDE_BYTES: usize = 1 << 20;

/// The answer of [`locate::scan_json`], when asked for.
type Scanned<'t> = Box<dyn FnOnce() -> (Locations, Vec<Diagnostic>) + 't>;

/// `body` (`text` without its byte-order mark) parsed, and the duplicate-key scan of `text`,
/// to be asked for only when the text parsed (the scan expects JSON that `serde_json`
/// accepted). Large texts are scanned beside the parse. `typed`: try the typed read first
/// ([`parse_as`]).
fn parse_and_scan<'t>(
    text: &'t str,
    body: &str,
    typed: bool,
) -> (serde_json::Result<Read>, Scanned<'t>) {
    let parse = || {
        if typed
            && let Ok(design) = serde_json::from_str::<Design>(body)
            && migrate::is_current(&design.format)
        {
            return Ok(Read::Typed(Box::new(design)));
        }
        serde_json::from_str(body).map(Read::Value)
    };
    if text.len() < SCAN_BESIDE_BYTES {
        return (parse(), Box::new(move || locate::scan_json(text)));
    }
    let (parsed, scanned) = std::thread::scope(|scope| {
        let scan = scope.spawn(|| locate::scan_json(text));
        (parse(), scan.join())
    });
    // A panic in the scan is one in this thread, raised only if its answer is asked for.
    (
        parsed,
        Box::new(move || scanned.unwrap_or_else(|p| std::panic::resume_unwind(p))),
    )
}

/// serde_json appends " at line L column C"; the diagnostic carries that itself.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |i| &message[..i])
}

/// Byte offset of a 1-based line and (byte) column as serde_json reports them.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

/// The canonical text of a design: what `bulkhead fmt` and every save write.
pub fn to_canonical_json(design: &Design) -> String {
    // INVARIANT: the model has only string keys and finite-or-null numbers, so serializing
    // cannot fail (serde_json writes non-finite floats as `null`).
    let mut text = serde_json::to_string_pretty(design).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A design of at least [`SCAN_BESIDE_BYTES`], so the duplicate-key scan runs on its own
    /// thread: padded with a long name.
    fn large(name_and_more: &str) -> String {
        let pad = "x".repeat(SCAN_BESIDE_BYTES);
        format!(
            "{{\"format\": \"{}\", \"name\": \"{pad}\"{name_and_more}}}",
            crate::model::FORMAT
        )
    }

    /// The typed read ([`parse_as`] with `typed`) against the value path alone: the same
    /// design, warnings and locations, or the same diagnostics and partial design.
    fn read_alike(label: &str, text: &str) {
        let fast = parse_as(text, true);
        let slow = parse_as(text, false);
        match (fast, slow) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.design, b.design, "{label}: design");
                assert_eq!(a.syntax, b.syntax, "{label}: syntax");
                assert_eq!(a.migrated_from, b.migrated_from, "{label}: migrated");
                assert_eq!(a.warnings, b.warnings, "{label}: warnings");
                assert_eq!(a.locations.text(), b.locations.text(), "{label}");
                let mut da = crate::validate::validate(&a.design, &Default::default());
                let mut db = da.clone();
                a.locate(&mut da);
                b.locate(&mut db);
                assert_eq!(da, db, "{label}: located diagnostics");
            }
            (Err(a), Err(b)) => {
                assert_eq!(a.diagnostics, b.diagnostics, "{label}: diagnostics");
                let pa = a.partial.map(|(p, _)| (p.design, p.skipped));
                let pb = b.partial.map(|(p, _)| (p.design, p.skipped));
                assert_eq!(pa, pb, "{label}: partial");
            }
            (a, b) => panic!(
                "{label}: typed read {}, value path {}",
                if a.is_ok() { "read it" } else { "refused it" },
                if b.is_ok() { "read it" } else { "refused it" }
            ),
        }
    }

    #[test]
    fn the_typed_read_answers_as_the_value_path_does() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
        let mut texts: Vec<(String, String)> = std::fs::read_dir(dir)
            .expect("examples")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .map(|p| {
                (
                    p.display().to_string(),
                    std::fs::read_to_string(&p).expect("read"),
                )
            })
            .collect();
        assert!(texts.len() >= 3);
        for (services, seed) in [(40, 1), (120, 7)] {
            let design = crate::generate::generate(&crate::generate::GenerateOptions {
                services,
                peers: 5,
                seed,
            });
            texts.push((format!("generated {services}"), to_canonical_json(&design)));
        }
        let base = texts[0].1.clone();
        let edit = |from: &str, to: &str| {
            assert!(base.contains(from), "{from}");
            base.replacen(from, to, 1)
        };
        let format = "\"format\": \"bulkhead/1\",";
        for (label, text) in [
            (
                "unknown top-level field",
                edit(format, &format!("{format} \"bogus\": 1,")),
            ),
            (
                "duplicate top-level key",
                edit(format, &format!("{format} {format}")),
            ),
            ("legacy format", edit(format, "\"format\": \"bulkhead/0\",")),
            (
                "current format, spelled 01",
                edit(format, "\"format\": \"bulkhead/01\","),
            ),
            ("newer format", edit(format, "\"format\": \"bulkhead/9\",")),
            // Refused on both paths (see `AuthRead`).
            (
                "a field beside `type: none`",
                edit("\"type\": \"none\"", "\"type\": \"none\", \"key\": \"k\""),
            ),
            ("no format", edit(format, "")),
            (
                "a port of the wrong type",
                edit("\"port\": 8443", "\"port\": \"8443\""),
            ),
            (
                "an unknown field in an element",
                edit("\"port\": 8443", "\"port\": 8443, \"porthole\": 1"),
            ),
            (
                "a duplicate key in an element",
                edit("\"port\": 8443", "\"port\": 8443, \"port\": 8443"),
            ),
            (
                "services not a list",
                edit("\"services\": [", "\"services\": null, \"x\": ["),
            ),
            ("truncated", base[..base.len() / 2].to_string()),
            ("trailing text", format!("{base} {{}}")),
            ("byte-order mark", format!("\u{feff}{base}")),
        ] {
            texts.push((label.to_string(), text));
        }
        for (label, text) in &texts {
            read_alike(label, text);
        }
        // Regression: serde let a field beside `type: none` through on both paths, and the
        // next save dropped it. Now both report it where it is.
        let (_, extra) = texts
            .iter()
            .find(|(label, _)| label == "a field beside `type: none`")
            .expect("listed above");
        for typed in [true, false] {
            let Err(failure) = parse_as(extra, typed) else {
                panic!("a field beside `type: none` is reported");
            };
            let d = &failure.diagnostics[0];
            assert_eq!(failure.diagnostics.len(), 1, "{:?}", failure.diagnostics);
            assert_eq!(d.code, "unknown-field");
            assert!(d.pointer.ends_with("/auth/key"), "{}", d.pointer);
            assert_eq!(d.message, "unknown field `key`");
            assert!(d.location.is_some());
        }
        // The large-text path (the scan beside the parse) too.
        read_alike("large", &large(""));
        read_alike("large, duplicate", &large(", \"name\": \"again\""));
    }

    #[test]
    fn every_auth_reads_back_and_none_takes_no_field() {
        use crate::model::Auth;
        for auth in [
            Auth::None,
            Auth::ApiKey { key: "k".into() },
            Auth::Jwt {
                issuer: "i".into(),
                scopes: vec!["s".into()],
            },
            Auth::Mtls {
                identities: vec!["*".into()],
            },
        ] {
            let text = serde_json::to_string(&auth).expect("writes");
            assert_eq!(
                serde_json::from_str::<Auth>(&text).ok(),
                Some(auth),
                "{text}"
            );
        }
        // In YAML too, located, for each field and wherever an `auth` sits.
        let text = "format: bulkhead/1\nname: x\nservices:\n  - id: a\nsegments:\n  - id: s\n    members: [a]\n    policy:\n      auth: {type: none, key: k}\nrules:\n  - id: r\n    from: internet\n    to: {service: a}\n    action: allow\n    auth:\n      type: none\n      issuer: i\n";
        let Err(failure) = parse_with_partial(text) else {
            panic!("fields beside `type: none` are reported");
        };
        let found: Vec<_> = failure
            .diagnostics
            .iter()
            .map(|d| {
                let line = d.location.as_ref().map(|l| l.line);
                (d.code, d.pointer.as_str(), line)
            })
            .collect();
        assert_eq!(
            found,
            [
                ("unknown-field", "/segments/0/policy/auth/key", Some(9)),
                ("unknown-field", "/rules/0/auth/issuer", Some(17)),
            ]
        );
        // Still read, so the rest of the design is validated.
        let partial = failure.partial.expect("partial design").0.design;
        assert_eq!(partial.segments[0].policy.auth, Auth::None);
    }

    #[test]
    fn a_large_text_is_read_as_a_small_one_is() {
        let text = large("");
        assert!(text.len() >= SCAN_BESIDE_BYTES);
        let parsed = parse_with_partial(&text)
            .map_err(|f| f.diagnostics)
            .expect("valid");
        assert_eq!(parsed.design.name.len(), SCAN_BESIDE_BYTES);
        // A duplicate key is found by the scan beside the parse, located as ever.
        let dup = large(", \"name\": \"again\"");
        let Err(failure) = parse_with_partial(&dup) else {
            panic!("a duplicate key is an error");
        };
        let d = &failure.diagnostics[0];
        assert_eq!((d.code, d.pointer.as_str()), ("duplicate-key", "/name"));
        assert_eq!(d.location.as_ref().map(|l| l.line), Some(1));
    }

    #[test]
    fn a_large_text_that_is_not_json_is_refused_with_the_parsers_message() {
        // Unterminated, ending inside a multi-byte character: the scan running beside the
        // parser must not panic on it.
        let text = format!("{{\"name\": \"{}é", "x".repeat(SCAN_BESIDE_BYTES));
        let Err(failure) = parse_with_partial(&text) else {
            panic!("invalid JSON is refused");
        };
        assert_eq!(failure.diagnostics[0].code, "syntax");
        let (_, dups) = locate::scan_json(&text);
        assert!(dups.is_empty());
    }
}
