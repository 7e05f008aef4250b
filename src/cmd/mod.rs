//! One module per subcommand, plus the plumbing they share in [`common`].

pub mod common;
pub mod export;
pub mod fmt;
pub mod generate;
pub mod schema;
pub mod show;
pub mod validate;
