//! Rationalizations found in scored answers: every shown check whose id carries the
//! rationalization prefix, with the unit it came from and the sentence that shows it.

use serde::{Deserialize, Serialize};

use super::summary::ScoredUnit;
use crate::suite::{Arm, RATIONALIZATION_PREFIX};

/// One answer excusing itself from the guidance: which check found it, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rationalization {
    pub scenario: String,
    pub variant: String,
    pub arm: Arm,
    pub sample: u32,
    /// The check's id without the `rationalization-` prefix, e.g. `deferred-validation`.
    pub kind: String,
    /// The sentence that shows it, as the check's evidence quotes it.
    pub evidence: Option<String>,
}

/// Lists the rationalizations shown in answered units, in unit order and then rubric order.
pub fn find_rationalizations(units: &[ScoredUnit]) -> Vec<Rationalization> {
    let mut found = Vec::new();
    for (result, score) in units {
        let Some(score) = score else { continue };
        for outcome in score.checks.iter().filter(|outcome| outcome.shown) {
            let Some(kind) = outcome.id.strip_prefix(RATIONALIZATION_PREFIX) else { continue };
            found.push(Rationalization {
                scenario: result.key.scenario.clone(),
                variant: result.key.variant.clone(),
                arm: result.key.arm,
                sample: result.key.sample,
                kind: kind.to_string(),
                evidence: outcome.evidence.clone(),
            });
        }
    }
    found
}

/// Counts the distinct answers among `found` given in `arm`.
pub fn answers_with_rationalization(found: &[Rationalization], arm: Arm) -> usize {
    let mut answers: Vec<(&str, &str, u32)> = found
        .iter()
        .filter(|item| item.arm == arm)
        .map(|item| (item.scenario.as_str(), item.variant.as_str(), item.sample))
        .collect();
    answers.sort_unstable();
    answers.dedup();
    answers.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::UnitKey;
    use crate::run::{UnitOutcome, UnitResult};
    use crate::score::{AnswerScore, CheckOutcome};
    use crate::suite::CheckKind;

    fn unit(sample: u32, arm: Arm, shown: &[&str]) -> ScoredUnit {
        let key = UnitKey { scenario: "lr".to_string(), variant: "pressure/deadline".to_string(), arm, sample };
        let outcome = UnitOutcome::Answered { response: "text".to_string() };
        let checks = ["warmup", "rationalization-deferred-validation", "rationalization-sunk-cost"]
            .iter()
            .map(|id| CheckOutcome {
                id: id.to_string(),
                kind: CheckKind::Anti,
                shown: shown.contains(id),
                evidence: Some(format!("sentence for {id}")),
            })
            .collect();
        (UnitResult { key, outcome, latency_ms: 1, usage: None }, Some(AnswerScore::from_checks(checks)))
    }

    #[test]
    fn only_shown_rationalization_checks_are_listed() {
        let units = vec![
            unit(0, Arm::WithSkill, &["warmup", "rationalization-sunk-cost"]),
            unit(1, Arm::WithSkill, &["warmup"]),
        ];
        let found = find_rationalizations(&units);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, "sunk-cost");
        assert_eq!(found[0].evidence.as_deref(), Some("sentence for rationalization-sunk-cost"));
    }

    #[test]
    fn two_kinds_count_once() {
        let units = vec![
            unit(0, Arm::WithSkill, &["rationalization-sunk-cost", "rationalization-deferred-validation"]),
            unit(1, Arm::WithoutSkill, &["rationalization-sunk-cost"]),
        ];
        let found = find_rationalizations(&units);
        assert_eq!(found.len(), 3);
        assert_eq!(answers_with_rationalization(&found, Arm::WithSkill), 1);
        assert_eq!(answers_with_rationalization(&found, Arm::WithoutSkill), 1);
    }
}
