//! `bulkhead-core`: the one model and the one semantics that every part of Bulkhead shares.
//!
//! The CLI, the Tauri app, the importers, the exporters and the tests all call into this crate,
//! so a rule is decided in exactly one place. It is pure: no file or network IO, no async, no
//! Tauri. Reading and writing files lives in `bulkhead-store`; fetching inventories lives in
//! `bulkhead-import`.
//!
//! - [`model`]: the design file (services, data classes, segments, rules, flows, layout).
//! - [`eval`]: `allowed(A → B, request)`, the evaluator, with an explanation on every decision.
//! - [`file`]: reading design text (JSON or YAML, with locations) and writing canonical JSON.
//! - [`schema`]: the design file's JSON Schema.
//! - [`validate`]: every problem in a design, each with a stable code and a location.
//! - [`diagnostic`], [`date`]: the vocabulary those share.

// Diagnostics travel in `Err` on cold paths (a file that does not parse); boxing them would
// only add noise at every call site.
#![allow(clippy::result_large_err)]

pub mod date;
pub mod diagnostic;
pub mod eval;
pub mod file;
pub mod model;
pub mod schema;
pub mod validate;

pub use model::Design;
