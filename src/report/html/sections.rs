//! The summary sections of the HTML page: the header, the baseline comparison, pass
//! rates (chart and table), the skill's effect and the gates.

use super::chart::pass_rate_chart;
use super::escape_html;
use crate::gate::GateStatus;
use crate::report::RunReport;
use crate::report::phrases::{self, comparison_lines};
use crate::stats::signed_points;

/// Writes the title, the run sentence and the partial-run note.
pub(super) fn push_header(report: &RunReport, page: &mut String) {
    let run = &report.run;
    page.push_str(&format!("<h1>skilleval: {}</h1>\n", escape_html(&run.suite)));
    let skill = run
        .skill
        .as_deref()
        .map_or_else(|| "no skill".to_string(), |path| format!("skill <code>{}</code>", escape_html(path)));
    let samples = crate::gate::plural(run.samples as usize, "sample", "samples");
    page.push_str(&format!(
        "<p>Agent <code>{}</code>, {skill}, {} {samples} per scenario and arm.</p>\n",
        escape_html(&run.agent),
        run.samples
    ));
    if let Some(note) = phrases::partial_note(report) {
        page.push_str(&format!("<p class=\"note\" id=\"partial\">{}</p>\n", escape_html(&note)));
    }
}

/// Writes the baseline comparison, when there is one.
pub(super) fn push_baseline(report: &RunReport, page: &mut String) {
    let Some(comparison) = &report.baseline else { return };
    let class = if comparison.fails() { "fails" } else { "holds" };
    page.push_str("<section id=\"baseline\">\n<h2>Baseline</h2>\n");
    page.push_str(&format!("<p class=\"{class}\"><strong>{}</strong></p>\n", escape_html(&comparison.headline())));
    if let Some(note) = phrases::agent_note(report, comparison) {
        page.push_str(&format!("<p>{}</p>\n", escape_html(&note)));
    }
    let lines = comparison_lines(comparison);
    if !lines.is_empty() {
        page.push_str("<ul>\n");
        for line in lines {
            let class = if line.fails { " class=\"regression\"" } else { "" };
            page.push_str(&format!("<li{class}><strong>{}</strong>: {}</li>\n", line.label, escape_html(&line.text)));
        }
        page.push_str("</ul>\n");
    }
    page.push_str("</section>\n");
}

/// Writes the chart and the table of pass rates per scenario and arm.
pub(super) fn push_pass_rates(report: &RunReport, page: &mut String) {
    if report.summaries.is_empty() {
        return;
    }
    page.push_str("<section id=\"pass-rates\">\n<h2>Pass rates</h2>\n");
    page.push_str(&pass_rate_chart(report));
    page.push_str("<table>\n<tr><th>scenario</th><th>arm</th><th>passed</th><th>rate</th><th>95% CI</th>");
    page.push_str("<th>pass@k</th><th>pass^k</th><th>flaky</th><th>errored</th></tr>\n");
    for summary in &report.summaries {
        let cells = [
            format!("<code>{}</code>", escape_html(&summary.scenario)),
            summary.arm.as_str().to_string(),
            format!("{}/{}", summary.passed, summary.answered),
            phrases::rate(summary),
            phrases::interval(summary),
            phrases::pass_k(summary.pass_at_k),
            phrases::pass_k(summary.pass_hat_k),
            if summary.flaky { "flaky" } else { "" }.to_string(),
            summary.errored.to_string(),
        ];
        page.push_str(&format!("<tr><td>{}</td></tr>\n", cells.join("</td><td>")));
    }
    page.push_str(
        "</table>\n<p>k is the number of answered samples; errored units count in no rate.</p>\n</section>\n",
    );
}

/// Writes the skill's effect per scenario and overall, then the sample-size notes.
pub(super) fn push_effect(report: &RunReport, page: &mut String) {
    let Some(effect) = report.effect.as_ref().filter(|effect| !effect.scenarios.is_empty()) else { return };
    page.push_str("<section id=\"effect\">\n<h2>Skill effect</h2>\n");
    page.push_str(&format!("<p>Difference: {}.</p>\n<table>\n", escape_html(phrases::EFFECT_METHOD)));
    page.push_str(
        "<tr><th>scenario</th><th>without</th><th>with</th><th>difference</th><th>95% CI</th><th>verdict</th></tr>\n",
    );
    for scenario in &effect.scenarios {
        let verdict = scenario.verdict.as_str();
        page.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{verdict}\">{verdict}</td></tr>\n",
            escape_html(&scenario.scenario),
            phrases::proportion_rate(scenario.without_skill),
            phrases::proportion_rate(scenario.with_skill),
            phrases::difference(scenario),
            scenario.difference.interval.format_points()
        ));
    }
    if let Some(overall) = &effect.overall {
        let verdict = overall.verdict.as_str();
        page.push_str(&format!(
            "<tr><th>{}</th><td></td><td></td><th>{} pp</th><td>{}</td><th class=\"{verdict}\">{verdict}</th></tr>\n",
            phrases::overall_label(overall),
            signed_points(overall.difference.estimate),
            overall.difference.interval.format_points()
        ));
    }
    page.push_str("</table>\n");
    push_notes(&phrases::sample_size_notes(report), page);
    page.push_str("</section>\n");
}

/// Writes notes as a list, if there are any.
fn push_notes(notes: &[String], page: &mut String) {
    if notes.is_empty() {
        return;
    }
    page.push_str("<ul>\n");
    for note in notes {
        page.push_str(&format!("<li>{}</li>\n", escape_html(note)));
    }
    page.push_str("</ul>\n");
}

/// Writes the gates as a table, each with its status and figure.
pub(super) fn push_gates(report: &RunReport, page: &mut String) {
    if report.gates.is_empty() {
        return;
    }
    page.push_str("<section id=\"gates\">\n<h2>Gates</h2>\n<table>\n");
    page.push_str("<tr><th>gate</th><th>phase</th><th>status</th><th>figure</th></tr>\n");
    for gate in &report.gates {
        let status = gate.status.as_str();
        let mark = match gate.status {
            GateStatus::Holds => "✔",
            GateStatus::Fails => "✘",
            GateStatus::NotEvaluated => "–",
        };
        page.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"{status}\">{mark} {status}</td><td>{}</td></tr>\n",
            gate.id.as_str(),
            gate.phase.as_str(),
            escape_html(&gate.detail)
        ));
    }
    page.push_str("</table>\n</section>\n");
}
