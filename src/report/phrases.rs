//! Wording that several formats share: rate cells with intervals, the effect rows, the
//! partial-run note and the lines of a baseline comparison. Each exporter escapes these
//! for its own format.

use super::effect::{OverallEffect, ScenarioEffect};
use super::model::RunReport;
use crate::gate::format_percent;
use crate::score::ArmSummary;
use crate::snapshot::Comparison;
use crate::stats::{Proportion, signed_points};

/// One line of a baseline comparison: its label and its text.
pub(crate) struct ComparisonLine {
    /// `regression`, `improvement`, `gate regression`, `gate improvement`, `missing` or `added`.
    pub label: &'static str,
    pub text: String,
    /// Whether this line fails the comparison.
    pub fails: bool,
}

/// Formats a pass rate, or `-` when nothing was answered.
pub(crate) fn rate(summary: &ArmSummary) -> String {
    summary.pass_rate.map_or_else(|| "-".to_string(), format_percent)
}

/// Formats a pass rate's 95% interval, e.g. `12–77%`, or `-` when nothing was answered.
pub(crate) fn interval(summary: &ArmSummary) -> String {
    summary.interval.map_or_else(|| "-".to_string(), |interval| interval.format_percent())
}

/// Formats pass@k or pass^k (with k the answered samples) as `1`, `0` or `-`.
pub(crate) fn pass_k(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_string(), |value| format!("{value:.0}"))
}

/// Formats a proportion's rate, or `-` when it has no trials.
pub(crate) fn proportion_rate(proportion: Proportion) -> String {
    proportion.rate().map_or_else(|| "-".to_string(), format_percent)
}

/// Formats a scenario effect's difference, e.g. `+60 pp`.
pub(crate) fn difference(effect: &ScenarioEffect) -> String {
    format!("{} pp", signed_points(effect.difference.estimate))
}

/// Names the overall effect's row, e.g. `overall (mean of 6 scenarios)`.
pub(crate) fn overall_label(overall: &OverallEffect) -> String {
    let noun = if overall.scenarios == 1 { "scenario" } else { "scenarios" };
    format!("overall (mean of {} {noun})", overall.scenarios)
}

/// Says what the effect table shows, to follow a label such as `skill effect:`.
pub(crate) const EFFECT_METHOD: &str = "with-skill pass rate minus without-skill pass rate, with a 95% interval \
     (Newcombe's hybrid score per scenario; MOVER for the mean over scenarios)";

/// Says how much of the planned run finished, or `None` for a complete run.
pub(crate) fn partial_note(report: &RunReport) -> Option<String> {
    report.is_partial().then(|| {
        format!(
            "Partial run: {} of {} planned units finished; every figure covers those only.",
            report.units.len(),
            report.run.planned_units
        )
    })
}

/// Returns the sample-size notes of the inconclusive scenarios, each naming its scenario.
pub(crate) fn sample_size_notes(report: &RunReport) -> Vec<String> {
    let Some(effect) = &report.effect else { return Vec::new() };
    effect
        .scenarios
        .iter()
        .filter_map(|scenario| scenario.sample_size_note().map(|note| format!("{}: {note}", scenario.scenario)))
        .collect()
}

/// Lists every line of a comparison: regressions first, then missing, gate regressions,
/// improvements and additions.
pub(crate) fn comparison_lines(comparison: &Comparison) -> Vec<ComparisonLine> {
    let mut lines = Vec::new();
    for change in &comparison.regressions {
        lines.push(ComparisonLine { label: "regression", text: change.describe(), fails: change.fails_build });
    }
    for subject in &comparison.missing {
        let text = format!("{}: in the baseline but not answered in this run", subject.describe());
        lines.push(ComparisonLine { label: "missing", text, fails: true });
    }
    for change in &comparison.gate_regressions {
        lines.push(ComparisonLine { label: "gate regression", text: change.describe(), fails: true });
    }
    for change in &comparison.improvements {
        lines.push(ComparisonLine { label: "improvement", text: change.describe(), fails: false });
    }
    for change in &comparison.gate_improvements {
        lines.push(ComparisonLine { label: "gate improvement", text: change.describe(), fails: false });
    }
    for subject in &comparison.added {
        let text = format!("{}: not in the baseline", subject.describe());
        lines.push(ComparisonLine { label: "added", text, fails: false });
    }
    lines
}

/// Notes that the baseline was recorded with another agent, or returns `None`.
pub(crate) fn agent_note(report: &RunReport, comparison: &Comparison) -> Option<String> {
    (comparison.baseline_agent != report.run.agent).then(|| {
        format!(
            "The baseline was recorded with agent {}; this run used {}.",
            comparison.baseline_agent, report.run.agent
        )
    })
}
