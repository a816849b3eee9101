//! Baseline gating: the committed `baselines/default.json` is the verdict snapshot of the
//! built-in default run, the default run passes against it, and a recording whose
//! with-skill answers were replaced by poor ones is caught as a regression with exit
//! code 1. `--update-baseline` writes the snapshot only outside CI.

use std::path::Path;
use std::process::{Command, Output};

use clap::Parser;
use skilleval::cli::run::{RunArgs, execute};
use skilleval::cli::{Cli, Command as SkillevalCommand};
use skilleval::report::{ReportInputs, RunReport};
use skilleval::suite::Arm;

use crate::support::cli::repo_path;

/// The committed baseline of the built-in default run.
const BASELINE: &str = "baselines/default.json";

/// Recordings with the default's without-skill answers and poor with-skill answers.
const BROKEN_RECORDINGS: &str = "fixtures/replay/broken-skill.jsonl";

/// Runs `skilleval` in the repository with `CI` set as given (`None` removes it).
fn skilleval_with_ci(args: &[&str], ci: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_skilleval"));
    command.args(args).current_dir(repo_path("")).env("NO_COLOR", "1");
    match ci {
        Some(value) => command.env("CI", value),
        None => command.env_remove("CI"),
    };
    command.output().expect("skilleval runs")
}

/// Returns standard output and standard error as one text for messages.
fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Builds the report of the default run through the library, as `run` builds it.
fn default_report() -> RunReport {
    let args = match Cli::parse_from(["skilleval", "run"]).command {
        SkillevalCommand::Run(args) => args,
        other => panic!("expected the run command, got {other:?}"),
    };
    let args: RunArgs = args;
    let completed = execute(&args, |_| {}).expect("the default run succeeds");
    RunReport::build(ReportInputs {
        suite: &completed.suite,
        agent: completed.agent_description.clone(),
        skill: None,
        samples: completed.samples.base,
        variant_samples: completed.samples.variants,
        arms: Arm::BOTH.to_vec(),
        started_at: None,
        finished_at: None,
        units: &completed.units,
        up_to_phase: None,
    })
    .expect("the default report builds")
}

#[test]
fn committed_baseline_is_default_snapshot() {
    let committed = std::fs::read_to_string(repo_path(BASELINE)).expect("the baseline is committed");
    assert_eq!(
        default_report().snapshot().to_json(),
        committed,
        "the default run no longer matches {BASELINE}; if the change is intended, run \
         `skilleval run --baseline {BASELINE} --update-baseline` and commit the file"
    );
}

#[test]
fn default_run_passes_against_baseline() {
    let out = tempfile::tempdir().unwrap();
    let output =
        skilleval_with_ci(&["run", "--baseline", BASELINE, "--out", out.path().to_str().unwrap()], Some("true"));
    let text = text(&output);
    // The default run fails two gates, but both already failed in the baseline.
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("baseline: no regression against baselines/default.json: 0 regression(s)"), "{text}");
}

#[test]
fn broken_skill_is_a_regression() {
    let out = tempfile::tempdir().unwrap();
    let args =
        ["run", "--recordings", BROKEN_RECORDINGS, "--baseline", BASELINE, "--out", out.path().to_str().unwrap()];
    let output = skilleval_with_ci(&args, Some("true"));
    let text = text(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("baseline: regressed against baselines/default.json"), "{text}");

    let scenarios = skilleval::suite::load_builtin().unwrap().scenarios;
    for scenario in &scenarios {
        let prefix = format!("  regression  {} with-skill: passed ", scenario.id);
        assert!(text.lines().any(|line| line.starts_with(&prefix)), "no regression for {}:\n{text}", scenario.id);
        let baseline_arm = format!("  regression  {} without-skill", scenario.id);
        assert!(!text.contains(&baseline_arm), "the without-skill answers did not change:\n{text}");
    }

    let markdown = std::fs::read_to_string(out.path().join("report.md")).unwrap();
    assert!(markdown.contains("### Baseline\n\n❌ regressed against baselines/default.json"), "{markdown}");
    assert!(
        markdown.contains("- ❌ **regression**: max-batch-assumption with-skill: passed 5/5 (100%) → 0/5 (0%)"),
        "{markdown}"
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap()).unwrap();
    assert!(!results["baseline"]["regressions"].as_array().unwrap().is_empty());
}

#[test]
fn update_baseline_rejected_in_ci() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("baseline.json");
    let args =
        ["run", "--baseline", target.to_str().unwrap(), "--update-baseline", "--out", folder.path().to_str().unwrap()];
    let output = skilleval_with_ci(&args, Some("true"));
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("--update-baseline is rejected because the CI environment variable is set"));
    assert!(!target.exists());
    assert!(!folder.path().join("results.json").exists());
}

#[test]
fn update_baseline_writes_snapshot() {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("nested/baseline.json");
    let args =
        ["run", "--baseline", target.to_str().unwrap(), "--update-baseline", "--out", folder.path().to_str().unwrap()];
    let output = skilleval_with_ci(&args, None);
    // Updating does not hide the gates: two fail on the built-in recordings.
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains(&format!("wrote {}", target.display())));
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(written, std::fs::read_to_string(repo_path(BASELINE)).unwrap());
}

#[test]
fn invalid_baseline_stops_before_run() {
    let folder = tempfile::tempdir().unwrap();
    let baseline = folder.path().join("baseline.json");
    std::fs::write(&baseline, "{\"snapshot_version\": 1}").unwrap();
    let out = folder.path().join("out");
    let output =
        skilleval_with_ci(&["run", "--baseline", baseline.to_str().unwrap(), "--out", out.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("is not a valid snapshot"), "{}", text(&output));
    assert!(!Path::new(&out).exists());
}
