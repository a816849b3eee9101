//! `skilleval plan batch`: the published batch size for a model and task, beside the
//! largest micro-batch that fits a GPU, which is a capacity limit and not a target.

use serde::Serialize;

use super::PlanError;
use super::args::{BatchArgs, TaskArg};
use super::resolve::training_plan;
use crate::planner::{BatchRecommendation, Task, format_gb, max_micro_batch, recommended_batch};

/// Everything `plan batch` reports.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BatchReport {
    pub model: String,
    pub task: Task,
    pub recommendation: Option<BatchRecommendation>,
    pub seq_len: u32,
    pub gpu_memory_bytes: Option<u64>,
    /// Largest micro-batch that fits the GPU; zero when none does.
    pub max_micro_batch: Option<u32>,
    /// Micro-batches to accumulate for the lowest recommended batch when it does not fit.
    pub accumulation_steps: Option<u32>,
}

/// Computes the report for the flags.
pub(crate) fn batch_report(args: &BatchArgs) -> Result<BatchReport, PlanError> {
    let plan = training_plan(&args.model, &args.training, 1)?;
    let task = match args.task {
        TaskArg::FineTuning => Task::FineTuning,
        TaskArg::Pretraining => Task::Pretraining,
    };
    let recommendation = recommended_batch(&plan.model.name, task);
    let max_micro_batch = args.gpu_memory.map(|limit| max_micro_batch(&plan, limit));
    let accumulation_steps = match (&recommendation, max_micro_batch) {
        (Some(recommendation), Some(largest))
            if largest > 0 && f64::from(largest) < recommendation.range.recommended_low =>
        {
            Some((recommendation.range.recommended_low / f64::from(largest)).ceil() as u32)
        }
        _ => None,
    };
    Ok(BatchReport {
        model: plan.model.name.clone(),
        task,
        recommendation,
        seq_len: plan.seq_len,
        gpu_memory_bytes: args.gpu_memory.map(|bytes| bytes.round() as u64),
        max_micro_batch,
        accumulation_steps,
    })
}

/// Renders the report as text.
pub(crate) fn render_batch(report: &BatchReport) -> String {
    let mut text = format!("Batch size for {} {}\n", report.model, report.task.name());
    match &report.recommendation {
        Some(recommendation) => {
            let range = recommendation.range;
            text.push_str(&format!(
                "  recommended: {} ({})\n  accepted: {} to {}\n",
                span(range.recommended_low, range.recommended_high),
                recommendation.source,
                range.accepted_low,
                range.accepted_high
            ));
        }
        None => text.push_str(
            "  recommended: no published batch size for this model and task in the planner's table; measure the gradient noise scale and use skilleval plan tradeoff\n",
        ),
    }
    if let (Some(limit), Some(largest)) = (report.gpu_memory_bytes, report.max_micro_batch) {
        text.push_str(&format!(
            "  largest micro-batch that fits {}: {largest} sequences of {} tokens\n",
            format_gb(limit as f64),
            report.seq_len
        ));
    }
    if let Some(steps) = report.accumulation_steps {
        text.push_str(&format!(
            "  the recommended batch does not fit in one pass: accumulate {steps} micro-batches\n"
        ));
    }
    text.push_str(
        "\nThe largest batch that fits is a memory limit, not the best batch: a larger batch takes fewer updates per epoch and can generalize worse unless the learning rate and schedule are retuned. Start from the recommended batch; if you change it, scale the learning rate with it (skilleval plan lr) and compare on validation metrics.\n",
    );
    text
}

/// Formats a range, or one value when both ends agree.
fn span(low: f64, high: f64) -> String {
    if low == high {
        format!("{low}")
    } else {
        format!("{low} to {high}")
    }
}
