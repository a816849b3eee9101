//! The command line: clap commands and orchestration only.

pub mod exit;
pub mod lint;
pub mod plan;
pub mod report_args;
pub mod run;
pub mod score;
pub mod suite_arg;
mod timestamp;

use std::io::Write;

use clap::{Parser, Subcommand};

use crate::score::ScoreError;
use crate::suite::LoadError;

/// Test an agent skill the way skill authors do by hand: RED (the agent fails without
/// the skill), GREEN (it passes with it), REFACTOR (it holds under pressure).
#[derive(Debug, Parser)]
#[command(name = "skilleval", version, about, after_help = exit::EXIT_CODES_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant, reason = "parsed once per process, so its size does not matter")]
pub enum Command {
    /// Send every scenario to an agent with and without the skill, score the answers, evaluate the gates
    Run(run::RunArgs),
    /// Re-score saved answers offline, one JSON object per line
    Score(score::ScoreArgs),
    /// Compute training memory, learning-rate scaling, accumulation steps and batch trade-offs
    Plan(plan::PlanArgs),
    /// Check a skill document: length, concrete examples, failure patterns addressed, rationalization table
    Lint(lint::LintArgs),
}

/// A command that stopped, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Load(#[from] LoadError),
    #[error("{0}")]
    Score(#[from] ScoreError),
    #[error("{0}")]
    Input(String),
    #[error("cannot write output: {0}")]
    Output(String),
    #[error("{0}")]
    Agent(String),
}

impl CliError {
    /// Returns the exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Load(_) | CliError::Score(_) | CliError::Input(_) => exit::BAD_INPUT,
            CliError::Output(_) => exit::BAD_INPUT,
            CliError::Agent(_) => exit::AGENT_FAILED,
        }
    }
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> u8 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = match &cli.command {
        Command::Run(args) => run::run(args, &mut out),
        Command::Score(args) => score::run(args, &mut out).map(|()| exit::SUCCESS),
        Command::Lint(args) => run_lint(args, &mut out),
        Command::Plan(args) => match plan::run(args, &mut out) {
            Ok(()) => Ok(exit::SUCCESS),
            Err(error) => {
                let _ = out.flush();
                eprintln!("error: {error}");
                return error.exit_code();
            }
        },
    };
    let _ = out.flush();
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            error.exit_code()
        }
    }
}

/// Runs `skilleval lint` and returns 1 when one of the document gates fails.
fn run_lint(args: &lint::LintArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let suite = suite_arg::SuiteArg { suite: args.suite.clone() }.load()?;
    let gates = lint::run(args, &suite, out).map_err(|error| CliError::Input(error.to_string()))?;
    Ok(if gates.iter().any(crate::gate::GateResult::fails) { exit::GATE_FAILED } else { exit::SUCCESS })
}
