//! A small recorded run for the report and gate tests: the `mini` suite from
//! `fixtures/suites/mini`, three samples per scenario and arm with hand-made scores,
//! one errored unit, the weak fixture skill, and fixed timestamps.

use std::path::{Path, PathBuf};

use skilleval::agent::{TokenUsage, UnitKey};
use skilleval::report::{ReportInputs, RunReport};
use skilleval::run::{UnitOutcome, UnitResult};
use skilleval::score::{AnswerScore, CheckOutcome, ScoredUnit};
use skilleval::suite::{Arm, CheckKind, Phase, Skill, Suite, load_dir};

/// Returns a path inside the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Loads the `mini` suite.
pub fn mini_suite() -> Suite {
    load_dir(&repo_path("fixtures/suites/mini")).expect("the mini suite loads")
}

/// Reads the weak fixture skill, with a path relative to the repository so that
/// reports do not depend on where the repository lives.
pub fn weak_skill() -> Skill {
    let relative = "fixtures/skills/weak/SKILL.md";
    let text = std::fs::read_to_string(repo_path(relative)).expect("the weak skill is readable");
    Skill { path: PathBuf::from(relative), text }
}

/// Builds a check outcome.
fn check(id: &str, kind: CheckKind, shown: bool, evidence: Option<&str>) -> CheckOutcome {
    CheckOutcome { id: id.to_string(), kind, shown, evidence: evidence.map(str::to_string) }
}

/// Builds an answered unit and its score.
fn answered(scenario: &str, arm: Arm, sample: u32, response: &str, checks: Vec<CheckOutcome>) -> ScoredUnit {
    let key = UnitKey::base(&scenario, arm, sample);
    let outcome = UnitOutcome::Answered { response: response.to_string() };
    let usage = Some(TokenUsage { input_tokens: 120 + u64::from(sample), output_tokens: 300 });
    let result = UnitResult { key, outcome, latency_ms: 900 + u64::from(sample) * 100, usage };
    (result, Some(AnswerScore::from_checks(checks)))
}

/// Scores an `lr-scaling` answer: the multiplier it states (if right), warmup, and the anti check.
fn lr_checks(multiplier: Option<&str>, warmup: Option<&str>, too_small: Option<&str>) -> Vec<CheckOutcome> {
    vec![
        check("multiplier", CheckKind::Numeric, multiplier.is_some(), multiplier),
        check("warmup", CheckKind::Required, warmup.is_some(), warmup),
        check("too-small", CheckKind::Anti, too_small.is_some(), too_small),
        check("sqrt-rule", CheckKind::Bonus, false, None),
    ]
}

/// Scores an `accumulation` answer.
fn accumulation_checks(steps_right: bool, steps_evidence: &str, mechanism: Option<&str>) -> Vec<CheckOutcome> {
    vec![
        check("steps", CheckKind::Numeric, steps_right, Some(steps_evidence)),
        check("mechanism", CheckKind::Required, mechanism.is_some(), mechanism),
    ]
}

/// Builds the recorded units. The baseline fails `lr-scaling` (1/3) but passes
/// `accumulation` too often (2/3). With the skill both pass, and one unit errored.
pub fn units() -> Vec<ScoredUnit> {
    let scale = "Scale the learning rate by 4x and warm up over the first 5 epochs.";
    let accumulate = "Accumulate 8 steps of 32, then take one optimizer step.";
    vec![
        answered(
            "accumulation",
            Arm::WithoutSkill,
            0,
            accumulate,
            accumulation_checks(true, "8 steps", Some("one optimizer step")),
        ),
        answered(
            "accumulation",
            Arm::WithoutSkill,
            1,
            accumulate,
            accumulation_checks(true, "8 steps", Some("one optimizer step")),
        ),
        answered(
            "accumulation",
            Arm::WithoutSkill,
            2,
            "Use 4 accumulation steps, it is a hack but works.",
            accumulation_checks(false, "4 accumulation steps", None),
        ),
        answered(
            "accumulation",
            Arm::WithSkill,
            0,
            accumulate,
            accumulation_checks(true, "8 steps", Some("one optimizer step")),
        ),
        answered(
            "accumulation",
            Arm::WithSkill,
            1,
            accumulate,
            accumulation_checks(true, "8 steps", Some("one optimizer step")),
        ),
        (
            UnitResult {
                key: UnitKey::base("accumulation", Arm::WithSkill, 2),
                outcome: UnitOutcome::Errored { error: "agent timed out after 60 s".to_string() },
                latency_ms: 60_000,
                usage: None,
            },
            None,
        ),
        answered(
            "lr-scaling",
            Arm::WithoutSkill,
            0,
            "Multiply the learning rate by 1.5x to be safe.",
            lr_checks(None, None, Some("Multiply the learning rate by 1.5x to be safe.")),
        ),
        answered(
            "lr-scaling",
            Arm::WithoutSkill,
            1,
            "A 1.5x bump is usually enough | no need for more.",
            lr_checks(None, None, Some("A 1.5x bump is usually enough | no need for more.")),
        ),
        answered(
            "lr-scaling",
            Arm::WithoutSkill,
            2,
            scale,
            lr_checks(Some("4x"), Some("warm up over the first 5 epochs"), None),
        ),
        answered(
            "lr-scaling",
            Arm::WithSkill,
            0,
            scale,
            lr_checks(Some("4x"), Some("warm up over the first 5 epochs"), None),
        ),
        answered(
            "lr-scaling",
            Arm::WithSkill,
            1,
            scale,
            lr_checks(Some("4x"), Some("warm up over the first 5 epochs"), None),
        ),
        answered(
            "lr-scaling",
            Arm::WithSkill,
            2,
            scale,
            lr_checks(Some("4x"), Some("warm up over the first 5 epochs"), None),
        ),
    ]
}

/// Builds the report of the recorded run, with the weak skill and fixed timestamps.
pub fn recorded_report(up_to_phase: Option<Phase>) -> RunReport {
    let suite = mini_suite();
    let skill = weak_skill();
    let units = units();
    RunReport::build(ReportInputs {
        suite: &suite,
        agent: "replay:fixtures/answers".to_string(),
        skill: Some(&skill),
        samples: 3,
        variant_samples: None,
        arms: Arm::BOTH.to_vec(),
        started_at: Some("2025-01-01T12:00:00Z".to_string()),
        finished_at: Some("2025-01-01T12:03:00Z".to_string()),
        units: &units,
        up_to_phase,
    })
    .expect("the recorded run summarises")
}
