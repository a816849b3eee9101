//! The terminal exporter: a compact aligned table of pass counts per scenario and arm with
//! 95% intervals, the skill's effect, the gates one per line, and the baseline comparison
//! when there is one. Colour only when the caller asks for it and `NO_COLOR` is unset or
//! empty.

use std::ffi::OsString;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::effect::SkillEffect;
use super::phrases::{self, comparison_lines};
use super::{Exporter, ReportError, RunReport};
use crate::gate::{GateResult, GateStatus};
use crate::score::ArmSummary;
use crate::snapshot::Comparison;

/// Space between columns.
const GAP: &str = "  ";

/// Writes the terminal report.
#[derive(Debug, Clone, Copy)]
pub struct TerminalExporter {
    color: bool,
}

impl TerminalExporter {
    /// Creates the exporter. `color` is the caller's request (from a flag or a tty
    /// check), and it is ignored when `NO_COLOR` is set to a non-empty value.
    pub fn new(color: bool) -> Self {
        TerminalExporter { color: color_allowed(color, std::env::var_os("NO_COLOR")) }
    }
}

impl Exporter for TerminalExporter {
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
        writeln!(out, "{}", run_line(report))?;
        if let Some(note) = phrases::partial_note(report) {
            writeln!(out, "{note}")?;
        }
        if !report.summaries.is_empty() {
            writeln!(out)?;
            write_summary_table(&report.summaries, out)?;
        }
        if let Some(effect) = report.effect.as_ref().filter(|effect| !effect.scenarios.is_empty()) {
            writeln!(out)?;
            write_effect(report, effect, out)?;
        }
        if !report.gates.is_empty() {
            writeln!(out)?;
            writeln!(out, "gates")?;
            write_gate_lines(&report.gates, self.color, out)?;
        }
        if let Some(comparison) = &report.baseline {
            writeln!(out)?;
            write_comparison(report, comparison, self.color, out)?;
        }
        Ok(())
    }
}

/// Decides whether to colour: only when asked and `NO_COLOR` is absent or empty, as
/// <https://no-color.org> defines it.
fn color_allowed(requested: bool, no_color: Option<OsString>) -> bool {
    requested && no_color.is_none_or(|value| value.is_empty())
}

/// Describes the run in one line.
fn run_line(report: &RunReport) -> String {
    let run = &report.run;
    let skill = run.skill.as_deref().unwrap_or("none");
    let samples = crate::gate::plural(run.samples as usize, "sample", "samples");
    format!("suite {}, agent {}, skill {skill}, {} {samples} per scenario and arm", run.suite, run.agent, run.samples)
}

/// Writes one row per scenario and arm: passed of answered, pass rate and its 95%
/// interval, pass@k and pass^k with k the answered samples, flakiness, errored units.
fn write_summary_table(summaries: &[ArmSummary], out: &mut dyn Write) -> io::Result<()> {
    let header = ["scenario", "arm", "passed", "rate", "95% CI", "pass@k", "pass^k", "flaky", "errored"];
    let mut rows = vec![header.map(String::from).to_vec()];
    for summary in summaries {
        rows.push(vec![
            summary.scenario.clone(),
            summary.arm.as_str().to_string(),
            format!("{}/{}", summary.passed, summary.answered),
            phrases::rate(summary),
            phrases::interval(summary),
            phrases::pass_k(summary.pass_at_k),
            phrases::pass_k(summary.pass_hat_k),
            if summary.flaky { "flaky" } else { "" }.to_string(),
            summary.errored.to_string(),
        ]);
    }
    for line in align(&rows) {
        writeln!(out, "{line}")?;
    }
    writeln!(out, "k is the number of answered samples; errored units count in no rate.")?;
    Ok(())
}

/// Writes the skill's effect per scenario and overall, then the sample-size notes.
fn write_effect(report: &RunReport, effect: &SkillEffect, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "skill effect: {}", phrases::EFFECT_METHOD)?;
    let header = ["scenario", "without", "with", "difference", "95% CI", "verdict"];
    let mut rows = vec![header.map(String::from).to_vec()];
    for scenario in &effect.scenarios {
        rows.push(vec![
            scenario.scenario.clone(),
            phrases::proportion_rate(scenario.without_skill),
            phrases::proportion_rate(scenario.with_skill),
            phrases::difference(scenario),
            scenario.difference.interval.format_points(),
            scenario.verdict.as_str().to_string(),
        ]);
    }
    if let Some(overall) = &effect.overall {
        rows.push(vec![
            phrases::overall_label(overall),
            String::new(),
            String::new(),
            format!("{} pp", crate::stats::signed_points(overall.difference.estimate)),
            overall.difference.interval.format_points(),
            overall.verdict.as_str().to_string(),
        ]);
    }
    for line in align(&rows) {
        writeln!(out, "  {line}")?;
    }
    for note in phrases::sample_size_notes(report) {
        writeln!(out, "  note: {note}")?;
    }
    Ok(())
}

