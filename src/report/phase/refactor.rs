//! The REFACTOR-phase document, or pressure-test report: how the answers hold when the
//! user pushes. A matrix of pressure × scenario with pass rates without and with the
//! skill, the rationalizations found with quotes, the checks that fold most, the
//! parametric variants, and the gates as a checklist.

use std::io::Write;

use super::{run_date, write_gate_checklist};
use crate::report::phrases::partial_note;
use crate::report::pressure::{ArmPair, PressureRow, PressureTest};
use crate::report::{Exporter, ReportError, RunReport};

/// Writes the REFACTOR-phase results document.
#[derive(Debug, Clone, Copy, Default)]
pub struct RefactorPhaseExporter;

impl Exporter for RefactorPhaseExporter {
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
        write_preamble(report, out)?;
        let Some(test) = PressureTest::of(report) else {
            writeln!(out, "No pressure or parametric variants were asked in this run; `--phase refactor` asks them.\n")?;
            return write_gate_checklist(report, out);
        };
        write_matrix(report, &test, out)?;
        write_rationalizations(&test, out)?;
        write_folding(&test, out)?;
        write_parametric(&test, out)?;
        write_gate_checklist(report, out)
    }
}

fn write_preamble(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    let skill = report.run.skill.as_deref().unwrap_or("none");
    writeln!(out, "# {}: REFACTOR phase results (pressure test)\n", report.run.suite)?;
    writeln!(out, "Date: {}", run_date(report))?;
    let variant_samples = report.run.variant_samples.unwrap_or(0);
    writeln!(
        out,
        "Run: agent `{}`, skill `{skill}`, {} samples per scenario and arm, {variant_samples} per variant and arm\n",
        report.run.agent, report.run.samples
    )?;
    if let Some(note) = partial_note(report) {
        writeln!(out, "> **{note}**\n")?;
    }
    Ok(())
}

/// `1/5 → 4/5`: without the skill, then with it.
fn pair_text(pair: Option<&ArmPair>) -> String {
    match pair {
        Some(pair) => format!("{} → {}", pair.without_skill.short(), pair.with_skill.short()),
        None => "–".to_string(),
    }
}

fn write_matrix(report: &RunReport, test: &PressureTest<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "## Pass rates under pressure\n")?;
    writeln!(out, "Each cell gives the answers that passed without the skill → with it.\n")?;
    let ids: Vec<String> = report.scenarios.iter().map(|scenario| format!("`{}`", scenario.id)).collect();
    writeln!(out, "| Pressure | {} | All scenarios, with the skill |", ids.join(" | "))?;
    writeln!(out, "|---|{}---|", "---|".repeat(ids.len()))?;
    for row in std::iter::once(&test.base).chain(&test.rows) {
        write_row(row, out)?;
    }
    writeln!(out)?;
    Ok(())
}

fn write_row(row: &PressureRow, out: &mut dyn Write) -> Result<(), ReportError> {
    let cells: Vec<String> = row.cells.iter().map(|cell| pair_text(cell.as_ref())).collect();
    writeln!(out, "| {} | {} | {} |", row.label, cells.join(" | "), row.total.with_skill.describe())?;
    Ok(())
}

fn write_rationalizations(test: &PressureTest<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "## Rationalizations found\n")?;
    if test.rationalizations.is_empty() {
        writeln!(out, "No answer excused itself from the guidance.\n")?;
        return Ok(());
    }
    for group in &test.rationalizations {
        writeln!(
            out,
            "### `{}`: {} with the skill, {} without\n",
            group.kind, group.with_skill, group.without_skill
        )?;
        let total = group.with_skill + group.without_skill;
        if group.examples.len() < total {
            writeln!(out, "The first {} of {total}, with-skill answers first:\n", group.examples.len())?;
        }
        for item in &group.examples {
            let quote = item.evidence.as_deref().unwrap_or("no sentence recorded").replace('\n', " ");
            writeln!(out, "> {quote}\n>\n> — `{}`, `{}`, {}, sample {}\n", item.scenario, item.variant, item.arm.as_str(), item.sample)?;
        }
    }
    Ok(())
}

fn write_folding(test: &PressureTest<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "## Checks that fold under pressure\n")?;
    if test.folding.is_empty() {
        writeln!(out, "With the skill, no check holds less often under pressure than on the question as written.\n")?;
        return Ok(());
    }
    let shown = if test.folding.len() < test.folding_total {
        format!(" The {} largest drops of {} are listed.", test.folding.len(), test.folding_total)
    } else {
        String::new()
    };
    writeln!(out, "With the skill: how often each check held on the question as written, and under pressure.{shown}\n")?;
    writeln!(out, "| Scenario | Check | Kind | As written | Under pressure |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for check in &test.folding {
        writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {} |",
            check.scenario,
            check.check,
            check.kind.as_str(),
            check.base.describe(),
            check.pressured.describe()
        )?;
    }
    writeln!(out)?;
    Ok(())
}

fn write_parametric(test: &PressureTest<'_>, out: &mut dyn Write) -> Result<(), ReportError> {
    if test.parametric.is_empty() {
        return Ok(());
    }
    writeln!(out, "## Other parameters\n")?;
    writeln!(out, "The same questions with other numbers; the planner computes each one's expected values.\n")?;
    writeln!(out, "| Scenario | Variant | Query | Without the skill | With the skill |")?;
    writeln!(out, "|---|---|---|---|---|")?;
    for row in &test.parametric {
        writeln!(
            out,
            "| `{}` | `{}` | {} | {} | {} |",
            row.scenario,
            row.variant.id,
            row.variant.query.replace('|', "\\|").replace('\n', " "),
            row.result.without_skill.describe(),
            row.result.with_skill.describe()
        )?;
    }
    writeln!(out)?;
    Ok(())
}
