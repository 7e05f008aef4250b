//! `bulkhead export DESIGN --target T --out DIR`: write configs that enforce the design.
//!
//! `--target all` (or a comma-separated list) writes every named target from one evaluation,
//! rendered on the machine's cores, each into its own subfolder `DIR/<target>/`; with
//! `--staged`, `all` means the targets that have a staged variant (istio, nginx).
//!
//! The output folder appears whole or not at all: files are written into a temporary sibling
//! folder that is renamed into place at the end, so a failure leaves no half-written output.
//! Each target's files are written by a pool of writers as soon as that target is rendered,
//! while the others still render; on Linux the whole staging folder is then synced to disk in
//! one `syncfs` before it is renamed into place (elsewhere each file is synced as it is written).
//! An existing folder is replaced only with `--force`. What the target cannot express is
//! printed on stderr (and is in every file's header); where a target has more notes than can
//! be read there (tens of thousands on a large design), stderr has them by kind with counts and
//! the first few of each, and `not-expressed.txt` at the top of the output folder lists every
//! one (`--all-notes` prints them all on stderr instead).

use std::fmt::Write as _;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use bulkhead_core::diagnostic::Diagnostic;
use bulkhead_export::{Access, ExportError, Gap, Options, OutputFile, Target};

use super::common;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The design file (`*.bulkhead.json`).
    pub design: PathBuf,
    /// networkpolicy, networkpolicy-egress, cilium, istio, kong or nginx; several separated by
    /// commas, or `all`, write each into its own subfolder of `--out`.
    #[arg(long, short)]
    pub target: String,
    /// Folder to write; must not exist unless `--force`.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Replace an existing output folder.
    #[arg(long)]
    pub force: bool,
    /// Write the variant that observes before it enforces (istio, nginx).
    #[arg(long)]
    pub staged: bool,
    /// nginx: first listen port; one server per segment on consecutive ports.
    #[arg(long, default_value_t = 8080)]
    pub listen_base: u16,
    /// Export the design as it stands on this date (`YYYY-MM-DD`): rules whose `expires` date
    /// is before it are left out (and listed as not expressed). Default: `BULKHEAD_TODAY`, else
    /// today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Print every note on what the targets do not express on stderr. By default a group of
    /// more than 200 notes (those the same targets share) is shown by kind, with counts and the
    /// first three of each, and `not-expressed.txt` at the top of the output folder lists all.
    #[arg(long)]
    pub all_notes: bool,
}

