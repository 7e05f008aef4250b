pub mod generate;
pub mod netpol;
pub mod schema;
