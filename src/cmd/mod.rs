pub mod generate;
pub mod import;
pub mod schema;