pub fn run(args: Args) -> ExitCode {
    let today = match common::evaluation_date(args.today.as_deref()) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let (targets, several) = match parse_targets(&args.target, args.staged) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // The validator's own diagnostics, located at `line:column` (exit 1 when invalid, 2 for
    // IO), exactly as `bulkhead validate` prints them.
    let design = match common::load_valid(&args.design, common::OutputFormat::Human) {
        Ok(d) => d.design,
        Err(code) => return code,
    };
    if let Err(msg) = check_out(&args.out, args.force) {
        eprintln!("error: {msg}");
        return ExitCode::from(2);
    }
    // The validator ran while loading (its errors are the same on any date): only the
    // target-specific checks are left.
    let problems = bulkhead_export::preflight::target_checks(&design, &targets);
    if !problems.is_empty() {
        eprint!("{}", located(&args.design, &problems));
        eprintln!(
            "error: `{}` cannot be exported to `{}` ({} problem{})",
            args.design.display(),
            args.target,
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        );
        return ExitCode::from(1);
    }
    let options = Options {
        staged: args.staged,
        nginx_listen_base: args.listen_base,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let access = if threads > 1 {
        Access::new_hashing_beside(&design, today)
    } else {
        Access::new(&design, today)
    };
    let render = Render {
        access: &access,
        targets: &targets,
        options: &options,
        threads,
        several,
        all_notes: args.all_notes,
    };
    let (done, notes) =
        match write_atomically(&args.out, args.force, |staging| render.write_into(staging)) {
            Ok(done) => done,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
    // Thousands of notes on a large design, and several targets often share most of them
    // (both NetworkPolicy variants drop the same methods and paths): each distinct gap is
    // listed once, under every target that cannot express it, in one buffered write; where
    // there are too many to read there, a summary that says where the complete list is.
    let StderrNotes {
        text: mut notes,
        in_file,
    } = notes;
    if let Some(count) = in_file {
        let _ = writeln!(
            notes,
            "note: {count} notes in all, summarized above; every one is listed in `{}` (--all-notes prints them all here)",
            args.out.join(NOTES_FILE).display()
        );
    }
    if !notes.is_empty() {
        let _ = std::io::stderr().lock().write_all(notes.as_bytes());
    }
    for w in done {
        let out = if several {
            args.out.join(w.target.name())
        } else {
            args.out.clone()
        };
        if let Err(code) = crate::outln!(
            "wrote {} file{} for `{}`{} to {}",
            w.files,
            if w.files == 1 { "" } else { "s" },
            w.target,
            if w.staged { " (staged)" } else { "" },
            out.display()
        ) {
            return code;
        }
    }
    // The design and its evaluation are hundreds of thousands of allocations on a large design, and
    // the process exits now: the exit returns their memory at once instead of freeing them
    // one by one.
    std::mem::forget(access);
    std::mem::forget(design);
    ExitCode::SUCCESS
}

/// The notes on what the targets do not express: every distinct gap once, grouped by the set
/// of targets that cannot express it, each group headed by those targets (in `--target`
/// order) and the number of its gaps. A target's notes are exactly its gaps, as listed in its
/// output's header: the groups that name it, together. With one target this is one group, as
/// it always was.
struct Notes<'a> {
    /// Each group: the indices (into the rendered targets) of the targets it names, and its
    /// gaps, sorted.
    groups: Vec<(Vec<usize>, Vec<&'a Gap>)>,
    /// The rendered targets, for the groups' headings.
    done: &'a [&'a Written],
}

/// A group of more notes than this is summarized on stderr ([`Notes::summary`]); the complete
/// list goes to [`NOTES_FILE`]. Every example design's groups are smaller (the largest, fintech's
/// NetworkPolicy group, has 137), so they print in full as they always did; the
/// 10,000-service design's largest has 53,191, 36 MB of stderr over all targets.
const GROUP_IN_FULL: usize = 200;

/// How many notes of each kind a summarized group shows.
const SHOWN_PER_KIND: usize = 3;

/// The file, at the top of the output folder, that lists every note when stderr has only a
/// summary. INVARIANT: no target writes a file of this name at its top (they write `.yaml`
/// and `.conf` files, and with several targets each has its own subfolder).
const NOTES_FILE: &str = "not-expressed.txt";

impl<'a> Notes<'a> {
    fn new(done: &'a [&'a Written]) -> Self {
        use std::collections::BTreeMap;
        // Each target's gaps are sorted (rule, then message): merged, equal gaps meet, and each
        // distinct gap is seen once with the targets that have it.
        let mut next = vec![0usize; done.len()];
        let mut groups: BTreeMap<Vec<usize>, Vec<&Gap>> = BTreeMap::new();
        loop {
            let least = done
                .iter()
                .zip(&next)
                .filter_map(|(w, &at)| w.gaps.get(at))
                .min();
            let Some(least) = least else { break };
            let mut who = Vec::new();
            for (i, w) in done.iter().enumerate() {
                if w.gaps.get(next[i]) == Some(least) {
                    who.push(i);
                    next[i] += 1;
                }
            }
            groups.entry(who).or_default().push(least);
        }
        Notes {
            groups: groups.into_iter().collect(),
            done,
        }
    }

    /// Every distinct note.
    fn count(&self) -> usize {
        self.groups.iter().map(|(_, gaps)| gaps.len()).sum()
    }

    /// Whether stderr gets [`Notes::summary`] rather than [`Notes::full`].
    fn too_many(&self) -> bool {
        self.groups
            .iter()
            .any(|(_, gaps)| gaps.len() > GROUP_IN_FULL)
    }

    /// `note: <targets> do(es) not express N part(s) of the design (also listed in ...)`,
    /// without the line's end.
    fn heading(&self, notes: &mut String, who: &[usize], count: usize) {
        let names: Vec<String> = who
            .iter()
            .map(|&i| format!("`{}`", self.done[i].target))
            .collect();
        let (names, verb, whose) = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => (
                format!("{} and {last}", rest.join(", ")),
                "do",
                "their outputs' headers",
            ),
            _ => (names.concat(), "does", "the output's header"),
        };
        let _ = write!(
            notes,
            "note: {names} {verb} not express {count} part{} of the design (also listed in {whose})",
            if count == 1 { "" } else { "s" }
        );
    }

    /// Every group with every one of its notes, one per line.
    fn full(&self) -> String {
        let mut notes = String::with_capacity(
            self.groups
                .iter()
                .flat_map(|(_, gaps)| gaps)
                .map(|g| g.rule.len() + g.message.len() + 16)
                .sum::<usize>()
                + 256 * self.groups.len(),
        );
        for (who, gaps) in &self.groups {
            self.heading(&mut notes, who, gaps.len());
            notes.push_str(":\n");
            push_gaps(&mut notes, gaps);
        }
        notes
    }

    /// What stderr shows of a large design's notes: each group with its count as in
    /// [`Notes::full`]; a group of up to [`GROUP_IN_FULL`] notes in full, a larger one by kind
    /// ([`kind_of`]), most frequent first, each kind with its count and its first
    /// [`SHOWN_PER_KIND`] notes. Nothing is dropped: the headings and counts are exact, and the
    /// caller says where the complete list is.
    fn summary(&self) -> String {
        let mut notes = String::new();
        for (who, gaps) in &self.groups {
            self.heading(&mut notes, who, gaps.len());
            if gaps.len() <= GROUP_IN_FULL {
                notes.push_str(":\n");
                push_gaps(&mut notes, gaps);
                continue;
            }
            // Kinds in the order first met, then the most frequent first (a stable sort keeps
            // the order first met among equals): the same on every run.
            let mut kinds: Vec<Vec<&Gap>> = Vec::new();
            let mut index: std::collections::HashMap<String, usize> =
                std::collections::HashMap::new();
            for &g in gaps {
                let at = *index.entry(kind_of(&g.message)).or_insert_with(|| {
                    kinds.push(Vec::new());
                    kinds.len() - 1
                });
                kinds[at].push(g);
            }
            kinds.sort_by_key(|k| std::cmp::Reverse(k.len()));
            let _ = writeln!(
                notes,
                ", of {} kind{}; the first {SHOWN_PER_KIND} of each:",
                kinds.len(),
                if kinds.len() == 1 { "" } else { "s" }
            );
            for kind in kinds {
                let _ = writeln!(notes, "  {} of this kind:", kind.len());
                push_gaps(&mut notes, &kind[..kind.len().min(SHOWN_PER_KIND)]);
            }
        }
        notes
    }
}

