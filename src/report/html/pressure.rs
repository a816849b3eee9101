//! The pressure-test report as one self-contained HTML page: the matrix of pressure ×
//! scenario with cells coloured by the with-skill pass rate, the rationalizations with
//! their quotes, the checks that fold, the parametric variants and the gates. The page
//! has no script; its policy allows only its inline style.

use std::io::Write;

use super::{escape_html, sections, STYLE};
use crate::report::pressure::{ArmPair, PressureRow, PressureTest};
use crate::report::{Exporter, ReportError, RunReport};

/// Writes the pressure-test report in HTML.
#[derive(Debug, Clone, Copy, Default)]
pub struct PressureHtmlExporter;

impl Exporter for PressureHtmlExporter {
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
        let mut page = String::new();
        page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">\n",
        );
        page.push_str(&format!("<title>skilleval pressure test: {}</title>\n", escape_html(&report.run.suite)));
        page.push_str(&format!("<style>{STYLE}{PRESSURE_STYLE}</style>\n</head>\n<body>\n"));
        sections::push_header(report, &mut page);
        if let Some(samples) = report.run.variant_samples {
            let date = report.run.started_at.as_deref().and_then(|started| started.get(..10)).unwrap_or("not recorded");
            page.push_str(&format!("<p>Pressure test of {date}: {samples} sample(s) per variant and arm.</p>\n"));
        }
        match PressureTest::of(report) {
            None => page.push_str("<p>No pressure or parametric variants were asked in this run; <code>--phase refactor</code> asks them.</p>\n"),
            Some(test) => {
                push_matrix(report, &test, &mut page);
                push_rationalizations(&test, &mut page);
                push_folding(&test, &mut page);
                push_parametric(&test, &mut page);
            }
        }
        sections::push_gates(report, &mut page);
        page.push_str("</body>\n</html>\n");
        out.write_all(page.as_bytes())?;
        Ok(())
    }
}

/// Cell colours: with-skill pass rate all, some or none.
const PRESSURE_STYLE: &str = "
td.all { background: #dafbe1; } td.some { background: #fff8c5; } td.none { background: #ffebe9; }
.arrow { color: #57606a; } blockquote .source { display: block; color: #57606a; font-size: .9em; }
";

/// Formats a matrix cell: both arms, coloured by the with-skill rate.
fn cell(pair: Option<&ArmPair>) -> String {
    let Some(pair) = pair else { return "<td>–</td>".to_string() };
    let class = match pair.with_skill.rate() {
        Some(rate) if rate >= 1.0 => "all",
        Some(rate) if rate > 0.0 => "some",
        Some(_) => "none",
        None => "",
    };
    format!(
        "<td class=\"{class}\">{} <span class=\"arrow\">→</span> {}</td>",
        pair.without_skill.short(),
        pair.with_skill.short()
    )
}

fn push_matrix(report: &RunReport, test: &PressureTest<'_>, page: &mut String) {
    page.push_str("<section id=\"matrix\">\n<h2>Pass rates under pressure</h2>\n");
    page.push_str("<p>Each cell: answers that passed without the skill → with it; the colour follows the with-skill rate.</p>\n<table>\n<tr><th>pressure</th>");
    for scenario in &report.scenarios {
        page.push_str(&format!("<th><code>{}</code></th>", escape_html(&scenario.id)));
    }
    page.push_str("<th>all scenarios, with the skill</th></tr>\n");
    for row in std::iter::once(&test.base).chain(&test.rows) {
        push_row(row, page);
    }
    page.push_str("</table>\n</section>\n");
}

fn push_row(row: &PressureRow, page: &mut String) {
    page.push_str(&format!("<tr><th>{}</th>", escape_html(&row.label)));
    for pair in &row.cells {
        page.push_str(&cell(pair.as_ref()));
    }
    page.push_str(&format!("<td>{}</td></tr>\n", row.total.with_skill.describe()));
}

fn push_rationalizations(test: &PressureTest<'_>, page: &mut String) {
    page.push_str("<section id=\"rationalizations\">\n<h2>Rationalizations found</h2>\n");
    if test.rationalizations.is_empty() {
        page.push_str("<p>No answer excused itself from the guidance.</p>\n");
    }
    for group in &test.rationalizations {
        page.push_str(&format!(
            "<h3><code>{}</code>: {} with the skill, {} without</h3>\n",
            escape_html(&group.kind),
            group.with_skill,
            group.without_skill
        ));
        let total = group.with_skill + group.without_skill;
        if group.examples.len() < total {
            page.push_str(&format!("<p>The first {} of {total}, with-skill answers first:</p>\n", group.examples.len()));
        }
        for item in &group.examples {
            page.push_str(&format!(
                "<blockquote>{}<span class=\"source\"><code>{}</code>, <code>{}</code>, {}, sample {}</span></blockquote>\n",
                escape_html(item.evidence.as_deref().unwrap_or("no sentence recorded")),
                escape_html(&item.scenario),
                escape_html(&item.variant),
                item.arm.as_str(),
                item.sample
            ));
        }
    }
    page.push_str("</section>\n");
}

fn push_folding(test: &PressureTest<'_>, page: &mut String) {
    page.push_str("<section id=\"folding\">\n<h2>Checks that fold under pressure</h2>\n");
    if test.folding.is_empty() {
        page.push_str("<p>With the skill, no check holds less often under pressure than on the question as written.</p>\n</section>\n");
        return;
    }
    if test.folding.len() < test.folding_total {
        page.push_str(&format!("<p>The {} largest drops of {} are listed.</p>\n", test.folding.len(), test.folding_total));
    }
    page.push_str("<table>\n<tr><th>scenario</th><th>check</th><th>kind</th><th>as written, with the skill</th><th>under pressure, with the skill</th></tr>\n");
    for check in &test.folding {
        page.push_str(&format!(
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape_html(&check.scenario),
            escape_html(&check.check),
            check.kind.as_str(),
            check.base.describe(),
            check.pressured.describe()
        ));
    }
    page.push_str("</table>\n</section>\n");
}

fn push_parametric(test: &PressureTest<'_>, page: &mut String) {
    if test.parametric.is_empty() {
        return;
    }
    page.push_str("<section id=\"parametric\">\n<h2>Other parameters</h2>\n<table>\n");
    page.push_str("<tr><th>scenario</th><th>variant</th><th>query</th><th>without the skill</th><th>with the skill</th></tr>\n");
    for row in &test.parametric {
        page.push_str(&format!(
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape_html(row.scenario),
            escape_html(&row.variant.id),
            escape_html(&row.variant.query),
            row.result.without_skill.describe(),
            row.result.with_skill.describe()
        ));
    }
    page.push_str("</table>\n</section>\n");
}
