pub mod design_input;
pub mod export;
pub mod generate;
pub mod propose;
pub mod schema;
