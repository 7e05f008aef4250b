//! Import speed against the floor of plain parsing the same bytes in the same run.
//!
//! - `discord/*`: the 1.2 MB Discord OpenAPI 3.1 description: full import vs `serde_json`.
//! - `octokit/*`: the 609-file GitHub REST description: full import (with `$ref` resolution)
//!   vs `serde_json` parsing of every file.
//! - `logs/*`: 100k generated NGINX combined lines and 20k Hubble flows: full import
//!   (parsing, mapping, aggregation); throughput is reported in lines.
//!
//! Run with `cargo bench -p bulkhead-import`; the ratios are import time / floor time.

use std::fs;
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bulkhead_import::{ImportOptions, Source, import_sources};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn corpus() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("BULKHEAD_CORPUS") {
        return Some(PathBuf::from(dir));
    }
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        for c in [dir.join("shared/corpus"), dir.join("../shared/corpus")] {
            if c.join("SOURCES.md").is_file() {
                return Some(c);
            }
        }
        if !dir.pop() {
            eprintln!("SKIPPED: the shared corpus was not found (set BULKHEAD_CORPUS)");
            return None;
        }
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn import(path: &Path) {
    let r = import_sources(
        &[Source::Path(path.to_path_buf())],
        &ImportOptions::default(),
    )
    .unwrap();
    assert!(!r.has_errors());
    black_box(r);
}

fn specs(c: &mut Criterion) {
    let Some(corpus) = corpus() else { return };
    let discord = corpus.join("discord__discord-api-spec/specs/openapi.json");
    let mut g = c.benchmark_group("discord");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("serde_json_floor", |b| {
        b.iter(|| {
            let bytes = fs::read(&discord).unwrap();
            black_box(serde_json::from_slice::<serde_json::Value>(&bytes).unwrap())
        })
    });
    g.bench_function("import", |b| b.iter(|| import(&discord)));
    g.finish();

    let octokit = corpus.join("octokit__routes");
    let mut files = Vec::new();
    files_under(&octokit, &mut files);
    let mut g = c.benchmark_group("octokit");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("serde_json_floor", |b| {
        b.iter(|| {
            for f in &files {
                let bytes = fs::read(f).unwrap();
                black_box(serde_json::from_slice::<serde_json::Value>(&bytes).unwrap());
            }
        })
    });
    g.bench_function("import", |b| b.iter(|| import(&octokit)));
    g.finish();
}

fn logs(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let nginx = dir.path().join("access.log");
    let mut f = std::io::BufWriter::new(fs::File::create(&nginx).unwrap());
    const LINES: u64 = 100_000;
    for i in 0..LINES {
        writeln!(
            f,
            "10.0.{}.{} - - [25/Oct/2016:14:{:02}:{:02} +0200] \"GET /products/{} HTTP/1.1\" 200 612 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"",
            i % 7,
            i % 200,
            (i / 60) % 60,
            i % 60,
            i % 5000
        )
        .unwrap();
    }
    drop(f);
    let hubble_line = fs::read_to_string(
        corpus()
            .map(|c| c.join("cilium__hubble-otel/testdata/basic-sample-5-http-flows.json"))
            .unwrap_or_default(),
    )
    .ok()
    .and_then(|t| t.lines().next().map(str::to_string));
    let mut g = c.benchmark_group("logs");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Elements(LINES));
    g.bench_function("nginx_100k_lines", |b| b.iter(|| import(&nginx)));
    if let Some(line) = hubble_line {
        const HUBBLE: u64 = 20_000;
        let hubble = dir.path().join("flows.json");
        let mut f = std::io::BufWriter::new(fs::File::create(&hubble).unwrap());
        for _ in 0..HUBBLE {
            writeln!(f, "{line}").unwrap();
        }
        drop(f);
        g.throughput(Throughput::Elements(HUBBLE));
        g.bench_function("hubble_20k_flows", |b| b.iter(|| import(&hubble)));
    }
    g.finish();
}

criterion_group!(benches, specs, logs);
criterion_main!(benches);
