//! The answers section: per scenario its query, then every answer in each arm with its
//! check outcomes, and the evidence of each check marked in the answer's text.

use std::io::{self, Write};
use std::ops::Range;

use super::escape_html;
use crate::report::{RunReport, UnitReport};
use crate::run::UnitOutcome;
use crate::score::CheckOutcome;
use crate::suite::{Arm, CheckKind};

/// A stretch of the answer to mark, and whether its check blocked the pass.
struct Highlight {
    range: Range<usize>,
    blocked: bool,
}

/// Writes the answers section to `out` one answer at a time, so that the whole section,
/// most of the page, is never held in memory at once.
pub(super) fn write_answers(report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
    if report.base_units().next().is_none() {
        return Ok(());
    }
    let mut html = String::new();
    html.push_str("<section id=\"answers\">\n<h2>Answers</h2>\n");
    html.push_str("<p><button type=\"button\" data-open=\"all\">Open all</button> ");
    html.push_str("<button type=\"button\" data-open=\"none\">Close all</button></p>\n");
    for scenario in scenario_ids(report) {
        write_scenario(report, &scenario, &mut html, out)?;
    }
    html.push_str("</section>\n");
    out.write_all(html.as_bytes())
}

/// Returns the scenario ids in suite order, then any others that have units.
fn scenario_ids(report: &RunReport) -> Vec<String> {
    let mut ids: Vec<String> = report.scenarios.iter().map(|info| info.id.clone()).collect();
    for unit in report.base_units() {
        if !ids.contains(&unit.scenario) {
            ids.push(unit.scenario.clone());
        }
    }
    ids.retain(|id| report.base_units().any(|unit| &unit.scenario == id));
    ids
}

/// Writes one scenario: its title and query, then each arm's answers. `html` contains the
/// text not yet written to `out`, and is written and emptied after each answer.
fn write_scenario(report: &RunReport, scenario: &str, html: &mut String, out: &mut dyn Write) -> io::Result<()> {
    let info = report.scenarios.iter().find(|info| info.id == scenario);
    let title = info.map_or(scenario, |info| info.title.as_str());
    html.push_str(&format!("<h3><code>{}</code>: {}</h3>\n", escape_html(scenario), escape_html(title)));
    if let Some(info) = info {
        html.push_str(&format!("<blockquote>{}</blockquote>\n", escape_html(&info.query)));
    }
    for arm in Arm::BOTH {
        let units: Vec<&UnitReport> = report.units_of(scenario, arm).collect();
        if units.is_empty() {
            continue;
        }
        html.push_str(&format!("<h4>{}</h4>\n", arm.as_str()));
        for unit in units {
            push_unit(unit, html);
            out.write_all(html.as_bytes())?;
            html.clear();
        }
    }
    Ok(())
}

/// Writes one answer as a collapsible block: its verdict, its checks, and its text.
fn push_unit(unit: &UnitReport, page: &mut String) {
    let (class, verdict) = match unit.passes {
        Some(true) => ("pass", "passes".to_string()),
        Some(false) => ("fail", format!("fails: {}", blocking_ids(&unit.checks))),
        None => ("errored", "errored".to_string()),
    };
    page.push_str(&format!(
        "<details class=\"{class}\"><summary>sample {} — {}</summary>\n",
        unit.sample,
        escape_html(&verdict)
    ));
    match &unit.outcome {
        UnitOutcome::Answered { response } => {
            push_checks(&unit.checks, page);
            page.push_str(&format!("<pre class=\"answer\">{}</pre>\n", mark_evidence(response, &unit.checks)));
        }
        UnitOutcome::Errored { error } => {
            page.push_str(&format!("<p class=\"errored\">{}</p>\n", escape_html(error)));
        }
    }
    page.push_str("</details>\n");
}

/// Joins the ids of the checks that blocked the pass.
fn blocking_ids(checks: &[CheckOutcome]) -> String {
    let ids: Vec<&str> = checks.iter().filter(|check| check.blocks_pass()).map(|check| check.id.as_str()).collect();
    ids.join(", ")
}

/// Writes the check outcomes as a list, blocking ones marked.
fn push_checks(checks: &[CheckOutcome], page: &mut String) {
    page.push_str("<ul class=\"checks\">\n");
    for check in checks {
        let class = if check.blocks_pass() { "blocked" } else { "held" };
        let shown = match (check.kind, check.shown) {
            (CheckKind::Anti, true) => "failure shown",
            (CheckKind::Anti, false) => "failure not shown",
            (_, true) => "shown",
            (_, false) => "not shown",
        };
        let evidence = check
            .evidence
            .as_deref()
            .map(|text| format!(": <q class=\"evidence\">{}</q>", escape_html(text)))
            .unwrap_or_default();
        page.push_str(&format!(
            "<li class=\"{class}\"><code>{}</code> ({}) {shown}{evidence}</li>\n",
            escape_html(&check.id),
            check.kind.as_str()
        ));
    }
    page.push_str("</ul>\n");
}

