//! The `skilleval` binary: parses the command line and hands over to `skilleval::cli`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = skilleval::cli::Cli::parse();
    ExitCode::from(skilleval::cli::run(cli))
}
