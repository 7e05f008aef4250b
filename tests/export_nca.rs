//! Connectivity differential: the pod-to-pod connectivity that network-config-analyzer (NCA,
//! np-guard) computes from the exported NetworkPolicies plus Deployment manifests of the design's
//! services must equal the (caller, service, ports) the evaluator allows at L4 — for both example
//! designs, the hand-made fixture and 100 generated designs. Internet ingress (ipBlock) is
//! compared too. Any difference fails with the pair and both verdicts.
//!
//! NCA is slow to start (seconds) and roughly quadratic in workloads, so designs are batched into
//! one NCA run per ~150 workloads; each design's namespaces get a `d<k>-` prefix so batched
//! designs cannot see each other (the evaluator does not look at namespaces).
//!
//! It takes minutes, so `cargo test` skips it; scripts/test.d/40-export-proofs.sh runs it with
//! `--ignored`. Needs `.venv-verify` (scripts/setup.sh). Without it the test is skipped loudly, except under
//! CI (`CI` set), where it fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use bulkhead_core::Design;
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_export::access::{Access, CallerRef};
use bulkhead_export::names::dns_label;
use bulkhead_export::netpol::selectable;
use bulkhead_export::workloads::{deployments, protocol};
use bulkhead_export::{Options, Target, export_with};

const MAX_WORKLOADS_PER_RUN: usize = 100;
const GENERATED: u64 = 100;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The venv's python and the NCA wrapper, or `None` (skip) outside CI.
fn tools() -> Option<(PathBuf, PathBuf)> {
    let py = root().join(".venv-verify/bin/python");
    let nca = root().join(".venv-verify/bin/nca");
    let script = root().join("tests/verify/nca_pairs.py");
    if py.exists() && nca.exists() && script.exists() {
        return Some((py, script));
    }
    if std::env::var_os("CI").is_some() {
        panic!("network-config-analyzer is missing under CI: run scripts/setup.sh");
    }
    eprintln!(
        "SKIPPED export_nca: .venv-verify with network-config-analyzer not found; run scripts/setup.sh"
    );
    None
}

