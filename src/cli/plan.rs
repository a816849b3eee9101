//! `skilleval plan`: the reference planner as a command. Each subcommand resolves its
//! flags into planner inputs, computes a report, and writes it as a table or as JSON.
//! The computation lives in `crate::planner`; this module only parses and renders.

mod accumulate;
mod args;
mod batch;
mod lr;
mod memory;
mod resolve;
mod table;
mod text;
mod tradeoff;

use std::io::Write;

use serde::Serialize;

pub use args::{
    AccumulateArgs, BatchArgs, Format, HeadArg, LoraTargetsArg, LrArgs, MemoryArgs, MethodArg,
    MlpArg, ModelArgs, ModelChoice, OptimizerArg, OutputArgs, PlanArgs, PlanCommand, PrecisionArg,
    RecomputeArg, RuleArg, ShardingArg, TaskArg, TradeoffArgs, TrainingArgs,
};

use crate::planner::NoiseScaleError;

/// Exit code for invalid flags, as for every other command of skilleval.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Exit code when the output cannot be written.
pub const EXIT_OUTPUT_FAILED: u8 = 1;

/// A `skilleval plan` failure.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("invalid {flag}: {message}")]
    InvalidFlag { flag: &'static str, message: String },
    #[error(
        "missing --model: give a preset ({presets}) or a parameter count such as 3b, or give --layers, --hidden and --heads"
    )]
    MissingModel { presets: String },
    #[error("invalid --grad-norm: {0}")]
    NoiseScale(#[from] NoiseScaleError),
    #[error("failed to write the plan: {0}")]
    Output(#[from] std::io::Error),
    #[error("failed to serialize the plan as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

impl PlanError {
    /// Returns the process exit code: 2 for bad input, 1 when writing failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            PlanError::InvalidFlag { .. }
            | PlanError::MissingModel { .. }
            | PlanError::NoiseScale(_) => EXIT_BAD_INPUT,
            PlanError::Output(_) | PlanError::Json(_) => EXIT_OUTPUT_FAILED,
        }
    }
}

/// Runs `skilleval plan` and writes its report to `out`.
pub fn run(args: &PlanArgs, out: &mut dyn Write) -> Result<(), PlanError> {
    match &args.command {
        PlanCommand::Memory(memory_args) => {
            let plan = resolve::training_plan(
                &memory_args.model,
                &memory_args.training,
                memory_args.batch,
            )?;
            let report = memory::memory_report(&plan, memory_args.gpu_memory);
            write(
                out,
                memory_args.output.format,
                &report,
                memory::render_memory,
            )
        }
        PlanCommand::Lr(lr_args) => write(
            out,
            lr_args.output.format,
            &lr::lr_report(lr_args),
            lr::render_lr,
        ),
        PlanCommand::Accumulate(accumulate_args) => {
            let report = accumulate::accumulate_report(accumulate_args)?;
            write(
                out,
                accumulate_args.output.format,
                &report,
                accumulate::render_accumulate,
            )
        }
        PlanCommand::Batch(batch_args) => {
            let report = batch::batch_report(batch_args)?;
            write(out, batch_args.output.format, &report, batch::render_batch)
        }
        PlanCommand::Tradeoff(tradeoff_args) => {
            let report = tradeoff::tradeoff_report(tradeoff_args)?;
            write(
                out,
                tradeoff_args.output.format,
                &report,
                tradeoff::render_tradeoff,
            )
        }
    }
}

/// Writes `report` as pretty JSON or as the text `render` makes of it.
fn write<T: Serialize>(
    out: &mut dyn Write,
    format: Format,
    report: &T,
    render: fn(&T) -> String,
) -> Result<(), PlanError> {
    match format {
        Format::Table => out.write_all(render(report).as_bytes())?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}
