//! The suite's data model: scenarios, rubrics, checks, patterns and gate thresholds,
//! as they are after loading and validation. Raw YAML shapes live in `files.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::lazy_regex::LazyRegex;
use super::load::LoadError;

/// A whole validated suite: every scenario with its rubric, the failure patterns and the gates.
#[derive(Debug, Clone)]
pub struct Suite {
    /// Suite name, shown in reports.
    pub name: String,
    /// Failure patterns named across the suite, in file order.
    pub patterns: Vec<Pattern>,
    /// Scenarios in file-name order, each with its compiled rubric.
    pub scenarios: Vec<Scenario>,
    /// Quality-gate thresholds.
    pub gates: GateThresholds,
    /// Pressure types of the REFACTOR phase, in library order; empty when the suite has
    /// no `pressures.yaml`.
    pub pressures: Vec<PressureType>,
}

impl Suite {
    /// Finds a scenario by id.
    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|scenario| scenario.id == id)
    }
}

/// A failure pattern: a way agents go wrong that the skill must address.
#[derive(Debug, Clone, Serialize)]
pub struct Pattern {
    pub id: String,
    pub name: String,
    /// Terms whose presence in a skill document shows that it addresses the pattern;
    /// each is a case-insensitive regex.
    #[serde(skip)]
    pub terms: Vec<Regex>,
}

/// One user query that exposed a failure, with the rubric that grades answers to it.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    pub query: String,
    /// What goes wrong without the skill, in prose.
    pub failure_pattern: String,
    /// Ids of the failure patterns this scenario belongs to.
    pub patterns: Vec<String>,
    /// The numbers and names the reference planner needs.
    pub parameters: Parameters,
    pub rubric: Rubric,
    /// The scenario re-asked under pressure or with other parameters, in the order
    /// reports list them: generated pressures, hand-written ones, parameter sets.
    pub variants: Vec<Variant>,
}

impl Scenario {
    /// Returns what the user asks in one variant: the base question for `base`.
    pub fn asked(&self, variant: &str) -> Option<Asked<'_>> {
        if variant == BASE_VARIANT {
            return Some(Asked { query: &self.query, parameters: &self.parameters, rubric: &self.rubric });
        }
        let variant = self.variants.iter().find(|candidate| candidate.id == variant)?;
        Some(Asked { query: &variant.query, parameters: &variant.parameters, rubric: &variant.rubric })
    }
}

/// Id of the scenario as written, without pressure or other parameters.
pub const BASE_VARIANT: &str = "base";

/// Returns [`BASE_VARIANT`] as an owned id: the serde default of every `variant` field,
/// so that files written before variants existed read as the base question.
pub fn base_variant() -> String {
    BASE_VARIANT.to_string()
}

/// Returns whether a variant id is the base question. Serde leaves such fields out of files.
pub fn is_base_variant(variant: &str) -> bool {
    variant == BASE_VARIANT
}

/// The question, parameters and rubric of one variant of a scenario.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub query: &'a str,
    pub parameters: &'a Parameters,
    pub rubric: &'a Rubric,
}

/// A scenario re-asked: under pressure, or with other parameter values.
#[derive(Debug, Clone)]
pub struct Variant {
    /// `pressure/<ids joined by +>`, `pressure/<hand-written id>` or `params/<set id>`.
    pub id: String,
    pub kind: VariantKind,
    /// Ids of the pressure types applied, in order; empty for a parametric variant.
    pub pressures: Vec<String>,
    pub query: String,
    /// The scenario's parameters with the variant's values put in.
    pub parameters: Parameters,
    /// The scenario's rubric, its phrases rendered with these parameters, plus the
    /// variant's own checks and, under pressure, the rationalization checks.
    pub rubric: Rubric,
}

/// The kind of change a variant makes to its scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VariantKind {
    /// Pressure added to the question, generated from the library or written by hand.
    Pressure,
    /// The same question with other parameter values.
    Parametric,
}

/// A pressure type of the library: how a user pushes an agent to drop its guidance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PressureType {
    pub id: String,
    pub name: String,
}