/// Writes the baseline comparison: a headline, then one line per change.
fn write_comparison(report: &RunReport, comparison: &Comparison, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let style = if comparison.fails() { status_style(GateStatus::Fails) } else { status_style(GateStatus::Holds) };
    writeln!(out, "baseline: {}", paint(&comparison.headline(), style, color))?;
    if let Some(note) = phrases::agent_note(report, comparison) {
        writeln!(out, "  note: {note}")?;
    }
    let lines = comparison_lines(comparison);
    let width = lines.iter().map(|line| line.label.len()).max().unwrap_or(0);
    for line in lines {
        writeln!(out, "  {:<width$}{GAP}{}", line.label, line.text)?;
    }
    Ok(())
}

/// Writes each gate as `status  phase  id  detail`, indented and aligned.
pub(crate) fn write_gate_lines(gates: &[GateResult], color: bool, out: &mut dyn Write) -> io::Result<()> {
    let status_width = gates.iter().map(|gate| gate.status.as_str().len()).max().unwrap_or(0);
    let phase_width = gates.iter().map(|gate| gate.phase.as_str().len()).max().unwrap_or(0);
    let id_width = gates.iter().map(|gate| gate.id.as_str().len()).max().unwrap_or(0);
    for gate in gates {
        let status = format!("{:<status_width$}", gate.status.as_str());
        let status = paint(&status, status_style(gate.status), color);
        let phase = gate.phase.as_str();
        let id = gate.id.as_str();
        writeln!(out, "  {status}{GAP}{phase:<phase_width$}{GAP}{id:<id_width$}{GAP}{}", gate.detail)?;
    }
    Ok(())
}

/// Returns the style of a gate status when colour is on.
fn status_style(status: GateStatus) -> Style {
    let color = match status {
        GateStatus::Holds => AnsiColor::Green,
        GateStatus::Fails => AnsiColor::Red,
        GateStatus::NotEvaluated => AnsiColor::Yellow,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

/// Wraps text in a style's escape codes when colour is on.
fn paint(text: &str, style: Style, color: bool) -> String {
    if color { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_string() }
}

/// Left-aligns columns, separated by [`GAP`], without trailing spaces.
fn align(rows: &[Vec<String>]) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|column| rows.iter().filter_map(|row| row.get(column)).map(|cell| cell.chars().count()).max().unwrap_or(0))
        .collect();
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
            cells.join(GAP).trim_end().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    fn render(color: bool) -> String {
        let mut out = Vec::new();
        TerminalExporter { color }.write_report(&sample_report(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn no_color_unless_asked() {
        assert!(!render(false).contains('\u{1b}'));
        assert!(render(true).contains("\u{1b}["));
    }

    #[test]
    fn no_color_variable_wins() {
        assert!(color_allowed(true, None));
        assert!(color_allowed(true, Some(OsString::new())));
        assert!(!color_allowed(true, Some(OsString::from("1"))));
        assert!(!color_allowed(false, None));
    }

    #[test]
    fn errored_unit_is_its_own_column() {
        let text = render(false);
        let row = text.lines().find(|line| line.starts_with("accumulation  with-skill")).unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells, ["accumulation", "with-skill", "1/1", "100%", "21–100%", "1", "1", "1"]);
    }

    #[test]
    fn flaky_row_is_marked() {
        let text = render(false);
        let row = text.lines().find(|line| line.starts_with("accumulation  without-skill")).unwrap();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cells, ["accumulation", "without-skill", "1/2", "50%", "9–91%", "1", "0", "flaky", "0"]);
    }

    #[test]
    fn effect_rows_and_notes() {
        let text = render(false);
        assert!(text.contains("skill effect: with-skill pass rate minus without-skill pass rate"), "{text}");
        assert!(text.lines().any(|line| line.trim_start().starts_with("overall (mean of 2 scenarios)")), "{text}");
        let note = "  note: accumulation: the 95% interval includes zero with 2 answered samples without the skill \
                    and 1 with it; with these pass rates it would exclude zero from about 6 samples per arm";
        assert!(text.contains(note), "{text}");
    }

    #[test]
    fn align_pads_to_widest_cell() {
        let rows = vec![vec!["a".to_string(), "bb".to_string()], vec!["ccc".to_string(), "d".to_string()]];
        assert_eq!(align(&rows), ["a    bb", "ccc  d"]);
    }
}
