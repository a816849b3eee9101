//! What scoring produces: one outcome per check, with the evidence that decided it, and
//! the verdict for the whole answer.

use serde::{Deserialize, Serialize};

use crate::suite::CheckKind;

/// The result of one check on one answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckOutcome {
    pub id: String,
    pub kind: CheckKind,
    /// Whether the answer shows the check; for an anti check, whether it commits the failure.
    pub shown: bool,
    /// The sentence or number that decided the outcome, if any.
    pub evidence: Option<String>,
}

impl CheckOutcome {
    /// Whether this outcome keeps the answer from passing.
    pub fn blocks_pass(&self) -> bool {
        match self.kind {
            CheckKind::Required | CheckKind::Numeric => !self.shown,
            CheckKind::Anti => self.shown,
            CheckKind::Bonus => false,
        }
    }
}

/// The scored answer: a pass when every required and numeric check is shown and no
/// anti check is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerScore {
    pub passes: bool,
    pub checks: Vec<CheckOutcome>,
}

impl AnswerScore {
    /// Builds the score from check outcomes, applying the pass rule.
    pub fn from_checks(checks: Vec<CheckOutcome>) -> Self {
        let passes = checks.iter().all(|check| !check.blocks_pass());
        AnswerScore { passes, checks }
    }

    /// Finds a check outcome by id.
    pub fn check(&self, id: &str) -> Option<&CheckOutcome> {
        self.checks.iter().find(|check| check.id == id)
    }
}
