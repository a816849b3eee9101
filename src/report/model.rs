//! The result model: one serialisable, versioned record of a run, from which every
//! exporter writes its format. Saved as `results.json`, it is also what a later
//! `rescore` or snapshot reads back.

use serde::{Deserialize, Serialize};

use super::ReportError;
use super::effect::{SkillEffect, skill_effect};
use super::suite_info::{PassThresholds, PatternInfo, ScenarioInfo};
use crate::agent::TokenUsage;
use crate::gate::{GateInputs, GateResult, SkillLint, evaluate, lint_skill};
use crate::run::{UnitOutcome, UnitResult};
use crate::score::{
    AnswerScore, ArmSummary, CheckOutcome, Rationalization, ScoredUnit, find_rationalizations, summarize,
    summarize_variants,
};
use crate::snapshot::Comparison;
use crate::suite::{Arm, Phase, PressureType, Skill, Suite, is_base_variant};

/// Version of the result model's JSON shape. Raise it whenever a field is renamed,
/// removed or changes meaning, so that readers of old files can tell.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything a run produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// Always [`SCHEMA_VERSION`] when written by this version.
    pub schema_version: u32,
    pub run: RunMetadata,
    /// Every unit, in the order the caller gave them.
    pub units: Vec<UnitReport>,
    /// Per scenario and arm, in suite order and then `without-skill`, `with-skill`.
    pub summaries: Vec<ArmSummary>,
    /// Per scenario, variant and arm, for the variants a REFACTOR run asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variant_summaries: Vec<ArmSummary>,
    /// Every rationalization the checks found, in unit order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rationalizations: Vec<Rationalization>,
    pub gates: Vec<GateResult>,
    /// The skill's lint; `None` when no skill was given.
    pub lint: Option<SkillLint>,
    /// The with-skill pass rate minus the without-skill one, per scenario and overall.
    #[serde(default)]
    pub effect: Option<SkillEffect>,
    /// The suite's scenarios: queries, failure patterns and check descriptions, in suite order.
    #[serde(default)]
    pub scenarios: Vec<ScenarioInfo>,
    /// The suite's failure patterns, in suite order.
    #[serde(default)]
    pub patterns: Vec<PatternInfo>,
    /// The pressure types of the suite's library, when the run asked variants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pressures: Vec<PressureType>,
    /// The pass-rate thresholds of the `baseline-fails` and `skill-passes` gates.
    #[serde(default)]
    pub pass_thresholds: Option<PassThresholds>,
    /// The comparison with a baseline snapshot, when one was given.
    #[serde(default)]
    pub baseline: Option<Comparison>,
    /// Token usage and latency summed over the units; absent in files written before
    /// it was added.
    #[serde(default)]
    pub totals: RunTotals,
}

/// Sums over every unit of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunTotals {
    pub answered: u32,
    pub errored: u32,
    /// Input tokens of the units whose agent reported usage.
    pub input_tokens: u64,
    /// Output tokens of the units whose agent reported usage.
    pub output_tokens: u64,
    /// Units whose agent reported no usage, such as replayed or subprocess answers.
    pub units_without_usage: u32,
    /// Latency summed over the units, retries included: the agent time the run used,
    /// which exceeds its wall time when units run concurrently.
    pub latency_ms: u64,
}

impl RunTotals {
    /// Sums the units' outcomes, usage and latency.
    fn of(units: &[UnitReport]) -> RunTotals {
        let mut totals = RunTotals::default();
        for unit in units {
            match unit.outcome {
                UnitOutcome::Answered { .. } => totals.answered += 1,
                UnitOutcome::Errored { .. } => totals.errored += 1,
            }
            match unit.usage {
                Some(usage) => {
                    totals.input_tokens += usage.input_tokens;
                    totals.output_tokens += usage.output_tokens;
                }
                None => totals.units_without_usage += 1,
            }
            totals.latency_ms += unit.latency_ms;
        }
        totals
    }
}

