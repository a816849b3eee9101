//! The `skilleval` binary: parses the command line and hands over to `skilleval::cli`.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    init_logging();
    let cli = skilleval::cli::Cli::parse();
    ExitCode::from(skilleval::cli::run(cli))
}

/// Sends `tracing` events to stderr, filtered by `RUST_LOG`, such as
/// `RUST_LOG=skilleval=debug`. Without it only errors are shown, because the progress
/// display already reports retries and errored units.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
