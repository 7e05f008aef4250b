//! Plumbing every subcommand shares: the `--format` flag, exit codes, today's date, loading a
//! design with its diagnostics, and rendering diagnostics miette-style.
//!
//! A subcommand that needs a design calls [`load_valid`]: on failure it has already printed
//! the diagnostics (or the IO error) and returns the exit code to use.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use bulkhead_core::Design;
use bulkhead_core::date::Date;
use bulkhead_core::diagnostic::{Diagnostic, Severity};
use bulkhead_core::validate::{self, Report};
use bulkhead_store::StoreError;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

/// Success: valid, nothing found.
pub const EXIT_OK: u8 = 0;
/// Findings, an invalid design, violations, or a `--check` that would change something.
pub const EXIT_FINDINGS: u8 = 1;
/// Usage or IO error.
pub const EXIT_USAGE: u8 = 2;

/// How a subcommand prints its result.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// For people: aligned text and source snippets.
    #[default]
    Human,
    /// For machines: one JSON document on stdout.
    Json,
}

impl OutputFormat {
    /// JSON when a subcommand's own `--format` is JSON, else human: how its diagnostics print.
    pub fn json_if(json: bool) -> Self {
        if json {
            OutputFormat::Json
        } else {
            OutputFormat::Human
        }
    }
}

/// `--format`, for flattening into a subcommand's arguments.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct FormatArg {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
}

/// Today's date: `BULKHEAD_TODAY` (`YYYY-MM-DD`, for reproducible runs) or the system clock
/// (UTC).
pub fn today() -> Result<Date, String> {
    if let Ok(s) = std::env::var("BULKHEAD_TODAY") {
        return Date::parse(&s)
            .ok_or_else(|| format!("`BULKHEAD_TODAY={s}` is not a date like `2026-11-28`"));
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Ok(Date::from_unix_days((secs / 86_400) as i64))
}

/// The date a design is evaluated on: `--today` if given, else [`today`]. Rules whose
/// `expires` date is before it no longer apply. On a bad date, prints the error and returns
/// exit code 2.
pub fn evaluation_date(flag: Option<&str>) -> Result<Date, ExitCode> {
    match flag {
        Some(t) => Date::parse(t).ok_or_else(|| {
            fail_usage(format!(
                "`--today` must be a date like `2026-11-28`, not `{t}`"
            ))
        }),
        None => today().map_err(fail_usage),
    }
}

/// `--today`, for flattening into the arguments of subcommands that evaluate a design.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TodayArg {
    /// Date to evaluate the design on (`YYYY-MM-DD`): rules whose `expires` date is before it
    /// no longer apply. Default: `BULKHEAD_TODAY`, else today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

/// Validation options for today.
pub fn validate_options() -> Result<validate::Options, String> {
    Ok(validate::Options {
        today: Some(today()?),
    })
}

/// Set once a write to standard output found the reading end closed.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Write `text` to standard output and flush it.
///
/// A closed pipe (`bulkhead analyze … | head -1`) is how a reader says it has seen enough, so,
/// as in ripgrep, it is not an error: the rest of the output is dropped quietly and the command
/// still finishes its work (a `fmt` over several files reformats every one of them) with its own
/// exit code. `println!` would panic there instead. Any other write error (a full disk behind
/// `> file`) is reported on stderr and is an IO error: `Err(2)`.
pub fn write_stdout(text: &str) -> Result<(), ExitCode> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) => match stdout_failed(&e) {
            None => Ok(()),
            Some(code) => Err(code),
        },
    }
}

/// What a failed write to standard output means: `None` for a closed pipe (stop writing,
/// quietly; later [`write_stdout`] calls do nothing), else the IO error is printed and its exit
/// code returned. For subcommands that stream through their own `io::Write`.
pub fn stdout_failed(e: &std::io::Error) -> Option<ExitCode> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        STDOUT_CLOSED.store(true, Ordering::Relaxed);
        None
    } else {
        eprintln!("error: cannot write to standard output: {e}");
        Some(ExitCode::from(EXIT_USAGE))
    }
}

