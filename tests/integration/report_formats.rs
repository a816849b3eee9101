//! Snapshots of the JUnit XML and HTML reports of the recorded mini run, of the RED and
//! GREEN phase documents of the built-in default run, and the partial report an
//! interrupted run leaves.

use clap::Parser;
use skilleval::cli::run::{RunArgs, execute};
use skilleval::cli::{Cli, Command};
use skilleval::report::{
    Exporter, GreenPhaseExporter, HtmlExporter, JunitExporter, MARKDOWN_FILE, PressureHtmlExporter, RED_PHASE_FILE,
    RedPhaseExporter, RefactorPhaseExporter, ReportInputs, RunReport, rewrite_reports,
};
use skilleval::suite::{Arm, Phase};

use crate::report_fixture::{mini_suite, recorded_report, units, weak_skill};

/// Renders a report with one exporter.
fn render(exporter: &dyn Exporter, report: &RunReport) -> String {
    let mut out = Vec::new();
    exporter.write_report(report, &mut out).expect("the report renders");
    String::from_utf8(out).expect("reports are UTF-8")
}

/// Builds the default run's report with the given flags, phase and fixed timestamps.
fn default_report(flags: &[&str], phase: Phase) -> RunReport {
    let args = ["skilleval", "run"].iter().chain(flags).copied();
    let args: RunArgs = match Cli::parse_from(args).command {
        Command::Run(args) => args,
        other => panic!("expected the run command, got {other:?}"),
    };
    let completed = execute(&args, |_| {}).expect("the default run succeeds");
    RunReport::build(ReportInputs {
        suite: &completed.suite,
        agent: completed.agent_description.clone(),
        skill: completed.skill.as_deref(),
        samples: completed.samples.base,
        variant_samples: completed.samples.variants,
        arms: Arm::BOTH.to_vec(),
        started_at: Some("2025-10-30T09:00:00Z".to_string()),
        finished_at: Some("2025-10-30T09:02:00Z".to_string()),
        units: &completed.units,
        up_to_phase: Some(phase),
    })
    .expect("the default report builds")
}

#[test]
fn junit_report() {
    insta::assert_snapshot!("junit", render(&JunitExporter, &recorded_report(None)));
}

#[test]
fn html_report() {
    insta::assert_snapshot!("html", render(&HtmlExporter, &recorded_report(None)));
}

#[test]
fn red_phase_document() {
    let report = default_report(&[], Phase::Red);
    insta::assert_snapshot!("red_phase", render(&RedPhaseExporter, &report));
}

#[test]
fn green_phase_document() {
    let report = default_report(&["--skill", "fixtures/skills/weak/SKILL.md"], Phase::Green);
    insta::assert_snapshot!("green_phase", render(&GreenPhaseExporter, &report));
}

#[test]
fn refactor_phase_document() {
    let report = default_report(&["--phase", "refactor"], Phase::Refactor);
    insta::assert_snapshot!("refactor_phase", render(&RefactorPhaseExporter, &report));
}

#[test]
fn refactor_html_shows_the_same_pressure_test() {
    let report = default_report(&["--phase", "refactor"], Phase::Refactor);
    let page = render(&PressureHtmlExporter, &report);
    for section in ["id=\"matrix\"", "id=\"rationalizations\"", "id=\"folding\"", "id=\"parametric\"", "id=\"gates\""] {
        assert!(page.contains(section), "{section} is missing");
    }
    assert!(page.contains("Time / deadline + Sunk cost + Authority (expert or paper)"));
    assert!(!page.contains("<script"), "the page needs no script");
    let markdown = render(&RefactorPhaseExporter, &report);
    let with_skill_total = markdown.lines().find(|line| line.starts_with("| Time / deadline |")).unwrap().rsplit('|').nth(1).unwrap().trim();
    assert!(page.contains(with_skill_total), "both formats give {with_skill_total}");
}

#[test]
fn partial_run_leaves_readable_reports() {
    let folder = tempfile::tempdir().unwrap();
    let (suite, skill, units) = (mini_suite(), weak_skill(), units());
    let finished = &units[..7];
    let inputs = ReportInputs {
        suite: &suite,
        agent: "replay:fixtures/answers".to_string(),
        skill: Some(&skill),
        samples: 3,
        variant_samples: None,
        arms: Arm::BOTH.to_vec(),
        started_at: Some("2025-01-01T12:00:00Z".to_string()),
        finished_at: None,
        units: finished,
        up_to_phase: Some(Phase::Red),
    };
    let (report, written) = rewrite_reports(inputs, folder.path()).expect("the partial reports are written");
    assert!(report.is_partial());
    assert_eq!(written.len(), 6);

    let markdown = std::fs::read_to_string(folder.path().join(MARKDOWN_FILE)).unwrap();
    assert!(
        markdown.contains("> **Partial run: 7 of 12 planned units finished; every figure covers those only.**"),
        "{markdown}"
    );
    let red = std::fs::read_to_string(folder.path().join(RED_PHASE_FILE)).unwrap();
    assert!(red.contains("Partial run: 7 of 12"), "{red}");
    let html = std::fs::read_to_string(folder.path().join("report.html")).unwrap();
    assert!(html.contains("id=\"partial\""));
}

#[test]
fn junit_refactor_case_per_variant() {
    let report = default_report(&["--phase", "refactor"], Phase::Refactor);
    let xml = render(&JunitExporter, &report);
    let variant_cases = report.variant_summaries.iter().filter(|summary| summary.arm == Arm::WithSkill).count();
    let cases = xml.matches("<testcase ").count();
    assert_eq!(cases, report.summaries.len() + variant_cases);
    let case = xml.find(r#"<testcase name="max-batch-assumption [pressure/deadline]""#).expect("the variant has its case");
    let pressure_passes = report.gates.iter().find(|gate| gate.id.as_str() == "pressure-passes").unwrap();
    let failed = report
        .variant_summaries
        .iter()
        .find(|summary| summary.scenario == "max-batch-assumption" && summary.variant == "pressure/deadline" && summary.arm == Arm::WithSkill)
        .unwrap()
        .pass_rate
        < Some(0.8);
    assert_eq!(xml[case..].split("</testcase>").next().unwrap().contains("pressure-passes needs"), failed, "{}", pressure_passes.detail);
}
