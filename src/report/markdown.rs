//! The Markdown exporter, sized for a GitHub step summary or a pull-request comment: the
//! baseline comparison when there is one, a table of scenarios by arm with 95% intervals,
//! the skill's effect, the gates, then per scenario the checks that kept answers from
//! passing, with quoted evidence.

use std::io::Write;

use super::effect::SkillEffect;
use super::phrases::{self, comparison_lines};
use super::{Exporter, ReportError, RunReport, UnitReport};
use crate::gate::{GateStatus, format_percent};
use crate::run::UnitOutcome;
use crate::score::ArmSummary;
use crate::snapshot::Comparison;
use crate::suite::{Arm, CheckKind};

/// Maximum length of an evidence quote, in characters. Longer quotes are cut and end in `…`.
const MAX_QUOTE_CHARS: usize = 200;

/// Most quotes shown per failed check, so that a large run still fits in one comment.
const MAX_QUOTES_PER_CHECK: usize = 3;

/// Writes the Markdown report.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
        writeln!(out, "## skilleval: {}\n", report.run.suite)?;
        writeln!(out, "{}\n", run_sentence(report))?;
        if let Some(note) = phrases::partial_note(report) {
            writeln!(out, "> **{note}**\n")?;
        }
        if let Some(comparison) = &report.baseline {
            write_comparison(report, comparison, out)?;
        }
        write_pass_table(report, out)?;
        if let Some(effect) = report.effect.as_ref().filter(|effect| !effect.scenarios.is_empty()) {
            write_effect(report, effect, out)?;
        }
        write_gates(report, out)?;
        write_failed_checks(report, out)?;
        Ok(())
    }
}

/// Describes the run in one sentence.
fn run_sentence(report: &RunReport) -> String {
    let run = &report.run;
    let skill = run.skill.as_deref().map_or_else(|| "no skill".to_string(), |path| format!("skill `{path}`"));
    let samples = crate::gate::plural(run.samples as usize, "sample", "samples");
    format!("Agent `{}`, {skill}, {} {samples} per scenario and arm.", run.agent, run.samples)
}

/// Returns the arms that have at least one summary, baseline first.
fn arms_run(report: &RunReport) -> Vec<Arm> {
    Arm::BOTH.into_iter().filter(|arm| report.summaries.iter().any(|summary| summary.arm == *arm)).collect()
}

/// Returns the scenario ids of the summaries, in report order, each once.
fn scenarios_run(report: &RunReport) -> Vec<&str> {
    let mut scenarios: Vec<&str> = Vec::new();
    for summary in &report.summaries {
        if !scenarios.contains(&summary.scenario.as_str()) {
            scenarios.push(&summary.scenario);
        }
    }
    scenarios
}

/// Writes the table of pass counts: one row per scenario, one column per arm.
fn write_pass_table(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    let arms = arms_run(report);
    if arms.is_empty() {
        return Ok(());
    }

    let header: Vec<&str> = arms.iter().map(|arm| arm.as_str()).collect();
    writeln!(out, "| scenario | {} |", header.join(" | "))?;
    writeln!(out, "| --- |{}", " --- |".repeat(arms.len()))?;
    for scenario in scenarios_run(report) {
        let cells: Vec<String> = arms
            .iter()
            .map(|arm| {
                let summary = report.summaries.iter().find(|s| s.scenario == scenario && s.arm == *arm);
                summary.map_or_else(|| "–".to_string(), pass_cell)
            })
            .collect();
        writeln!(out, "| `{scenario}` | {} |", cells.join(" | "))?;
    }
    writeln!(out, "\nPass rates with 95% Wilson intervals; errored units count in no rate.\n")?;
    Ok(())
}

/// Formats one summary as `2/3 (66.7%, 95% CI 21–94%)`, then `flaky` when the samples
/// disagree and the errored count when there is one.
fn pass_cell(summary: &ArmSummary) -> String {
    let rate = summary.pass_rate.map_or_else(|| "no answers".to_string(), format_percent);
    let interval =
        summary.interval.map(|interval| format!(", 95% CI {}", interval.format_percent())).unwrap_or_default();
    let mut cell = format!("{}/{} ({rate}{interval})", summary.passed, summary.answered);
    if summary.flaky {
        cell.push_str(", flaky");
    }
    if summary.errored > 0 {
        cell.push_str(&format!(", {} errored", summary.errored));
    }
    cell
}

