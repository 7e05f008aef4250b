//! Printing a result as JSON on stdout, for the engine's `--format json`.

use std::process::ExitCode;

/// Print a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot serialize the result: {e}");
            ExitCode::from(2)
        }
    }
}
