//! Summaries: per scenario and arm, how many samples were answered, passed and errored,
//! the pass rate with its 95% Wilson interval, pass@k and pass^k, and how many answered
//! samples showed and held each check. An errored unit is counted as errored and never
//! enters a pass rate.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::outcome::AnswerScore;
use crate::run::{UnitOutcome, UnitResult};
use crate::stats::{Interval, Proportion, pass_at_k, pass_hat_k};
use crate::suite::{Arm, CheckKind, Scenario, Suite, BASE_VARIANT};

/// A unit result and its score; the score is `None` for an errored unit.
pub type ScoredUnit = (UnitResult, Option<AnswerScore>);

/// Counts for one scenario in one arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmSummary {
    pub scenario: String,
    /// `base`, or the variant these samples asked; left out of files for `base`.
    #[serde(default = "crate::suite::base_variant", skip_serializing_if = "crate::suite::is_base_variant")]
    pub variant: String,
    pub arm: Arm,
    /// Units run: answered plus errored.
    pub samples: u32,
    pub answered: u32,
    /// Answered samples that pass the scenario.
    pub passed: u32,
    pub errored: u32,
    /// `passed / answered`, or `None` when no sample was answered.
    pub pass_rate: Option<f64>,
    /// The 95% Wilson interval of the pass rate; `None` when no sample was answered.
    #[serde(default)]
    pub interval: Option<Interval>,
    /// pass@k with k = `answered`: 1 when at least one answer passed, else 0.
    #[serde(default)]
    pub pass_at_k: Option<f64>,
    /// pass^k with k = `answered`: 1 when every answer passed, else 0.
    #[serde(default)]
    pub pass_hat_k: Option<f64>,
    /// Whether the answered samples disagree: some passed and some failed.
    #[serde(default)]
    pub flaky: bool,
    /// One tally per check, in rubric order.
    pub checks: Vec<CheckTally>,
}

impl ArmSummary {
    /// Builds a summary from its counts and check tallies, deriving the rate, interval,
    /// pass@k, pass^k and flakiness.
    pub fn from_counts(
        scenario: &str,
        arm: Arm,
        passed: u32,
        answered: u32,
        errored: u32,
        checks: Vec<CheckTally>,
    ) -> Self {
        let proportion = Proportion::new(passed, answered);
        ArmSummary {
            scenario: scenario.to_string(),
            variant: BASE_VARIANT.to_string(),
            arm,
            samples: answered + errored,
            answered,
            passed,
            errored,
            pass_rate: proportion.rate(),
            interval: proportion.interval(),
            pass_at_k: pass_at_k(answered, passed, answered),
            pass_hat_k: pass_hat_k(answered, passed, answered),
            flaky: passed > 0 && passed < answered,
            checks,
        }
    }

    /// Returns the answered samples that passed, as a proportion.
    pub fn passes(&self) -> Proportion {
        Proportion::new(self.passed, self.answered)
    }
}

/// How many answered samples showed one check, and how many held it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckTally {
    pub id: String,
    pub kind: CheckKind,
    /// Answered samples that showed the check; for an anti check, that committed the failure.
    pub shown: u32,
    /// Answered samples in which the check held: showed it, or for an anti check, did
    /// not commit the failure.
    #[serde(default)]
    pub held: u32,
    /// The 95% Wilson interval of `held` over the answered samples; `None` when no sample
    /// was answered.
    #[serde(default)]
    pub held_interval: Option<Interval>,
}

impl CheckTally {
    /// Creates a tally with nothing counted yet.
    pub fn empty(id: &str, kind: CheckKind) -> Self {
        CheckTally { id: id.to_string(), kind, shown: 0, held: 0, held_interval: None }
    }

    /// Counts one answered sample's outcome of this check.
    fn count(&mut self, shown: bool) {
        self.shown += u32::from(shown);
        self.held += u32::from(shown != (self.kind == CheckKind::Anti));
    }
}

/// Unit results that cannot be summarised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SummaryError {
    #[error("unit result for scenario \"{scenario}\" is not in the suite")]
    UnknownScenario { scenario: String },
    #[error("unit result for scenario \"{scenario}\" asks variant \"{variant}\", which the suite does not have")]
    UnknownVariant { scenario: String, variant: String },
    #[error("answered unit (scenario \"{scenario}\", arm {arm}, sample {sample}) has no score")]
    Unscored { scenario: String, arm: &'static str, sample: u32 },
}

/// Summarises the units that asked the scenarios as written (`None` scores for errored
/// units) per scenario and arm, in suite order of scenarios and then `without-skill`,
/// `with-skill`. Only scenario and arm pairs with at least one unit get a summary. A
/// score given for an errored unit is ignored. Variant units are left to
/// [`summarize_variants`].
pub fn summarize(suite: &Suite, units: &[ScoredUnit]) -> Result<Vec<ArmSummary>, SummaryError> {
    summarize_where(suite, units, true)
}

/// Summarises the units that asked a variant, per scenario, variant and arm, in suite
/// order of scenarios, then the scenario's order of variants, then arm.
pub fn summarize_variants(suite: &Suite, units: &[ScoredUnit]) -> Result<Vec<ArmSummary>, SummaryError> {
    summarize_where(suite, units, false)
}

