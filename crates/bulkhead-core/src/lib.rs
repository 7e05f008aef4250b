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
//! - [`evidence`]: flows read as requests, paths resolved to endpoint templates.
//! - [`propose`]: the least-privilege proposal, a reviewable diff of rules.

pub mod eval;
pub mod evidence;
pub mod file;
pub mod model;
pub mod propose;
pub mod schema;

pub use model::Design;