/// Escapes the answer and wraps each piece of evidence found in it in `<mark>`.
fn mark_evidence(response: &str, checks: &[CheckOutcome]) -> String {
    let highlights = merged_highlights(response, checks);
    let mut marked = String::with_capacity(response.len() + highlights.len() * 32);
    let mut position = 0;
    for highlight in highlights {
        marked.push_str(&escape_html(&response[position..highlight.range.start]));
        let class = if highlight.blocked { " class=\"blocked\"" } else { "" };
        marked.push_str(&format!("<mark{class}>{}</mark>", escape_html(&response[highlight.range.clone()])));
        position = highlight.range.end;
    }
    marked.push_str(&escape_html(&response[position..]));
    marked
}

/// Finds each check's evidence in the answer and merges overlapping stretches, in text order.
fn merged_highlights(response: &str, checks: &[CheckOutcome]) -> Vec<Highlight> {
    let mut found: Vec<Highlight> = checks
        .iter()
        .filter(|check| check.shown)
        .filter_map(|check| {
            let range = locate(response, check.evidence.as_deref()?)?;
            Some(Highlight { range, blocked: check.blocks_pass() })
        })
        .collect();
    found.sort_by_key(|highlight| highlight.range.start);

    let mut merged: Vec<Highlight> = Vec::new();
    for highlight in found {
        match merged.last_mut() {
            Some(last) if highlight.range.start < last.range.end => {
                last.range.end = last.range.end.max(highlight.range.end);
                last.blocked |= highlight.blocked;
            }
            _ => merged.push(highlight),
        }
    }
    merged
}

/// Finds evidence in the answer: verbatim, or for a numeric check's evidence (`states 4
/// in: SENTENCE where 8 is expected`) the quoted sentence. Evidence the scorer normalised
/// (markup removed, number words as digits) may not be found, and is then only listed.
fn locate(response: &str, evidence: &str) -> Option<Range<usize>> {
    let quoted = evidence
        .split_once(" in: ")
        .map(|(_, rest)| rest.rsplit_once(" where ").map_or(rest, |(sentence, _)| sentence));
    [Some(evidence), quoted].into_iter().flatten().map(str::trim).filter(|text| !text.is_empty()).find_map(|text| {
        let start = response.find(text)?;
        Some(start..start + text.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(id: &str, kind: CheckKind, shown: bool, evidence: &str) -> CheckOutcome {
        CheckOutcome { id: id.to_string(), kind, shown, evidence: Some(evidence.to_string()) }
    }

    #[test]
    fn evidence_is_marked_and_escaped() {
        let response = "Use <b>warmup</b>. Then multiply by 1.5x & hope.";
        let checks = [
            outcome("warmup", CheckKind::Required, true, "Use <b>warmup</b>."),
            outcome("small", CheckKind::Anti, true, "Then multiply by 1.5x & hope."),
        ];
        assert_eq!(
            mark_evidence(response, &checks),
            "<mark>Use &lt;b&gt;warmup&lt;/b&gt;.</mark> <mark class=\"blocked\">Then multiply by 1.5x &amp; hope.</mark>"
        );
    }

    #[test]
    fn numeric_evidence_marks_its_sentence() {
        let response = "Go big. I'd double it: 2x. Done.";
        let checks =
            [outcome("multiplier", CheckKind::Numeric, true, "states 2 in: I'd double it: 2x. where 4 is expected")];
        assert_eq!(mark_evidence(response, &checks), "Go big. <mark>I&#39;d double it: 2x.</mark> Done.");
    }

    #[test]
    fn overlapping_evidence_merges() {
        let response = "abc def ghi";
        let checks =
            [outcome("a", CheckKind::Required, true, "abc def"), outcome("b", CheckKind::Anti, true, "def ghi")];
        assert_eq!(mark_evidence(response, &checks), "<mark class=\"blocked\">abc def ghi</mark>");
    }

    #[test]
    fn missing_evidence_leaves_text_plain() {
        let checks = [outcome("a", CheckKind::Required, true, "not there")];
        assert_eq!(mark_evidence("x < y", &checks), "x &lt; y");
    }
}
