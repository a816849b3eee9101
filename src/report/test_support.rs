//! A small run built by hand for the report unit tests: two scenarios, both arms, three
//! samples each, one of them errored, and a short skill.

use std::path::PathBuf;

use super::model::{ReportInputs, RunReport};
use crate::agent::{TokenUsage, UnitKey};
use crate::gate::test_support::{pattern, scenario, thresholds};
use crate::run::{UnitOutcome, UnitResult};
use crate::score::{AnswerScore, CheckOutcome, ScoredUnit};
use crate::suite::{Arm, Check, CheckKind, CheckRule, NumericRule, Quantity, Rubric, Skill, Suite};

/// Builds a rubric check; the rule is never evaluated in report tests.
fn check(id: &str, kind: CheckKind) -> Check {
    Check { id: id.to_string(), kind, description: String::new(), rule: CheckRule::Numeric(NumericRule { quantity: Quantity::LrMultiplier, subject_words: Vec::new() }), unless_shown: Vec::new() }
}

/// Builds the two-scenario suite.
fn suite() -> Suite {
    let mut lr = scenario("lr-scaling");
    lr.rubric = Rubric { checks: vec![std::sync::Arc::new(check("warmup", CheckKind::Required)), std::sync::Arc::new(check("too-small", CheckKind::Anti))] };
    let mut accumulation = scenario("accumulation");
    accumulation.rubric = Rubric { checks: vec![std::sync::Arc::new(check("steps", CheckKind::Numeric))] };

    let mut gates = thresholds();
    gates.scenarios_documented.min = 2;
    gates.patterns_identified.min = 2;
    let patterns = vec![pattern("no-warmup", &["warm-?up"]), pattern("opaque", &["accumulat"])];
    Suite { name: "mini".to_string(), patterns, scenarios: vec![lr, accumulation], gates, pressures: Vec::new() }
}

/// Builds an answered unit with its score.
fn answered(scenario: &str, arm: Arm, sample: u32, checks: Vec<CheckOutcome>) -> ScoredUnit {
    let key = UnitKey::base(&scenario, arm, sample);
    let outcome = UnitOutcome::Answered { response: format!("answer {sample} to {scenario}") };
    let usage = Some(TokenUsage { input_tokens: 100, output_tokens: 50 });
    (UnitResult { key, outcome, latency_ms: 1200, usage }, Some(AnswerScore::from_checks(checks)))
}

/// Builds a check outcome.
fn outcome(id: &str, kind: CheckKind, shown: bool, evidence: Option<&str>) -> CheckOutcome {
    CheckOutcome { id: id.to_string(), kind, shown, evidence: evidence.map(str::to_string) }
}

/// Builds the unit results: the baseline fails `lr-scaling` and passes `accumulation`.
fn units() -> Vec<ScoredUnit> {
    let lr = |warmup, too_small: Option<&str>| {
        vec![
            outcome("warmup", CheckKind::Required, warmup, warmup.then_some("Ramp the rate up over 5 epochs.")),
            outcome("too-small", CheckKind::Anti, too_small.is_some(), too_small),
        ]
    };
    let steps =
        |shown| vec![outcome("steps", CheckKind::Numeric, shown, Some(if shown { "8 steps" } else { "4 steps" }))];
    let errored = UnitResult {
        key: UnitKey::base("accumulation", Arm::WithSkill, 1),
        outcome: UnitOutcome::Errored { error: "timed out after 60 s".to_string() },
        latency_ms: 60000,
        usage: None,
    };
    vec![
        answered("lr-scaling", Arm::WithoutSkill, 0, lr(false, Some("Multiply the rate by 1.5x."))),
        answered("lr-scaling", Arm::WithoutSkill, 1, lr(true, Some("Use <2x> & see."))),
        answered("lr-scaling", Arm::WithSkill, 0, lr(true, None)),
        answered("lr-scaling", Arm::WithSkill, 1, lr(true, None)),
        answered("accumulation", Arm::WithoutSkill, 0, steps(true)),
        answered("accumulation", Arm::WithoutSkill, 1, steps(false)),
        answered("accumulation", Arm::WithSkill, 0, steps(true)),
        (errored, None),
    ]
}

/// Builds the sample report with every gate evaluated.
pub(crate) fn sample_report() -> RunReport {
    let suite = suite();
    let skill = Skill { path: PathBuf::from("fixtures/skills/sample/SKILL.md"), text: "Warm up first.\n".to_string() };
    let units = units();
    RunReport::build(ReportInputs {
        suite: &suite,
        agent: "replay:recorded".to_string(),
        skill: Some(&skill),
        samples: 2,
        variant_samples: None,
        arms: Arm::BOTH.to_vec(),
        started_at: None,
        finished_at: None,
        units: &units,
        up_to_phase: None,
    })
    .expect("the sample run summarises")
}
