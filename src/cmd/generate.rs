//! `bulkhead generate`: write a synthetic estate (deterministic per seed) as a design file.

use std::path::PathBuf;
use std::process::ExitCode;

use bulkhead_core::generate::{GenerateOptions, MAX_SERVICES, generate};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Number of services.
    #[arg(long, default_value_t = 30)]
    pub services: usize,
    /// Rough number of allowed callees per service.
    #[arg(long, default_value_t = 6)]
    pub peers: usize,
    /// Seed: the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Write here instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub fn run(args: &Args) -> ExitCode {
    if args.services == 0 || args.services > MAX_SERVICES {
        eprintln!("error: `--services` must be between 1 and {MAX_SERVICES}");
        return ExitCode::from(2);
    }
    let design = generate(&GenerateOptions {
        services: args.services,
        peers: args.peers,
        seed: args.seed,
    });
    let mut text = match serde_json::to_string_pretty(&design) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot serialize the design: {e}");
            return ExitCode::from(2);
        }
    };
    text.push('\n');
    let result = match &args.output {
        // Atomic, keeping a replaced design as `<file>.bak`, like every other design write.
        Some(path) => bulkhead_store::save_bytes(
            path,
            text.as_bytes(),
            bulkhead_store::SaveOptions::default(),
        )
        .map_err(|e| e.to_string()),
        None => return super::common::finish_with(&text, ExitCode::SUCCESS),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
