//! The RED-phase document: how the agent fails without the skill.

use std::io::Write;

use super::{arm_result, run_date, write_failed_checks, write_gate_checklist, write_scenario_heading};
use crate::gate::format_percent;
use crate::report::failures::{FailedCheck, failed_checks};
use crate::report::phrases::partial_note;
use crate::report::{Exporter, ReportError, RunReport, ScenarioInfo};
use crate::suite::{Arm, CheckKind};

/// Writes the RED-phase results document.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedPhaseExporter;

impl Exporter for RedPhaseExporter {
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
        write_preamble(report, out)?;
        for (index, scenario) in report.scenarios.iter().enumerate() {
            write_scenario(report, index + 1, scenario, out)?;
        }
        write_patterns(report, out)?;
        write_must_address(report, out)?;
        write_gate_checklist(report, out)?;
        Ok(())
    }
}

/// Writes the title, date, run and status lines.
fn write_preamble(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "# {}: RED phase results\n", report.run.suite)?;
    writeln!(out, "Date: {}", run_date(report))?;
    writeln!(out, "Run: agent `{}`, {} samples per scenario without the skill", report.run.agent, report.run.samples)?;
    writeln!(out, "Status: {}\n", status(report))?;
    if let Some(note) = partial_note(report) {
        writeln!(out, "> **{note}**\n")?;
    }
    Ok(())
}

/// Says how many scenarios fail without the skill, against the gate's threshold.
fn status(report: &RunReport) -> String {
    let threshold = report.pass_thresholds.map_or(0.5, |thresholds| thresholds.baseline_max_pass_rate);
    let judged: Vec<f64> = report
        .scenarios
        .iter()
        .filter_map(|scenario| report.summary(&scenario.id, Arm::WithoutSkill)?.pass_rate)
        .collect();
    let failing = judged.iter().filter(|rate| **rate < threshold).count();
    let total = report.scenarios.len();
    let mut text = format!(
        "{failing} of {total} scenarios fail without the skill (pass rate below {})",
        format_percent(threshold)
    );
    if judged.len() < total {
        text.push_str(&format!("; {} have no answer without the skill yet", total - judged.len()));
    }
    text
}

/// Writes one scenario: query, behaviour without the skill, failure pattern.
fn write_scenario(
    report: &RunReport,
    number: usize,
    scenario: &ScenarioInfo,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    write_scenario_heading(number, scenario, out)?;
    let summary = report.summary(&scenario.id, Arm::WithoutSkill);
    writeln!(out, "**Behaviour without the skill:** {}.\n", arm_result(summary))?;
    if summary.is_some() && !write_failed_checks(report, &scenario.id, Arm::WithoutSkill, out)? {
        writeln!(out, "Every check held in every answer: this scenario shows no failure for the skill to fix.\n")?;
    }
    writeln!(out, "**Failure pattern:** {}\n\n---\n", scenario.failure_pattern.replace('\n', " "))?;
    Ok(())
}

/// Writes the failure patterns, each with the scenarios that belong to it.
fn write_patterns(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "## Identified patterns\n")?;
    for (index, pattern) in report.patterns.iter().enumerate() {
        let scenarios: Vec<String> = report
            .scenarios
            .iter()
            .filter(|scenario| scenario.patterns.contains(&pattern.id))
            .map(|scenario| format!("`{}`", scenario.id))
            .collect();
        let seen = if scenarios.is_empty() { "no scenario".to_string() } else { scenarios.join(", ") };
        writeln!(out, "{}. **{}** (`{}`): seen in {seen}", index + 1, pattern.name, pattern.id)?;
    }
    writeln!(out)?;
    Ok(())
}

/// Most failed checks named per pattern in "What the skill must address".
const MAX_CHECKS_PER_PATTERN: usize = 4;

/// Writes, per pattern, the checks its scenarios failed most often without the skill:
/// what a skill must teach.
fn write_must_address(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "## What the skill must address\n")?;
    for (index, pattern) in report.patterns.iter().enumerate() {
        let mut failures: Vec<(String, FailedCheck)> = report
            .scenarios
            .iter()
            .filter(|scenario| scenario.patterns.contains(&pattern.id))
            .flat_map(|scenario| {
                let checks = failed_checks(report, &scenario.id, Arm::WithoutSkill);
                checks.into_iter().map(move |check| (scenario.id.clone(), check))
            })
            .collect();
        failures.sort_by(|(_, a), (_, b)| failure_share(b).total_cmp(&failure_share(a)));
        writeln!(out, "{}. **{}**: {}", index + 1, pattern.name, most_missed(&failures))?;
    }
    writeln!(out)?;
    Ok(())
}

/// Returns the share of answers in which a check failed.
fn failure_share(check: &FailedCheck) -> f64 {
    f64::from(check.failed) / f64::from(check.answered.max(1))
}

/// Names the most often failed checks, e.g. `` `why-it-works` in linear-scaling-rule (3/5), …``.
fn most_missed(failures: &[(String, FailedCheck)]) -> String {
    if failures.is_empty() {
        return "no check failed without the skill in this pattern's scenarios.".to_string();
    }
    let named: Vec<String> = failures
        .iter()
        .take(MAX_CHECKS_PER_PATTERN)
        .map(|(scenario, check)| {
            let verb = if check.kind == CheckKind::Anti { "committed" } else { "missed" };
            format!("`{}` {verb} in {scenario} ({}/{})", check.id, check.failed, check.answered)
        })
        .collect();
    let mut text = format!("most often failed: {}", named.join(", "));
    if failures.len() > MAX_CHECKS_PER_PATTERN {
        text.push_str(&format!(", and {} more failed checks", failures.len() - MAX_CHECKS_PER_PATTERN));
    }
    text.push('.');
    text
}
