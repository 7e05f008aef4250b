//! `bulkhead schema`: print the design file's JSON Schema.

use std::process::ExitCode;

pub fn run() -> ExitCode {
    let schema = schemars::schema_for!(bulkhead_core::Design);
    match serde_json::to_string_pretty(&schema) {
        Ok(s) => {
            println!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
