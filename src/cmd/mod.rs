//! One module per subcommand, plus the plumbing they share in [`common`].

pub mod analyze;
pub mod common;
pub mod export;
pub mod fmt;
pub mod generate;
pub mod import;
pub mod json_out;
pub mod matrix;
pub mod propose;
pub mod schema;
pub mod show;
pub mod simulate;
pub mod validate;
pub mod why;
