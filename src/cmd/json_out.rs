//! Printing a result as JSON on stdout, for the engine's `--format json`.

use std::process::ExitCode;

use super::common::{EXIT_USAGE, finish_with};

/// Print a value as pretty JSON on stdout. A closed pipe ends the output quietly (see
/// [`super::common::write_stdout`]).
pub fn print_json<T: serde::Serialize>(value: &T) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(mut s) => {
            s.push('\n');
            finish_with(&s, ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: cannot serialize the result: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}
