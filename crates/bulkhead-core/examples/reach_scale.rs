//! One-shot measurement of breach analysis on one generated estate (about 10 allowed peers per
//! service): generating the design, building the evaluator, compiling the reach graph, the
//! all-origins worst case (SCC condensation and bitsets), one origin's simulation, and the
//! BFS-per-origin baseline (timed on a sample of origins and scaled), with the process's CPU
//! time and peak RSS. One size per process, so that the peak RSS is that size's:
//!
//! `cargo run --release -p bulkhead-core --example reach_scale -- 100000`
//!
//! `scripts/bench-reach.sh` runs it for 1k, 10k and 100k and prints a table.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bulkhead_core::analysis::all_origins_worst;
use bulkhead_core::eval::Evaluator;
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_core::reach::ReachGraph;
use bulkhead_core::simulate::run;

/// A field of `/proc/self/status` in KiB (`VmHWM`: peak RSS).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// CPU time this thread has run, from `/proc/thread-self/schedstat` (nanoseconds, exact:
/// on a loaded machine wall time mostly measures waiting for a core).
fn cpu_time() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .map(Duration::from_nanos)
        .unwrap_or_default()
}

/// Wall and CPU time of one run of `f`, and its result. The kernel updates a thread's CPU
/// time at scheduler ticks, so a short phase is repeated (results dropped) until it has run
/// for at least 200 ms, and the mean is reported.
fn timed<T>(mut f: impl FnMut() -> T) -> (T, Duration, Duration) {
    let (t, c) = (Instant::now(), cpu_time());
    let out = f();
    let (mut wall, mut cpu, mut runs) = (t.elapsed(), cpu_time() - c, 1u32);
    while wall < Duration::from_millis(200) && runs < 10_000 {
        let (t, c) = (Instant::now(), cpu_time());
        black_box(f());
        wall += t.elapsed();
        cpu += cpu_time() - c;
        runs += 1;
    }
    (out, wall / runs, cpu / runs)
}

fn main() {
    let n: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        None => 100_000,
        Some(Ok(n)) if (1..=1_000_000).contains(&n) => n,
        Some(_) => {
            eprintln!("usage: reach_scale [SERVICES]   (1 to 1000000; default 100000)");
            std::process::exit(2);
        }
    };
    let t = Instant::now();
    let design = generate(&GenerateOptions {
        services: n,
        peers: 10,
        seed: 42,
    });
    let generate_wall = t.elapsed();
    let (eval, eval_wall, eval_cpu) = timed(|| Evaluator::new(&design));
    let (graph, compile_wall, compile_cpu) = timed(|| ReachGraph::compile(&eval));
    let ((closure, stats), all_wall, all_cpu) = timed(|| all_origins_worst(&design, &graph));
    let rss_after_analysis = status_kib("VmHWM:").unwrap_or(0);

    let exploit = vec![1.0; n + 1];
    let runs = 200.min(n);
    let (_, single_wall, single_cpu) = timed(|| {
        for o in 0..runs {
            black_box(run(&graph, (o * 7919) % n, &exploit, None));
        }
    });
    let sample = n.min(1_000);
    let (_, base_wall, base_cpu) = timed(|| {
        for o in 0..sample {
            black_box(run(&graph, (o * 7919) % n, &exploit, None));
        }
    });
    let scale = (n + 1) as f64 / sample as f64;

    let mean = closure.iter().map(|r| r.services).sum::<usize>() / closure.len();
    let s = |d: Duration| d.as_secs_f64();
    println!(
        "services {n}: {} edges ({} conditional), {} SCCs, mean worst-case reach {mean}",
        stats.edges, stats.conditional_edges, stats.sccs
    );
    println!("  {:<26} {:>10} {:>10}", "", "wall", "CPU");
    let row = |name: &str, w: Duration, c: Duration| {
        println!("  {name:<26} {:>8.3} s {:>8.3} s", s(w), s(c));
    };
    println!(
        "  {:<26} {:>8.3} s (not counted)",
        "generate design",
        s(generate_wall)
    );
    row("build evaluator", eval_wall, eval_cpu);
    row("compile reach graph", compile_wall, compile_cpu);
    row("all-origins worst case", all_wall, all_cpu);
    row(
        "evaluator+compile+all",
        eval_wall + compile_wall + all_wall,
        eval_cpu + compile_cpu + all_cpu,
    );
    println!(
        "  {:<26} {:>8.3} ms {:>7.3} ms",
        "single origin (mean)",
        s(single_wall) * 1e3 / runs as f64,
        s(single_cpu) * 1e3 / runs as f64
    );
    println!(
        "  {:<26} {:>8.3} s {:>8.3} s{} -> all-origins closure is {:.0}x faster (CPU)",
        "BFS-per-origin baseline",
        s(base_wall) * scale,
        s(base_cpu) * scale,
        if sample < n + 1 {
            " (scaled from a sample)"
        } else {
            ""
        },
        s(base_cpu) * scale / s(all_cpu).max(1e-9)
    );
    println!(
        "  memory: graph {:.1} MiB, peak live closures {:.1} MiB, process peak RSS {:.1} MiB",
        graph.bytes() as f64 / 1048576.0,
        stats.peak_closure_bytes as f64 / 1048576.0,
        rss_after_analysis as f64 / 1024.0
    );
}
