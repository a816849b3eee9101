//! `skilleval plan accumulate`: accumulation steps for a target effective batch, what
//! they cost in time, what they save in memory, and the BatchNorm caveat.

use serde::Serialize;

use super::PlanError;
use super::args::AccumulateArgs;
use super::resolve::{has_model, training_plan};
use super::table::Table;
use super::text::format_number;
use crate::planner::{
    AccumulationPlan, AccumulationRequest, format_gb, plan_accumulation, training_memory,
};

/// Everything `plan accumulate` reports.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AccumulateReport {
    #[serde(flatten)]
    pub plan: AccumulationPlan,
    /// Memory per GPU with accumulation and without it, when a model is given.
    pub memory: Option<AccumulationMemory>,
}

/// Training memory per GPU at the micro-batch and at the whole per-GPU batch, in bytes.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AccumulationMemory {
    pub micro_batch_total: u64,
    pub micro_batch_activations: u64,
    /// Sequences per GPU if the target batch ran in one pass.
    pub full_batch_per_gpu: u32,
    pub full_batch_total: u64,
    pub full_batch_activations: u64,
}

/// Computes the report for the flags.
pub(crate) fn accumulate_report(args: &AccumulateArgs) -> Result<AccumulateReport, PlanError> {
    let request = AccumulationRequest {
        target_batch: args.target_batch,
        micro_batch: args.micro_batch,
        gpus: args.training.gpus,
        micro_step_seconds: args.micro_step_time,
        batchnorm: args.batchnorm,
    };
    let plan = plan_accumulation(&request);
    let memory = if has_model(&args.model) {
        Some(accumulation_memory(args, &plan)?)
    } else {
        None
    };
    Ok(AccumulateReport { plan, memory })
}

/// Computes training memory at the micro-batch and at the whole per-GPU batch.
fn accumulation_memory(
    args: &AccumulateArgs,
    plan: &AccumulationPlan,
) -> Result<AccumulationMemory, PlanError> {
    let micro = training_plan(&args.model, &args.training, plan.micro_batch)?;
    let full_batch_per_gpu = plan.micro_batch * plan.steps;
    let at_micro = training_memory(&micro);
    let at_full = training_memory(&micro.with_micro_batch(full_batch_per_gpu));
    Ok(AccumulationMemory {
        micro_batch_total: at_micro.total.round() as u64,
        micro_batch_activations: at_micro.activations.round() as u64,
        full_batch_per_gpu,
        full_batch_total: at_full.total.round() as u64,
        full_batch_activations: at_full.activations.round() as u64,
    })
}

/// Renders the report as text.
pub(crate) fn render_accumulate(report: &AccumulateReport) -> String {
    let plan = &report.plan;
    let gpus = if plan.gpus == 1 {
        "1 GPU".to_string()
    } else {
        format!("{} GPUs", plan.gpus)
    };
    let mut text = format!(
        "Gradient accumulation: effective batch {} from micro-batches of {} on {gpus}\n\n",
        plan.target_batch, plan.micro_batch
    );

    text.push_str(&summary_table(report).render());
    text.push('\n');

    text.push_str(&render_advice(plan));
    text.push_str(&render_batchnorm(plan));
    text.push_str(&format!(
        "When: use it when the recipe needs an effective batch of {}; if batch {} already trains well, the larger batch may not be needed at all.\n",
        plan.effective_batch,
        plan.micro_batch * plan.gpus
    ));
    text
}

/// Renders how accumulation works and what it costs in memory, time and learning rate.
fn render_advice(plan: &AccumulationPlan) -> String {
    let steps = plan.steps;
    [
        format!(
            "How: run {steps} micro-batches, scale each loss by 1/{steps} (or average the gradients), then take one optimizer step and zero the gradients."
        ),
        format!(
            "Memory: activations stay those of a micro-batch of {}, not of {}; weights, gradients and optimizer states do not grow.",
            plan.micro_batch, plan.effective_batch
        ),
        format!(
            "Time: each optimizer step runs {steps} passes one after another, so an epoch takes as long as at batch {} per GPU; only the number of optimizer steps falls.",
            plan.micro_batch
        ),
        format!("Learning rate: set it for the effective batch of {} (skilleval plan lr).", plan.effective_batch),
    ]
    .iter()
    .map(|line| format!("{line}\n"))
    .collect()
}

/// Builds the table of steps, batch, time and memory.
fn summary_table(report: &AccumulateReport) -> Table {
    let plan = &report.plan;
    let mut table = Table::new(&["quantity", "value"], &[]);
    table.row(vec!["accumulation steps".into(), plan.steps.to_string()]);
    let exactness = if plan.exact {
        "exact".to_string()
    } else {
        format!("target {} rounded up", plan.target_batch)
    };
    table.row(vec![
        "effective batch".into(),
        format!("{} ({exactness})", plan.effective_batch),
    ]);
    let time = match plan.seconds_per_optimizer_step {
        Some(seconds) => format!("{} s ({} passes)", format_number(seconds), plan.steps),
        None => format!("{} × one pass (give --micro-step-time)", plan.steps),
    };
    table.row(vec!["time per optimizer step".into(), time]);
    if let Some(memory) = &report.memory {
        table.row(vec![
            format!("memory per GPU at micro-batch {}", plan.micro_batch),
            format_gb(memory.micro_batch_total as f64),
        ]);
        table.row(vec![
            format!(
                "memory per GPU at {} in one pass",
                memory.full_batch_per_gpu
            ),
            format_gb(memory.full_batch_total as f64),
        ]);
    }
    table
}

/// Renders the BatchNorm caveat, as a finding with --batchnorm and as a condition otherwise.
fn render_batchnorm(plan: &AccumulationPlan) -> String {
    let effect = format!(
        "statistics are computed over each micro-batch of {} per GPU, not over {}, so training differs from a true batch of {}; SyncBatchNorm, GroupNorm or LayerNorm avoid this.",
        plan.normalization_batch, plan.effective_batch, plan.effective_batch
    );
    if plan.batchnorm_caveat {
        format!("BatchNorm: {effect}\n")
    } else {
        format!("BatchNorm: if the model uses it, {effect}\n")
    }
}
