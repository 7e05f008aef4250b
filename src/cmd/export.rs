//! `bulkhead export DESIGN --target T --out DIR`: write configs that enforce the design.
//!
//! `--target all` (or a comma-separated list) writes every named target from one evaluation,
//! rendered on the machine's cores, each into its own subfolder `DIR/<target>/`; with
//! `--staged`, `all` means the targets that have a staged variant (istio, nginx).
//!
//! The output folder appears whole or not at all: files are written into a temporary sibling
//! folder that is renamed into place at the end, so a failure leaves no half-written output.
//! An existing folder is replaced only with `--force`. What the target cannot express is
//! printed on stderr (and is in every file's header).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bulkhead_core::diagnostic::Diagnostic;
use bulkhead_export::{ExportError, Options, OutputFile, Target};

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
    let options = Options {
        staged: args.staged,
        nginx_listen_base: args.listen_base,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let exports = match bulkhead_export::export_many(&design, &targets, &options, today, threads) {
        Ok(results) => results,
        Err(ExportError::Invalid(diagnostics)) => {
            // Only the target-specific checks can fail here: the design passed validation.
            eprint!("{}", located(&args.design, &diagnostics));
            eprintln!(
                "error: `{}` cannot be exported to `{}` ({} problem{})",
                args.design.display(),
                args.target,
                diagnostics.len(),
                if diagnostics.len() == 1 { "" } else { "s" }
            );
            return ExitCode::from(1);
        }
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut files = Vec::new();
    let mut done = Vec::new();
    for result in exports {
        let export = match result {
            Ok(e) => e,
            Err(e) => {
                // Nothing has been written yet: one refused target refuses the whole export.
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let target = export.target;
        let count = export.files.len();
        files.extend(export.files.into_iter().map(|f| OutputFile {
            path: if several {
                format!("{target}/{}", f.path)
            } else {
                f.path
            },
            contents: f.contents,
        }));
        done.push((target, export.gaps, export.staged, count));
    }
    if let Err(e) = write_atomically(&args.out, &files, args.force) {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    for (target, gaps, staged, n) in done {
        if !gaps.is_empty() {
            eprintln!(
                "note: `{target}` does not express {} part{} of the design (also listed in the output's header):",
                gaps.len(),
                if gaps.len() == 1 { "" } else { "s" }
            );
            for g in &gaps {
                eprintln!("  - {g}");
            }
        }
        let out = if several {
            args.out.join(target.name())
        } else {
            args.out.clone()
        };
        if let Err(code) = crate::outln!(
            "wrote {n} file{} for `{target}`{} to {}",
            if n == 1 { "" } else { "s" },
            if staged { " (staged)" } else { "" },
            out.display()
        ) {
            return code;
        }
    }
    ExitCode::SUCCESS
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

/// Writes every file into a temporary sibling of `out`, then renames it into place. With
/// `force`, an existing `out` is moved aside first and removed only once the new one is in
/// place.
fn write_atomically(out: &Path, files: &[OutputFile], force: bool) -> Result<(), String> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent)
        .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
    let base = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| format!("`{}` is not a folder name", out.display()))?;
    let tmp = parent.join(format!(".{base}.bulkhead-tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    let result = (|| -> Result<(), String> {
        fs::create_dir(&tmp).map_err(|e| format!("cannot create `{}`: {e}", tmp.display()))?;
        for f in files {
            // INVARIANT: exporters write relative paths without `..`; refuse anything else.
            let rel = Path::new(&f.path);
            if rel.is_absolute()
                || rel
                    .components()
                    .any(|c| matches!(c, std::path::Component::ParentDir))
            {
                return Err(format!(
                    "refusing to write `{}` outside the output folder",
                    f.path
                ));
            }
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create `{}`: {e}", dir.display()))?;
            }
            let mut file = fs::File::create(&path)
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
            file.write_all(f.contents.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        }
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
        if had_old && force {
            let _ = fs::remove_dir_all(&old);
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
    }
    result
}