/// Prefix of the ids of the checks that find rationalizations.
pub const RATIONALIZATION_PREFIX: &str = "rationalization-";

/// Scenario parameters by name: numbers (`old_batch: 64`) or names (`model: bert-base`).
pub type Parameters = BTreeMap<String, ParamValue>;

/// One scenario parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Number(f64),
    Text(String),
}

impl ParamValue {
    /// Returns the value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Number(value) => Some(*value),
            ParamValue::Text(_) => None,
        }
    }

    /// Returns the value as text, if it is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ParamValue::Number(_) => None,
            ParamValue::Text(text) => Some(text),
        }
    }
}

/// The checks that grade answers to one scenario. Checks are shared, not copied,
/// between a scenario and its pressure variants: a cloned `Regex` gets caches of its
/// own, and a hundred variants' copies would each grow their own lazy DFA.
#[derive(Debug, Clone)]
pub struct Rubric {
    pub checks: Vec<Arc<Check>>,
}

impl Rubric {
    /// Compiles every phrase regex of the rubric that is not compiled yet. Loading
    /// checks only their syntax, so this fails only for a pattern whose program
    /// exceeds the regex engine's size limit.
    pub fn compile(&self) -> Result<(), LoadError> {
        self.phrase_regexes().try_for_each(|regex| regex.compile().map(drop))
    }

    /// Checks that every phrase regex of the rubric compiles, and keeps none of the
    /// compiled programs (see [`LazyRegex::check`]).
    pub fn check_regexes(&self) -> Result<(), LoadError> {
        self.phrase_regexes().try_for_each(LazyRegex::check)
    }

    fn phrase_regexes(&self) -> impl Iterator<Item = &LazyRegex> {
        let phrase_rules = self.checks.iter().filter_map(|check| match &check.rule {
            CheckRule::Phrase(rule) => Some(rule),
            CheckRule::Numeric(_) => None,
        });
        phrase_rules.flat_map(|rule| {
            let sets = rule.groups.iter().flat_map(|group| &group.together);
            rule.groups.iter().flat_map(|group| &group.phrases).chain(sets.flatten()).chain(&rule.exclude).chain(&rule.reversed_by)
        })
    }
}

/// What a check demands of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    /// A passing answer must show it.
    Required,
    /// A passing answer must state a number that matches the planner's value.
    Numeric,
    /// A passing answer must not commit this failure.
    Anti,
    /// Counted and reported, never needed to pass.
    Bonus,
}

impl CheckKind {
    /// Returns the lowercase name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::Required => "required",
            CheckKind::Numeric => "numeric",
            CheckKind::Anti => "anti",
            CheckKind::Bonus => "bonus",
        }
    }
}

/// One rubric check, compiled.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub kind: CheckKind,
    pub description: String,
    pub rule: CheckRule,
    /// Check ids of the same rubric whose presence cancels this check: a "yes" that
    /// comes with the caveats is not a blind yes.
    pub unless_shown: Vec<String>,
}

/// How a check decides whether an answer shows it.
#[derive(Debug, Clone)]
pub enum CheckRule {
    /// Phrase matching over the answer's sentences.
    Phrase(PhraseRule),
    /// A number for a planner quantity, compared with the planner's value.
    Numeric(NumericRule),
}

/// A numeric check: which quantity, and extra words that name it in answers.
#[derive(Debug, Clone)]
pub struct NumericRule {
    pub quantity: Quantity,
    /// Phrases that, besides the quantity's usual names, refer to it in this scenario,
    /// such as "scale it" when the question is about the learning rate.
    pub subject_words: Vec<Regex>,
}

