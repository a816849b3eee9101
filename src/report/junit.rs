//! The JUnit XML exporter, for CI systems that show test results: one test suite per
//! arm and one test case per scenario in it, plus, in a REFACTOR run, one with-skill
//! case per variant, named `scenario [variant]`.
//!
//! A with-skill case fails when the scenario's pass rate is below the `skill-passes`
//! threshold; a without-skill case fails when the baseline passes at or above the
//! `baseline-fails` threshold, because such a scenario shows no failure for the skill to
//! fix. A pressure variant's case fails below the `pressure-passes` threshold, a
//! parametric one below `skill-passes`. The failures therefore match the answer gates
//! case by case. A case whose samples all errored is an error, not a failure. Every case
//! lists each sample's blocking checks with their evidence in `system-out`.

use std::io::Write;

use super::failures::{FailedCheck, errored_units, failed_checks_in, one_line};
use super::{Exporter, PassThresholds, ReportError, RunReport};
use crate::gate::format_percent;
use crate::score::ArmSummary;
use crate::suite::{Arm, is_base_variant};

/// Maximum length of an evidence quote in a failure body, in characters.
const MAX_QUOTE_CHARS: usize = 300;

/// Writes the JUnit XML report.
#[derive(Debug, Clone, Copy, Default)]
pub struct JunitExporter;

/// The verdict of one test case.
enum CaseOutcome {
    Passed,
    Failed { message: String },
    Errored { message: String },
}

impl Exporter for JunitExporter {
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
        let variants = report.variant_summaries.iter().filter(|summary| summary.arm == Arm::WithSkill);
        let cases: Vec<(&ArmSummary, CaseOutcome)> =
            report.summaries.iter().chain(variants).map(|summary| (summary, case_outcome(report, summary))).collect();
        let (failures, errors) = count_outcomes(cases.iter().map(|(_, outcome)| outcome));

        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        let name = escape_xml(&format!("skilleval: {}", report.run.suite));
        writeln!(out, r#"<testsuites name="{name}" tests="{}" failures="{failures}" errors="{errors}">"#, cases.len())?;
        for arm in Arm::BOTH {
            let in_arm: Vec<&(&ArmSummary, CaseOutcome)> =
                cases.iter().filter(|(summary, _)| summary.arm == arm).collect();
            if !in_arm.is_empty() {
                write_suite(report, arm, &in_arm, out)?;
            }
        }
        writeln!(out, "</testsuites>")?;
        Ok(())
    }
}

/// Counts failed and errored cases.
fn count_outcomes<'a>(outcomes: impl Iterator<Item = &'a CaseOutcome>) -> (usize, usize) {
    outcomes.fold((0, 0), |(failures, errors), outcome| match outcome {
        CaseOutcome::Passed => (failures, errors),
        CaseOutcome::Failed { .. } => (failures + 1, errors),
        CaseOutcome::Errored { .. } => (failures, errors + 1),
    })
}

/// Writes one arm's test suite.
fn write_suite(
    report: &RunReport,
    arm: Arm,
    cases: &[&(&ArmSummary, CaseOutcome)],
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let (failures, errors) = count_outcomes(cases.iter().map(|(_, outcome)| outcome));
    let suite = escape_xml(&format!("{}.{}", report.run.suite, arm.as_str()));
    let seconds: u64 = report.base_units().filter(|unit| unit.arm == arm).map(|unit| unit.latency_ms).sum();
    writeln!(
        out,
        r#"  <testsuite name="{suite}" tests="{}" failures="{failures}" errors="{errors}" skipped="0" time="{:.3}">"#,
        cases.len(),
        seconds as f64 / 1000.0
    )?;
    for (summary, outcome) in cases {
        write_case(report, summary, outcome, &suite, out)?;
    }
    writeln!(out, "  </testsuite>")?;
    Ok(())
}

