//! The main job on the built-in default: the replay agent over the recorded answers,
//! both arms. Its verdicts are pinned per scenario, arm and check, with no timestamps
//! or latencies, so a rubric or scorer change that moves a verdict shows in review.

use std::fmt::Write as _;

use clap::Parser;
use skilleval::cli::run::{execute, RunArgs};
use skilleval::cli::{Cli, Command};
use skilleval::score::summarize;

use crate::support::cli::skilleval;

/// Parses `skilleval run` flags the way the binary does.
fn run_args(extra: &[&str]) -> RunArgs {
    let args = ["skilleval", "run"].iter().chain(extra).copied();
    match Cli::parse_from(args).command {
        Command::Run(args) => args,
        other => panic!("expected the run command, got {other:?}"),
    }
}

/// Renders the verdicts of a run as sorted, stable text.
fn verdicts(extra: &[&str]) -> String {
    let completed = execute(&run_args(extra), |_| {}).expect("the default run succeeds");
    let summaries = summarize(&completed.suite, &completed.units).unwrap();
    let mut text = String::new();
    for summary in summaries {
        let passed = format!("{}/{}", summary.passed, summary.answered);
        writeln!(text, "{} {}: passed {passed}, errored {}", summary.scenario, summary.arm.as_str(), summary.errored).unwrap();
        for check in &summary.checks {
            writeln!(text, "  {:<30} {:<8} {}/{}", check.id, check.kind.as_str(), check.shown, summary.answered).unwrap();
        }
    }
    text
}

#[test]
fn default_run_verdicts() {
    insta::assert_snapshot!(verdicts(&[]));
}

#[test]
fn default_run_prints_every_scenario_and_writes_reports() {
    let out = tempfile::tempdir().unwrap();
    let output = skilleval(&["run", "--out", out.path().to_str().unwrap()], None);
    let stdout = String::from_utf8_lossy(&output.stdout);

    // The built-in recordings fail two gates (see the snapshot), so the exit code is 1.
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    for scenario in skilleval::suite::load_builtin().unwrap().scenarios {
        for arm in ["without-skill", "with-skill"] {
            let row = stdout.lines().find(|line| line.starts_with(&scenario.id) && line.contains(arm));
            assert!(row.is_some(), "no row for {} {arm} in:\n{stdout}", scenario.id);
        }
    }
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap()).unwrap();
    assert_eq!(results["units"].as_array().unwrap().len(), 60);
    assert!(std::fs::read_to_string(out.path().join("report.md")).unwrap().contains("baseline-fails"));
}

#[test]
fn asking_for_more_samples_than_recorded_is_bad_input() {
    let out = tempfile::tempdir().unwrap();
    let output = skilleval(&["run", "--samples", "6", "--out", out.path().to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("5 sample(s)"));
    assert!(!out.path().join("results.json").exists());
}

#[test]
fn refactor_run_writes_pressure_test() {
    let out = tempfile::tempdir().unwrap();
    let output = skilleval(&["run", "--phase", "refactor", "--out", out.path().to_str().unwrap()], None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));

    let suite = skilleval::suite::load_builtin().unwrap();
    let variants: usize = suite.scenarios.iter().map(|scenario| scenario.variants.len()).sum();
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap()).unwrap();
    assert_eq!(results["units"].as_array().unwrap().len(), 60 + variants * 2);
    assert_eq!(results["run"]["variant_samples"], 1);
    let gates = results["gates"].as_array().unwrap();
    let status = |id: &str| gates.iter().find(|gate| gate["id"] == id).unwrap()["status"].as_str().unwrap().to_string();
    assert_ne!(status("pressure-passes"), "not-evaluated");
    assert_ne!(status("no-rationalization"), "not-evaluated");
    for file in ["refactor-phase.md", "refactor-phase.html"] {
        assert!(out.path().join(file).exists(), "{file} is written");
        assert!(stdout.contains(file), "{file} is named in the output");
    }
}

#[test]
fn variants_are_asked_only_in_the_refactor_phase() {
    let completed = execute(&run_args(&["--phase", "green"]), |_| {}).expect("the default run succeeds");
    assert!(completed.units.iter().all(|(result, _)| result.key.is_base()));
    assert_eq!(completed.samples.variants, None);
}

#[test]
fn variant_samples_beyond_recordings_rejected() {
    let out = tempfile::tempdir().unwrap();
    let args = ["run", "--phase", "refactor", "--variant-samples", "2", "--out", out.path().to_str().unwrap()];
    let output = skilleval(&args, None);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("variant \"pressure/") && stderr.contains("--variant-samples 2"), "{stderr}");
}

#[test]
fn variant_samples_outside_refactor_rejected() {
    let output = skilleval(&["run", "--variant-samples", "1", "--dry-run"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("only with --phase refactor"));
}
