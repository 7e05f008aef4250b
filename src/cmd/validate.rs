//! `bulkhead validate FILE...`: report every problem in each design, with locations.
//!
//! Exit 0 when every file is valid (warnings allowed), 1 when any has errors, 2 when a file
//! cannot be read.

use std::path::PathBuf;
use std::process::ExitCode;

use super::common::{
    self, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, FormatArg, OutputFormat, check_file, counts,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Design files (`.json`, or YAML).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub format: FormatArg,
}

pub fn run(args: &Args) -> ExitCode {
    let options = match common::validate_options() {
        Ok(o) => o,
        Err(e) => return common::fail_usage(e),
    };
    let mut exit = EXIT_OK;
    let mut json_files = Vec::new();
    let (mut total_errors, mut total_warnings) = (0, 0);
    for path in &args.files {
        match check_file(path, &options) {
            Err(e) => {
                exit = EXIT_USAGE;
                match args.format.format {
                    OutputFormat::Json => json_files.push(serde_json::json!({
                        "path": path.display().to_string(),
                        "valid": false,
                        "error": {"code": e.code(), "message": e.to_string()},
                    })),
                    OutputFormat::Human => eprintln!("error: {e}"),
                }
            }
            Ok(checked) => {
                let r = &checked.report;
                total_errors += r.errors();
                total_warnings += r.warnings();
                if !r.is_valid() && exit == EXIT_OK {
                    exit = EXIT_FINDINGS;
                }
                match args.format.format {
                    OutputFormat::Json => json_files.push(serde_json::json!({
                        "path": path.display().to_string(),
                        "valid": r.is_valid(),
                        "syntax": r.syntax,
                        "migrated_from": r.migrated_from,
                        "canonical": r.canonical,
                        "errors": r.errors(),
                        "warnings": r.warnings(),
                        "diagnostics": r.diagnostics,
                    })),
                    OutputFormat::Human => {
                        let verdict = if r.is_valid() { "ok" } else { "invalid" };
                        let text = format!(
                            "{}{}: {verdict} ({})\n",
                            common::render_diagnostics(path, &checked.text, &r.diagnostics),
                            path.display(),
                            counts(r.errors(), r.warnings())
                        );
                        if let Err(code) = common::write_stdout(&text) {
                            return code;
                        }
                    }
                }
            }
        }
    }
    if args.format.format == OutputFormat::Json {
        let out = serde_json::json!({
            "valid": exit == EXIT_OK,
            "errors": total_errors,
            "warnings": total_warnings,
            "files": json_files,
        });
        let text = serde_json::to_string_pretty(&out).unwrap_or_default() + "\n";
        return common::finish_with(&text, ExitCode::from(exit));
    }
    ExitCode::from(exit)
}