/// Writes the skill's effect as a table, then the sample-size notes.
fn write_effect(report: &RunReport, effect: &SkillEffect, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "### Skill effect\n")?;
    writeln!(out, "Difference: {}.\n", phrases::EFFECT_METHOD)?;
    writeln!(out, "| scenario | without | with | difference | 95% CI | verdict |")?;
    writeln!(out, "| --- | --- | --- | --- | --- | --- |")?;
    for scenario in &effect.scenarios {
        writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            scenario.scenario,
            phrases::proportion_rate(scenario.without_skill),
            phrases::proportion_rate(scenario.with_skill),
            phrases::difference(scenario),
            scenario.difference.interval.format_points(),
            scenario.verdict.as_str()
        )?;
    }
    if let Some(overall) = &effect.overall {
        let estimate = crate::stats::signed_points(overall.difference.estimate);
        let interval = overall.difference.interval.format_points();
        let label = phrases::overall_label(overall);
        writeln!(out, "| **{label}** | | | **{estimate} pp** | {interval} | **{}** |", overall.verdict.as_str())?;
    }
    writeln!(out)?;
    for note in phrases::sample_size_notes(report) {
        writeln!(out, "- {}", escape_cell(&note))?;
    }
    writeln!(out)?;
    Ok(())
}