/// Writes one test case.
fn write_case(
    report: &RunReport,
    summary: &ArmSummary,
    outcome: &CaseOutcome,
    suite: &str,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let name = match is_base_variant(&summary.variant) {
        true => escape_xml(&summary.scenario),
        false => escape_xml(&format!("{} [{}]", summary.scenario, summary.variant)),
    };
    let units = report.units_in(&summary.scenario, &summary.variant, summary.arm);
    let milliseconds: u64 = units.map(|unit| unit.latency_ms).sum();
    writeln!(out, r#"    <testcase name="{name}" classname="{suite}" time="{:.3}">"#, milliseconds as f64 / 1000.0)?;
    let checks = failed_checks_in(report, &summary.scenario, &summary.variant, summary.arm);
    match outcome {
        CaseOutcome::Passed => {}
        CaseOutcome::Failed { message } => {
            let body = escape_xml(&failure_body(&checks));
            writeln!(out, r#"      <failure message="{}" type="pass-rate">{body}</failure>"#, escape_xml(message))?;
        }
        CaseOutcome::Errored { message } => {
            writeln!(out, r#"      <error message="{}" type="errored"/>"#, escape_xml(message))?;
        }
    }
    writeln!(out, "      <system-out>{}</system-out>", escape_xml(&samples_text(report, summary)))?;
    writeln!(out, "    </testcase>")?;
    Ok(())
}

/// Judges one scenario in one arm against its gate's threshold.
fn case_outcome(report: &RunReport, summary: &ArmSummary) -> CaseOutcome {
    let Some(rate) = summary.pass_rate else {
        return CaseOutcome::Errored { message: format!("no answer: all {} samples errored", summary.errored) };
    };
    let thresholds = report.pass_thresholds.unwrap_or(PassThresholds {
        baseline_max_pass_rate: 1.0,
        skill_min_pass_rate: 1.0,
        pressure_min_pass_rate: None,
    });
    let counts = rate_phrase(summary, rate);
    if summary.variant.starts_with("pressure/") {
        let min = thresholds.pressure_min_pass_rate.unwrap_or(thresholds.skill_min_pass_rate);
        if rate >= min {
            return CaseOutcome::Passed;
        }
        let message = format!("passes {counts} with the skill under pressure, below the {} that pressure-passes needs", format_percent(min));
        return CaseOutcome::Failed { message };
    }
    match summary.arm {
        Arm::WithSkill if rate < thresholds.skill_min_pass_rate => CaseOutcome::Failed {
            message: format!(
                "passes {counts} with the skill, below the {} that skill-passes needs",
                format_percent(thresholds.skill_min_pass_rate)
            ),
        },
        Arm::WithoutSkill if rate >= thresholds.baseline_max_pass_rate => CaseOutcome::Failed {
            message: format!(
                "passes {counts} without the skill, at or above the {} that baseline-fails allows: the scenario shows no failure for the skill to fix",
                format_percent(thresholds.baseline_max_pass_rate)
            ),
        },
        _ => CaseOutcome::Passed,
    }
}

/// Formats a pass count, e.g. `3/5 (60%, 95% CI 23–88%)`.
fn rate_phrase(summary: &ArmSummary, rate: f64) -> String {
    let interval =
        summary.interval.map(|interval| format!(", 95% CI {}", interval.format_percent())).unwrap_or_default();
    format!("{}/{} ({}{interval})", summary.passed, summary.answered, format_percent(rate))
}

/// Lists the failed checks with their description and quoted evidence.
fn failure_body(checks: &[FailedCheck]) -> String {
    let mut body = String::new();
    for check in checks {
        body.push_str(&format!("\n{}", check.headline()));
        if !check.description.is_empty() {
            body.push_str(&format!(": {}", check.description));
        }
        for (sample, evidence) in &check.quotes {
            body.push_str(&format!("\n  sample {sample}: \"{}\"", one_line(evidence, MAX_QUOTE_CHARS)));
        }
    }
    body.push('\n');
    body
}

/// Describes every sample: passes, fails with its blocking checks, or errored.
fn samples_text(report: &RunReport, summary: &ArmSummary) -> String {
    let mut text = String::new();
    for unit in report.units_in(&summary.scenario, &summary.variant, summary.arm) {
        let line = match unit.passes {
            Some(true) => "passes".to_string(),
            Some(false) => {
                let blocking: Vec<String> =
                    unit.checks.iter().filter(|check| check.blocks_pass()).map(blocking_phrase).collect();
                format!("fails: {}", blocking.join("; "))
            }
            None => String::new(),
        };
        if !line.is_empty() {
            text.push_str(&format!("\nsample {}: {line}", unit.sample));
        }
    }
    for (sample, error) in errored_units(report, &summary.scenario, &summary.variant, summary.arm) {
        text.push_str(&format!("\nsample {sample}: errored: {}", one_line(&error, MAX_QUOTE_CHARS)));
    }
    text.push('\n');
    text
}

/// Names a blocking check with its evidence, e.g. `too-small ("Use 2x.")`.
fn blocking_phrase(check: &crate::score::CheckOutcome) -> String {
    match &check.evidence {
        Some(evidence) => format!("{} (\"{}\")", check.id, one_line(evidence, MAX_QUOTE_CHARS)),
        None => check.id.clone(),
    }
}

/// Escapes text for XML attributes and content, and replaces characters that XML 1.0
/// does not allow (control characters other than tab, newline and carriage return, and
/// U+FFFE and U+FFFF) with U+FFFD.
fn escape_xml(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            '\t' | '\n' | '\r' => escaped.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => escaped.push('\u{FFFD}'),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    fn render() -> String {
        let mut out = Vec::new();
        JunitExporter.write_report(&sample_report(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_case_per_scenario_and_arm() {
        let xml = render();
        assert_eq!(xml.matches("<testcase ").count(), 4);
        assert!(xml.contains(r#"<testsuites name="skilleval: mini" tests="4" failures="1" errors="0">"#), "{xml}");
    }

    #[test]
    fn baseline_that_passes_is_a_failure() {
        let xml = render();
        let case = xml
            .split("<testcase ")
            .find(|case| case.starts_with(r#"name="accumulation" classname="mini.without-skill""#))
            .unwrap();
        assert!(case.contains("passes 1/2 (50%, 95% CI 9–91%) without the skill, at or above the 50%"), "{case}");
    }

    #[test]
    fn evidence_is_escaped() {
        let xml = render();
        assert!(xml.contains("sample 1: fails: too-small (&quot;Use &lt;2x&gt; &amp; see.&quot;)"), "{xml}");
        assert!(!xml.contains("<2x>"));
    }

    #[test]
    fn invalid_characters_are_replaced() {
        assert_eq!(escape_xml("a\u{0}b\u{1b}c\td'"), "a\u{FFFD}b\u{FFFD}c\td&apos;");
    }

    #[test]
    fn all_errored_is_an_error() {
        let mut report = sample_report();
        let summary = report
            .summaries
            .iter_mut()
            .find(|summary| summary.scenario == "accumulation" && summary.arm == Arm::WithSkill)
            .unwrap();
        *summary = ArmSummary::from_counts("accumulation", Arm::WithSkill, 0, 0, 2, Vec::new());
        let mut out = Vec::new();
        JunitExporter.write_report(&report, &mut out).unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains(r#"<error message="no answer: all 2 samples errored" type="errored"/>"#), "{xml}");
    }
}