/// `  - {gap}` per gap, written piece by piece: 176,000 lines on the 10,000-service design.
fn push_gaps(notes: &mut String, gaps: &[&Gap]) {
    for g in gaps {
        notes.push_str("  - ");
        g.parts().iter().for_each(|part| notes.push_str(part));
        notes.push('\n');
    }
}

/// The kind of a note: its message with what differs from rule to rule masked, each quoted
/// value or list of them (`` `GET`, `POST` ``) as `` `…` `` and each number as `N`. Notes of one
/// kind then read alike ("rate limit N/second is not enforced: ..."): the exporters word each
/// kind of gap in one sentence and quote what they fill in (a rule's methods, identities,
/// issuer, scopes; its numbers unquoted). Only the summary on stderr groups by it; a message
/// worded otherwise is at worst a kind of its own, never left out.
fn kind_of(message: &str) -> String {
    const QUOTED: &str = "`…`";
    // Byte by byte, copying the text between quotes and numbers as whole slices: a backtick
    // and the digits are ASCII, so every cut is at a character boundary. (Pushed character by
    // character, this was 9% of the instructions of `export --target all` at 2,000 services.)
    let bytes = message.as_bytes();
    let mut kind = String::with_capacity(message.len());
    let mut at = 0;
    while at < bytes.len() {
        let plain = bytes[at..]
            .iter()
            .position(|b| *b == b'`' || b.is_ascii_digit())
            .map_or(bytes.len(), |n| at + n);
        kind.push_str(&message[at..plain]);
        at = plain;
        if at == bytes.len() {
            break;
        }
        if bytes[at] == b'`' {
            // The next value of a list continues the one before it.
            let listed = [", ", " and ", ", and "]
                .iter()
                .find(|sep| kind.strip_suffix(*sep).is_some_and(|k| k.ends_with(QUOTED)));
            match listed {
                Some(sep) => kind.truncate(kind.len() - sep.len()),
                None => kind.push_str(QUOTED),
            }
            // Past the closing backtick (an unclosed quote runs to the end).
            at = bytes[at + 1..]
                .iter()
                .position(|b| *b == b'`')
                .map_or(bytes.len(), |n| at + 1 + n + 1);
        } else {
            kind.push('N');
            at += bytes[at..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        }
    }
    kind
}

/// What one target wrote, for the summary printed once the folder is in place.
struct Written {
    target: Target,
    gaps: Vec<Gap>,
    staged: bool,
    files: usize,
}

/// Threads that write files: creating thousands of files is kernel work that several writers
/// share out (and where each file is synced, several syncs waiting at once share the disk's
/// flushes: 8,460 files of the 10,000-service estate, synced one after the other, took seconds).
const WRITERS: usize = 8;

/// Whether each file is synced as it is written. On Linux it is not: the staging folder is
/// synced whole by [`sync_staged`] before it is published, which is as durable (below) and
/// spares 5,952 `fsync` calls, each waiting on the disk, on the 10,000-service design.
const SYNC_EACH_FILE: bool = !cfg!(target_os = "linux");

/// The targets to render from one evaluation, and how their files are named.
struct Render<'a> {
    access: &'a Access<'a>,
    targets: &'a [Target],
    options: &'a Options,
    threads: usize,
    /// Each target into its own subfolder.
    several: bool,
    /// Every note on stderr, however many ([`Args::all_notes`]).
    all_notes: bool,
}

