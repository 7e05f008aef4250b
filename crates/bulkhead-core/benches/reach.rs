//! Breach analysis on generated estates of 1k, 10k and 100k services (~10 allowed peers each):
//! compiling the reach graph from the evaluator, the all-origins worst case (SCC condensation
//! and bitsets), both together (what `bulkhead analyze` pays), one origin's simulation, and the
//! baselines they replace (one fixpoint search per origin; the straightforward reach graph
//! construction asking the public evaluator API about every pair), all in the same run.
//!
//! `cargo bench -p bulkhead-core --bench reach`; `BULKHEAD_BENCH_SIZES=1000,10000` to choose
//! sizes. Before the criterion groups it prints, per size, one timed run of each with the
//! closure/baseline ratio and the memory: bytes of the compiled graph, peak bytes of live
//! closure bitsets, and the process's peak RSS (`VmHWM`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use bulkhead_core::analysis::{all_origins_by_search, all_origins_worst};
use bulkhead_core::eval::Evaluator;
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_core::reach::ReachGraph;
use bulkhead_core::simulate::run;
use criterion::{Criterion, criterion_group, criterion_main};

fn sizes() -> Vec<usize> {
    std::env::var("BULKHEAD_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000])
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn estate(n: usize) -> bulkhead_core::Design {
    generate(&GenerateOptions {
        services: n,
        peers: 10,
        seed: 42,
    })
}

fn bench(c: &mut Criterion) {
    for n in sizes() {
        let design = estate(n);
        let eval = Evaluator::new(&design);
        let t = Instant::now();
        let graph = ReachGraph::compile(&eval);
        let compile = t.elapsed();
        let t = Instant::now();
        let (closure, stats) = all_origins_worst(&design, &graph);
        let all = t.elapsed();
        let exploit = vec![1.0; n + 1];
        let t = Instant::now();
        let single_runs = 100.min(n);
        for o in 0..single_runs {
            black_box(run(&graph, (o * 7919) % n, &exploit, None));
        }
        let single = t.elapsed() / single_runs as u32;
        // The baseline at 100k would take minutes; time a sample of origins and scale.
        let sample = n.min(2_000);
        let t = Instant::now();
        let mut reached = 0usize;
        for o in 0..sample {
            let out = run(&graph, (o * 7919) % n, &exploit, None);
            reached += out.reach.iter().filter(|&&p| p > 0.0).count();
        }
        let baseline = t.elapsed().mul_f64((n + 1) as f64 / sample as f64);
        if n <= 10_000 {
            // Same answers, or the comparison means nothing.
            assert_eq!(closure, all_origins_by_search(&design, &graph));
        }
        let avg = closure.iter().map(|r| r.services).sum::<usize>() / closure.len();
        eprintln!(
            "[bulkhead] n={n}: {} edges ({} conditional), {} SCCs, mean worst-case reach {avg} (sampled {})",
            stats.edges,
            stats.conditional_edges,
            stats.sccs,
            reached / sample.max(1)
        );
        eprintln!(
            "[bulkhead] n={n}: compile {compile:?}; all-origins {all:?}; single origin {single:?}; BFS-per-origin baseline {baseline:?}{}; closure is {:.1}x faster",
            if sample < n + 1 {
                " (scaled from a sample)"
            } else {
                ""
            },
            baseline.as_secs_f64() / all.as_secs_f64()
        );
        eprintln!(
            "[bulkhead] n={n}: graph {:.1} MiB, peak live closures {:.1} MiB, process peak RSS {:.1} MiB",
            graph.bytes() as f64 / 1048576.0,
            stats.peak_closure_bytes as f64 / 1048576.0,
            peak_rss_kib().unwrap_or(0) as f64 / 1024.0
        );

        if n <= 1_000 {
            let t = Instant::now();
            let reference = ReachGraph::compile_reference(&eval);
            eprintln!(
                "[bulkhead] n={n}: straightforward reach graph (every pair through `grants_at`) {:?} vs compile {compile:?}",
                t.elapsed()
            );
            assert_eq!(reference, graph, "the fast construction must equal it");
        }

        let mut group = c.benchmark_group(format!("estate-{n}"));
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(300));
        group.measurement_time(Duration::from_secs(if n >= 100_000 { 20 } else { 3 }));
        group.bench_function("all-origins worst case (SCC + bitsets)", |b| {
            b.iter(|| black_box(all_origins_worst(&design, &graph)))
        });
        group.bench_function("single origin (worst case)", |b| {
            let mut o = 0usize;
            b.iter(|| {
                o = (o + 7919) % n;
                black_box(run(&graph, o, &exploit, None))
            })
        });
        if n <= 10_000 {
            group.bench_function("baseline: fixpoint search per origin", |b| {
                b.iter(|| black_box(all_origins_by_search(&design, &graph)))
            });
        }
        group.bench_function("compile reach graph (evaluator)", |b| {
            b.iter(|| black_box(ReachGraph::compile(&eval)))
        });
        group.bench_function("compile + all-origins worst case", |b| {
            b.iter(|| {
                let graph = ReachGraph::compile(&eval);
                black_box(all_origins_worst(&design, &graph))
            })
        });
        if n <= 1_000 {
            group.bench_function("baseline: straightforward reach graph", |b| {
                b.iter(|| black_box(ReachGraph::compile_reference(&eval)))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
