//! NetworkPolicy engine benchmark: generated estates of 200, 1,000 and 10,000 workloads
//! (`netpol::sample::estate`: namespaces of 50, default deny per namespace, one policy per
//! workload with three ingress and two egress rules). Measures parsing the documents into a
//! cluster and computing its connectivity; after each size it prints the allowed pair count,
//! the result's heap size and the process's peak resident memory so far (sizes run in
//! ascending order, so that is the peak of the largest size yet).
//!
//! `cargo bench -p bulkhead-core --bench netpol`; `scripts/bench-netpol.sh` also times NCA on
//! the same machine and prints the ratio.

use std::hint::black_box;
use std::time::Duration;

use bulkhead_core::netpol::{Cluster, Connectivity, sample};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// Peak resident set size of this process, from `/proc/self/status` (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("netpol");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in [200usize, 1_000, 10_000] {
        let docs = sample::estate(n, 1);
        let cluster = Cluster::from_documents(&docs).expect("the estate is valid");
        group.bench_with_input(BenchmarkId::new("parse", n), &docs, |b, docs| {
            b.iter(|| Cluster::from_documents(black_box(docs)).expect("valid"))
        });
        group.bench_with_input(
            BenchmarkId::new("connectivity", n),
            &cluster,
            |b, cluster| b.iter(|| Connectivity::compute(black_box(cluster))),
        );
        let conn = Connectivity::compute(&cluster);
        eprintln!(
            "netpol/{n}: {} workloads, {} policies, {} classes, {} allowed pairs, result heap {:.1} MiB, peak RSS so far {}",
            cluster.workloads.len(),
            cluster.policies.len(),
            conn.class_count(),
            conn.pair_count(),
            conn.heap_bytes() as f64 / (1024.0 * 1024.0),
            peak_rss_mib().map_or("unknown".to_string(), |m| format!("{m:.0} MiB")),
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
