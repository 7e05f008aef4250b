//! Every breach simulation of a design, digested: one line per origin (the internet, then every
//! service) and assumption with the byte count and a hash of the JSON `bulkhead simulate
//! --format json` prints for it (`serde_json::to_string_pretty` of [`simulate`]'s answer) and
//! of the JSON the desktop app's `simulate` command answers (`serde_json::to_string` of
//! [`simulate_tree`]'s). Two builds of the core give the same lines exactly when their answers
//! are byte-identical, so a change meant to make the simulation faster without changing what it
//! says is checked on every origin of a large design in one process (the CLI would parse the
//! design once per origin):
//!
//! ```text
//! cargo run --release -p bulkhead-core --example simulate_digest -- DESIGN.json > new.txt
//! cargo run --release -p bulkhead-core --example simulate_digest -- --generate 2000 > new.txt
//! diff old.txt new.txt      # old.txt: the same, built from the commit before the change
//! ```
//!
//! `--generate N` simulates on the estate `bulkhead generate --services N --peers 10 --seed 7`
//! writes (the benchmarks' estate). `scripts/simulate-same.sh` builds this at two commits and
//! compares them on the examples and on generated estates.
//!
//! `--today YYYY-MM-DD` sets the evaluation date (default 2026-12-07, so that runs on different
//! days compare). The last line, on stderr, is the time the simulations took (not a benchmark:
//! `cargo bench -p bulkhead-core --bench simulate` is).

use std::hash::{DefaultHasher, Hasher};
use std::time::{Duration, Instant};

use bulkhead_core::date::Date;
use bulkhead_core::eval::{Caller, Evaluator};
use bulkhead_core::generate::{GenerateOptions, generate};
use bulkhead_core::simulate::{Assumption, SimulateOptions, simulate, simulate_tree};

fn digest(text: &str) -> String {
    // SipHash with fixed keys: the same bytes give the same value in every build and run.
    let mut h = DefaultHasher::new();
    h.write(text.as_bytes());
    format!("{:7} {:016x}", text.len(), h.finish())
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut path = None;
    let mut generated = None;
    let mut today = "2026-12-07".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--today" => today = it.next().ok_or("`--today` needs a date")?.clone(),
            "--generate" => {
                let n = it.next().ok_or("`--generate` needs a number of services")?;
                generated = Some(n.parse().map_err(|_| format!("`--generate`: `{n}`"))?);
            }
            _ if path.is_none() => path = Some(a.clone()),
            _ => return Err(format!("unexpected argument `{a}`")),
        }
    }
    let design: bulkhead_core::Design = match (path, generated) {
        (None, Some(services)) => generate(&GenerateOptions {
            services,
            peers: 10,
            seed: 7,
        }),
        (Some(path), None) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
            serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?
        }
        _ => {
            return Err(
                "usage: simulate_digest DESIGN.json | --generate N [--today YYYY-MM-DD]".into(),
            );
        }
    };
    let date = Date::parse(&today).ok_or_else(|| format!("`--today`: not a date: `{today}`"))?;
    let eval = Evaluator::at(&design, date);
    let origins =
        std::iter::once("internet".to_string()).chain(design.services.iter().map(|s| s.id.clone()));
    let mut spent = Duration::ZERO;
    for origin in origins {
        let caller = Caller::parse(&origin);
        for assumption in [
            Assumption::Worst,
            Assumption::Known,
            Assumption::Probabilistic,
        ] {
            let options = SimulateOptions {
                assumption,
                blocked: Vec::new(),
            };
            let t = Instant::now();
            let sim = simulate(&eval, &caller, &options).map_err(|e| e.to_string())?;
            let tree = simulate_tree(&eval, &caller, &options).map_err(|e| e.to_string())?;
            spent += t.elapsed();
            let cli = serde_json::to_string_pretty(&sim).map_err(|e| e.to_string())?;
            let app = serde_json::to_string(&tree).map_err(|e| e.to_string())?;
            println!(
                "{origin} {assumption:?} cli {} app {}",
                digest(&cli),
                digest(&app)
            );
        }
    }
    eprintln!("simulations: {spent:?}");
    Ok(())
}
