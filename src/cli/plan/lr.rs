//! `skilleval plan lr`: the learning rate for a new batch size under the linear and
//! square-root rules, with warmup and the schedule change.

use serde::Serialize;

use super::args::{LrArgs, RuleArg};
use super::resolve::optimizer;
use super::table::Table;
use super::text::format_number;
use crate::planner::{
    LINEAR_RULE_VALIDATED_UP_TO, LrPlan, LrRequest, REFERENCE_BATCH, REFERENCE_LR, ScalingRule,
    global_batch, plan_lr,
};

/// Everything `plan lr` reports.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LrReport {
    #[serde(flatten)]
    pub plan: LrPlan,
    /// Reason for the rule, shown after its name.
    pub rule_reason: String,
    /// Whether the old batch and LR are Goyal et al.'s reference (0.1 for 256).
    pub goyal_reference: bool,
}

/// Computes the report for the flags.
pub(crate) fn lr_report(args: &LrArgs) -> LrReport {
    let new_batch = match (args.to_batch, args.per_device_batch) {
        (Some(batch), _) => f64::from(batch),
        (None, Some(per_device)) => global_batch(per_device, args.gpus, args.accumulation) as f64,
        (None, None) => REFERENCE_BATCH,
    };
    let goyal_reference = args.from_batch.is_none();
    let (old_batch, base_lr) = match args.from_batch {
        Some(batch) => (f64::from(batch), args.lr),
        None => (REFERENCE_BATCH, Some(args.lr.unwrap_or(REFERENCE_LR))),
    };
    let optimizer = args.optimizer.map(optimizer);
    let (rule, rule_reason) = match (args.rule, optimizer) {
        (Some(RuleArg::Linear), _) => (ScalingRule::Linear, "chosen with --rule".to_string()),
        (Some(RuleArg::Sqrt), _) => (ScalingRule::SquareRoot, "chosen with --rule".to_string()),
        (None, Some(optimizer)) if optimizer.is_adaptive() => (
            ScalingRule::SquareRoot,
            format!(
                "the usual starting point for an adaptive optimizer such as {}",
                optimizer.name()
            ),
        ),
        (None, Some(optimizer)) => (
            ScalingRule::Linear,
            format!("the rule for {} (Goyal et al. 2017)", optimizer.name()),
        ),
        (None, None) => (
            ScalingRule::Linear,
            "the rule for SGD (Goyal et al. 2017), taken when no --optimizer is given".to_string(),
        ),
    };
    let request = LrRequest {
        old_batch,
        new_batch,
        base_lr,
        rule,
        dataset_size: args.dataset_size,
    };
    LrReport {
        plan: plan_lr(&request),
        rule_reason,
        goyal_reference,
    }
}

/// Renders the report as text.
pub(crate) fn render_lr(report: &LrReport) -> String {
    let plan = &report.plan;
    let mut text = format!(
        "Learning rate for a global batch of {} (tuned for {}): {}× the batch\n",
        format_number(plan.new_batch),
        format_number(plan.old_batch),
        format_number(plan.new_batch / plan.old_batch)
    );
    if report.goyal_reference {
        text.push_str("  reference: LR 0.1 for batch 256 (Goyal et al. 2017, ResNet-50 on ImageNet with SGD)\n");
    }
    text.push('\n');
    text.push_str(&rule_table(plan).render());
    text.push('\n');
    text.push_str(&format!(
        "Rule: {}, {}.\n",
        plan.rule.name(),
        report.rule_reason
    ));
    text.push_str(&render_why(plan));
    text.push_str(&render_warmup(plan));
    text.push_str(&render_schedule(plan));
    if plan.beyond_validated_batch {
        text.push_str(&format!(
            "Caution: Goyal et al. 2017 kept accuracy with the linear rule only up to a batch of {}; beyond it, expect to need more tuning.\n",
            format_number(LINEAR_RULE_VALIDATED_UP_TO)
        ));
    }
    text
}

/// Builds the table of both rules.
fn rule_table(plan: &LrPlan) -> Table {
    let with_lr = plan.base_lr.is_some();
    let header: &[&str] = if with_lr {
        &["rule", "multiplier", "learning rate"]
    } else {
        &["rule", "multiplier"]
    };
    let mut table = Table::new(header, &[1, 2]);
    for (rule, multiplier) in [
        (ScalingRule::Linear, plan.linear_multiplier),
        (ScalingRule::SquareRoot, plan.square_root_multiplier),
    ] {
        let chosen = if rule == plan.rule { " (chosen)" } else { "" };
        let mut row = vec![
            format!("{}{chosen}", rule.name()),
            format!("{}×", format_number(multiplier)),
        ];
        if let Some(lr) = plan.base_lr {
            row.push(format_number(lr * multiplier));
        }
        table.row(row);
    }
    table
}

/// Renders why the learning rate follows the batch.
fn render_why(plan: &LrPlan) -> String {
    let ratio = plan.new_batch / plan.old_batch;
    if ratio <= 1.0 {
        return "Why: a smaller batch averages fewer examples, so its gradient is noisier and each step must be shorter.\n".to_string();
    }
    format!(
        "Why: a batch {r}× larger averages {r}× more examples, so the gradient's variance is {r}× lower and each step can move further; with {r}× fewer steps per epoch, a {lin}× larger step covers the same ground in the same number of epochs.\n",
        r = format_number(ratio),
        lin = format_number(plan.linear_multiplier)
    )
}

/// Renders the warmup advice.
fn render_warmup(plan: &LrPlan) -> String {
    let Some(warmup) = plan.warmup else {
        return "Warmup: not needed for a lower learning rate.\n".to_string();
    };
    let range = match (plan.base_lr, plan.new_lr) {
        (Some(old), Some(new)) => format!("from {} to {}", format_number(old), format_number(new)),
        _ => "from the old learning rate to the new one".to_string(),
    };
    let steps = warmup
        .steps
        .map(|steps| format!(" ({} steps)", format_number(steps)))
        .unwrap_or_default();
    format!(
        "Warmup: raise the learning rate linearly {range} over the first {} epochs{steps}; a large step size is unstable early in training (gradual warmup, Goyal et al. 2017).\n",
        format_number(warmup.epochs)
    )
}

/// Renders how the schedule changes with the number of steps per epoch.
fn render_schedule(plan: &LrPlan) -> String {
    let ratio = plan.new_batch / plan.old_batch;
    let change = if ratio >= 1.0 {
        format!("{}× fewer", format_number(ratio))
    } else {
        format!("{}× more", format_number(1.0 / ratio))
    };
    let per_epoch = plan
        .steps_per_epoch
        .map(|(old, new)| {
            format!(
                " ({} instead of {})",
                format_number(new),
                format_number(old)
            )
        })
        .unwrap_or_default();
    format!(
        "Schedule: an epoch now has {change} optimizer steps{per_epoch}; multiply milestones counted in steps (decay steps, total steps) by {}. Schedules counted in epochs stay as they are.\n",
        format_number(plan.step_milestone_factor)
    )
}