/// Run metadata: the suite, agent, skill, samples, arms and timestamps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunMetadata {
    pub suite: String,
    /// The agent as the user named it, e.g. `openai:gpt-4o-mini`; never a key.
    pub agent: String,
    /// Path of the skill file; `None` for a baseline-only run.
    pub skill: Option<String>,
    /// Samples per scenario and arm.
    pub samples: u32,
    /// Samples per variant and arm; absent when the run asked no variants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant_samples: Option<u32>,
    pub arms: Vec<Arm>,
    /// RFC 3339 timestamps set by the caller; snapshots leave them out.
    pub started_at: Option<String>,
    /// `None` while the run is in progress or after it was interrupted.
    pub finished_at: Option<String>,
    /// Units the run was planned with: scenarios × arms × samples, plus variants × arms
    /// × variant samples. Fewer units in the report mean the run is still going or was
    /// interrupted.
    #[serde(default)]
    pub planned_units: u32,
    /// The phase whose gates (and the earlier phases' gates) were evaluated; `None` for all.
    #[serde(default)]
    pub phase: Option<Phase>,
}

/// One unit: its key, what the agent returned, and how the answer scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitReport {
    pub scenario: String,
    /// `base`, or the variant the unit asked; left out of files for `base`.
    #[serde(default = "crate::suite::base_variant", skip_serializing_if = "crate::suite::is_base_variant")]
    pub variant: String,
    pub arm: Arm,
    pub sample: u32,
    /// `status: answered` with `response`, or `status: errored` with `error`.
    #[serde(flatten)]
    pub outcome: UnitOutcome,
    pub latency_ms: u64,
    pub usage: Option<TokenUsage>,
    /// Whether the answer passes; `None` for an errored unit.
    pub passes: Option<bool>,
    /// Check outcomes with their evidence; empty for an errored unit.
    pub checks: Vec<CheckOutcome>,
}

/// The pieces [`RunReport::build`] assembles.
#[derive(Debug, Clone)]
pub struct ReportInputs<'a> {
    pub suite: &'a Suite,
    /// The agent as the user named it.
    pub agent: String,
    pub skill: Option<&'a Skill>,
    pub samples: u32,
    /// Samples per variant; `None` when the run asked no variants.
    pub variant_samples: Option<u32>,
    pub arms: Vec<Arm>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// Unit results and their scores; `None` for errored units.
    pub units: &'a [ScoredUnit],
    /// Evaluate the gates of phases up to this one; `None` evaluates all of them.
    pub up_to_phase: Option<Phase>,
}

impl RunReport {
    /// Builds the report: summarises the units, computes the skill's effect, lints the
    /// skill if one was given, and evaluates the gates. The units may be those of a run
    /// still in progress.
    pub fn build(inputs: ReportInputs<'_>) -> Result<RunReport, ReportError> {
        let suite = inputs.suite;
        let summaries = summarize(suite, inputs.units)?;
        let variant_summaries = summarize_variants(suite, inputs.units)?;
        let asked_variants = inputs.variant_samples.is_some() || !variant_summaries.is_empty();
        let rationalizations = find_rationalizations(inputs.units);
        let lint = inputs.skill.map(|skill| lint_skill(&skill.text, suite));
        let gates = evaluate(&GateInputs {
            suite,
            summaries: &summaries,
            variant_summaries: &variant_summaries,
            rationalizations: &rationalizations,
            lint: lint.as_ref(),
            up_to_phase: inputs.up_to_phase,
        });
        let effect = Some(skill_effect(&summaries));

        let units: Vec<UnitReport> = inputs.units.iter().map(|(result, score)| unit_report(result, score.as_ref())).collect();
        let totals = RunTotals::of(&units);
        Ok(RunReport {
            schema_version: SCHEMA_VERSION,
            run: run_metadata(&inputs),
            units,
            summaries,
            variant_summaries,
            rationalizations,
            gates,
            lint,
            effect,
            scenarios: suite.scenarios.iter().map(|scenario| ScenarioInfo::of(scenario, asked_variants)).collect(),
            pressures: if asked_variants { suite.pressures.clone() } else { Vec::new() },
            patterns: suite.patterns.iter().map(PatternInfo::of).collect(),
            pass_thresholds: Some(PassThresholds::of(suite)),
            baseline: None,
            totals,
        })
    }

    /// Returns the summary of one scenario in one arm.
    pub fn summary(&self, scenario: &str, arm: Arm) -> Option<&ArmSummary> {
        self.summaries.iter().find(|summary| summary.scenario == scenario && summary.arm == arm)
    }

    /// Returns whether fewer units finished than were planned.
    pub fn is_partial(&self) -> bool {
        (self.units.len() as u32) < self.run.planned_units
    }

