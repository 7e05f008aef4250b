//! `bulkhead-import`: turns API inventories (OpenAPI/Swagger, Kubernetes manifests, traffic logs,
//! gateway configs; from files or URLs) into a Bulkhead design. Filled in by the import work.
