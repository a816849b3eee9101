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
    pub query: String,
    pub failure_pattern: String,
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub parameters: BTreeMap<String, ParamValue>,
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
    pub kind: CheckKind,
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