fn summarize_where(suite: &Suite, units: &[ScoredUnit], base: bool) -> Result<Vec<ArmSummary>, SummaryError> {
    let mut groups: BTreeMap<(usize, usize, Arm), Vec<&ScoredUnit>> = BTreeMap::new();
    for unit in units.iter().filter(|unit| unit.0.key.is_base() == base) {
        let key = &unit.0.key;
        let position = suite
            .scenarios
            .iter()
            .position(|candidate| candidate.id == key.scenario)
            .ok_or_else(|| SummaryError::UnknownScenario { scenario: key.scenario.clone() })?;
        let scenario = &suite.scenarios[position];
        let variant_position = match base {
            true => 0,
            false => scenario.variants.iter().position(|variant| variant.id == key.variant).ok_or_else(|| {
                SummaryError::UnknownVariant { scenario: key.scenario.clone(), variant: key.variant.clone() }
            })?,
        };
        groups.entry((position, variant_position, key.arm)).or_default().push(unit);
    }

    groups
        .into_iter()
        .map(|((position, variant_position, arm), members)| {
            let scenario = &suite.scenarios[position];
            let variant = if base { BASE_VARIANT } else { scenario.variants[variant_position].id.as_str() };
            summarize_arm(scenario, variant, arm, &members)
        })
        .collect()
}

/// Builds the summary of one scenario's variant in one arm from its units.
fn summarize_arm(scenario: &Scenario, variant: &str, arm: Arm, units: &[&ScoredUnit]) -> Result<ArmSummary, SummaryError> {
    let rubric = scenario.asked(variant).map(|asked| asked.rubric).unwrap_or(&scenario.rubric);
    let mut checks: Vec<CheckTally> = rubric.checks.iter().map(|check| CheckTally::empty(&check.id, check.kind)).collect();
    let (mut answered, mut passed, mut errored) = (0, 0, 0);

    for (result, score) in units {
        if let UnitOutcome::Errored { .. } = result.outcome {
            errored += 1;
            continue;
        }
        let score = score.as_ref().ok_or_else(|| SummaryError::Unscored {
            scenario: scenario.id.clone(),
            arm: arm.as_str(),
            sample: result.key.sample,
        })?;
        answered += 1;
        passed += u32::from(score.passes);
        tally_checks(&mut checks, score);
    }

    for tally in &mut checks {
        tally.held_interval = Proportion::new(tally.held, answered).interval();
    }
    let mut summary = ArmSummary::from_counts(&scenario.id, arm, passed, answered, errored, checks);
    summary.variant = variant.to_string();
    Ok(summary)
}



