//! Criterion benchmark of exporting generated estates of 1,000 and 10,000 services to every
//! target, with the per-pair matrix (the path before session 2) as the baseline in the same
//! run.
//!
//! `cargo bench -p bulkhead-export --bench export` (or `scripts/bench-export.sh`, which also
//! runs the phase-by-phase `export_all` table). Groups:
//! - `matrix/fast/N` and `matrix/per-pair/N`: the evaluator's L4 answer, asking only possible
//!   callers vs every (caller, target, port); the per-pair baseline runs at 1,000 only (it is
//!   quadratic: about two minutes at 10,000);
//! - `all-targets/N`: [`Access::new`] plus all six targets, what the 1 s budget is for.

use std::hint::black_box;
use std::time::Duration;

use bulkhead_core::eval::Evaluator;
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_core::matrix::{matrix, matrix_exhaustive};
use bulkhead_export::{Access, Options, Target, export_with};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn all_targets(design: &bulkhead_core::Design) -> usize {
    // A fixed date: the same rules are exported on any day.
    let today = bulkhead_core::date::Date::parse("2026-11-28").expect("a date");
    let access = Access::new(design, today);
    let mut bytes = 0;
    for target in Target::ALL {
        let e = export_with(&access, target, &Options::default()).expect("export");
        bytes += e.files.iter().map(|f| f.contents.len()).sum::<usize>();
    }
    bytes
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("export");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(2));
    for n in [1_000usize, 10_000] {
        let design = generate(&GenerateOptions {
            services: n,
            peers: 6,
            seed: 42,
        });
        let eval = Evaluator::new(&design);
        group.bench_with_input(BenchmarkId::new("matrix/fast", n), &eval, |b, e| {
            b.iter(|| matrix(black_box(e)))
        });
        if n <= 1_000 {
            group.bench_with_input(BenchmarkId::new("matrix/per-pair", n), &eval, |b, e| {
                b.iter(|| matrix_exhaustive(black_box(e)))
            });
        }
        group.bench_with_input(BenchmarkId::new("all-targets", n), &design, |b, d| {
            b.iter(|| all_targets(black_box(d)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
