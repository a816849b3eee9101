//! The checks that kept answers from passing, gathered per scenario and arm with their
//! evidence, for the formats that tell a failure in words (JUnit, HTML, phase documents).

use super::model::{RunReport, UnitReport};
use crate::run::UnitOutcome;
use crate::suite::{Arm, CheckKind, BASE_VARIANT};

/// One check that blocked a pass in at least one answer of a scenario and arm.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FailedCheck {
    pub id: String,
    pub kind: CheckKind,
    /// The rubric's description, or empty when the report does not have it.
    pub description: String,
    /// Answers in which the check blocked a pass.
    pub failed: u32,
    /// Answered samples of the scenario and arm.
    pub answered: u32,
    /// (sample, evidence) of each blocking outcome that has evidence, in sample order.
    pub quotes: Vec<(u32, String)>,
}

impl FailedCheck {
    /// Says what went wrong, e.g. `warmup (required) not shown in 2/5 answers`.
    pub fn headline(&self) -> String {
        let verb = if self.kind == CheckKind::Anti { "shown" } else { "not shown" };
        format!("{} ({}) {verb} in {}/{} answers", self.id, self.kind.as_str(), self.failed, self.answered)
    }
}

/// Lists the checks that blocked a pass in any answer of one scenario, as written, and
/// arm, in the order they first appear.
pub(crate) fn failed_checks(report: &RunReport, scenario: &str, arm: Arm) -> Vec<FailedCheck> {
    failed_checks_in(report, scenario, BASE_VARIANT, arm)
}

/// Lists the checks that blocked a pass in any answer of one variant of a scenario in
/// one arm, in the order they first appear.
pub(crate) fn failed_checks_in(report: &RunReport, scenario: &str, variant: &str, arm: Arm) -> Vec<FailedCheck> {
    let units: Vec<&UnitReport> = report.units_in(scenario, variant, arm).collect();
    let answered = units.iter().filter(|unit| unit.passes.is_some()).count() as u32;
    let mut checks: Vec<FailedCheck> = Vec::new();
    for unit in &units {
        for outcome in unit.checks.iter().filter(|outcome| outcome.blocks_pass()) {
            let position = match checks.iter().position(|check| check.id == outcome.id) {
                Some(position) => position,
                None => {
                    checks.push(FailedCheck {
                        id: outcome.id.clone(),
                        kind: outcome.kind,
                        description: check_description(report, scenario, &outcome.id),
                        failed: 0,
                        answered,
                        quotes: Vec::new(),
                    });
                    checks.len() - 1
                }
            };
            checks[position].failed += 1;
            if let Some(evidence) = &outcome.evidence {
                checks[position].quotes.push((unit.sample, evidence.clone()));
            }
        }
    }
    checks
}

/// Lists the errored units of one variant of a scenario in one arm as (sample, error).
pub(crate) fn errored_units(report: &RunReport, scenario: &str, variant: &str, arm: Arm) -> Vec<(u32, String)> {
    report
        .units_in(scenario, variant, arm)
        .filter_map(|unit| match &unit.outcome {
            UnitOutcome::Errored { error } => Some((unit.sample, error.clone())),
            UnitOutcome::Answered { .. } => None,
        })
        .collect()
}

/// Returns a check's rubric description, or an empty string when the report lacks it.
pub(crate) fn check_description(report: &RunReport, scenario: &str, check: &str) -> String {
    let info = report.scenarios.iter().find(|info| info.id == scenario);
    info.and_then(|info| info.check(check)).map(|check| check.description.clone()).unwrap_or_default()
}

/// Puts text on one line and cuts it to `max_chars`, ending a cut text in `…`.
pub(crate) fn one_line(text: &str, max_chars: usize) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= max_chars {
        return joined;
    }
    let mut cut: String = joined.chars().take(max_chars).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn anti_check_with_quotes() {
        let checks = failed_checks(&sample_report(), "lr-scaling", Arm::WithoutSkill);
        let ids: Vec<&str> = checks.iter().map(|check| check.id.as_str()).collect();
        assert_eq!(ids, ["warmup", "too-small"]);
        assert_eq!(checks[1].headline(), "too-small (anti) shown in 2/2 answers");
        assert_eq!(checks[1].quotes[1], (1, "Use <2x> & see.".to_string()));
        assert_eq!(checks[0].headline(), "warmup (required) not shown in 1/2 answers");
    }

    #[test]
    fn passing_arm_has_none() {
        assert!(failed_checks(&sample_report(), "lr-scaling", Arm::WithSkill).is_empty());
    }

    #[test]
    fn errored_units_are_listed() {
        let errored = errored_units(&sample_report(), "accumulation", "base", Arm::WithSkill);
        assert_eq!(errored, [(1, "timed out after 60 s".to_string())]);
    }

    #[test]
    fn one_line_cuts() {
        assert_eq!(one_line("a\n b  c", 10), "a b c");
        assert_eq!(one_line("abcdef", 3), "abc…");
    }
}