/// Write `text` to standard output, then exit with `code` (2 if the write failed other than by
/// a closed pipe).
pub fn finish_with(text: &str, code: ExitCode) -> ExitCode {
    match write_stdout(text) {
        Ok(()) => code,
        Err(e) => e,
    }
}

/// `println!` through [`write_stdout`]: a closed pipe ends output quietly instead of
/// panicking. Evaluates to `Result<(), ExitCode>`.
#[macro_export]
macro_rules! outln {
    () => { $crate::cmd::common::write_stdout("\n") };
    ($($arg:tt)*) => {{
        let mut line = format!($($arg)*);
        line.push('\n');
        $crate::cmd::common::write_stdout(&line)
    }};
}

/// Print a usage or IO error to stderr and return exit code 2.
pub fn fail_usage(message: impl fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}

/// A design file read, parsed and validated.
pub struct Checked {
    pub path: PathBuf,
    pub text: String,
    pub report: Report,
}

/// Read, parse and validate a design file.
pub fn check_file(path: &Path, options: &validate::Options) -> Result<Checked, StoreError> {
    let text = bulkhead_store::read_text(path)?;
    let report = validate::check_text(&text, options);
    Ok(Checked {
        path: path.to_path_buf(),
        text,
        report,
    })
}

/// A design ready for a subcommand: valid, with any warnings already printed to stderr.
pub struct LoadedDesign {
    pub path: PathBuf,
    pub design: Design,
    /// Where each value sits in the file, to point findings at `line:column`.
    pub locations: Option<bulkhead_core::file::Locations>,
}

/// [`load_valid`], then the date to evaluate the design on ([`evaluation_date`]): how every
/// subcommand that asks the evaluator starts. Errors are printed in that order (a broken file
/// first), and the exit code is returned.
pub fn load_for_evaluation(
    path: &Path,
    format: OutputFormat,
    today: Option<&str>,
) -> Result<(LoadedDesign, Date), ExitCode> {
    let loaded = load_valid(path, format)?;
    let date = evaluation_date(today)?;
    Ok((loaded, date))
}

/// Load a design that must be valid. On an IO error or an invalid design, prints what went
/// wrong to stderr (as diagnostics, or JSON with `--format json`) and returns the exit code:
/// 2 for IO, 1 for an invalid design.
pub fn load_valid(path: &Path, format: OutputFormat) -> Result<LoadedDesign, ExitCode> {
    let options = validate_options().map_err(fail_usage)?;
    // Nothing here asks whether the text is canonical (`validate` and `fmt` do).
    let read = bulkhead_store::read_text(path).map(|text| Checked {
        path: path.to_path_buf(),
        report: validate::load_text(&text, &options),
        text,
    });
    let checked = match read {
        Ok(c) => c,
        Err(e) => {
            if format == OutputFormat::Json {
                let v = serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}});
                eprintln!("{v}");
            } else {
                eprintln!("error: {e}");
            }
            return Err(ExitCode::from(EXIT_USAGE));
        }
    };
    let valid = checked.report.is_valid();
    if !checked.report.diagnostics.is_empty() {
        match format {
            OutputFormat::Json if !valid => {
                let v = serde_json::json!({
                    "error": {"code": "invalid-design", "message": format!("`{}` is not a valid design", path.display())},
                    "diagnostics": checked.report.diagnostics,
                });
                eprintln!("{v}");
            }
            OutputFormat::Json => {}
            OutputFormat::Human => eprint!(
                "{}",
                render_diagnostics(&checked.path, &checked.text, &checked.report.diagnostics)
            ),
        }
    }
    match checked.report.design {
        Some(design) if valid => Ok(LoadedDesign {
            path: checked.path,
            design,
            locations: checked.report.locations,
        }),
        _ => {
            if format == OutputFormat::Human {
                eprintln!(
                    "error: `{}` is not a valid design ({}); run `bulkhead validate {}`",
                    path.display(),
                    counts(checked.report.errors(), checked.report.warnings()),
                    path.display()
                );
            }
            Err(ExitCode::from(EXIT_FINDINGS))
        }
    }
}

/// `2 errors, 1 warning`.
pub fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// Diagnostics rendered like rustc/miette: severity, code, message, the source line with the
/// location underlined, and the help. Colour only on a terminal without `NO_COLOR`.
pub fn render_diagnostics(path: &Path, text: &str, diagnostics: &[Diagnostic]) -> String {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    render_diagnostics_with(path, text, diagnostics, color)
}

