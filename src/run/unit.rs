//! The result of one unit: an answer or the error that kept the agent from giving one,
//! with its latency and token usage, and where the answer came from.

use serde::{Deserialize, Serialize};

use crate::agent::{TokenUsage, UnitKey};

/// The result of one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    pub key: UnitKey,
    pub outcome: UnitOutcome,
    /// Time from the first request to the answer or the final error, in milliseconds,
    /// retries and their waits included.
    pub latency_ms: u64,
    pub usage: Option<TokenUsage>,
}

/// An answer, or the error that kept the agent from giving one. An errored unit is
/// never counted as a failed answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum UnitOutcome {
    Answered { response: String },
    Errored { error: String },
}

impl UnitResult {
    /// Returns whether the unit errored.
    pub fn is_errored(&self) -> bool {
        matches!(self.outcome, UnitOutcome::Errored { .. })
    }
}

/// Where a finished unit's result came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerSource {
    /// A call to the agent in this run.
    Agent,
    /// The response cache: an earlier run made the same request.
    Cache,
    /// The journal of the run being resumed.
    Journal,
}
