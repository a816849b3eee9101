//! The skill's effect: per scenario, the with-skill pass rate minus the without-skill
//! one with a 95% Newcombe interval, and the mean of those differences over scenarios
//! with a 95% MOVER interval (see `crate::stats` for the methods and their sources).
//!
//! Each scenario is its own control: both arms answer the same query, so the mean of
//! per-scenario differences compares the arms scenario by scenario, and a hard scenario
//! lowers both arms alike. Within a scenario the samples of the two arms are independent
//! draws, which is what Newcombe's interval assumes.

use serde::{Deserialize, Serialize};

use crate::score::ArmSummary;
use crate::stats::{Difference, Proportion, mean_difference, newcombe_difference, samples_to_exclude_zero};
use crate::suite::Arm;

/// The skill's effect on pass rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillEffect {
    /// One entry per scenario answered in both arms, in report order.
    pub scenarios: Vec<ScenarioEffect>,
    /// The mean difference over those scenarios; `None` when there are none.
    pub overall: Option<OverallEffect>,
}

/// The skill's effect on one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioEffect {
    pub scenario: String,
    pub without_skill: Proportion,
    pub with_skill: Proportion,
    /// With-skill pass rate minus without-skill pass rate.
    pub difference: Difference,
    pub verdict: EffectVerdict,
    /// For an inconclusive result with unequal rates: the samples per arm at which the
    /// same rates would give an interval that excludes zero.
    pub samples_to_exclude_zero: Option<u32>,
}

/// The mean of the per-scenario differences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverallEffect {
    /// Scenarios that enter the mean.
    pub scenarios: u32,
    pub difference: Difference,
    pub verdict: EffectVerdict,
}

/// What a difference's 95% interval shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EffectVerdict {
    /// The interval lies above zero: the skill raises the pass rate.
    Helps,
    /// The interval lies below zero: the skill lowers the pass rate.
    Hurts,
    /// The interval contains zero: these samples cannot tell.
    Inconclusive,
}

impl EffectVerdict {
    /// Reads the verdict off a difference.
    fn of(difference: Difference) -> Self {
        if difference.interval.lower > 0.0 {
            EffectVerdict::Helps
        } else if difference.interval.upper < 0.0 {
            EffectVerdict::Hurts
        } else {
            EffectVerdict::Inconclusive
        }
    }

    /// Returns the kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EffectVerdict::Helps => "helps",
            EffectVerdict::Hurts => "hurts",
            EffectVerdict::Inconclusive => "inconclusive",
        }
    }
}

impl ScenarioEffect {
    /// Explains an inconclusive result in one sentence, or returns `None` for a conclusive one.
    pub fn sample_size_note(&self) -> Option<String> {
        if self.verdict != EffectVerdict::Inconclusive {
            return None;
        }
        let at = self.sample_counts();
        let note = match self.samples_to_exclude_zero {
            Some(needed) => format!(
                "the 95% interval includes zero {at}; with these pass rates it would exclude zero from about {needed} samples per arm"
            ),
            None if self.difference.estimate == 0.0 => {
                format!("both arms pass equally often {at}, so no sample count would show an effect")
            }
            None => format!("the 95% interval includes zero {at}, and would up to 10,000 samples per arm"),
        };
        Some(note)
    }

    /// Names the answered samples behind the result, e.g. `at 5 samples per arm`.
    fn sample_counts(&self) -> String {
        let (without, with) = (self.without_skill.trials, self.with_skill.trials);
        match (without, with) {
            (1, 1) => "at 1 sample per arm".to_string(),
            _ if without == with => format!("at {with} samples per arm"),
            _ => format!("with {without} answered samples without the skill and {with} with it"),
        }
    }
}

/// Computes the skill's effect from the summaries; scenarios without an answered sample
/// in either arm are left out.
pub fn skill_effect(summaries: &[ArmSummary]) -> SkillEffect {
    let scenarios: Vec<ScenarioEffect> = paired_scenarios(summaries)
        .into_iter()
        .filter_map(|(scenario, without, with)| scenario_effect(scenario, without, with))
        .collect();
    let pairs: Vec<(Proportion, Proportion)> =
        scenarios.iter().map(|effect| (effect.with_skill, effect.without_skill)).collect();
    let overall = mean_difference(&pairs).map(|difference| OverallEffect {
        scenarios: pairs.len() as u32,
        difference,
        verdict: EffectVerdict::of(difference),
    });
    SkillEffect { scenarios, overall }
}

