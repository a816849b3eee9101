//! The gates that read only the suite: `scenarios-documented` and `patterns-identified`.

use std::collections::BTreeSet;

use super::model::{GateId, GateResult};
use crate::suite::Suite;

/// `scenarios-documented`: the suite has at least `min` scenarios, each with a query
/// and a failure pattern.
pub(crate) fn scenarios_documented(suite: &Suite) -> GateResult {
    let min = suite.gates.scenarios_documented.min;
    let total = suite.scenarios.len();
    let undocumented: Vec<&str> = suite
        .scenarios
        .iter()
        .filter(|scenario| scenario.query.trim().is_empty() || scenario.failure_pattern.trim().is_empty())
        .map(|scenario| scenario.id.as_str())
        .collect();

    let enough = total >= min as usize;
    let mut detail = format!("{total} {}, at least {min} needed", plural(total, "scenario", "scenarios"));
    if undocumented.is_empty() {
        detail.push_str("; each has a query and a failure pattern");
    } else {
        detail.push_str(&format!("; without a query or a failure pattern: {}", undocumented.join(", ")));
    }
    GateResult::verdict(GateId::ScenariosDocumented, enough && undocumented.is_empty(), detail)
}

/// `patterns-identified`: the suite names at least `min` distinct failure patterns.
pub(crate) fn patterns_identified(suite: &Suite) -> GateResult {
    let min = suite.gates.patterns_identified.min;
    let distinct: BTreeSet<&str> = suite.patterns.iter().map(|pattern| pattern.id.as_str()).collect();
    let count = distinct.len();
    let noun = plural(count, "distinct failure pattern", "distinct failure patterns");
    GateResult::verdict(
        GateId::PatternsIdentified,
        count >= min as usize,
        format!("{count} {noun}, at least {min} needed"),
    )
}

/// Returns the singular or plural noun for a count.
pub(crate) fn plural<'a>(count: usize, singular: &'a str, plural: &'a str) -> &'a str {
    if count == 1 { singular } else { plural }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateStatus;
    use crate::gate::test_support::{pattern, suite_with, suite_with_patterns};

    #[test]
    fn scenarios_documented_boundary() {
        let mut suite = suite_with(&["a", "b", "c"]);
        suite.gates.scenarios_documented.min = 3;
        let result = scenarios_documented(&suite);
        assert_eq!(result.status, GateStatus::Holds);
        assert_eq!(result.detail, "3 scenarios, at least 3 needed; each has a query and a failure pattern");

        suite.gates.scenarios_documented.min = 4;
        assert_eq!(scenarios_documented(&suite).status, GateStatus::Fails);
    }

    #[test]
    fn scenario_without_failure_pattern_fails() {
        let mut suite = suite_with(&["a", "b"]);
        suite.gates.scenarios_documented.min = 2;
        suite.scenarios[1].failure_pattern = "  ".to_string();
        let result = scenarios_documented(&suite);
        assert_eq!(result.status, GateStatus::Fails);
        assert_eq!(result.detail, "2 scenarios, at least 2 needed; without a query or a failure pattern: b");
    }

    #[test]
    fn patterns_identified_boundary() {
        let mut suite = suite_with_patterns(vec![pattern("one", &["x"]), pattern("two", &["y"])]);
        suite.gates.patterns_identified.min = 2;
        let result = patterns_identified(&suite);
        assert_eq!(result.status, GateStatus::Holds);
        assert_eq!(result.detail, "2 distinct failure patterns, at least 2 needed");

        suite.gates.patterns_identified.min = 3;
        assert_eq!(patterns_identified(&suite).status, GateStatus::Fails);
    }

    #[test]
    fn duplicate_pattern_ids_count_once() {
        let mut suite = suite_with_patterns(vec![pattern("one", &["x"]), pattern("one", &["y"])]);
        suite.gates.patterns_identified.min = 2;
        let result = patterns_identified(&suite);
        assert_eq!(result.status, GateStatus::Fails);
        assert_eq!(result.detail, "1 distinct failure pattern, at least 2 needed");
    }
}
