//! Kubernetes NetworkPolicy connectivity: exact `networking.k8s.io/v1` semantics, checked
//! against network-config-analyzer (NCA) and orders of magnitude faster than it.
//!
//! Pure: documents come in as `serde_json::Value` (the CLI and importers read the YAML).
//!
//! - [`objects`]: the Kubernetes objects read (NetworkPolicy in full; workloads reduced to
//!   namespace, name, kind, pod labels and named ports; namespace labels), with located errors.
//! - [`engine`]: [`Connectivity::compute`], the allowed connections between every pair of
//!   workloads and between workloads and external address ranges.
//! - [`explain`]: for one pair, which policies select each side and which rules allow.
//! - [`report`]: NCA-style lines and normalized rows for differential tests.
//! - [`sample`]: seeded generators of clusters, for the differential test and the benchmark.
//! - [`conn`], [`ip`], [`ranges`], [`selector`]: exact port, address and label sets; sets of
//!   workload classes are the crate's [`Bits`](crate::bits::Bits).

pub mod conn;
pub mod engine;
pub mod explain;
pub mod ip;
pub mod objects;
pub mod ranges;
pub mod report;
pub mod sample;
pub mod selector;

pub use conn::{ConnSet, Protocol};
pub use engine::Connectivity;
pub use explain::{Endpoint, Explanation, explain};
pub use objects::{Cluster, InputError};

#[cfg(test)]
mod tests;
