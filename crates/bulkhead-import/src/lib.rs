//! `bulkhead-import`: turns API inventories (OpenAPI/Swagger, Kubernetes manifests, traffic logs,
//! gateway configs; from files or URLs) into a Bulkhead design.
//!
//! - [`manifests`]: Kubernetes manifests from files and folders, as located JSON values.
//! - [`yaml`]: YAML → JSON values with alias, depth and duplicate-key protection.
//! - [`files`]: bounded, deterministic file reading shared by every importer.
//! - [`helm`]: recognising Helm templates, which must be rendered first.

pub mod files;
pub mod helm;
pub mod manifests;
pub mod yaml;

pub use manifests::{ManifestDocument, ManifestError, ManifestLimits, ManifestSet, read_manifests};