/// The notes for stderr ([`Notes::full`] or [`Notes::summary`]).
#[derive(Default)]
struct StderrNotes {
    text: String,
    /// When `text` is a summary: how many notes [`NOTES_FILE`] lists.
    in_file: Option<usize>,
}

impl Render<'_> {
    /// Renders every target on the pool ([`bulkhead_export::export_many_each`]) and writes
    /// each one's files into `folder` on [`WRITERS`] threads as soon as that target is done,
    /// while the others still render. One refused target refuses the whole export: the
    /// first in `--target` order is reported, and the caller removes the folder. Gives what each
    /// target wrote and the notes for stderr, formatted while the writers finish.
    fn write_into(&self, folder: &Path) -> Result<(Vec<Written>, StderrNotes), String> {
        let (files, queue) = mpsc::channel::<OutputFile>();
        let queue = Mutex::new(queue);
        let stop = AtomicBool::new(false);
        let write_error: Mutex<Option<String>> = Mutex::new(None);
        let done: Mutex<Vec<Option<Result<Written, ExportError>>>> =
            Mutex::new(self.targets.iter().map(|_| None).collect());
        // The first write error is the one reported; the rest of the export is only drained.
        let fail = |e: String| {
            stop.store(true, Ordering::Relaxed);
            write_error
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(e);
        };
        let mut notes = StderrNotes::default();
        std::thread::scope(|scope| {
            for _ in 0..WRITERS {
                scope.spawn(|| {
                    loop {
                        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok(file) = next else { break };
                        // After a failure the rest is only drained: the folder is removed.
                        if stop.load(Ordering::Relaxed) {
                            continue;
                        }
                        if let Err(e) = write_file(folder, &file) {
                            fail(e);
                        }
                    }
                });
            }
            let deliver = |i: usize, result: Result<bulkhead_export::Export, ExportError>| {
                let result = result.map(|export| {
                    let target = export.target;
                    let count = export.files.len();
                    let files_of_target: Vec<OutputFile> = export
                        .files
                        .into_iter()
                        .map(|f| OutputFile {
                            path: if self.several {
                                format!("{target}/{}", f.path)
                            } else {
                                f.path
                            },
                            contents: f.contents,
                        })
                        .collect();
                    // Each folder once, before its files are queued: not a `create_dir_all`
                    // per file (1,487 files share a folder on the 10,000-service design).
                    if let Err(e) = make_folders(folder, &files_of_target) {
                        fail(e);
                    }
                    for f in files_of_target {
                        // The writers outlive every send (they stop when the sender drops).
                        let _ = files.send(f);
                    }
                    Written {
                        target,
                        gaps: export.gaps,
                        staged: export.staged,
                        files: count,
                    }
                });
                if result.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                done.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(result);
            };
            bulkhead_export::export_many_each(
                self.access,
                self.targets,
                self.options,
                self.threads,
                &deliver,
            );
            // Meanwhile the writers work through the queue: the notes ([`Notes`]), printed
            // once the folder is in place. Too many for stderr, they are summarized there and
            // listed whole in [`NOTES_FILE`], queued with the targets' files so it is in the
            // folder when it appears.
            {
                let done = done.lock().unwrap_or_else(|e| e.into_inner());
                let rendered: Vec<&Written> = done
                    .iter()
                    .filter_map(|r| r.as_ref()?.as_ref().ok())
                    .collect();
                if rendered.len() == done.len() {
                    let all = Notes::new(&rendered);
                    if self.all_notes || !all.too_many() {
                        notes.text = all.full();
                    } else {
                        notes.text = all.summary();
                        notes.in_file = Some(all.count());
                        let _ = files.send(OutputFile {
                            path: NOTES_FILE.to_string(),
                            contents: all.full(),
                        });
                    }
                }
            }
            // Closing the queue lets the writers finish what is queued and stop.
            drop(files);
        });
        let mut written = Vec::new();
        for result in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
            match result.expect("every target was rendered") {
                Ok(w) => written.push(w),
                Err(e) => return Err(e.to_string()),
            }
        }
        match write_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(e) => Err(e),
            None => Ok((written, notes)),
        }
    }
}

