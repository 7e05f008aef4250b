//! `bulkhead schema`: print the design file's JSON Schema (the same bytes as the checked-in
//! `schema/bulkhead.schema.json`).

use std::process::ExitCode;

pub fn run() -> ExitCode {
    super::common::finish_with(&bulkhead_core::schema::json_schema(), ExitCode::SUCCESS)
}
