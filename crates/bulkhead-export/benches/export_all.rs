//! Exporting a large generated design to every target, timed phase by phase.
//!
//! `cargo bench -p bulkhead-export --bench export_all` (sizes: `BULKHEAD_BENCH_SERVICES`, default
//! `1000,10000`). The evaluator's L4 answer (the matrix) is computed once and shared by every
//! target, as `bulkhead export` does per target; the budget is 1 s in total for 10k services.
//! Each size is run `BULKHEAD_BENCH_RUNS` times (default 3) and the best run is reported.

use std::time::{Duration, Instant};

use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_export::{Access, Options, Target, export_with};

/// One timed phase: its name, how long it took and how many bytes it wrote.
type Phase = (String, Duration, usize);

fn main() {
    let sizes: Vec<usize> = std::env::var("BULKHEAD_BENCH_SERVICES")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("BULKHEAD_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1);
    for n in sizes {
        let design = generate(&GenerateOptions {
            services: n,
            peers: 6,
            seed: 42,
        });
        let mut best: Option<(Duration, Vec<Phase>)> = None;
        for _ in 0..runs {
            let mut phases = Vec::new();
            let start = Instant::now();
            let access = Access::new(&design);
            phases.push(("evaluator matrix (shared)".to_string(), start.elapsed(), 0));
            for target in Target::ALL {
                let t = Instant::now();
                let export = export_with(&access, target, &Options::default()).expect("export");
                let bytes = export.files.iter().map(|f| f.contents.len()).sum();
                phases.push((target.name().to_string(), t.elapsed(), bytes));
            }
            let total = start.elapsed();
            if best.as_ref().is_none_or(|(b, _)| total < *b) {
                best = Some((total, phases));
            }
        }
        let (total, phases) = best.expect("at least one run");
        println!(
            "export_all: {n} services, {} rules, best of {runs}",
            design.rules.len()
        );
        for (name, d, bytes) in &phases {
            println!(
                "  {name:<28} {:>9.1} ms {:>12} bytes",
                d.as_secs_f64() * 1e3,
                bytes
            );
        }
        println!(
            "  {:<28} {:>9.1} ms  (budget for 10k services: 1000 ms)",
            "total",
            total.as_secs_f64() * 1e3
        );
    }
}