fn load(path: &Path) -> Design {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// NCA's canonical connection string (as nca_pairs.py writes it) for a set of ports.
fn conn(ports: &BTreeSet<(&'static str, u32)>, all: bool) -> String {
    if all {
        return "All".into();
    }
    let mut by_proto: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (p, n) in ports {
        by_proto.entry(p).or_default().push(*n);
    }
    let mut parts = Vec::new();
    for proto in ["TCP", "UDP", "SCTP"] {
        let Some(mut ns) = by_proto.remove(proto) else {
            continue;
        };
        ns.sort();
        ns.dedup();
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        for n in ns {
            match ranges.last_mut() {
                Some((_, hi)) if *hi + 1 == n => *hi = n,
                _ => ranges.push((n, n)),
            }
        }
        let r: Vec<String> = ranges
            .iter()
            .map(|(a, b)| {
                if a == b {
                    a.to_string()
                } else {
                    format!("{a}-{b}")
                }
            })
            .collect();
        parts.push(format!("{proto}:{}", r.join(",")));
    }
    parts.join(";")
}

struct Expected {
    /// (src workload, dst workload) -> (conn, what allowed it)
    pairs: BTreeMap<(String, String), (String, String)>,
    /// dst workload -> conn, for internet ingress
    internet: BTreeMap<String, (String, String)>,
}

fn workload(access: &Access<'_>, i: usize) -> String {
    let s = access.service(i);
    format!(
        "{}/{}[Deployment]",
        s.namespace.as_deref().unwrap_or(""),
        dns_label(&s.id)
    )
}

/// What the evaluator allows, in NCA's terms (in-cluster, selectable services only).
fn expected(access: &Access<'_>) -> Expected {
    let mut pairs = BTreeMap::new();
    let mut internet = BTreeMap::new();
    for &t in &access.order {
        if selectable(access.service(t)).is_none() {
            continue;
        }
        for g in &access.inbound[t] {
            let mut ports = BTreeSet::new();
            let mut all = false;
            let mut by = BTreeSet::new();
            for p in &g.ports {
                match p.port {
                    Some(port) => {
                        ports.insert((protocol(port.protocol), port.port));
                    }
                    None => all = true,
                }
                by.insert(bulkhead_export::access::allowed_by_name(&p.by));
            }
            let by = by.into_iter().collect::<Vec<_>>().join(", ");
            match g.caller {
                CallerRef::Internet => {
                    internet.insert(workload(access, t), (conn(&ports, all), by));
                }
                CallerRef::Service(c) if c != t && selectable(access.service(c)).is_some() => {
                    pairs.insert(
                        (workload(access, c), workload(access, t)),
                        (conn(&ports, all), by),
                    );
                }
                CallerRef::Service(_) => {}
            }
        }
    }
    Expected { pairs, internet }
}

struct Case {
    name: String,
    design: Design,
    egress: bool,
}

fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let mut fixed = vec![(
        "mini-shop".to_string(),
        root().join("crates/bulkhead-export/tests/data/mini-shop.bulkhead.json"),
    )];
    for name in ["online-boutique", "fintech"] {
        let p = root().join(format!("examples/{name}.bulkhead.json"));
        assert!(p.exists(), "example design {} is missing", p.display());
        fixed.push((name.to_string(), p));
    }
    for (name, path) in fixed {
        for egress in [false, true] {
            out.push(Case {
                name: name.clone(),
                design: load(&path),
                egress,
            });
        }
    }
    for seed in 1..=GENERATED {
        let services = 6 + (seed as usize * 7) % 13;
        let design = generate(&GenerateOptions {
            services,
            peers: 4 + (seed as usize % 4),
            seed,
        });
        // Every fourth generated design is also checked with the egress variant.
        for egress in [false, true] {
            if egress && seed % 4 != 0 {
                continue;
            }
            out.push(Case {
                name: format!("generated-seed{seed}-{services}svc"),
                design: design.clone(),
                egress,
            });
        }
    }
    out
}

#[test]
#[ignore = "slow (NCA, minutes): run by scripts/test.d/40-export-proofs.sh with --ignored"]
fn networkpolicy_connectivity_equals_the_evaluator() {
    let Some((py, script)) = tools() else {
        return;
    };
    let cases = cases();
    let tmp = tempfile::tempdir().unwrap();
    // Prepare every case: prefixed namespaces, export, manifests, expectations.
    let mut prepared: Vec<(String, PathBuf, usize, Expected)> = Vec::new();
    for (k, case) in cases.into_iter().enumerate() {
        let mut design = case.design;
        for s in &mut design.services {
            if let Some(ns) = &s.namespace {
                s.namespace = Some(format!("d{k}-{ns}"));
            }
        }
        let access = Access::new(
            &design,
            bulkhead_core::date::Date::parse("2026-11-28").expect("a date"),
        );
        let target = if case.egress {
            Target::NetworkPolicyEgress
        } else {
            Target::NetworkPolicy
        };
        let exp = export_with(&access, target, &Options::default()).expect("export");
        let dir = tmp.path().join(format!("case-{k}"));
        std::fs::create_dir_all(&dir).unwrap();
        for f in exp.files.iter().filter(|f| f.path != "kustomization.yaml") {
            std::fs::write(dir.join(&f.path), &f.contents).unwrap();
        }
        std::fs::write(dir.join("workloads.yaml"), deployments(&access)).unwrap();
        let workloads = design
            .services
            .iter()
            .filter(|s| selectable(s).is_some())
            .count();
        let name = format!(
            "{}{}",
            case.name,
            if case.egress { " (egress variant)" } else { "" }
        );
        prepared.push((name, dir, workloads, expected(&access)));
    }
    // Batch into NCA runs.
    let mut batches: Vec<Vec<usize>> = vec![Vec::new()];
    let mut load = 0;
    for (i, (_, _, w, _)) in prepared.iter().enumerate() {
        if load + w > MAX_WORKLOADS_PER_RUN && !batches.last().unwrap().is_empty() {
            batches.push(Vec::new());
            load = 0;
        }
        batches.last_mut().unwrap().push(i);
        load += w;
    }
    let results: Vec<serde_json::Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = batches
            .chunks(batches.len().div_ceil(2))
            .map(|chunk| {
                let (py, script, prepared) = (&py, &script, &prepared);
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|batch| {
                            let mut cmd = Command::new(py);
                            cmd.arg(script);
                            for &i in batch {
                                cmd.arg(&prepared[i].1);
                            }
                            let out = cmd.output().expect("run nca_pairs.py");
                            assert!(
                                out.status.success(),
                                "nca_pairs.py failed: {}",
                                String::from_utf8_lossy(&out.stderr)
                            );
                            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });

    // Index NCA's answers by the case prefix of the namespace (`d<k>-`).
    let case_of = |workload: &str| -> Option<usize> {
        let ns = workload.split('/').next()?;
        ns.strip_prefix('d')?.split('-').next()?.parse().ok()
    };
    let mut got_pairs: BTreeMap<usize, BTreeMap<(String, String), String>> = BTreeMap::new();
    let mut got_internet: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
    for r in &results {
        for p in r["pairs"].as_array().unwrap() {
            let (src, dst, c) = (
                p[0].as_str().unwrap(),
                p[1].as_str().unwrap(),
                p[2].as_str().unwrap(),
            );
            let (Some(a), Some(b)) = (case_of(src), case_of(dst)) else {
                panic!("unexpected workload in NCA output: {p}");
            };
            assert_eq!(a, b, "NCA connects workloads of two different designs: {p}");
            got_pairs
                .entry(a)
                .or_default()
                .insert((src.into(), dst.into()), c.into());
        }
        for e in r["ip"].as_array().unwrap() {
            let (w, dir, first, last, c) = (
                e[0].as_str().unwrap(),
                e[1].as_str().unwrap(),
                e[2].as_str().unwrap(),
                e[3].as_str().unwrap(),
                e[4].as_str().unwrap(),
            );
            if dir == "ingress" && first == "0.0.0.0" && last == "255.255.255.255" {
                if let Some(k) = case_of(w) {
                    got_internet
                        .entry(k)
                        .or_default()
                        .insert(w.into(), c.into());
                }
            } else if dir == "ingress" {
                // Partial ranges would mean a policy allows some addresses only.
                if first == "0.0.0.0" && last.contains(':') {
                    continue; // the IPv4+IPv6 merged range, covered by the IPv4 entry
                }
                panic!("unexpected partial internet ingress from NCA: {e}");
            }
        }
    }

    let mut failures = Vec::new();
    let mut compared = 0usize;
    for (k, (name, _, _, exp)) in prepared.iter().enumerate() {
        let got = got_pairs.remove(&k).unwrap_or_default();
        let keys: BTreeSet<&(String, String)> = got.keys().chain(exp.pairs.keys()).collect();
        for key in keys {
            compared += 1;
            let nca = got.get(key).map(String::as_str).unwrap_or("denied");
            let (eval, by) = exp
                .pairs
                .get(key)
                .map(|(c, b)| (c.as_str(), format!(" (allowed by {b})")))
                .unwrap_or(("denied", String::new()));
            if nca != eval {
                failures.push(format!(
                    "{name}: {} -> {}: NCA says {nca}, the evaluator says {eval}{by}",
                    key.0, key.1
                ));
            }
        }
        let got_i = got_internet.remove(&k).unwrap_or_default();
        let keys: BTreeSet<&String> = got_i.keys().chain(exp.internet.keys()).collect();
        for w in keys {
            let nca = got_i.get(w).map(String::as_str).unwrap_or("denied");
            let eval = exp
                .internet
                .get(w)
                .map(|(c, _)| c.as_str())
                .unwrap_or("denied");
            if nca != eval {
                failures.push(format!(
                    "{name}: internet -> {w}: NCA says {nca}, the evaluator says {eval}"
                ));
            }
        }
    }
    eprintln!(
        "export_nca: {} cases in {} NCA runs, {compared} workload pairs compared, {} differences",
        prepared.len(),
        batches.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
