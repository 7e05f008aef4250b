//! Prints how long each phase of the NetworkPolicy engine takes on a generated estate:
//! `cargo run --release -p bulkhead-core --example netpol_timing -- 10000`.

use std::time::Instant;

use bulkhead_core::netpol::{Cluster, Connectivity, report, sample};

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let t = Instant::now();
    let docs = sample::estate(n, 1);
    println!("generate {n}: {:?}", t.elapsed());
    let t = Instant::now();
    let cluster = Cluster::from_documents(&docs).expect("valid estate");
    println!("parse: {:?}", t.elapsed());
    let t = Instant::now();
    let conn = Connectivity::compute(&cluster);
    println!(
        "compute: {:?} ({} classes)",
        t.elapsed(),
        conn.class_count()
    );
    let t = Instant::now();
    println!("pairs: {} in {:?}", conn.pairs().count(), t.elapsed());
    let t = Instant::now();
    let lines = report::nca_lines(&cluster, &conn);
    println!("nca lines: {} in {:?}", lines.len(), t.elapsed());
}
