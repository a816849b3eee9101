//! The gates that read pass rates of answers: `baseline-fails` (every scenario fails
//! without the skill) and `skill-passes` (every scenario passes with it).
//!
//! Each figure gives the pass rate with its 95% Wilson interval, and says how many
//! scenarios have an interval that contains the threshold: their verdict could change
//! with more samples. The verdict itself compares the observed rate with the threshold.
//!
//! A scenario with no answered sample in the arm cannot be judged. Such a gate fails
//! when any judged scenario breaks the threshold, and is not evaluated otherwise: it
//! never holds on a scenario it could not see.

use super::model::{GateId, GateResult, GateStatus, format_percent};
use crate::score::ArmSummary;
use crate::suite::{Arm, Suite};

/// The side of the threshold that a scenario's pass rate must lie on.
#[derive(Debug, Clone, Copy)]
enum RateRule {
    /// The pass rate must stay strictly below this.
    Below(f64),
    /// The pass rate must reach at least this.
    AtLeast(f64),
}

impl RateRule {
    /// Returns whether a pass rate keeps the rule.
    fn kept_by(self, rate: f64) -> bool {
        match self {
            RateRule::Below(max) => rate < max,
            RateRule::AtLeast(min) => rate >= min,
        }
    }

    /// Returns the threshold.
    fn threshold(self) -> f64 {
        match self {
            RateRule::Below(threshold) | RateRule::AtLeast(threshold) => threshold,
        }
    }

    /// Says where a pass rate lies relative to the threshold, e.g. `at or above 50%`.
    fn describe(self, rate: f64) -> String {
        let (threshold, side) = match self {
            RateRule::Below(max) => (max, if rate < max { "below" } else { "at or above" }),
            RateRule::AtLeast(min) => (min, if rate >= min { "at or above" } else { "below" }),
        };
        format!("{side} {}", format_percent(threshold))
    }
}

