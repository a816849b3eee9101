//! The RED-phase document: how the agent fails without the skill.

use std::io::Write;

use super::{arm_result, run_date, write_failed_checks, write_gate_checklist, write_scenario_heading};
use crate::gate::format_percent;
use crate::report::failures::failed_checks;
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
    format!(
        "{failing} of {} scenarios fail without the skill (pass rate below {}); {} answered without the skill",
        report.scenarios.len(),
        format_percent(threshold),
        judged.len()
    )
}

/// Writes one scenario: query, behaviour without the skill, failure pattern.
fn write_scenario(report: &RunReport, number: usize, scenario: &ScenarioInfo, out: &mut dyn Write) -> Result<(), ReportError> {
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

/// Writes, per pattern, the checks that failed without the skill in its scenarios: what
/// a skill must teach.
fn write_must_address(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "## What the skill must address\n")?;
    for (index, pattern) in report.patterns.iter().enumerate() {
        writeln!(out, "{}. **{}**", index + 1, pattern.name)?;
        let mut items: Vec<String> = Vec::new();
        for scenario in report.scenarios.iter().filter(|scenario| scenario.patterns.contains(&pattern.id)) {
            for check in failed_checks(report, &scenario.id, Arm::WithoutSkill) {
                let description = if check.description.is_empty() { check.id.clone() } else { check.description.clone() };
                let prefix = if check.kind == CheckKind::Anti { "Stop this: " } else { "" };
                items.push(format!("   - {prefix}{description} (`{}`, failed in {}/{})", scenario.id, check.failed, check.answered));
            }
        }
        if items.is_empty() {
            items.push("   - No check failed without the skill in this pattern's scenarios.".to_string());
        }
        for item in items {
            writeln!(out, "{item}")?;
        }
    }
    writeln!(out)?;
    Ok(())
}