    /// Returns the units that asked one scenario as written in one arm, in report order.
    pub fn units_of<'a>(&'a self, scenario: &'a str, arm: Arm) -> impl Iterator<Item = &'a UnitReport> + 'a {
        self.units_in(scenario, crate::suite::BASE_VARIANT, arm)
    }

    /// Returns the units that asked one variant of a scenario in one arm, in report order.
    pub fn units_in<'a>(&'a self, scenario: &'a str, variant: &'a str, arm: Arm) -> impl Iterator<Item = &'a UnitReport> + 'a {
        self.units.iter().filter(move |unit| unit.scenario == scenario && unit.variant == variant && unit.arm == arm)
    }

    /// Returns the units that asked the scenarios as written, in report order.
    pub fn base_units(&self) -> impl Iterator<Item = &UnitReport> {
        self.units.iter().filter(|unit| is_base_variant(&unit.variant))
    }
}

/// Builds the run metadata from the inputs.
fn run_metadata(inputs: &ReportInputs<'_>) -> RunMetadata {
    let arms = inputs.arms.len() as u32;
    let variants: u32 = inputs.suite.scenarios.iter().map(|scenario| scenario.variants.len() as u32).sum();
    let planned_units = inputs.suite.scenarios.len() as u32 * arms * inputs.samples
        + variants * arms * inputs.variant_samples.unwrap_or(0);
    RunMetadata {
        suite: inputs.suite.name.clone(),
        agent: inputs.agent.clone(),
        skill: inputs.skill.map(|skill| skill.path.display().to_string()),
        samples: inputs.samples,
        variant_samples: inputs.variant_samples,
        arms: inputs.arms.clone(),
        started_at: inputs.started_at.clone(),
        finished_at: inputs.finished_at.clone(),
        planned_units,
        phase: inputs.up_to_phase,
    }
}

/// Builds the report of one unit; a score given for an errored unit is dropped, as in the summaries.
fn unit_report(result: &UnitResult, score: Option<&AnswerScore>) -> UnitReport {
    let score = match result.outcome {
        UnitOutcome::Answered { .. } => score,
        UnitOutcome::Errored { .. } => None,
    };
    UnitReport {
        scenario: result.key.scenario.clone(),
        variant: result.key.variant.clone(),
        arm: result.key.arm,
        sample: result.key.sample,
        outcome: result.outcome.clone(),
        latency_ms: result.latency_ms,
        usage: result.usage,
        passes: score.map(|score| score.passes),
        checks: score.map(|score| score.checks.clone()).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn totals_sum_usage_and_latency() {
        let report = sample_report();
        let totals = report.totals;
        assert_eq!(totals.answered + totals.errored, report.units.len() as u32);
        let input: u64 = report.units.iter().filter_map(|unit| unit.usage).map(|usage| usage.input_tokens).sum();
        assert_eq!(totals.input_tokens, input);
        let latency: u64 = report.units.iter().map(|unit| unit.latency_ms).sum();
        assert_eq!(totals.latency_ms, latency);
        let without = report.units.iter().filter(|unit| unit.usage.is_none()).count() as u32;
        assert_eq!(totals.units_without_usage, without);
    }

    #[test]
    fn schema_version_is_first_field() {
        let json = serde_json::to_string(&sample_report()).unwrap();
        assert!(json.starts_with("{\"schema_version\":1,"), "{json}");
    }

    #[test]
    fn json_round_trip() {
        let report = sample_report();
        let json = serde_json::to_string(&report).unwrap();
        let back: RunReport = serde_json::from_str(&json).unwrap();
        assert_eq!(back, report);
    }

    #[test]
    fn unit_outcome_is_flattened() {
        let report = sample_report();
        let value = serde_json::to_value(&report.units[0]).unwrap();
        assert_eq!(value["status"], "answered");
        assert!(value["response"].is_string());
        assert!(value.get("outcome").is_none());
    }

    #[test]
    fn errored_unit_has_no_verdict() {
        let report = sample_report();
        let errored = report.units.iter().find(|unit| matches!(unit.outcome, UnitOutcome::Errored { .. })).unwrap();
        assert_eq!(errored.passes, None);
        assert!(errored.checks.is_empty());
    }

    #[test]
    fn build_lints_the_skill_and_names_it() {
        let report = sample_report();
        assert_eq!(report.run.skill.as_deref(), Some("fixtures/skills/sample/SKILL.md"));
        assert!(report.lint.is_some());
        assert_eq!(report.gates.len(), 10);
    }
}
