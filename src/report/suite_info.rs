//! What the result model keeps of the suite, so that every report can be written from
//! `results.json` alone: each scenario's query, failure pattern and check descriptions,
//! the failure patterns, and the pass-rate thresholds of the answer gates.

use serde::{Deserialize, Serialize};

use crate::suite::{CheckKind, Pattern, Scenario, Suite, VariantKind};

/// One scenario as the reports describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub id: String,
    pub title: String,
    pub query: String,
    /// What goes wrong without the skill, in prose.
    pub failure_pattern: String,
    /// Ids of the failure patterns the scenario belongs to.
    pub patterns: Vec<String>,
    /// The rubric's checks, in rubric order.
    pub checks: Vec<CheckInfo>,
    /// The variants the run asked, in the suite's order; empty when it asked none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<VariantInfo>,
}

/// One variant of a scenario as the reports describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantInfo {
    pub id: String,
    pub kind: VariantKind,
    /// Ids of the pressure types applied, in order; empty for a parametric variant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pressures: Vec<String>,
    pub query: String,
}

/// One rubric check as the reports describe it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckInfo {
    pub id: String,
    pub kind: CheckKind,
    pub description: String,
}

/// One failure pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternInfo {
    pub id: String,
    pub name: String,
}

/// The pass-rate thresholds of the `baseline-fails`, `skill-passes` and
/// `pressure-passes` gates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PassThresholds {
    /// Every scenario's pass rate without the skill must stay below this.
    pub baseline_max_pass_rate: f64,
    /// Every scenario's pass rate with the skill must reach this.
    pub skill_min_pass_rate: f64,
    /// Every pressure variant's pass rate with the skill must reach this; absent in
    /// files written before variants existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pressure_min_pass_rate: Option<f64>,
}

impl ScenarioInfo {
    /// Describes a scenario of the suite, with its variants when `with_variants`.
    pub(crate) fn of(scenario: &Scenario, with_variants: bool) -> Self {
        let variants = scenario.variants.iter().filter(|_| with_variants).map(|variant| VariantInfo {
            id: variant.id.clone(),
            kind: variant.kind,
            pressures: variant.pressures.clone(),
            query: variant.query.clone(),
        });
        let checks = scenario.rubric.checks.iter();
        ScenarioInfo {
            id: scenario.id.clone(),
            title: scenario.title.clone(),
            query: scenario.query.clone(),
            failure_pattern: scenario.failure_pattern.trim().to_string(),
            patterns: scenario.patterns.clone(),
            checks: checks
                .map(|check| CheckInfo {
                    id: check.id.clone(),
                    kind: check.kind,
                    description: check.description.clone(),
                })
                .collect(),
            variants: variants.collect(),
        }
    }

    /// Finds a check by id.
    pub fn check(&self, id: &str) -> Option<&CheckInfo> {
        self.checks.iter().find(|check| check.id == id)
    }
}

impl PatternInfo {
    /// Describes a failure pattern of the suite.
    pub(crate) fn of(pattern: &Pattern) -> Self {
        PatternInfo { id: pattern.id.clone(), name: pattern.name.clone() }
    }
}

impl PassThresholds {
    /// Reads the thresholds from the suite's gates.
    pub(crate) fn of(suite: &Suite) -> Self {
        PassThresholds {
            baseline_max_pass_rate: suite.gates.baseline_fails.max_pass_rate,
            skill_min_pass_rate: suite.gates.skill_passes.min_pass_rate,
            pressure_min_pass_rate: Some(suite.gates.pressure_passes.min_pass_rate),
        }
    }
}
