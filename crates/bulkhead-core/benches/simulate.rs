//! One breach simulation as the desktop app's `simulate` command runs it (on the revision's
//! compiled reach graph, the attack paths as a tree) on the estate `scripts/bench-app.sh`
//! generates (2,000 services, 10 peers, seed 7): from the internet, whose breach reaches every
//! service (issue #7's slow click), and from a service; and the JSON the command answers.
//!
//! `cargo bench -p bulkhead-core --bench simulate`; `BULKHEAD_BENCH_SIZES=200,2000` to choose
//! sizes. Before the criterion groups it prints, per size and origin, the answer's size.

use std::hint::black_box;

use bulkhead_core::eval::Evaluator;
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_core::reach::ReachGraph;
use bulkhead_core::simulate::{Assumption, SimulateOptions, simulate_tree_on};
use criterion::{Criterion, criterion_group, criterion_main};

fn sizes() -> Vec<usize> {
    std::env::var("BULKHEAD_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![2_000])
}

fn bench(c: &mut Criterion) {
    for n in sizes() {
        let design = generate(&GenerateOptions {
            services: n,
            peers: 10,
            seed: 7,
        });
        let eval = Evaluator::new(&design);
        let graph = ReachGraph::compile(&eval);
        // The internet, and a service about a third into the estate (an API of a middle tier).
        let origins = [("internet", n), ("service", n / 3)];
        let mut group = c.benchmark_group(format!("simulate/{n}"));
        group.sample_size(20);
        for (name, origin) in origins {
            for assumption in [Assumption::Worst, Assumption::Probabilistic] {
                let options = SimulateOptions {
                    assumption,
                    blocked: Vec::new(),
                };
                let tree = simulate_tree_on(&eval, &graph, origin, &options);
                let json = serde_json::to_string(&tree).unwrap();
                eprintln!(
                    "[bulkhead] n={n} from {name} ({assumption:?}): {} reached, answer {} bytes",
                    tree.simulation.reached.len(),
                    json.len()
                );
                group.bench_function(format!("{name}/{assumption:?}"), |b| {
                    b.iter(|| black_box(simulate_tree_on(&eval, &graph, origin, &options)))
                });
                group.bench_function(format!("{name}/{assumption:?}/json"), |b| {
                    b.iter(|| black_box(serde_json::to_string(&tree).unwrap()))
                });
            }
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
