//! Small suites and summaries built by hand for the gate and report unit tests.

use regex::RegexBuilder;

use crate::score::{ArmSummary, CheckTally};
use crate::suite::{
    Arm, CheckKind, GateThresholds, LineRange, MaxCount, MaxPassRate, MinCount, MinFraction, MinPassRate, Pattern,
    Required, Rubric, Scenario, Suite,
};

/// Returns thresholds with the values of the repository's `gates.yaml`.
pub(crate) fn thresholds() -> GateThresholds {
    GateThresholds {
        scenarios_documented: MinCount { min: 6 },
        patterns_identified: MinCount { min: 6 },
        baseline_fails: MaxPassRate { max_pass_rate: 0.5 },
        skill_passes: MinPassRate { min_pass_rate: 0.8 },
        patterns_addressed: MinFraction { min: 1.0 },
        concrete_examples: MinCount { min: 10 },
        skill_length: LineRange { min: 1500, max: 2000 },
        pressure_passes: MinPassRate { min_pass_rate: 0.8 },
        rationalization_table: Required { required: true },
        no_rationalization: MaxCount { max: 0 },
    }
}

/// Builds a pattern whose terms compile case-insensitively, as the loader compiles them.
pub(crate) fn pattern(id: &str, terms: &[&str]) -> Pattern {
    let terms = terms.iter().map(|term| RegexBuilder::new(term).case_insensitive(true).build().unwrap()).collect();
    Pattern { id: id.to_string(), name: format!("{id} pattern"), terms }
}

/// Builds a scenario with an empty rubric.
pub(crate) fn scenario(id: &str) -> Scenario {
    Scenario {
        id: id.to_string(),
        title: format!("{id} title"),
        query: format!("{id} query?"),
        failure_pattern: format!("{id} goes wrong"),
        patterns: Vec::new(),
        parameters: Default::default(),
        rubric: Rubric { checks: Vec::new() },
        variants: Vec::new(),
    }
}

/// Builds a suite with the named scenarios and no patterns.
pub(crate) fn suite_with(scenario_ids: &[&str]) -> Suite {
    Suite {
        name: "mini".to_string(),
        patterns: Vec::new(),
        scenarios: scenario_ids.iter().map(|id| scenario(id)).collect(),
        gates: thresholds(),
        pressures: Vec::new(),
    }
}

/// Builds a suite with one scenario and the given patterns.
pub(crate) fn suite_with_patterns(patterns: Vec<Pattern>) -> Suite {
    Suite { patterns, ..suite_with(&["only"]) }
}

/// Builds a summary with `passed` of `answered` samples passing and `errored` errored.
pub(crate) fn summary(scenario: &str, arm: Arm, passed: u32, answered: u32, errored: u32) -> ArmSummary {
    let mut warmup = CheckTally::empty("warmup", CheckKind::Required);
    warmup.shown = passed;
    warmup.held = passed;
    ArmSummary::from_counts(scenario, arm, passed, answered, errored, vec![warmup])
}
