pub mod analyze;
pub mod design_arg;
pub mod generate;
pub mod matrix;
pub mod schema;
pub mod simulate;
pub mod why;
