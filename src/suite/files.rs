//! Raw shapes of the suite's YAML files, exactly as written. Every struct rejects
//! unknown keys; `Spanned` fields keep their line and column for later validation errors.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_saphyr::Spanned;

use super::model::{CheckKind, ParamValue, Quantity};

/// `suite.yaml`: the suite's name and its failure patterns.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SuiteFile {
    pub name: String,
    /// Scenario ids in the order reports list them; file-name order when absent.
    #[serde(default)]
    pub order: Vec<Spanned<String>>,
    pub patterns: Vec<PatternFile>,
}

/// One failure pattern in `suite.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatternFile {
    pub id: Spanned<String>,
    pub name: String,
    pub terms: Vec<Spanned<String>>,
}

/// `scenarios/<id>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioFile {
    pub id: Spanned<String>,
    pub title: String,
    /// The question; `{name}` stands for parameter `name`.
    pub query: Spanned<String>,
    pub failure_pattern: String,
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub parameters: BTreeMap<String, ParamValue>,
    /// Hand-written pressured variants, asked in the REFACTOR phase beside the
    /// generated ones.
    #[serde(default)]
    pub variants: Vec<VariantFile>,
    /// Other values for some parameters: each set is asked as its own variant.
    #[serde(default)]
    pub parameter_sets: Vec<ParameterSetFile>,
}

/// A hand-written pressured variant of a scenario.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VariantFile {
    pub id: Spanned<String>,
    /// Pressure types of the library that the wording applies.
    pub pressures: Vec<Spanned<String>>,
    /// The whole question as the user asks it; placeholders as in the scenario's query.
    pub query: Spanned<String>,
    /// Checks added to the scenario's rubric for this variant only.
    #[serde(default)]
    pub checks: Vec<CheckFile>,
}

/// One set of parameter values for a parametric variant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParameterSetFile {
    pub id: Spanned<String>,
    /// Values that replace the scenario's; parameters not named keep theirs.
    pub parameters: Spanned<BTreeMap<String, ParamValue>>,
}

/// `pressures.yaml`: the pressure library of the REFACTOR phase.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PressureLibraryFile {
    pub pressures: Vec<PressureFile>,
    /// Combinations of pressure ids, each asked of every scenario.
    #[serde(default)]
    pub combinations: Vec<Vec<Spanned<String>>>,
}

/// One pressure type and the sentences that apply it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PressureFile {
    pub id: Spanned<String>,
    pub name: String,
    pub framings: Vec<Spanned<String>>,
}

/// `rationalizations.yaml`: checks that find an answer excusing itself from the
/// guidance. Every one is an anti check; `kind` is not written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RationalizationsFile {
    pub checks: Vec<CheckFile>,
}

/// `rubrics/<id>.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RubricFile {
    pub scenario: Spanned<String>,
    pub checks: Vec<CheckFile>,
}

/// One check in a rubric file. Phrase checks give `phrases` or `groups`; numeric checks
/// give `quantity`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CheckFile {
    pub id: Spanned<String>,
    /// Required in rubrics; absent in `rationalizations.yaml`, where every check is anti.
    #[serde(default)]
    pub kind: Option<Spanned<CheckKind>>,
    pub description: String,
    #[serde(default)]
    pub phrases: Vec<Spanned<String>>,
    #[serde(default)]
    pub together: Vec<Vec<Spanned<String>>>,
    #[serde(default)]
    pub groups: Vec<GroupFile>,
    #[serde(default)]
    pub min_groups: Option<Spanned<usize>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    #[serde(default)]
    pub reversed_by: Vec<Spanned<String>>,
    #[serde(default)]
    pub count_negated: bool,
    #[serde(default)]
    pub unless_shown: Vec<Spanned<String>>,
    #[serde(default)]
    pub quantity: Option<Quantity>,
    #[serde(default)]
    pub subject_words: Vec<Spanned<String>>,
}

/// A named group of alternative phrases inside a check.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GroupFile {
    pub name: String,
    #[serde(default)]
    pub phrases: Vec<Spanned<String>>,
    #[serde(default)]
    pub together: Vec<Vec<Spanned<String>>>,
}