/// Phrase matching: the check is shown when at least `min_groups` of its groups each
/// match a sentence that is not negated or dismissed.
#[derive(Debug, Clone)]
pub struct PhraseRule {
    pub groups: Vec<PhraseGroup>,
    pub min_groups: usize,
    /// Sentences matching any of these never count for this check.
    pub exclude: Vec<LazyRegex>,
    /// Conclusions that cancel the check when asserted after the matched point, as in a
    /// summary that contradicts the body: "So yes, with bf16 and checkpointing you can
    /// train it on 24 GB" after "that doesn't fit".
    pub reversed_by: Vec<LazyRegex>,
    /// Whether a negated or dismissed mention still counts (true for checks whose
    /// phrases already carry a negation, such as "not the best choice"). A view reported
    /// only to be rejected never counts.
    pub count_negated: bool,
    /// Whether the check looks for a point the answer makes (required and bonus checks)
    /// rather than a failure it commits (anti checks). A point is not made when the
    /// answer sets it aside afterwards, in a later "but" clause or at the start of the
    /// next sentence ("Usually you'd warm up. In your case, though, I'd skip it."), or
    /// when only a short heading names it ("## When to use it"). A failure is committed
    /// even when the answer then plays it down, and a heading can recommend it.
    pub makes_point: bool,
}

/// A named set of alternatives; the group matches when any phrase matches, or when
/// every regex of one `together` set matches the same sentence.
#[derive(Debug, Clone)]
pub struct PhraseGroup {
    pub name: String,
    pub phrases: Vec<LazyRegex>,
    /// Sets of regexes that must all match one sentence, in any order; the first one
    /// is the match whose negation is judged.
    pub together: Vec<Vec<LazyRegex>>,
}

/// A quantity the reference planner computes and the scorer extracts from answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Quantity {
    /// Factor by which the learning rate changes for a batch-size change.
    LrMultiplier,
    /// Micro-batches accumulated per optimizer step.
    AccumulationSteps,
    /// Memory of weights, gradients and optimizer states for full training.
    ModelStateMemory,
    /// A recommended batch size.
    RecommendedBatch,
}

impl Quantity {
    /// Returns the kebab-case name used in rubric files.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantity::LrMultiplier => "lr-multiplier",
            Quantity::AccumulationSteps => "accumulation-steps",
            Quantity::ModelStateMemory => "model-state-memory",
            Quantity::RecommendedBatch => "recommended-batch",
        }
    }
}

/// Phase of the RED / GREEN / REFACTOR cycle a gate belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Red,
    Green,
    Refactor,
}

impl Phase {
    /// Returns the lowercase name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Red => "red",
            Phase::Green => "green",
            Phase::Refactor => "refactor",
        }
    }
}

/// Thresholds of the ten quality gates, as the gates file sets them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GateThresholds {
    pub scenarios_documented: MinCount,
    pub patterns_identified: MinCount,
    pub baseline_fails: MaxPassRate,
    pub skill_passes: MinPassRate,
    pub patterns_addressed: MinFraction,
    pub concrete_examples: MinCount,
    pub skill_length: LineRange,
    pub pressure_passes: MinPassRate,
    pub rationalization_table: Required,
    pub no_rationalization: MaxCount,
}

/// A gate that holds when a count reaches `min`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinCount {
    pub min: u32,
}

/// A gate that holds when a count stays at or below `max`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxCount {
    pub max: u32,
}

/// A gate that holds when every scenario's pass rate is below `max_pass_rate`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaxPassRate {
    pub max_pass_rate: f64,
}

/// A gate that holds when every scenario's pass rate is at or above `min_pass_rate`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinPassRate {
    pub min_pass_rate: f64,
}

/// A gate that holds when at least `min` of the items (a fraction from 0 to 1) qualify.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinFraction {
    pub min: f64,
}

/// A gate that holds when a line count lies in `min..=max`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRange {
    pub min: u32,
    pub max: u32,
}

/// A gate that holds when something is present; `required: false` turns it off.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Required {
    pub required: bool,
}

/// Whether the agent has the skill in its context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arm {
    /// The baseline: the agent answers without the skill.
    WithoutSkill,
    /// The agent answers with the skill loaded.
    WithSkill,
}

impl Arm {
    /// Both arms, baseline first.
    pub const BOTH: [Arm; 2] = [Arm::WithoutSkill, Arm::WithSkill];

    /// Returns the kebab-case name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::WithoutSkill => "without-skill",
            Arm::WithSkill => "with-skill",
        }
    }
}