/// Writes the baseline comparison: a headline, then one item per change.
fn write_comparison(report: &RunReport, comparison: &Comparison, out: &mut dyn Write) -> Result<(), ReportError> {
    let mark = if comparison.fails() { "❌" } else { "✅" };
    writeln!(out, "### Baseline\n")?;
    writeln!(out, "{mark} {}\n", comparison.headline())?;
    if let Some(note) = phrases::agent_note(report, comparison) {
        writeln!(out, "{note}\n")?;
    }
    let lines = comparison_lines(comparison);
    for line in &lines {
        let mark = if line.fails { "❌ " } else { "" };
        writeln!(out, "- {mark}**{}**: {}", line.label, line.text)?;
    }
    if !lines.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// Writes the gates as a table.
fn write_gates(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    if report.gates.is_empty() {
        return Ok(());
    }
    writeln!(out, "### Gates\n")?;
    writeln!(out, "| gate | phase | status | figure |")?;
    writeln!(out, "| --- | --- | --- | --- |")?;
    for gate in &report.gates {
        let status = match gate.status {
            GateStatus::Holds => "✅ holds",
            GateStatus::Fails => "❌ fails",
            GateStatus::NotEvaluated => "➖ not evaluated",
        };
        let detail = escape_cell(&gate.detail);
        writeln!(out, "| `{}` | {} | {status} | {detail} |", gate.id.as_str(), gate.phase.as_str())?;
    }
    writeln!(out)?;
    Ok(())
}

/// Writes, per scenario, the checks that kept answers from passing and the errored units.
fn write_failed_checks(report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
    writeln!(out, "### Failed checks\n")?;
    let mut any = false;
    for scenario in scenarios_run(report) {
        let sections: Vec<(Arm, Vec<String>)> = arms_run(report)
            .into_iter()
            .map(|arm| (arm, failure_items(report.units_of(scenario, arm).collect())))
            .filter(|(_, items)| !items.is_empty())
            .collect();
        if sections.is_empty() {
            continue;
        }
        any = true;
        writeln!(out, "#### `{scenario}`\n")?;
        for (arm, items) in sections {
            writeln!(out, "**{}**\n", arm.as_str())?;
            for item in items {
                writeln!(out, "{item}")?;
            }
            writeln!(out)?;
        }
    }
    if !any {
        writeln!(out, "No check failed and no unit errored.")?;
    }
    Ok(())
}

/// Lists the failed checks of one scenario in one arm, then its errored units.
fn failure_items(units: Vec<&UnitReport>) -> Vec<String> {
    let answered = units.iter().filter(|unit| unit.passes.is_some()).count();
    let mut items = Vec::new();
    for check_id in blocking_check_ids(&units) {
        items.push(failed_check_item(&units, &check_id, answered));
    }
    for unit in &units {
        if let UnitOutcome::Errored { error } = &unit.outcome {
            items.push(format!("- sample {} errored: {}", unit.sample, quote(error)));
        }
    }
    items
}

/// Returns the ids of checks that blocked a pass in any unit, in the order they first appear.
fn blocking_check_ids(units: &[&UnitReport]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for check in units.iter().flat_map(|unit| &unit.checks) {
        if check.blocks_pass() && !ids.contains(&check.id) {
            ids.push(check.id.clone());
        }
    }
    ids
}

/// Describes one failed check: its kind, in how many answers it failed, and quotes of its evidence.
fn failed_check_item(units: &[&UnitReport], check_id: &str, answered: usize) -> String {
    let failures: Vec<(u32, &crate::score::CheckOutcome)> = units
        .iter()
        .flat_map(|unit| unit.checks.iter().map(move |check| (unit.sample, check)))
        .filter(|(_, check)| check.id == check_id && check.blocks_pass())
        .collect();
    let kind = failures.first().map_or(CheckKind::Required, |(_, check)| check.kind);
    let verb = if kind == CheckKind::Anti { "shown" } else { "not shown" };
    let mut item = format!("- `{check_id}` ({}) {verb} in {}/{answered} answers", kind.as_str(), failures.len());

    let quoted: Vec<(u32, &str)> =
        failures.iter().filter_map(|(sample, check)| check.evidence.as_deref().map(|text| (*sample, text))).collect();
    for (sample, evidence) in quoted.iter().take(MAX_QUOTES_PER_CHECK) {
        item.push_str(&format!("\n  - sample {sample}\n    > {}", quote(evidence)));
    }
    if quoted.len() > MAX_QUOTES_PER_CHECK {
        item.push_str(&format!("\n  - and {} more", quoted.len() - MAX_QUOTES_PER_CHECK));
    }
    item
}

/// Puts agent text on one line, cut to [`MAX_QUOTE_CHARS`], and escapes it so that HTML,
/// emphasis, strikethrough, link brackets, code spans and headings render as plain text.
/// GitHub still turns a bare URL into a link.
pub(crate) fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = one_line.chars().take(MAX_QUOTE_CHARS).collect();
    if one_line.chars().count() > MAX_QUOTE_CHARS {
        cut.push('…');
    }

    let mut escaped = String::with_capacity(cut.len());
    for c in cut.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '#' | '>' => {
                escaped.push('\\');
                escaped.push(c);
            }
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Escapes a table cell: pipes would end the cell, newlines the row.
fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    fn render() -> String {
        let mut out = Vec::new();
        MarkdownExporter.write_report(&sample_report(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn pass_table_has_one_column_per_arm() {
        let text = render();
        assert!(text.contains("| scenario | without-skill | with-skill |\n| --- | --- | --- |\n"));
        assert!(
            text.contains(
                "| `accumulation` | 1/2 (50%, 95% CI 9–91%), flaky | 1/1 (100%, 95% CI 21–100%), 1 errored |"
            )
        );
    }

    #[test]
    fn anti_check_quotes_evidence() {
        let text = render();
        assert!(
            text.contains(
                "- `too-small` (anti) shown in 2/2 answers\n  - sample 0\n    > Multiply the rate by 1.5x.\n"
            )
        );
    }

    #[test]
    fn evidence_is_escaped() {
        assert!(render().contains("  - sample 1\n    > Use &lt;2x\\> &amp; see.\n"));
    }

    #[test]
    fn markdown_syntax_is_escaped() {
        assert_eq!(quote("# use *max* [batch](x) `now` a_b"), "\\# use \\*max\\* \\[batch\\](x) \\`now\\` a\\_b");
    }

    #[test]
    fn long_quote_is_cut() {
        let long = "word ".repeat(100);
        let quoted = quote(&long);
        assert_eq!(quoted.chars().count(), MAX_QUOTE_CHARS + 1);
        assert!(quoted.ends_with('…'));
    }

    #[test]
    fn table_cell_pipes_are_escaped() {
        assert_eq!(escape_cell("a | b\nc"), "a \\| b c");
    }
}