/// The targets `--target` names, and whether there are several (each then gets a subfolder):
/// one name, a comma-separated list, or `all` (with `--staged`: every target that has a
/// staged variant).
fn parse_targets(arg: &str, staged: bool) -> Result<(Vec<Target>, bool), String> {
    if arg.trim().eq_ignore_ascii_case("all") {
        let targets: Vec<Target> = Target::ALL
            .into_iter()
            .filter(|t| !staged || t.has_staged_mode())
            .collect();
        return Ok((targets, true));
    }
    let mut targets = Vec::new();
    for name in arg.split(',') {
        let t: Target = name.parse()?;
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    let several = arg.contains(',');
    Ok((targets, several))
}

/// Diagnostics rendered against the design's text (`line:column` and a snippet), or by
/// JSON pointer when the text cannot be read again.
fn located(path: &Path, diagnostics: &[Diagnostic]) -> String {
    let mut diagnostics = diagnostics.to_vec();
    match bulkhead_store::read_text(path) {
        Ok(text) => {
            if let Ok(parsed) = bulkhead_core::file::parse_with_partial(&text) {
                parsed.locate(&mut diagnostics);
            }
            common::render_diagnostics(path, &text, &diagnostics)
        }
        Err(_) => diagnostics
            .iter()
            .map(|d| format!("{}: {}: {}\n", path.display(), d.pointer, d.message))
            .collect(),
    }
}

fn check_out(out: &Path, force: bool) -> Result<(), String> {
    match fs::symlink_metadata(out) {
        Err(_) => Ok(()),
        Ok(m) if m.is_dir() => {
            let empty = fs::read_dir(out)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            if empty || force {
                Ok(())
            } else {
                Err(format!(
                    "output folder `{}` exists and is not empty; pass --force to replace it",
                    out.display()
                ))
            }
        }
        Ok(_) => Err(format!(
            "`{}` exists and is not a folder; choose another --out",
            out.display()
        )),
    }
}

/// Fills a temporary sibling of `out` with `fill`, then renames it into place. With `force`,
/// an existing `out` is moved aside first and removed only once the new one is in place. If
/// `fill` fails, the temporary folder is removed and `out` is left as it was.
fn write_atomically<T>(
    out: &Path,
    force: bool,
    fill: impl FnOnce(&Path) -> Result<T, String>,
) -> Result<T, String> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // The folders this creates above `out`, deepest first: a failed export removes them
    // again (the folders are created before rendering, which may still refuse a target).
    let created: Vec<PathBuf> = parent
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
        .map(Path::to_path_buf)
        .collect();
    fs::create_dir_all(&parent)
        .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    let base = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("`{}` is not a folder name", out.display()))?;
    let tmp = parent.join(format!(".{base}.bulkhead-tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    let result = (|| -> Result<T, String> {
        fs::create_dir(&tmp).map_err(|e| format!("cannot create `{}`: {e}", tmp.display()))?;
        let filled = fill(&tmp)?;
        // Every file is on disk before the folder is published: a crash after the rename
        // cannot leave a published folder with missing or short files.
        sync_staged(&tmp)?;
        let old = parent.join(format!(".{base}.bulkhead-old-{}", std::process::id()));
        let had_old = out.exists();
        if had_old {
            if !force {
                // An empty folder we were allowed to fill.
                fs::remove_dir(out).map_err(|e| {
                    format!("cannot replace `{}`: {e}; pass --force", out.display())
                })?;
            } else {
                let _ = fs::remove_dir_all(&old);
                fs::rename(out, &old)
                    .map_err(|e| format!("cannot move `{}` aside: {e}", out.display()))?;
            }
        }
        if let Err(e) = fs::rename(&tmp, out) {
            if had_old && force {
                let _ = fs::rename(&old, out);
            }
            return Err(format!(
                "cannot move the export into `{}`: {e}",
                out.display()
            ));
        }
        // The rename itself is on disk before the export is reported written.
        let published = sync_entries(&parent).map_err(|e| {
            format!(
                "`{}` is in place but could not be synced to disk: {e}",
                out.display()
            )
        });
        if had_old && force {
            let _ = fs::remove_dir_all(&old);
        }
        published.map(|()| filled)
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
        for dir in &created {
            // Only while empty: something else may have been put there meanwhile.
            let _ = fs::remove_dir(dir);
        }
    }
    result
}

