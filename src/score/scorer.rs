//! The scorer: every check of a scenario's rubric applied to one answer. Built once per
//! suite, after checking that the planner can compute every numeric check's value.

use std::collections::HashMap;

use super::numbers::check_quantity;
use super::outcome::{AnswerScore, CheckOutcome};
use super::phrase::check_phrases;
use super::text::AnswerText;
use crate::planner::{self, Expected, PlannerError};
use crate::suite::{CheckRule, Scenario, Suite};

/// A suite that cannot be scored, or an answer to an unknown scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("scenario \"{scenario}\", check \"{check}\": the planner cannot compute the expected value: {source}")]
    Planner { scenario: String, check: String, source: PlannerError },
    #[error("unknown scenario \"{0}\"")]
    UnknownScenario(String),
}

/// Scores answers against a suite's rubrics.
#[derive(Debug)]
pub struct Scorer<'suite> {
    suite: &'suite Suite,
    /// Planner values by (scenario id, check id).
    expected: HashMap<(String, String), Expected>,
}

impl<'suite> Scorer<'suite> {
    /// Prepares a scorer, computing every numeric check's expected value up front.
    pub fn new(suite: &'suite Suite) -> Result<Self, ScoreError> {
        let mut expected = HashMap::new();
        for scenario in &suite.scenarios {
            for check in &scenario.rubric.checks {
                if let CheckRule::Numeric(rule) = &check.rule {
                    let value = planner::expected(rule.quantity, &scenario.parameters).map_err(|source| ScoreError::Planner {
                        scenario: scenario.id.clone(),
                        check: check.id.clone(),
                        source,
                    })?;
                    expected.insert((scenario.id.clone(), check.id.clone()), value);
                }
            }
        }
        Ok(Scorer { suite, expected })
    }

    /// Returns the planner's value for a numeric check.
    pub fn expected(&self, scenario: &str, check: &str) -> Option<&Expected> {
        self.expected.get(&(scenario.to_string(), check.to_string()))
    }

    /// Scores one answer to a scenario.
    pub fn score(&self, scenario_id: &str, response: &str) -> Result<AnswerScore, ScoreError> {
        let scenario = self.suite.scenario(scenario_id).ok_or_else(|| ScoreError::UnknownScenario(scenario_id.to_string()))?;
        let text = AnswerText::parse(response);
        let mut outcomes: Vec<CheckOutcome> = scenario.rubric.checks.iter().map(|check| {
            let (shown, evidence) = match &check.rule {
                CheckRule::Phrase(rule) => {
                    let result = check_phrases(rule, &text);
                    (result.shown, result.evidence)
                }
                CheckRule::Numeric(rule) => {
                    let expected = &self.expected[&(scenario.id.clone(), check.id.clone())];
                    let result = check_quantity(rule, &text, &scenario.parameters, expected);
                    (result.shown, result.evidence)
                }
            };
            CheckOutcome { id: check.id.clone(), kind: check.kind, shown, evidence }
        }).collect();

        apply_cancellations(scenario, &mut outcomes);
        Ok(AnswerScore::from_checks(outcomes))
    }
}

/// Clears a shown check when one of its `unless_shown` checks is shown too: a "yes"
/// with the caveats is not a blind yes.
fn apply_cancellations(scenario: &Scenario, outcomes: &mut [CheckOutcome]) {
    let shown_before: HashMap<String, (bool, Option<String>)> =
        outcomes.iter().map(|outcome| (outcome.id.clone(), (outcome.shown, outcome.evidence.clone()))).collect();
    for (check, outcome) in scenario.rubric.checks.iter().zip(outcomes.iter_mut()) {
        let cancelling = check.unless_shown.iter().find(|other| shown_before.get(*other).is_some_and(|(shown, _)| *shown));
        if let (true, Some(other)) = (outcome.shown, cancelling) {
            outcome.shown = false;
            outcome.evidence = Some(format!("cancelled because \"{other}\" is shown"));
        }
    }
}
