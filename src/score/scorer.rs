//! The scorer: every check of a scenario's rubric applied to one answer. Built once per
//! suite, after checking that the planner can compute every numeric check's value.

use std::sync::OnceLock;

use super::numbers::check_quantity;
use super::outcome::{AnswerScore, CheckOutcome};
use super::phrase::check_phrases;
use super::prefilter::RubricPrefilters;
use super::text::AnswerText;
use crate::planner::{self, Expected, PlannerError};
use crate::suite::{Asked, CheckRule, LoadError, Suite, BASE_VARIANT};

/// A suite that cannot be scored, or an answer to an unknown scenario.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("scenario \"{scenario}\", check \"{check}\": the planner cannot compute the expected value: {source}")]
    Planner { scenario: String, check: String, source: PlannerError },
    #[error("unknown scenario \"{0}\"")]
    UnknownScenario(String),
    #[error("scenario \"{scenario}\" has no variant \"{variant}\"")]
    UnknownVariant { scenario: String, variant: String },
    /// A rubric regex whose program exceeds the regex engine's size limit. Loading
    /// checks only the syntax, so this shows on the first answer to its rubric.
    #[error(transparent)]
    Regex(#[from] LoadError),
}

/// Scores answers against a suite's rubrics.
#[derive(Debug)]
pub struct Scorer<'suite> {
    suite: &'suite Suite,
    /// By scenario in suite order, then by variant: the scenario as written first, then
    /// its variants in order.
    prepared: Vec<Vec<PreparedRubric>>,
    /// Literals of each rubric's phrase regexes, found in one pass per answer.
    prefilters: RubricPrefilters,
}

/// The scorer's state for one question's rubric, built before the first answer.
#[derive(Debug)]
struct PreparedRubric {
    /// The planner's value for each check, in rubric order; `None` for phrase checks.
    expected: Vec<Option<Expected>>,
    /// The outcome of checking that the rubric's regexes compile, on the first answer
    /// to it.
    regexes_checked: OnceLock<Result<(), LoadError>>,
}

impl<'suite> Scorer<'suite> {
    /// Prepares a scorer, computing every numeric check's expected value up front.
    pub fn new(suite: &'suite Suite) -> Result<Self, ScoreError> {
        let mut prepared = Vec::new();
        let mut rubrics = Vec::new();
        for scenario in &suite.scenarios {
            let variants = scenario.variants.iter().map(|variant| variant.id.as_str());
            let mut per_variant = Vec::new();
            for variant in std::iter::once(BASE_VARIANT).chain(variants) {
                let asked = scenario.asked(variant).expect("the scenario lists this variant");
                rubrics.push(asked.rubric);
                let mut expected = Vec::with_capacity(asked.rubric.checks.len());
                for check in &asked.rubric.checks {
                    let CheckRule::Numeric(rule) = &check.rule else {
                        expected.push(None);
                        continue;
                    };
                    let value = planner::expected(rule.quantity, asked.parameters).map_err(|source| ScoreError::Planner {
                        scenario: if variant == BASE_VARIANT { scenario.id.clone() } else { format!("{}\" variant \"{variant}", scenario.id) },
                        check: check.id.clone(),
                        source,
                    })?;
                    expected.push(Some(value));
                }
                per_variant.push(PreparedRubric { expected, regexes_checked: OnceLock::new() });
            }
            prepared.push(per_variant);
        }
        Ok(Scorer { suite, prepared, prefilters: RubricPrefilters::new(rubrics) })
    }

    /// Returns the planner's value for a numeric check of a scenario as written.
    pub fn expected(&self, scenario: &str, check: &str) -> Option<&Expected> {
        self.expected_in(scenario, BASE_VARIANT, check)
    }

    /// Returns the planner's value for a numeric check in one variant.
    pub fn expected_in(&self, scenario: &str, variant: &str, check: &str) -> Option<&Expected> {
        let (asked, prepared) = self.find(scenario, variant).ok()?;
        let index = asked.rubric.checks.iter().position(|candidate| candidate.id == check)?;
        prepared.expected[index].as_ref()
    }

    /// Finds a question of the suite and what the scorer prepared for it.
    fn find(&self, scenario_id: &str, variant: &str) -> Result<(Asked<'suite>, &PreparedRubric), ScoreError> {
        let position = self.suite.scenarios.iter().position(|scenario| scenario.id == scenario_id);
        let scenario_index = position.ok_or_else(|| ScoreError::UnknownScenario(scenario_id.to_string()))?;
        let scenario = &self.suite.scenarios[scenario_index];
        let unknown_variant = || ScoreError::UnknownVariant { scenario: scenario_id.to_string(), variant: variant.to_string() };
        let variant_index = if variant == BASE_VARIANT {
            0
        } else {
            1 + scenario.variants.iter().position(|candidate| candidate.id == variant).ok_or_else(unknown_variant)?
        };
        let asked = scenario.asked(variant).ok_or_else(unknown_variant)?;
        Ok((asked, &self.prepared[scenario_index][variant_index]))
    }

    /// Scores one answer to a scenario as written.
    pub fn score(&self, scenario_id: &str, response: &str) -> Result<AnswerScore, ScoreError> {
        self.score_variant(scenario_id, BASE_VARIANT, response)
    }

    /// Scores one answer to a variant of a scenario, with that variant's rubric and
    /// planner values.
    pub fn score_variant(&self, scenario_id: &str, variant: &str, response: &str) -> Result<AnswerScore, ScoreError> {
        let (asked, prepared) = self.find(scenario_id, variant)?;
        prepared.regexes_checked.get_or_init(|| asked.rubric.check_regexes()).clone()?;
        let text = AnswerText::parse(response);
        let literals = self.prefilters.scan(asked.rubric, &text);
        let checks = asked.rubric.checks.iter().zip(&prepared.expected);
        let mut outcomes: Vec<CheckOutcome> = checks.map(|(check, expected)| {
            let (shown, evidence) = match &check.rule {
                CheckRule::Phrase(rule) => {
                    let result = check_phrases(rule, &text, &literals);
                    (result.shown, result.evidence)
                }
                CheckRule::Numeric(rule) => {
                    let expected = expected.as_ref().expect("the scorer computed every numeric check's value");
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