/// Returns, in report order, each scenario that has a summary in both arms.
fn paired_scenarios(summaries: &[ArmSummary]) -> Vec<(&str, &ArmSummary, &ArmSummary)> {
    let find =
        |scenario: &str, arm| summaries.iter().find(|summary| summary.scenario == scenario && summary.arm == arm);
    summaries
        .iter()
        .filter(|summary| summary.arm == Arm::WithoutSkill)
        .filter_map(|without| Some((without.scenario.as_str(), without, find(&without.scenario, Arm::WithSkill)?)))
        .collect()
}

/// Computes one scenario's effect, or `None` when an arm has no answered sample.
fn scenario_effect(scenario: &str, without: &ArmSummary, with: &ArmSummary) -> Option<ScenarioEffect> {
    let (without_skill, with_skill) = (without.passes(), with.passes());
    let difference = newcombe_difference(with_skill, without_skill)?;
    let verdict = EffectVerdict::of(difference);
    let samples_to_exclude_zero = match verdict {
        EffectVerdict::Inconclusive => samples_to_exclude_zero(with_skill.rate()?, without_skill.rate()?),
        EffectVerdict::Helps | EffectVerdict::Hurts => None,
    };
    Some(ScenarioEffect {
        scenario: scenario.to_string(),
        without_skill,
        with_skill,
        difference,
        verdict,
        samples_to_exclude_zero,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(scenario: &str, arm: Arm, passed: u32, answered: u32) -> ArmSummary {
        ArmSummary::from_counts(scenario, arm, passed, answered, 0, Vec::new())
    }

    #[test]
    fn clear_gain_helps() {
        let summaries = [summary("a", Arm::WithoutSkill, 0, 5), summary("a", Arm::WithSkill, 5, 5)];
        let effect = skill_effect(&summaries);
        assert_eq!(effect.scenarios.len(), 1);
        assert_eq!(effect.scenarios[0].verdict, EffectVerdict::Helps);
        assert_eq!(effect.scenarios[0].difference.estimate, 1.0);
        assert_eq!(effect.scenarios[0].sample_size_note(), None);
    }

    #[test]
    fn small_gain_is_inconclusive_with_a_note() {
        let summaries = [summary("a", Arm::WithoutSkill, 1, 5), summary("a", Arm::WithSkill, 3, 5)];
        let effect = &skill_effect(&summaries).scenarios[0];
        assert_eq!(effect.verdict, EffectVerdict::Inconclusive);
        let needed = effect.samples_to_exclude_zero.unwrap();
        assert!(needed > 5);
        let note = effect.sample_size_note().unwrap();
        assert!(note.starts_with("the 95% interval includes zero at 5 samples per arm"), "{note}");
        assert!(note.contains(&format!("about {needed} samples per arm")), "{note}");
    }

    #[test]
    fn equal_rates_say_no_count_helps() {
        let summaries = [summary("a", Arm::WithoutSkill, 2, 4), summary("a", Arm::WithSkill, 2, 4)];
        let note = skill_effect(&summaries).scenarios[0].sample_size_note().unwrap();
        assert!(note.contains("no sample count would show an effect"), "{note}");
    }

    #[test]
    fn overall_pools_scenarios() {
        let summaries = [
            summary("a", Arm::WithoutSkill, 1, 5),
            summary("a", Arm::WithSkill, 4, 5),
            summary("b", Arm::WithoutSkill, 1, 5),
            summary("b", Arm::WithSkill, 4, 5),
            summary("c", Arm::WithoutSkill, 1, 5),
        ];
        let effect = skill_effect(&summaries);
        assert_eq!(effect.scenarios.len(), 2);
        assert!(effect.scenarios.iter().all(|scenario| scenario.verdict == EffectVerdict::Inconclusive));
        let overall = effect.overall.unwrap();
        assert_eq!(overall.scenarios, 2);
        assert_eq!(overall.verdict, EffectVerdict::Helps);
    }

    #[test]
    fn unanswered_arm_is_left_out() {
        let summaries = [summary("a", Arm::WithoutSkill, 1, 5), summary("a", Arm::WithSkill, 0, 0)];
        let effect = skill_effect(&summaries);
        assert!(effect.scenarios.is_empty());
        assert_eq!(effect.overall, None);
    }
}
