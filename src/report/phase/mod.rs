//! Phase documents: Markdown write-ups of a RED or GREEN phase, generated from the result
//! model in the shape skill authors write by hand. RED tells, per scenario, the query,
//! how the agent behaved without the skill (its failed checks and committed anti checks,
//! with quoted evidence) and the failure pattern, then the patterns, what the skill must
//! address, and the gates as a checklist. GREEN tells, per scenario, how the agent behaved
//! with the skill, whether it is now correct, and what still fails.

mod green;
mod red;
mod refactor;

use std::io::Write;

pub use green::GreenPhaseExporter;
pub use red::RedPhaseExporter;
pub use refactor::RefactorPhaseExporter;

use super::failures::{FailedCheck, failed_checks};
use super::markdown::quote;
use super::{ReportError, RunReport, ScenarioInfo};
use crate::gate::{GateId, GateStatus, format_percent};
use crate::score::ArmSummary;
use crate::suite::{Arm, CheckKind};

/// Most quotes shown per check, so that a document stays readable at many samples.
const MAX_QUOTES_PER_CHECK: usize = 2;

/// Returns the date part of the run's start, or `not recorded`.
fn run_date(report: &RunReport) -> String {
    let started = report.run.started_at.as_deref();
    started.and_then(|timestamp| timestamp.get(..10)).unwrap_or("not recorded").to_string()
}

/// Formats an arm's result, e.g. `passed 2/5 answers (40%, 95% CI 12–77%)`, or says it was not run.
fn arm_result(summary: Option<&ArmSummary>) -> String {
    let Some(summary) = summary else { return "not run".to_string() };
    let Some(rate) = summary.pass_rate else { return format!("no answer: {} samples errored", summary.errored) };
    let interval =
        summary.interval.map(|interval| format!(", 95% CI {}", interval.format_percent())).unwrap_or_default();
    let mut text =
        format!("passed {}/{} answers ({}{interval})", summary.passed, summary.answered, format_percent(rate));
    if summary.errored > 0 {
        text.push_str(&format!("; {} more errored and count in no rate", summary.errored));
    }
    text
}

/// Writes a scenario's heading and its query.
fn write_scenario_heading(number: usize, scenario: &ScenarioInfo, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "## Scenario {number}: {}\n", scenario.title)?;
    writeln!(out, "**Query:** \"{}\"\n", scenario.query)?;
    Ok(())
}

/// Writes the failed checks of one scenario and arm in two lists: what the answers left
/// out (required, numeric) and what they did that they should not (anti).
fn write_failed_checks(report: &RunReport, scenario: &str, arm: Arm, out: &mut dyn Write) -> Result<bool, ReportError> {
    let checks = failed_checks(report, scenario, arm);
    let (anti, missing): (Vec<&FailedCheck>, Vec<&FailedCheck>) =
        checks.iter().partition(|check| check.kind == CheckKind::Anti);
    if !missing.is_empty() {
        writeln!(out, "What the answers left out or got wrong:\n")?;
        for check in missing {
            write_check_item(check, "missing or wrong in", out)?;
        }
        writeln!(out)?;
    }
    if !anti.is_empty() {
        writeln!(out, "What the answers did that they should not:\n")?;
        for check in anti {
            write_check_item(check, "in", out)?;
        }
        writeln!(out)?;
    }
    Ok(!checks.is_empty())
}

/// Writes one failed check as a list item with up to [`MAX_QUOTES_PER_CHECK`] quotes.
fn write_check_item(check: &FailedCheck, verb: &str, out: &mut dyn Write) -> Result<(), ReportError> {
    let kind = check.kind.as_str();
    let description = check_sentence(check);
    writeln!(out, "- {description} (`{}`, {kind}): {verb} {}/{} answers.", check.id, check.failed, check.answered)?;
    for (sample, evidence) in check.quotes.iter().take(MAX_QUOTES_PER_CHECK) {
        writeln!(out, "  > sample {sample}: {}", quote(evidence))?;
    }
    Ok(())
}

/// Returns a check's description without its final period, or its id when it has none.
fn check_sentence(check: &FailedCheck) -> String {
    let description = check.description.trim().trim_end_matches('.');
    if description.is_empty() { check.id.clone() } else { description.to_string() }
}

/// Writes every gate as a checklist line: ✅ holds, ❌ fails, ⏳ not evaluated, each with
/// its figure; gates of later phases that this run did not evaluate come last.
fn write_gate_checklist(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "## Quality gates\n")?;
    for id in GateId::ALL {
        let phase = id.phase().as_str().to_uppercase();
        match report.gates.iter().find(|gate| gate.id == id) {
            Some(gate) => {
                let mark = match gate.status {
                    GateStatus::Holds => "✅",
                    GateStatus::Fails => "❌",
                    GateStatus::NotEvaluated => "⏳",
                };
                writeln!(out, "- {mark} {phase}: `{}`: {}", id.as_str(), gate.detail.replace('\n', " "))?;
            }
            None => writeln!(out, "- ⏳ {phase}: `{}`: not evaluated in this phase", id.as_str())?,
        }
    }
    Ok(())
}
