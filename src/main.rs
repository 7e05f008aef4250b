//! `bulkhead`: the command-line front end. Each subcommand lives in its own module under
//! `src/cmd/` and is a thin caller of the shared crates; no rule is decided here.
//!
//! Standard output goes through `cmd::common::write_stdout` (or `outln!`), never `println!`:
//! `println!` panics when the reader of a pipe has gone (`bulkhead … | head -1`).

#![deny(clippy::print_stdout)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// mimalloc instead of glibc's malloc: an export of every target from a 10,000-service design
/// makes millions of small, short-lived allocations (strings of gap messages, rule ids, YAML
/// keys) on several threads, and glibc spent about 30% of the command's user time in them
/// (`unlink_chunk`, `_int_malloc`, `malloc_consolidate`, per-thread arenas grown by `mprotect`).
/// `docs/performance-export.md` has the numbers measured with and without it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Design, simulate, export and check API security segmentation.
#[derive(Parser, Debug)]
#[command(name = "bulkhead", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check designs and report every problem, with locations.
    Validate(cmd::validate::Args),
    /// Summarize a design: segments as a tree with their services, rules, data classes.
    Show(cmd::show::Args),
    /// Rewrite designs in canonical form (or check that they are).
    Fmt(cmd::fmt::Args),
    /// Print the JSON Schema of the design file.
    Schema,
    /// Write configs that enforce a design (NetworkPolicy, Cilium, Istio, Kong, NGINX).
    Export(cmd::export::Args),
    /// Write a synthetic but realistic estate (the same seed gives the same file).
    Generate(cmd::generate::Args),
    /// Kubernetes NetworkPolicies: what they allow, and why.
    #[command(subcommand)]
    Netpol(cmd::netpol::Command),
    /// Import OpenAPI/Swagger specs, Kubernetes manifests, traffic logs and Kong configs from
    /// files, folders or URLs into a design (merging, never clobbering).
    Import(cmd::import::Args),
    /// Propose least-privilege rules from the declared and observed flows, as a reviewable diff.
    Propose(cmd::propose::Args),
    /// Check the design against observed traffic and live policies (drift); for CI.
    Check(cmd::check::Args),
    /// Write the audit report: self-contained HTML (or Markdown) for auditors.
    Report(cmd::report::Args),
    /// Simulate a breach from the internet or a compromised service.
    Simulate(cmd::simulate::Args),
    /// Every origin's blast radius, worst first, and every finding.
    Analyze(cmd::analyze::Args),
    /// Explain the evaluator's decision for one call.
    Why(cmd::why::Args),
    /// Every allowed pair with ports and auth: the evaluator's whole answer.
    Matrix(cmd::matrix::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => cmd::validate::run(&args),
        Command::Show(args) => cmd::show::run(&args),
        Command::Fmt(args) => cmd::fmt::run(&args),
        Command::Schema => cmd::schema::run(),
        Command::Export(args) => cmd::export::run(args),
        Command::Generate(args) => cmd::generate::run(&args),
        Command::Netpol(c) => cmd::netpol::run(&c),
        Command::Import(args) => cmd::import::run(&args),
        Command::Propose(args) => cmd::propose::run(&args),
        Command::Check(args) => cmd::check::run(&args),
        Command::Report(args) => cmd::report::run(&args),
        Command::Simulate(args) => cmd::simulate::run(&args),
        Command::Analyze(args) => cmd::analyze::run(&args),
        Command::Why(args) => cmd::why::run(&args),
        Command::Matrix(args) => cmd::matrix::run(&args),
    }
}
