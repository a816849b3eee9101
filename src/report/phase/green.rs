//! The GREEN-phase document: how the agent behaves with the skill, and what still fails.

use std::io::Write;

use super::{arm_result, run_date, write_failed_checks, write_gate_checklist, write_scenario_heading};
use crate::gate::format_percent;
use crate::report::phrases::partial_note;
use crate::report::{Exporter, ReportError, RunReport, ScenarioInfo};
use crate::stats::signed_points;
use crate::suite::Arm;

/// Writes the GREEN-phase results document.
#[derive(Debug, Clone, Copy, Default)]
pub struct GreenPhaseExporter;

impl Exporter for GreenPhaseExporter {
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
        write_preamble(report, out)?;
        for (index, scenario) in report.scenarios.iter().enumerate() {
            write_scenario(report, index + 1, scenario, out)?;
        }
        write_patterns_addressed(report, out)?;
        write_gate_checklist(report, out)?;
        Ok(())
    }
}

/// Returns the `skill-passes` threshold, or 80% when the report does not record it.
fn skill_threshold(report: &RunReport) -> f64 {
    report.pass_thresholds.map_or(0.8, |thresholds| thresholds.skill_min_pass_rate)
}

/// Writes the title, date, run and status lines.
fn write_preamble(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    let skill = report.run.skill.as_deref().unwrap_or("none");
    writeln!(out, "# {}: GREEN phase results\n", report.run.suite)?;
    writeln!(out, "Date: {}", run_date(report))?;
    writeln!(
        out,
        "Run: agent `{}`, skill `{skill}`, {} samples per scenario and arm",
        report.run.agent, report.run.samples
    )?;
    writeln!(out, "Status: {}\n", status(report))?;
    if let Some(note) = partial_note(report) {
        writeln!(out, "> **{note}**\n")?;
    }
    Ok(())
}

/// Says how many scenarios pass with the skill, and the overall effect.
fn status(report: &RunReport) -> String {
    let threshold = skill_threshold(report);
    let rates: Vec<f64> = report
        .scenarios
        .iter()
        .filter_map(|scenario| report.summary(&scenario.id, Arm::WithSkill)?.pass_rate)
        .collect();
    let passing = rates.iter().filter(|rate| **rate >= threshold).count();
    let mut text = format!(
        "{passing} of {} scenarios pass with the skill (pass rate at or above {})",
        report.scenarios.len(),
        format_percent(threshold)
    );
    if let Some(overall) = report.effect.as_ref().and_then(|effect| effect.overall.as_ref()) {
        text.push_str(&format!(
            "; the skill changes the pass rate by {} pp on average (95% CI {}): {}",
            signed_points(overall.difference.estimate),
            overall.difference.interval.format_points(),
            overall.verdict.as_str()
        ));
    }
    text
}

/// Writes one scenario: query, both arms, whether it is now correct, the effect, and
/// what still fails.
fn write_scenario(
    report: &RunReport,
    number: usize,
    scenario: &ScenarioInfo,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    write_scenario_heading(number, scenario, out)?;
    writeln!(out, "**Without the skill:** {}.\n", arm_result(report.summary(&scenario.id, Arm::WithoutSkill)))?;
    let summary = report.summary(&scenario.id, Arm::WithSkill);
    writeln!(out, "**Behaviour with the skill:** {}.\n", arm_result(summary))?;
    writeln!(out, "**Now correct:** {}\n", verdict(report, scenario))?;
    write_effect(report, scenario, out)?;
    if summary.is_some() {
        writeln!(out, "**Still failing:**\n")?;
        if !write_failed_checks(report, &scenario.id, Arm::WithSkill, out)? {
            writeln!(out, "Nothing: every check held in every answer.\n")?;
        }
    }
    writeln!(out, "---\n")?;
    Ok(())
}

/// Says whether the scenario is now correct with the skill.
fn verdict(report: &RunReport, scenario: &ScenarioInfo) -> String {
    let threshold = format_percent(skill_threshold(report));
    let Some(summary) = report.summary(&scenario.id, Arm::WithSkill) else {
        return "not known: not run with the skill".to_string();
    };
    let Some(rate) = summary.pass_rate else { return "not known: every sample errored".to_string() };
    let counts = format!("{}/{}", summary.passed, summary.answered);
    if summary.passed == summary.answered {
        format!("yes: every answer passes ({counts}).")
    } else if rate >= skill_threshold(report) {
        format!("mostly: {counts} answers pass, at or above the {threshold} threshold, but not all.")
    } else {
        format!("no: {counts} answers pass, below the {threshold} threshold.")
    }
}

/// Writes the scenario's effect line, with the sample-size note when inconclusive.
fn write_effect(report: &RunReport, scenario: &ScenarioInfo, out: &mut dyn Write) -> Result<(), ReportError> {
    let effects = report.effect.as_ref().map(|effect| effect.scenarios.as_slice()).unwrap_or_default();
    let Some(effect) = effects.iter().find(|effect| effect.scenario == scenario.id) else { return Ok(()) };
    write!(
        out,
        "**Effect of the skill:** {} pp (95% CI {}), {}",
        signed_points(effect.difference.estimate),
        effect.difference.interval.format_points(),
        effect.verdict.as_str()
    )?;
    match effect.sample_size_note() {
        Some(note) => writeln!(out, "; {note}.\n")?,
        None => writeln!(out, ".\n")?,
    }
    Ok(())
}

/// Writes which failure patterns the skill document addresses, from its lint.
fn write_patterns_addressed(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "## Patterns the skill addresses\n")?;
    let Some(lint) = &report.lint else {
        writeln!(out, "No skill document was given, so its coverage of the patterns is unknown.\n")?;
        return Ok(());
    };
    for (index, pattern) in lint.patterns.iter().enumerate() {
        let found: Vec<String> = pattern
            .terms
            .iter()
            .filter_map(|term| term.found.as_ref().map(|found| format!("`{}` at line {}", term.term, found.line)))
            .collect();
        let status = if pattern.addressed { "✅" } else { "❌" };
        let detail = if found.is_empty() { "no term found".to_string() } else { format!("found {}", found.join(", ")) };
        writeln!(out, "{}. {status} **{}** (`{}`): {detail}", index + 1, pattern.name, pattern.id)?;
    }
    writeln!(out, "\nThe skill document has {} lines and {} concrete examples.\n", lint.lines, lint.example_count())?;
    Ok(())
}