/// `path` as a path inside the output folder.
fn inside(path: &str) -> Result<&Path, String> {
    // INVARIANT: exporters write relative paths without `..`; refuse anything else.
    let rel = Path::new(path);
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Err(format!(
            "refusing to write `{path}` outside the output folder"
        ));
    }
    Ok(rel)
}

/// Creates, below `folder`, every folder that `files` are written into, each once.
fn make_folders(folder: &Path, files: &[OutputFile]) -> Result<(), String> {
    let mut dirs = std::collections::BTreeSet::new();
    for f in files {
        if let Some(dir) = inside(&f.path)?.parent() {
            dirs.insert(dir);
        }
    }
    for dir in dirs {
        let dir = folder.join(dir);
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
    }
    Ok(())
}

/// Writes one file below `folder` (its folder made by [`make_folders`]); where
/// [`SYNC_EACH_FILE`], syncs it to disk, so the folder renamed into place holds whole files.
fn write_file(folder: &Path, f: &OutputFile) -> Result<(), String> {
    let path = folder.join(inside(&f.path)?);
    let mut file =
        fs::File::create(&path).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    file.write_all(f.contents.as_bytes())
        .and_then(|_| {
            if SYNC_EACH_FILE {
                file.sync_all()
            } else {
                Ok(())
            }
        })
        .map_err(|e| format!("cannot write `{}`: {e}", path.display()))
}

