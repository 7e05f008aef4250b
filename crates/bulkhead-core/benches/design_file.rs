//! Reading, validating and writing a large design: what opening and saving a file in the app
//! costs. Designs are generated deterministically (`generate`, seed 1).
//!
//! Run: `cargo bench -p bulkhead-core --bench design_file`.

use std::hint::black_box;
use std::time::Duration;

use bulkhead_core::file::{parse, to_canonical_json};
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_core::validate::{Options, check_text, validate};
use criterion::{Criterion, criterion_group, criterion_main};

fn design_file(c: &mut Criterion) {
    for services in [200, 2_000] {
        let design = generate(&GenerateOptions {
            services,
            peers: 6,
            seed: 1,
        });
        let text = to_canonical_json(&design);
        let mut g = c.benchmark_group(format!("design_file/{services}-services"));
        g.sample_size(10)
            .measurement_time(Duration::from_secs(3))
            .warm_up_time(Duration::from_secs(1));
        g.bench_function("parse", |b| b.iter(|| parse(black_box(&text))));
        g.bench_function("validate", |b| {
            b.iter(|| validate(black_box(&design), &Options::default()))
        });
        g.bench_function("check_text", |b| {
            b.iter(|| check_text(black_box(&text), &Options::default()))
        });
        g.bench_function("write", |b| {
            b.iter(|| to_canonical_json(black_box(&design)))
        });
        g.finish();
    }
}

criterion_group!(benches, design_file);
criterion_main!(benches);
