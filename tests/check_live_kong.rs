//! `bulkhead check --live kong.yaml`: a live Kong config against the design, per declared
//! endpoint and caller (`docs/drift.md`).
//!
//! The Kong exporter (`bulkhead export --target kong`, another code path, built from the
//! evaluator's decisions) is the reference: its output for each example must show no drift,
//! and each hand-made change to it must show exactly the (caller, endpoint) pairs it opens or
//! closes, computed here independently with the evaluator.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bulkhead_core::eval::{Caller, Evaluator, Request};
use serde_json::Value;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bulkhead"))
        .args(args)
        // A fixed date: rules with `expires` dates are judged the same on any day.
        .env("BULKHEAD_TODAY", "2026-11-28")
        .output()
        .expect("run bulkhead")
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.bulkhead.json"))
}

/// Exports `name` to Kong and returns the config as JSON.
fn exported(dir: &Path, name: &str) -> Value {
    let out = dir.join(name);
    let o = run(&[
        "export",
        example(name).to_str().unwrap(),
        "--target",
        "kong",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("kong.yaml")).unwrap();
    let docs = bulkhead_import::yaml::parse_documents(&text, &Default::default()).unwrap();
    docs.into_iter().next().unwrap().value
}

/// A difference as (from, to, method, path, design allows, gateway lets through).
type Difference = (String, String, String, String, bool, bool);

/// `check --live` on `config` (written as JSON, which decK also reads); the differences as
/// (from, to, method, path, design, gateway) and the exit code.
fn check(dir: &Path, name: &str, config: &Value) -> (Option<i32>, Vec<Difference>) {
    let file = dir.join(format!("{name}-live.json"));
    std::fs::write(&file, serde_json::to_string_pretty(config).unwrap()).unwrap();
    let o = run(&[
        "check",
        example(name).to_str().unwrap(),
        "--live",
        file.to_str().unwrap(),
        "--format",
        "json",
        // Only live drift gates here (fintech records an observed violation of its own).
        "--fail-on",
        "live",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr)));
    let g = &v["gateway"];
    assert!(g["compared"].as_u64().unwrap() > 100, "{g}");
    let mut diffs: Vec<_> = g["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["from"].as_str().unwrap().to_string(),
                d["to"].as_str().unwrap().to_string(),
                d["method"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["design"].as_bool().unwrap(),
                d["gateway"].as_bool().unwrap(),
            )
        })
        .collect();
    diffs.sort();
    (o.status.code(), diffs)
}

fn design(name: &str) -> bulkhead_core::Design {
    bulkhead_core::file::parse(&std::fs::read_to_string(example(name)).unwrap())
        .unwrap()
        .design
}

#[test]
fn the_exported_kong_config_shows_no_drift() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["fintech", "online-boutique"] {
        let config = exported(tmp.path(), name);
        let (code, diffs) = check(tmp.path(), name, &config);
        assert_eq!(diffs, vec![], "{name}");
        assert_eq!(code, Some(0), "{name}");
    }
}

#[test]
fn opening_an_acl_to_the_internet_is_drift_on_exactly_that_route() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = exported(tmp.path(), "fintech");
    // The first route whose ACL does not admit the anonymous consumer (the internet) yet.
    let (svc_name, host, route_name, method, acl_allow) = {
        let mut found = None;
        'outer: for s in config["services"].as_array().unwrap() {
            for r in s["routes"].as_array().unwrap() {
                for p in r["plugins"].as_array().unwrap() {
                    if p["name"] == "acl"
                        && !p["config"]["allow"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|g| g == "caller-internet")
                    {
                        found = Some((
                            s["name"].as_str().unwrap().to_string(),
                            s["host"].as_str().unwrap().to_string(),
                            r["name"].as_str().unwrap().to_string(),
                            r["methods"][0].as_str().unwrap_or("*").to_string(),
                            p["config"]["allow"].clone(),
                        ));
                        break 'outer;
                    }
                }
            }
        }
        found.expect("a route closed to the internet")
    };
    assert!(acl_allow.as_array().is_some());
    for s in config["services"].as_array_mut().unwrap() {
        for r in s["routes"].as_array_mut().unwrap() {
            if r["name"] == route_name.as_str() {
                for p in r["plugins"].as_array_mut().unwrap() {
                    if p["name"] == "acl" {
                        p["config"]["allow"]
                            .as_array_mut()
                            .unwrap()
                            .push("caller-internet".into());
                    }
                }
            }
        }
    }
    let (code, diffs) = check(tmp.path(), "fintech", &config);
    assert_eq!(code, Some(1), "live drift fails the check");
    assert!(!diffs.is_empty(), "{svc_name} {route_name}");
    let target = host.split('.').next().unwrap();
    for d in &diffs {
        // The internet now gets through where the design denies it; nothing else changed.
        assert_eq!(
            (d.0.as_str(), d.1.as_str(), d.2.as_str(), d.4, d.5),
            ("internet", target, method.as_str(), false, true),
            "{d:?}"
        );
    }
}

#[test]
fn a_service_losing_its_key_is_refused_where_only_it_was_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = exported(tmp.path(), "fintech");
    let who = "web-bff";
    for c in config["consumers"].as_array_mut().unwrap() {
        if c["username"] == who {
            c.as_object_mut().unwrap().remove("keyauth_credentials");
        }
    }
    let (code, diffs) = check(tmp.path(), "fintech", &config);
    assert_eq!(code, Some(1));
    // Expected, from the evaluator alone: every endpoint of a service Kong fronts that the
    // design lets `web-bff` call and not the internet (which `web-bff` now is to Kong).
    let d = design("fintech");
    let eval = Evaluator::new(&d);
    let fronted: Vec<String> = config["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["host"]
                    .as_str()
                    .unwrap()
                    .split('.')
                    .next()
                    .unwrap()
                    .to_string(),
                s["port"].as_u64().unwrap() as u32,
            )
        })
        .map(|(h, p)| format!("{h}:{p}"))
        .collect();
    let mut expected = Vec::new();
    for s in &d.services {
        for p in &s.ports {
            if !fronted.contains(&format!("{}:{}", s.id, p.port)) || s.id == who {
                continue;
            }
            for e in &s.endpoints {
                let req = Request {
                    port: Some(p.port),
                    method: Some(e.method.clone()),
                    path: Some(e.path.clone()),
                };
                let me = eval.allowed(&Caller::Service(who.into()), &s.id, &req);
                let internet = eval.allowed(&Caller::Internet, &s.id, &req);
                if me.is_allowed() && !internet.is_allowed() {
                    expected.push((
                        who.to_string(),
                        s.id.clone(),
                        e.method.clone(),
                        e.path.clone(),
                        true,
                        false,
                    ));
                }
            }
        }
    }
    expected.sort();
    assert!(!expected.is_empty());
    assert_eq!(diffs, expected);
}