/// Puts everything written below the staging folder `tmp` on disk, before it is renamed into
/// place. On Linux: one `syncfs(2)` of the file system that holds it. That writes back and waits
/// for every dirty page and inode of that file system, which includes every file, folder and
/// folder entry the writers made below `tmp` (they are all closed by now), so it guarantees what
/// an `fsync` per file and folder would, and it reports a failed writeback of any of them as an
/// error (Linux 5.8 and later), which fails the export before anything is published. The cost is
/// that it also waits for other programs' unwritten data on that file system. Elsewhere each
/// file was synced as it was written ([`SYNC_EACH_FILE`]) and the folders are synced here.
fn sync_staged(tmp: &Path) -> Result<(), String> {
    #[cfg(target_os = "linux")]
    let synced = fs::File::open(tmp).and_then(|dir| Ok(rustix::fs::syncfs(&dir)?));
    #[cfg(not(target_os = "linux"))]
    let synced = sync_folders(tmp);
    synced.map_err(|e| format!("cannot sync `{}` to disk: {e}", tmp.display()))
}

/// `dir`'s entries and those of every folder below it, synced.
#[cfg(not(target_os = "linux"))]
fn sync_folders(dir: &Path) -> std::io::Result<()> {
    sync_entries(dir)?;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            sync_folders(&entry.path())?;
        }
    }
    Ok(())
}

