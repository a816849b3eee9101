//! The inline SVG chart: per scenario, one bar per arm for the pass rate, with a whisker
//! for its 95% Wilson interval, on a 0–100% axis.

use std::fmt::Write as _;

use super::escape_html;
use crate::report::RunReport;
use crate::suite::Arm;

/// Width of the scenario labels, in pixels.
const LABEL_WIDTH: f64 = 230.0;
/// Width of the plot area, in pixels.
const PLOT_WIDTH: f64 = 420.0;
/// Height of one bar, in pixels.
const BAR_HEIGHT: f64 = 14.0;
/// Height of one scenario's row: two bars and a gap, in pixels.
const ROW_HEIGHT: f64 = 40.0;
/// Space for the axis and the legend at the bottom, in pixels.
const FOOTER_HEIGHT: f64 = 48.0;

/// Returns the chart as an `<svg>` element with a title for screen readers.
pub(super) fn pass_rate_chart(report: &RunReport) -> String {
    let scenarios = scenario_order(report);
    let height = scenarios.len() as f64 * ROW_HEIGHT + FOOTER_HEIGHT;
    let width = LABEL_WIDTH + PLOT_WIDTH + 60.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">\n\
         <title>Pass rate per scenario without and with the skill, with 95% intervals</title>\n"
    );
    for (row, scenario) in scenarios.iter().enumerate() {
        push_row(report, scenario, row as f64 * ROW_HEIGHT, &mut svg);
    }
    push_axis(scenarios.len() as f64 * ROW_HEIGHT, &mut svg);
    svg.push_str("</svg>\n");
    svg
}

/// Returns the scenario ids of the summaries, in report order, each once.
fn scenario_order(report: &RunReport) -> Vec<&str> {
    let mut scenarios: Vec<&str> = Vec::new();
    for summary in &report.summaries {
        if !scenarios.contains(&summary.scenario.as_str()) {
            scenarios.push(&summary.scenario);
        }
    }
    scenarios
}

/// Draws one scenario's label and its two bars.
fn push_row(report: &RunReport, scenario: &str, top: f64, svg: &mut String) {
    let label_y = top + ROW_HEIGHT / 2.0 + 4.0;
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"{label_y}\" text-anchor=\"end\">{}</text>",
        LABEL_WIDTH - 8.0,
        escape_html(scenario)
    );
    for (index, arm) in Arm::BOTH.into_iter().enumerate() {
        let Some(summary) = report.summary(scenario, arm) else { continue };
        let y = top + 5.0 + index as f64 * (BAR_HEIGHT + 2.0);
        let color = if arm == Arm::WithSkill { "#0969da" } else { "#8c959f" };
        let rate = summary.pass_rate.unwrap_or(0.0);
        let _ = writeln!(
            svg,
            "<rect x=\"{LABEL_WIDTH}\" y=\"{y}\" width=\"{:.1}\" height=\"{BAR_HEIGHT}\" fill=\"{color}\"><title>{} {}: {}/{} passed</title></rect>",
            rate * PLOT_WIDTH,
            escape_html(scenario),
            arm.as_str(),
            summary.passed,
            summary.answered
        );
        if let Some(interval) = summary.interval {
            push_whisker(interval.lower, interval.upper, y + BAR_HEIGHT / 2.0, svg);
        }
    }
}

/// Draws a horizontal whisker from `lower` to `upper` (fractions) at height `y`.
fn push_whisker(lower: f64, upper: f64, y: f64, svg: &mut String) {
    let (x1, x2) = (LABEL_WIDTH + lower * PLOT_WIDTH, LABEL_WIDTH + upper * PLOT_WIDTH);
    let _ = writeln!(
        svg,
        "<path d=\"M{x1:.1} {y:.1}H{x2:.1}M{x1:.1} {:.1}V{:.1}M{x2:.1} {:.1}V{:.1}\" stroke=\"#1b1f24\" stroke-width=\"1.5\" fill=\"none\"/>",
        y - 4.0,
        y + 4.0,
        y - 4.0,
        y + 4.0
    );
}

/// Draws the 0–100% axis with ticks every 20% and the legend.
fn push_axis(top: f64, svg: &mut String) {
    let _ = writeln!(svg, "<path d=\"M{LABEL_WIDTH} {top}H{}\" stroke=\"#1b1f24\"/>", LABEL_WIDTH + PLOT_WIDTH);
    for tick in (0..=100).step_by(20) {
        let x = LABEL_WIDTH + f64::from(tick) / 100.0 * PLOT_WIDTH;
        let _ = writeln!(svg, "<path d=\"M{x} {top}V{}\" stroke=\"#1b1f24\"/>", top + 4.0);
        let _ = writeln!(svg, "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{tick}%</text>", top + 16.0);
    }
    let legend_y = top + 36.0;
    let _ = writeln!(
        svg,
        "<rect x=\"{LABEL_WIDTH}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"#8c959f\"/>",
        legend_y - 10.0
    );
    let _ = writeln!(svg, "<text x=\"{}\" y=\"{legend_y}\">without skill</text>", LABEL_WIDTH + 16.0);
    let _ = writeln!(
        svg,
        "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"#0969da\"/>",
        LABEL_WIDTH + 120.0,
        legend_y - 10.0
    );
    let _ = writeln!(svg, "<text x=\"{}\" y=\"{legend_y}\">with skill</text>", LABEL_WIDTH + 136.0);
    let _ = writeln!(svg, "<text x=\"{}\" y=\"{legend_y}\">whiskers: 95% Wilson interval</text>", LABEL_WIDTH + 230.0);
}
