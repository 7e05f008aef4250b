//! `examples/online-boutique.bulkhead.json` is built from the real Online Boutique manifests:
//! every Deployment is a service with its namespace, pod labels, service account and container
//! ports, and every `*_ADDR` variable that names a deployed Service is a declared flow at the
//! target's container port, which a port-specific rule allows.
//!
//! The corpus is found through `BULKHEAD_CORPUS`, or by walking up from the repository looking
//! for `shared/corpus` (it sits beside the checkout). Without it the test says so loudly and
//! passes, except in CI (`CI` set), where a missing corpus is a failure.

use std::collections::BTreeMap;
use std::path::PathBuf;

use bulkhead_core::Design;
use bulkhead_core::eval::{Caller, Evaluator, Request};
use serde_json::Value;

const MANIFESTS: &str = "GoogleCloudPlatform__microservices-demo/release/kubernetes-manifests.yaml";

fn corpus() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("BULKHEAD_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for _ in 0..6 {
        for candidate in [dir.join("shared/corpus"), dir.join("../shared/corpus")] {
            if candidate.is_dir() {
                return Some(candidate);
            }
        }
        if !dir.pop() {
            break;
        }
    }
    None
}

/// The manifest's documents, each parsed by the design reader's YAML parser (one document
/// at a time: it refuses multi-document streams by design).
fn documents(text: &str) -> Vec<Value> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.lines().chain(std::iter::once("---")) {
        if line.trim_end() == "---" {
            if !current.trim().is_empty() {
                let (v, _) = bulkhead_core::file::yaml::parse(&current)
                    .unwrap_or_else(|e| panic!("corpus YAML: {e:?}"));
                if !v.is_null() {
                    docs.push(v);
                }
            }
            current.clear();
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    docs
}

#[test]
fn boutique_example_matches_the_manifests() {
    let Some(corpus) = corpus() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the corpus (shared/corpus) is missing in CI"
        );
        eprintln!("SKIPPED: shared/corpus not found; set BULKHEAD_CORPUS to run this test");
        return;
    };
    let text = std::fs::read_to_string(corpus.join(MANIFESTS)).expect("read the manifests");
    let docs = documents(&text);
    let example = include_str!("../examples/online-boutique.bulkhead.json");
    let design: Design = bulkhead_core::file::parse(example)
        .expect("example parses")
        .design;
    let evaluator = Evaluator::new(&design);

    let kind = |d: &Value| d["kind"].as_str().unwrap_or_default().to_string();
    // Service name and port -> (selected app, container port).
    let mut addresses: BTreeMap<(String, u64), (String, u64)> = BTreeMap::new();
    for s in docs.iter().filter(|d| kind(d) == "Service") {
        let app = s["spec"]["selector"]["app"].as_str().unwrap_or_default();
        for p in s["spec"]["ports"].as_array().into_iter().flatten() {
            let port = p["port"].as_u64().unwrap_or_default();
            let target = p["targetPort"].as_u64().unwrap_or(port);
            let name = s["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            addresses.insert((name, port), (app.to_string(), target));
        }
    }

    let deployments: Vec<&Value> = docs.iter().filter(|d| kind(d) == "Deployment").collect();
    assert_eq!(
        deployments.len(),
        design.services.len(),
        "one service per Deployment"
    );
    let mut flows_checked = 0;
    for dep in deployments {
        let name = dep["metadata"]["name"].as_str().expect("name");
        let ns = dep["metadata"]["namespace"].as_str().unwrap_or("default");
        let svc = design
            .service(name)
            .unwrap_or_else(|| panic!("no service for Deployment `{name}`"));
        let pod = &dep["spec"]["template"];
        assert_eq!(svc.namespace.as_deref(), Some(ns), "{name}");
        let labels: BTreeMap<String, String> =
            serde_json::from_value(pod["metadata"]["labels"].clone()).expect("labels");
        assert_eq!(svc.labels, labels, "{name}");
        let sa = pod["spec"]["serviceAccountName"]
            .as_str()
            .unwrap_or("default");
        assert_eq!(
            svc.identity.as_deref(),
            Some(format!("{ns}/{sa}").as_str()),
            "{name}"
        );
        let containers = pod["spec"]["containers"].as_array().expect("containers");
        let mut ports: Vec<u64> = containers
            .iter()
            .flat_map(|c| c["ports"].as_array().into_iter().flatten())
            .filter_map(|p| p["containerPort"].as_u64())
            .collect();
        ports.sort_unstable();
        let mut ours: Vec<u64> = svc.ports.iter().map(|p| u64::from(p.port)).collect();
        ours.sort_unstable();
        assert_eq!(ours, ports, "{name} container ports");
        assert!(
            svc.ports.iter().all(|p| p.name.is_some()),
            "{name}: ports are named"
        );
        assert!(!svc.provenance.is_empty(), "{name}: provenance");

        for c in containers {
            for env in c["env"].as_array().into_iter().flatten() {
                let var = env["name"].as_str().unwrap_or_default();
                let Some(addr) = env["value"].as_str() else {
                    continue;
                };
                if !var.ends_with("_ADDR") {
                    continue;
                }
                let Some((host, port)) = addr.split_once(':') else {
                    continue;
                };
                let key = (host.to_string(), port.parse().unwrap_or(0));
                // Optional services the release does not deploy have no Service: no flow.
                let Some((to, target)) = addresses.get(&key) else {
                    continue;
                };
                let flow = design
                    .flows
                    .iter()
                    .find(|f| f.from == name && f.to == *to)
                    .unwrap_or_else(|| panic!("no flow for {name} {var}={addr}"));
                assert_eq!(flow.port.map(u64::from), Some(*target), "{name} {var}");
                let req = Request {
                    port: flow.port,
                    ..Request::default()
                };
                assert!(
                    evaluator
                        .allowed(&Caller::Service(name.to_string()), to, &req)
                        .is_allowed(),
                    "{name} -> {to}:{target} is not allowed"
                );
                // Port-specific: another port to the same target is denied.
                let other = Request {
                    port: Some(1),
                    ..Request::default()
                };
                assert!(
                    !evaluator
                        .allowed(&Caller::Service(name.to_string()), to, &other)
                        .is_allowed(),
                    "{name} -> {to} allowed on any port"
                );
                flows_checked += 1;
            }
        }
    }
    assert!(flows_checked >= 15, "only {flows_checked} flows checked");
}
