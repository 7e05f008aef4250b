//! `bulkhead`: the command-line front end. Each subcommand lives in its own module under
//! `src/cmd/` and is a thin caller of the shared crates; no rule is decided here.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// Design, simulate, export and check API security segmentation.
#[derive(Parser, Debug)]
#[command(name = "bulkhead", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the JSON Schema of the design file.
    Schema,
    /// Write a synthetic but realistic estate (the same seed gives the same file).
    Generate(cmd::generate::Args),
    /// Kubernetes NetworkPolicies: what they allow, and why.
    #[command(subcommand)]
    Netpol(cmd::netpol::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Schema => cmd::schema::run(),
        Command::Generate(args) => cmd::generate::run(&args),
        Command::Netpol(c) => cmd::netpol::run(&c),
    }
}
