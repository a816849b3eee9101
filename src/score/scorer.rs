//! The scorer: every check of a scenario's rubric applied to one answer. Built once per
//! suite, after checking that the planner can compute every numeric check's value.

use std::collections::HashMap;


use super::numbers::check_quantity;
use super::outcome::{AnswerScore, CheckOutcome};
use super::phrase::check_phrases;
use super::prefilter::RubricPrefilters;
use super::text::AnswerText;
use crate::planner::{self, Expected, PlannerError};
use crate::suite::{Asked, CheckRule, Suite, BASE_VARIANT};

/// A suite that cannot be scored, or an answer to an unknown scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("scenario \"{scenario}\", check \"{check}\": the planner cannot compute the expected value: {source}")]
    Planner { scenario: String, check: String, source: PlannerError },
    #[error("unknown scenario \"{0}\"")]
    UnknownScenario(String),
    #[error("scenario \"{scenario}\" has no variant \"{variant}\"")]
    UnknownVariant { scenario: String, variant: String },
}

/// Scores answers against a suite's rubrics.
#[derive(Debug)]
pub struct Scorer<'suite> {
    suite: &'suite Suite,
    /// Planner values by (scenario id, variant id, check id).
    expected: HashMap<(String, String, String), Expected>,
    /// Literals of each rubric's phrase regexes, found in one pass per answer.
    prefilters: RubricPrefilters,
}

impl<'suite> Scorer<'suite> {
    /// Prepares a scorer, computing every numeric check's expected value up front.
    pub fn new(suite: &'suite Suite) -> Result<Self, ScoreError> {
        let mut expected = HashMap::new();
        let mut rubrics = Vec::new();
        for scenario in &suite.scenarios {
            let variants = scenario.variants.iter().map(|variant| variant.id.as_str());
            for variant in std::iter::once(BASE_VARIANT).chain(variants) {
                let asked = scenario.asked(variant).expect("the scenario lists this variant");
                rubrics.push(asked.rubric);
                for check in &asked.rubric.checks {
                    if let CheckRule::Numeric(rule) = &check.rule {
                        let value = planner::expected(rule.quantity, asked.parameters).map_err(|source| ScoreError::Planner {
                            scenario: if variant == BASE_VARIANT { scenario.id.clone() } else { format!("{}\" variant \"{variant}", scenario.id) },
                            check: check.id.clone(),
                            source,
                        })?;
                        expected.insert((scenario.id.clone(), variant.to_string(), check.id.clone()), value);
                    }
                }
            }
        }
        Ok(Scorer { suite, expected, prefilters: RubricPrefilters::new(rubrics) })
    }

    /// Returns the planner's value for a numeric check of a scenario as written.
    pub fn expected(&self, scenario: &str, check: &str) -> Option<&Expected> {
        self.expected_in(scenario, BASE_VARIANT, check)
    }

    /// Returns the planner's value for a numeric check in one variant.
    pub fn expected_in(&self, scenario: &str, variant: &str, check: &str) -> Option<&Expected> {
        self.expected.get(&(scenario.to_string(), variant.to_string(), check.to_string()))
    }

    /// Scores one answer to a scenario as written.
    pub fn score(&self, scenario_id: &str, response: &str) -> Result<AnswerScore, ScoreError> {
        self.score_variant(scenario_id, BASE_VARIANT, response)
    }

    /// Scores one answer to a variant of a scenario, with that variant's rubric and
    /// planner values.
    pub fn score_variant(&self, scenario_id: &str, variant: &str, response: &str) -> Result<AnswerScore, ScoreError> {
        let scenario = self.suite.scenario(scenario_id).ok_or_else(|| ScoreError::UnknownScenario(scenario_id.to_string()))?;
        let asked = scenario.asked(variant).ok_or_else(|| ScoreError::UnknownVariant {
            scenario: scenario_id.to_string(),
            variant: variant.to_string(),
        })?;
        let text = AnswerText::parse(response);
        let literals = self.prefilters.scan(asked.rubric, &text);
        let mut outcomes: Vec<CheckOutcome> = asked.rubric.checks.iter().map(|check| {
            let (shown, evidence) = match &check.rule {
                CheckRule::Phrase(rule) => {
                    let result = check_phrases(rule, &text, &literals);
                    (result.shown, result.evidence)
                }
                CheckRule::Numeric(rule) => {
                    let expected = &self.expected[&(scenario.id.clone(), variant.to_string(), check.id.clone())];
                    let result = check_quantity(rule, &text, asked.parameters, expected);
                    (result.shown, result.evidence)
                }
            };
            CheckOutcome { id: check.id.clone(), kind: check.kind, shown, evidence }
        }).collect();

        apply_cancellations(asked, &mut outcomes);
        Ok(AnswerScore::from_checks(outcomes))
    }
}

/// Clears a shown check when one of its `unless_shown` checks is shown too: a "yes"
/// with the caveats is not a blind yes.
fn apply_cancellations(asked: Asked, outcomes: &mut [CheckOutcome]) {
    // Every check reads the others' outcomes from before any is cleared. If an id
    // repeats, its last outcome counts.
    let shown = |id: &str| outcomes.iter().rev().find(|outcome| outcome.id == id).is_some_and(|outcome| outcome.shown);
    let cancelled: Vec<(usize, &String)> = asked
        .rubric
        .checks
        .iter()
        .zip(outcomes.iter())
        .enumerate()
        .filter(|(_, (_, outcome))| outcome.shown)
        .filter_map(|(index, (check, _))| check.unless_shown.iter().find(|other| shown(other)).map(|other| (index, other)))
        .collect();
    for (index, other) in cancelled {
        outcomes[index].shown = false;
        outcomes[index].evidence = Some(format!("cancelled because \"{other}\" is shown"));
    }
}
