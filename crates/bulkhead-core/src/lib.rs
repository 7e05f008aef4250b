//! `bulkhead-core`: the one model and the one semantics that every part of Bulkhead shares.
//!
//! The CLI, the Tauri app, the importers, the exporters and the tests all call into this crate,
//! so a rule is decided in exactly one place. It is pure: no file or network IO, no async, no
//! Tauri. Reading and writing files lives in `bulkhead-store`; fetching inventories lives in
//! `bulkhead-import`.
//!
//! - [`model`]: the design file (services, data classes, segments, rules, flows, layout).
//! - [`eval`]: `allowed(A → B, request)`, the evaluator, with an explanation on every decision.
//! - [`netpol`]: Kubernetes NetworkPolicy connectivity (exact semantics, checked against NCA).

pub mod eval;
pub mod model;
pub mod netpol;

pub use model::Design;