/// The outcome of one scenario in one arm.
enum Judgement<'a> {
    Kept(&'a ArmSummary, f64),
    Broken(&'a ArmSummary, f64),
    /// No summary, or no answered sample: the scenario cannot be judged.
    Unjudged {
        scenario: &'a str,
        summary: Option<&'a ArmSummary>,
    },
}

/// `baseline-fails`: every scenario's pass rate without the skill is below the threshold.
pub(crate) fn baseline_fails(suite: &Suite, summaries: &[ArmSummary]) -> GateResult {
    let rule = RateRule::Below(suite.gates.baseline_fails.max_pass_rate);
    rate_gate(GateId::BaselineFails, suite, summaries, Arm::WithoutSkill, rule, "fail without the skill")
}

/// `skill-passes`: every scenario's pass rate with the skill reaches the threshold.
pub(crate) fn skill_passes(suite: &Suite, summaries: &[ArmSummary]) -> GateResult {
    let rule = RateRule::AtLeast(suite.gates.skill_passes.min_pass_rate);
    rate_gate(GateId::SkillPasses, suite, summaries, Arm::WithSkill, rule, "pass with the skill")
}

/// Judges every scenario of the suite in one arm and builds the gate's result.
fn rate_gate(id: GateId, suite: &Suite, summaries: &[ArmSummary], arm: Arm, rule: RateRule, kept: &str) -> GateResult {
    if !summaries.iter().any(|summary| summary.arm == arm) {
        return GateResult::not_evaluated(id, format!("no {} answers in this run", arm.as_str()));
    }

    let judgements: Vec<Judgement<'_>> =
        suite.scenarios.iter().map(|scenario| judge(&scenario.id, summaries, arm, rule)).collect();
    let kept_count = judgements.iter().filter(|judgement| matches!(judgement, Judgement::Kept(..))).count();
    let mut sentences = vec![format!("{kept_count}/{} scenarios {kept}", judgements.len())];

    let broken: Vec<String> = judgements.iter().filter_map(|judgement| broken_sentence(judgement, rule)).collect();
    let unjudged: Vec<String> = judgements.iter().filter_map(|judgement| unjudged_sentence(judgement, arm)).collect();
    let status = if !broken.is_empty() {
        GateStatus::Fails
    } else if !unjudged.is_empty() {
        GateStatus::NotEvaluated
    } else {
        sentences.extend(closest_sentence(&judgements, rule));
        GateStatus::Holds
    };

    sentences.extend(broken);
    sentences.extend(unjudged);
    sentences.extend(unsettled_sentence(&judgements, rule));
    GateResult::new(id, status, sentences.join("; "))
}

/// Counts the judged scenarios whose 95% interval contains the threshold, e.g. `the 95%
/// intervals of 2 scenarios include 50%, so more samples could change their verdict`.
fn unsettled_sentence(judgements: &[Judgement<'_>], rule: RateRule) -> Option<String> {
    let threshold = rule.threshold();
    let unsettled = judgements
        .iter()
        .filter_map(|judgement| match judgement {
            Judgement::Kept(summary, _) | Judgement::Broken(summary, _) => summary.interval,
            Judgement::Unjudged { .. } => None,
        })
        .filter(|interval| interval.contains(threshold))
        .count();
    let subject = match unsettled {
        0 => return None,
        1 => "the 95% interval of 1 scenario includes".to_string(),
        count => format!("the 95% intervals of {count} scenarios include"),
    };
    let verdict = if unsettled == 1 { "its verdict" } else { "their verdicts" };
    Some(format!("{subject} {}, so more samples could change {verdict}", format_percent(threshold)))
}

/// Judges one scenario in one arm.
fn judge<'a>(scenario: &'a str, summaries: &'a [ArmSummary], arm: Arm, rule: RateRule) -> Judgement<'a> {
    let summary = summaries.iter().find(|summary| summary.scenario == scenario && summary.arm == arm);
    match summary.and_then(|summary| summary.pass_rate.map(|rate| (summary, rate))) {
        Some((summary, rate)) if rule.kept_by(rate) => Judgement::Kept(summary, rate),
        Some((summary, rate)) => Judgement::Broken(summary, rate),
        None => Judgement::Unjudged { scenario, summary },
    }
}

/// Formats a pass count with its rate and interval, e.g. `4/5 (80%, 95% CI 38–96%, at or above 50%)`.
fn rate_phrase(summary: &ArmSummary, rate: f64, rule: RateRule) -> String {
    let interval =
        summary.interval.map(|interval| format!(", 95% CI {}", interval.format_percent())).unwrap_or_default();
    format!("{}/{} ({}{interval}, {})", summary.passed, summary.answered, format_percent(rate), rule.describe(rate))
}

/// Describes a scenario that breaks the rule, e.g. `linear-scaling-rule passes 4/5 (80%, at or above 50%)`.
fn broken_sentence(judgement: &Judgement<'_>, rule: RateRule) -> Option<String> {
    match judgement {
        Judgement::Broken(summary, rate) => {
            Some(format!("{} passes {}", summary.scenario, rate_phrase(summary, *rate, rule)))
        }
        _ => None,
    }
}

/// Describes a scenario that could not be judged.
fn unjudged_sentence(judgement: &Judgement<'_>, arm: Arm) -> Option<String> {
    match judgement {
        Judgement::Unjudged { scenario, summary: Some(summary) } => {
            Some(format!("{scenario} has no answered {} sample ({} errored)", arm.as_str(), summary.errored))
        }
        Judgement::Unjudged { scenario, summary: None } => {
            Some(format!("{scenario} was not run in the {} arm", arm.as_str()))
        }
        _ => None,
    }
}

/// Names the kept scenario closest to the threshold, e.g. `the highest pass rate is a with 2/5 (40%, below 50%)`.
fn closest_sentence(judgements: &[Judgement<'_>], rule: RateRule) -> Option<String> {
    let kept = judgements.iter().filter_map(|judgement| match judgement {
        Judgement::Kept(summary, rate) => Some((*summary, *rate)),
        _ => None,
    });
    let (label, closest) = match rule {
        RateRule::Below(_) => ("highest", kept.max_by(|a, b| a.1.total_cmp(&b.1))),
        RateRule::AtLeast(_) => ("lowest", kept.min_by(|a, b| a.1.total_cmp(&b.1))),
    };
    let (summary, rate) = closest?;
    Some(format!("the {label} pass rate is {} with {}", summary.scenario, rate_phrase(summary, rate, rule)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::test_support::{suite_with, summary};

    #[test]
    fn baseline_holds_just_below_threshold() {
        let suite = suite_with(&["a", "b"]);
        let summaries = [summary("a", Arm::WithoutSkill, 0, 5, 0), summary("b", Arm::WithoutSkill, 2, 5, 0)];
        let result = baseline_fails(&suite, &summaries);
        assert_eq!(result.status, GateStatus::Holds);
        assert_eq!(
            result.detail,
            "2/2 scenarios fail without the skill; the highest pass rate is b with 2/5 (40%, 95% CI 12–77%, below 50%); \
             the 95% interval of 1 scenario includes 50%, so more samples could change its verdict"
        );
    }

    #[test]
    fn baseline_fails_at_threshold() {
        let suite = suite_with(&["a", "b"]);
        let summaries = [summary("a", Arm::WithoutSkill, 0, 4, 0), summary("b", Arm::WithoutSkill, 2, 4, 0)];
        let result = baseline_fails(&suite, &summaries);
        assert_eq!(result.status, GateStatus::Fails);
        assert_eq!(
            result.detail,
            "1/2 scenarios fail without the skill; b passes 2/4 (50%, 95% CI 15–85%, at or above 50%); \
             the 95% interval of 1 scenario includes 50%, so more samples could change its verdict"
        );
    }

    #[test]
    fn skill_passes_at_threshold() {
        let suite = suite_with(&["a"]);
        let result = skill_passes(&suite, &[summary("a", Arm::WithSkill, 4, 5, 0)]);
        assert_eq!(result.status, GateStatus::Holds);
        assert_eq!(
            result.detail,
            "1/1 scenarios pass with the skill; the lowest pass rate is a with 4/5 (80%, 95% CI 38–96%, at or above 80%); \
             the 95% interval of 1 scenario includes 80%, so more samples could change its verdict"
        );
    }

    #[test]
    fn skill_passes_fails_just_below() {
        let suite = suite_with(&["a"]);
        let result = skill_passes(&suite, &[summary("a", Arm::WithSkill, 3, 4, 1)]);
        assert_eq!(result.status, GateStatus::Fails);
        assert_eq!(
            result.detail,
            "0/1 scenarios pass with the skill; a passes 3/4 (75%, 95% CI 30–95%, below 80%); \
             the 95% interval of 1 scenario includes 80%, so more samples could change its verdict"
        );
    }

    #[test]
    fn arm_not_run_is_not_evaluated() {
        let suite = suite_with(&["a"]);
        let result = skill_passes(&suite, &[summary("a", Arm::WithoutSkill, 0, 5, 0)]);
        assert_eq!(result.status, GateStatus::NotEvaluated);
        assert_eq!(result.detail, "no with-skill answers in this run");
    }

    #[test]
    fn all_errored_scenario_is_not_evaluated() {
        let suite = suite_with(&["a", "b"]);
        let summaries = [summary("a", Arm::WithSkill, 5, 5, 0), summary("b", Arm::WithSkill, 0, 0, 3)];
        let result = skill_passes(&suite, &summaries);
        assert_eq!(result.status, GateStatus::NotEvaluated);
        assert_eq!(
            result.detail,
            "1/2 scenarios pass with the skill; b has no answered with-skill sample (3 errored); \
             the 95% interval of 1 scenario includes 80%, so more samples could change its verdict"
        );
    }

    #[test]
    fn broken_scenario_fails_despite_unjudged_one() {
        let suite = suite_with(&["a", "b", "c"]);
        let summaries = [summary("a", Arm::WithSkill, 1, 5, 0), summary("b", Arm::WithSkill, 0, 0, 2)];
        let result = skill_passes(&suite, &summaries);
        assert_eq!(result.status, GateStatus::Fails);
        assert_eq!(
            result.detail,
            "0/3 scenarios pass with the skill; a passes 1/5 (20%, 95% CI 4–62%, below 80%); \
             b has no answered with-skill sample (2 errored); c was not run in the with-skill arm"
        );
    }
}
