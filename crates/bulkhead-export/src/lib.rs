//! `bulkhead-export`: writes configs that enforce a design (Kubernetes NetworkPolicy, Cilium,
//! Istio, Kong, NGINX), each reporting what its target cannot express. Filled in by the export work.
