//! The `lots` command: the one binary that serves Lots and runs its operator tasks.

use std::process::ExitCode;

use clap::Parser;

/// Lots: the case and referral system for early interventions for children and young people.
#[derive(Debug, Parser)]
#[command(name = "lots", version, arg_required_else_help = true)]
struct Cli {}

fn main() -> ExitCode {
    let _cli = Cli::parse();
    ExitCode::SUCCESS
}
