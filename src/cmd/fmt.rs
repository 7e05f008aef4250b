//! `bulkhead fmt FILE... [--check] [--stdout]`: rewrite designs in canonical form.
//!
//! Canonical form is what every save writes: pretty JSON, keys in the model's order, a
//! trailing newline, the current format version (older versions are migrated). Formatting
//! needs a readable design, not a valid one. Rewrites are atomic; no `.bak` is kept since the
//! content does not change (version control holds the old bytes).

use std::path::PathBuf;
use std::process::ExitCode;

use bulkhead_core::file::{self, Syntax};
use bulkhead_store::SaveOptions;

use super::common::{self, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, FormatArg, OutputFormat};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Design files.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Change nothing; exit 1 if any file is not in canonical form.
    #[arg(long, conflicts_with = "stdout")]
    pub check: bool,
    /// Print the canonical form to stdout instead of rewriting (one file only; converts YAML).
    #[arg(long)]
    pub stdout: bool,
    #[command(flatten)]
    pub format: FormatArg,
}

pub fn run(args: &Args) -> ExitCode {
    if args.stdout && args.files.len() != 1 {
        return common::fail_usage("`--stdout` takes exactly one file");
    }
    let json = args.format.format == OutputFormat::Json;
    let mut exit = EXIT_OK;
    let mut results = Vec::new();
    for path in &args.files {
        let loaded = match bulkhead_store::load(path) {
            Ok(l) => l,
            Err(e) => {
                exit = EXIT_USAGE;
                results.push(serde_json::json!({"path": path.display().to_string(), "status": "error", "error": {"code": e.code(), "message": e.to_string()}}));
                if !json {
                    eprintln!("error: {e}");
                }
                continue;
            }
        };
        let parsed = match loaded.parsed {
            Ok(p) => p,
            Err(diags) => {
                exit = exit.max(EXIT_FINDINGS);
                results.push(serde_json::json!({"path": path.display().to_string(), "status": "unreadable", "diagnostics": diags}));
                if !json {
                    eprint!("{}", common::render_diagnostics(path, &loaded.text, &diags));
                    eprintln!(
                        "error: cannot format `{}`: it is not a readable design",
                        path.display()
                    );
                }
                continue;
            }
        };
        let canonical = file::to_canonical_json(&parsed.design);
        let unchanged = canonical == loaded.text;
        let status = if args.stdout {
            if let Err(code) = common::write_stdout(&canonical) {
                return code;
            }
            "printed"
        } else if unchanged {
            "unchanged"
        } else if args.check {
            exit = exit.max(EXIT_FINDINGS);
            if !json {
                if let Err(code) = crate::outln!("would reformat {}", path.display()) {
                    return code;
                }
            }
            "would-reformat"
        } else if parsed.syntax == Syntax::Yaml {
            exit = EXIT_USAGE;
            if !json {
                eprintln!(
                    "error: `{}` is YAML and fmt writes canonical JSON; convert it with `bulkhead fmt --stdout {} > design.bulkhead.json`",
                    path.display(),
                    path.display()
                );
            }
            "refused-yaml"
        } else {
            match bulkhead_store::save_bytes(
                path,
                canonical.as_bytes(),
                SaveOptions { backup: false },
            ) {
                Ok(()) => {
                    if !json {
                        if let Err(code) = crate::outln!("reformatted {}", path.display()) {
                            return code;
                        }
                    }
                    "reformatted"
                }
                Err(e) => {
                    exit = EXIT_USAGE;
                    if !json {
                        eprintln!("error: {e}");
                    }
                    "error"
                }
            }
        };
        results.push(serde_json::json!({"path": path.display().to_string(), "status": status, "migrated_from": parsed.migrated_from}));
    }
    if json && !args.stdout {
        let out = serde_json::json!({"files": results});
        let text = serde_json::to_string_pretty(&out).unwrap_or_default() + "\n";
        return common::finish_with(&text, ExitCode::from(exit));
    }
    ExitCode::from(exit)
}