/// Syncs a folder's entries (files created or renamed into it) to disk. Folders cannot be
/// opened for a sync on every platform; there, they are as durable as the system makes them.
fn sync_entries(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn file(path: &str, contents: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: contents.into(),
        }
    }

    /// Notes that differ only in a rule's values (quoted, or numbers) are one kind; notes
    /// worded differently are not.
    #[test]
    fn a_kind_masks_quoted_values_and_numbers() {
        let methods = "methods `…` are not enforced: NetworkPolicy is LN only; enforce them with cilium, istio, kong or nginx";
        for message in [
            "methods `GET`, `POST` are not enforced: NetworkPolicy is L4 only; enforce them with cilium, istio, kong or nginx",
            "methods `GET` are not enforced: NetworkPolicy is L4 only; enforce them with cilium, istio, kong or nginx",
            "methods `GET`, `PUT` and `DELETE` are not enforced: NetworkPolicy is L4 only; enforce them with cilium, istio, kong or nginx",
        ] {
            assert_eq!(kind_of(message), methods);
        }
        assert_eq!(
            kind_of("rate limit 200/second (burst 40) is not enforced"),
            kind_of("rate limit 5/second (burst 1) is not enforced")
        );
        assert_eq!(
            kind_of("rate limit 200/second (burst 40) is not enforced"),
            "rate limit N/second (burst N) is not enforced"
        );
        assert_eq!(
            kind_of("from `a` with scopes `x`, `y`; the gateway"),
            "from `…` with scopes `…`; the gateway"
        );
        assert_ne!(
            kind_of("rate limit 200/second is not enforced: Cilium policies have no rate limits"),
            kind_of(
                "rate limit 200/second is not enforced: Istio authorization has no rate limits"
            )
        );
    }

    /// [`kind_of`] as it was first written, character by character: the oracle for the
    /// byte-slice version.
    fn kind_of_by_chars(message: &str) -> String {
        const QUOTED: &str = "`…`";
        let mut kind = String::with_capacity(message.len());
        let mut quoted = false;
        let mut digits = false;
        for c in message.chars() {
            if quoted {
                quoted = c != '`';
                continue;
            }
            if c == '`' {
                quoted = true;
                // The next value of a list continues the one before it.
                let listed = [", ", " and ", ", and "]
                    .iter()
                    .find(|sep| kind.strip_suffix(*sep).is_some_and(|k| k.ends_with(QUOTED)));
                match listed {
                    Some(sep) => kind.truncate(kind.len() - sep.len()),
                    None => kind.push_str(QUOTED),
                }
            } else if c.is_ascii_digit() {
                if !digits {
                    kind.push('N');
                }
            } else {
                kind.push(c);
            }
            digits = c.is_ascii_digit();
        }
        kind
    }

    /// The same kinds as the character-by-character version, on the wordings the exporters use
    /// and on the edges: unclosed quotes, numbers against quotes, lists, non-ASCII text.
    #[test]
    fn a_kind_is_the_same_as_counted_character_by_character() {
        let messages = [
            "",
            "`",
            "``",
            "`a",
            "a`",
            "12",
            "x12y345",
            "5`x`6",
            "`a`,`b`",
            "`a`, `b`, and `c` and `d`, e",
            "Zürich `Genève` 😀 42 ✓ `é`, `ü` and `ø`2",
            "methods `GET`, `POST` are not enforced: NetworkPolicy is L4 only; enforce them with cilium, istio, kong or nginx",
            "rate limit 50/second (burst 100) is not enforced: Cilium policies have no rate limits; enforce it with kong or nginx",
            "calls from the internet are matched by ipBlock 0.0.0.0/0 and ::/0: NetworkPolicy cannot tell the internet from other external addresses",
            "expired on 2024-06-30 and is left out of this export: nothing it allowed is allowed here; renew its `expires` date or remove the rule",
            "`billing-10-db` has no inventoried endpoints, so Kong has no routes for it",
        ];
        for m in messages {
            assert_eq!(kind_of(m), kind_of_by_chars(m), "{m:?}");
        }
    }

    /// Files written by the writers (unsynced on Linux) and synced with the staging folder:
    /// the folder appears whole, and nothing of the staging folder is left beside it.
    #[test]
    fn a_filled_folder_is_published_whole_with_nothing_beside_it() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let files = [file("a/one.yaml", "one\n"), file("a/b/two.yaml", "two\n")];
        let n = write_atomically(&out, false, |staging| {
            make_folders(staging, &files)?;
            files.iter().try_for_each(|f| write_file(staging, f))?;
            Ok(files.len())
        })
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(names(tmp.path()), ["out"]);
        assert_eq!(fs::read_to_string(out.join("a/one.yaml")).unwrap(), "one\n");
        assert_eq!(
            fs::read_to_string(out.join("a/b/two.yaml")).unwrap(),
            "two\n"
        );
    }

    /// A failure after some files were written (a write refused, here a path outside the
    /// folder) leaves no half-written output: no `out`, no staging folder, and none of the
    /// folders made above `out` for it; an existing `out` replaced with `--force` is left as
    /// it was.
    #[test]
    fn a_failed_fill_leaves_no_half_written_files() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("a/b/out");
        let files = [file("one.yaml", "one\n"), file("../escape.yaml", "no\n")];
        let err = write_atomically(&out, false, |staging| {
            files.iter().try_for_each(|f| write_file(staging, f))?;
            Ok(())
        })
        .unwrap_err();
        assert!(err.contains("outside the output folder"), "{err}");
        assert!(names(tmp.path()).is_empty(), "{:?}", names(tmp.path()));

        let out = tmp.path().join("kept");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("mine.txt"), "mine").unwrap();
        let err = write_atomically(&out, true, |staging| {
            write_file(staging, &files[0])?;
            Err::<(), _>("refused".to_string())
        })
        .unwrap_err();
        assert_eq!(err, "refused");
        assert_eq!(names(tmp.path()), ["kept"]);
        assert_eq!(names(&out), ["mine.txt"]);
    }
}
