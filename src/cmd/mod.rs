//! One module per subcommand, plus the plumbing they share in [`common`].

pub mod analyze;
pub mod check;
pub mod common;
pub mod export;
pub mod fmt;
pub mod generate;
pub mod import;
pub mod json_out;
pub mod matrix;
pub mod netpol;
pub mod propose;
pub mod report;
pub mod schema;
pub mod show;
pub mod simulate;
pub mod traffic;
pub mod validate;
pub mod why;