/// Adds one answer's shown checks to the tallies. A check the rubric no longer has (a
/// score saved before a rubric edit) gets a tally of its own at the end.
fn tally_checks(tallies: &mut Vec<CheckTally>, score: &AnswerScore) {
    for outcome in &score.checks {
        let position = match tallies.iter().position(|tally| tally.id == outcome.id) {
            Some(position) => position,
            None => {
                tallies.push(CheckTally::empty(&outcome.id, outcome.kind));
                tallies.len() - 1
            }
        };
        tallies[position].count(outcome.shown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::UnitKey;
    use crate::score::CheckOutcome;
    use crate::suite::{Check, CheckRule, GateThresholds, NumericRule, Quantity, Rubric};

    fn scenario(id: &str) -> Scenario {
        let check = |id: &str, kind| Check {
            id: id.to_string(),
            kind,
            description: String::new(),
            rule: CheckRule::Numeric(NumericRule { quantity: Quantity::LrMultiplier, subject_words: Vec::new() }),
            unless_shown: Vec::new(),
        };
        Scenario {
            id: id.to_string(),
            title: id.to_string(),
            query: "q".to_string(),
            failure_pattern: "p".to_string(),
            patterns: Vec::new(),
            parameters: Default::default(),
            rubric: Rubric { checks: vec![std::sync::Arc::new(check("warmup", CheckKind::Required)), std::sync::Arc::new(check("blind-yes", CheckKind::Anti))] },
            variants: Vec::new(),
        }
    }

    fn suite() -> Suite {
        let gates: GateThresholds = serde_saphyr::from_str(include_str!("../../gates.yaml")).unwrap();
        Suite {
            name: "mini".to_string(),
            patterns: Vec::new(),
            scenarios: vec![scenario("first"), scenario("second")],
            gates,
            pressures: Vec::new(),
        }
    }

    fn answered(scenario: &str, arm: Arm, sample: u32, warmup: bool, blind_yes: bool) -> ScoredUnit {
        let outcome = |id: &str, kind, shown| CheckOutcome { id: id.to_string(), kind, shown, evidence: None };
        let score = AnswerScore::from_checks(vec![
            outcome("warmup", CheckKind::Required, warmup),
            outcome("blind-yes", CheckKind::Anti, blind_yes),
        ]);
        let key = UnitKey::base(&scenario, arm, sample);
        let response = UnitOutcome::Answered { response: "text".to_string() };
        (UnitResult { key, outcome: response, latency_ms: 10, usage: None }, Some(score))
    }

    fn errored(scenario: &str, arm: Arm, sample: u32) -> ScoredUnit {
        let key = UnitKey::base(&scenario, arm, sample);
        let outcome = UnitOutcome::Errored { error: "timed out".to_string() };
        (UnitResult { key, outcome, latency_ms: 10, usage: None }, None)
    }

    #[test]
    fn order_follows_suite_then_arm() {
        let units = vec![
            answered("second", Arm::WithSkill, 0, true, false),
            answered("first", Arm::WithSkill, 0, true, false),
            answered("second", Arm::WithoutSkill, 0, true, false),
            answered("first", Arm::WithoutSkill, 0, true, false),
        ];
        let summaries = summarize(&suite(), &units).unwrap();
        let order: Vec<(&str, Arm)> = summaries.iter().map(|s| (s.scenario.as_str(), s.arm)).collect();
        assert_eq!(
            order,
            [
                ("first", Arm::WithoutSkill),
                ("first", Arm::WithSkill),
                ("second", Arm::WithoutSkill),
                ("second", Arm::WithSkill)
            ]
        );
    }

    #[test]
    fn errored_units_stay_out_of_pass_rate() {
        let units = vec![
            answered("first", Arm::WithSkill, 0, true, false),
            answered("first", Arm::WithSkill, 1, false, false),
            errored("first", Arm::WithSkill, 2),
        ];
        let summary = &summarize(&suite(), &units).unwrap()[0];
        assert_eq!(summary.samples, 3);
        assert_eq!(summary.answered, 2);
        assert_eq!(summary.passed, 1);
        assert_eq!(summary.errored, 1);
        assert_eq!(summary.pass_rate, Some(0.5));
    }

    #[test]
    fn all_errored_has_no_pass_rate() {
        let units = vec![errored("first", Arm::WithoutSkill, 0)];
        let summary = &summarize(&suite(), &units).unwrap()[0];
        assert_eq!(summary.answered, 0);
        assert_eq!(summary.pass_rate, None);
        assert_eq!(summary.interval, None);
        assert_eq!(summary.pass_at_k, None);
        assert!(!summary.flaky);
    }

    #[test]
    fn check_tallies_count_shown() {
        let units = vec![
            answered("first", Arm::WithoutSkill, 0, true, true),
            answered("first", Arm::WithoutSkill, 1, true, false),
            answered("first", Arm::WithoutSkill, 2, false, true),
        ];
        let summary = &summarize(&suite(), &units).unwrap()[0];
        let tallies: Vec<(&str, u32)> = summary.checks.iter().map(|t| (t.id.as_str(), t.shown)).collect();
        assert_eq!(tallies, [("warmup", 2), ("blind-yes", 2)]);
        assert_eq!(summary.passed, 1);
    }

    #[test]
    fn anti_check_holds_when_not_shown() {
        let units = vec![
            answered("first", Arm::WithoutSkill, 0, true, true),
            answered("first", Arm::WithoutSkill, 1, false, false),
            answered("first", Arm::WithoutSkill, 2, false, false),
        ];
        let summary = &summarize(&suite(), &units).unwrap()[0];
        let held: Vec<(&str, u32)> = summary.checks.iter().map(|t| (t.id.as_str(), t.held)).collect();
        assert_eq!(held, [("warmup", 1), ("blind-yes", 2)]);
        let interval = summary.checks[1].held_interval.unwrap();
        assert!(interval.contains(2.0 / 3.0));
    }

    #[test]
    fn statistics_of_mixed_samples() {
        let units = vec![
            answered("first", Arm::WithSkill, 0, true, false),
            answered("first", Arm::WithSkill, 1, false, false),
            errored("first", Arm::WithSkill, 2),
        ];
        let summary = &summarize(&suite(), &units).unwrap()[0];
        assert!(summary.flaky);
        assert_eq!(summary.pass_at_k, Some(1.0));
        assert_eq!(summary.pass_hat_k, Some(0.0));
        assert_eq!(summary.interval, crate::stats::wilson(1, 2));
    }

    #[test]
    fn agreeing_samples_are_not_flaky() {
        let units =
            vec![answered("first", Arm::WithSkill, 0, true, false), answered("first", Arm::WithSkill, 1, true, false)];
        let summary = &summarize(&suite(), &units).unwrap()[0];
        assert!(!summary.flaky);
        assert_eq!(summary.pass_hat_k, Some(1.0));
    }

    #[test]
    fn unknown_scenario_is_an_error() {
        let units = vec![answered("third", Arm::WithSkill, 0, true, false)];
        let error = summarize(&suite(), &units).unwrap_err();
        assert_eq!(error.to_string(), "unit result for scenario \"third\" is not in the suite");
    }

    #[test]
    fn answered_without_score_is_an_error() {
        let (result, _) = answered("first", Arm::WithSkill, 4, true, false);
        let error = summarize(&suite(), &[(result, None)]).unwrap_err();
        assert_eq!(error, SummaryError::Unscored { scenario: "first".to_string(), arm: "with-skill", sample: 4 });
    }
}