pub fn render_diagnostics_with(
    path: &Path,
    text: &str,
    diagnostics: &[Diagnostic],
    color: bool,
) -> String {
    let source = Windowed::new(path.display().to_string(), text, diagnostics);
    render_from(&source, diagnostics, color)
}

/// Diagnostics rendered from `source` (a [`Windowed`] text; the tests compare it with miette's
/// own reading of the whole text).
fn render_from(source: &dyn SourceCode, diagnostics: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    for d in diagnostics {
        let shown = Shown { d, source };
        if handler.render_report(&mut out, &shown).is_err() {
            out.push_str(&format!("{}: {}\n", d.severity.as_str(), d.message));
        }
        out.push('\n');
    }
    out
}

/// Lines of context [`Windowed`] hands miette on each side of a span: more than the handler
/// asks for (its default is 1), so miette never runs out of lines inside the window.
const WINDOW_LINES: usize = 3;

/// The design text as miette reads it, one window of lines around each span at a time.
///
/// miette's own `SourceCode for str` walks the text from its first byte to every span it
/// shows, byte by byte; on a 24 MB design one warning near the end cost about 70 ms. This
/// finds the window's first line in an index built once, lets miette read only the window,
/// and shifts what it read (offsets, line numbers) back to the whole text: the same snippet,
/// header and underline. The text is borrowed, not copied.
struct Windowed<'t> {
    name: String,
    text: &'t str,
    /// Where each line starts, as miette counts lines (`\n`, `\r\n` or a lone `\r` ends one);
    /// empty when no diagnostic is located (nothing is read then). Not the design's own
    /// `bulkhead_core::file::Locations` index, on purpose: that one counts lines as serde_json
    /// does (a lone `\r` ends none) for the line:column the JSON and SARIF outputs carry, and
    /// a window cut by it would not be the text miette reads.
    line_starts: Vec<usize>,
}

impl<'t> Windowed<'t> {
    fn new(name: String, text: &'t str, diagnostics: &[Diagnostic]) -> Self {
        let mut line_starts = Vec::new();
        if diagnostics.iter().any(|d| d.location.is_some()) {
            line_starts.push(0);
            if text.contains('\r') {
                let bytes = text.as_bytes();
                for (i, &b) in bytes.iter().enumerate() {
                    let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
                    if ends_line {
                        line_starts.push(i + 1);
                    }
                }
            } else {
                // The usual case, found with memchr rather than a test per byte.
                line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
            }
        }
        Windowed {
            name,
            text,
            line_starts,
        }
    }

    /// The 0-based column, in characters, of byte `offset`, from the column miette read, which
    /// counts bytes since the line's start (or is 0, for contents that start a line). miette
    /// shows it in the snippet's header (`[design.json:9:77]`) and nowhere else; counted in
    /// bytes, a line with non-ASCII text before the span put it further right than the
    /// `line:column` of `--format json` and SARIF (`columnKind: unicodeCodePoints`), and than
    /// editors and rustc count. Characters are what all of them count.
    fn char_column(&self, offset: usize, byte_column: usize) -> usize {
        let line_start = offset.saturating_sub(byte_column);
        self.text
            .get(line_start..offset)
            .map_or(byte_column, |before| before.chars().count())
    }

    /// The 0-based line holding byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }
}

impl SourceCode for Windowed<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let end = span.offset() + span.len();
        let fits = context_lines_before < WINDOW_LINES && context_lines_after < WINDOW_LINES;
        if self.line_starts.is_empty() || end > self.text.len() || !fits {
            // Out of bounds, or more context than the window holds: miette's own answer.
            let inner = self
                .text
                .read_span(span, context_lines_before, context_lines_after)?;
            return Ok(Box::new(MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                *inner.span(),
                inner.line(),
                self.char_column(span.offset(), inner.column()),
                inner.line_count(),
            )));
        }
        let first_line = self.line_of(span.offset()).saturating_sub(WINDOW_LINES);
        let start = self.line_starts[first_line];
        let last_line = self.line_of(end.saturating_sub(1).max(span.offset())) + WINDOW_LINES + 1;
        let stop = self
            .line_starts
            .get(last_line)
            .copied()
            .unwrap_or(self.text.len());
        let window = &self.text.as_bytes()[start..stop];
        let shifted = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = window.read_span(&shifted, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first_line,
            self.char_column(span.offset(), inner.column()),
            inner.line_count() + first_line,
        )))
    }
}

