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
//! - [`drift`]: the design against observed calls and live policies (`bulkhead check`).
//! - [`propose`]: the least-privilege proposal, a reviewable diff of rules.
//! - [`validate`]: every problem in a design, each with a stable code and a location.
//! - [`diagnostic`], [`date`]: the vocabulary those share.
//! - [`matrix`]: the evaluator's whole answer at L4, which the exporters' proofs compare against.
//! - [`generate`]: deterministic synthetic estates for benchmarks, tests and demos.
//! - [`reach`]: the evaluator's L4 answer compiled into a graph for simulation and analysis.
//! - [`simulate`]: breach simulation from the internet or a breached service.
//! - [`analysis`]: every origin's blast radius, worst first, and the findings.
//! - [`findings`]: one rule per file, each with its documentation.
//! - [`report`]: the result types the CLI and the app serialize, and their JSON Schema.

// Diagnostics travel in `Err` on cold paths (a file that does not parse); boxing them would
// only add noise at every call site.
#![allow(clippy::result_large_err)]

pub mod analysis;
pub mod bits;
pub mod date;
pub mod diagnostic;
pub mod drift;
pub mod eval;
pub mod evidence;
pub mod file;
pub mod findings;
pub mod generate;
pub mod matrix;
pub mod model;
pub mod netpol;
pub mod propose;
pub mod reach;
pub mod report;
pub mod schema;
pub mod simulate;
pub mod validate;

pub use model::Design;