/// A core diagnostic seen through miette's eyes.
struct Shown<'a> {
    d: &'a Diagnostic,
    source: &'a dyn SourceCode,
}

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.d, f)
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)?;
        if self.d.location.is_none() && !self.d.pointer.is_empty() {
            write!(f, " (at `{}`)", self.d.pointer)?;
        }
        Ok(())
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.d.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.d
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.d.location.map(|_| self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let loc = self.d.location?;
        let label = if self.d.pointer.is_empty() {
            None
        } else {
            Some(self.d.pointer.clone())
        };
        Some(Box::new(std::iter::once(LabeledSpan::new(
            label, loc.offset, loc.length,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulkhead_core::diagnostic::Location;

    /// A warning at `offset..offset + length` of `text`.
    fn at(offset: usize, length: usize) -> Diagnostic {
        Diagnostic::warning("expired-exception", "/rules/0/expires", "expired")
            .with_help("renew it")
            .with_location(Some(Location {
                line: 0,
                column: 0,
                offset,
                length,
            }))
    }

    #[test]
    fn a_window_renders_as_the_whole_text_does() {
        // `\n`, `\r\n` and a lone `\r` end lines, and lines of every length, empty included.
        let mut mixed = String::new();
        let mut unix = String::new();
        for i in 0..60 {
            mixed.push_str(&"x".repeat(i % 7));
            mixed.push_str(["\n", "\r\n", "\r", "\n\n"][i % 4]);
            unix.push_str(&"x".repeat(i % 7));
            unix.push_str(["\n", "\n\n"][i % 2]);
        }
        mixed.push_str("last line, no newline");
        for text in [mixed, unix] {
            renders_as_the_whole_text(&text);
        }
    }

    /// Regression: the snippet's header (`[design.json:line:column]`) counted the column in
    /// bytes, so non-ASCII text before the span on its line put it further right than the
    /// `line:column` the JSON and SARIF outputs give. Now both count characters; the rest of the
    /// rendering is miette's own.
    #[test]
    fn the_header_counts_the_column_in_characters() {
        let text = "{\n  \"name\": \"Zürich–Genève ✓ 😀\", \"expires\": \"2024-06-30\"\n}\n";
        let offset = text.find("\"2024").unwrap();
        let before = text[..offset].rsplit('\n').next().unwrap();
        let (chars, bytes) = (before.chars().count() + 1, before.len() + 1);
        assert!(chars < bytes);
        // The column `--format json` and SARIF give.
        let located = bulkhead_core::file::Locations::json(text).line_col(offset);
        assert_eq!(located, (2, chars));
        for length in [0, 1, 12] {
            let d = [at(offset, length)];
            let got = render_diagnostics_with(Path::new("design.json"), text, &d, false);
            assert!(got.contains(&format!("[design.json:2:{chars}]")), "{got}");
            let whole = miette::NamedSource::new("design.json", text.to_string());
            let miettes = render_from(&whole, &d, false).replace(
                &format!("[design.json:2:{bytes}]"),
                &format!("[design.json:2:{chars}]"),
            );
            assert_eq!(got, miettes);
        }
    }

    fn renders_as_the_whole_text(text: &str) {
        let mut spans = Vec::new();
        for offset in (0..text.len()).step_by(3) {
            for length in [0, 1, 5, 40] {
                if offset + length <= text.len() {
                    spans.push((offset, length));
                }
            }
        }
        for (offset, length) in spans {
            let d = [at(offset, length)];
            let whole = miette::NamedSource::new("design.json", text.to_string());
            let expected = render_from(&whole, &d, false);
            let got = render_diagnostics_with(Path::new("design.json"), text, &d, false);
            assert_eq!(got, expected, "span {offset}+{length}");
        }
    }
}
