//! The runner: sends every unit (scenario x arm x sample) to an agent, concurrently,
//! and collects one result per unit, answered or errored, never dropped.

mod runner;

pub use runner::{run_blocking, run_units, RunEvent, RunOptions};



use serde::{Deserialize, Serialize};

use crate::agent::{TokenUsage, UnitKey};

/// The result of one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitResult {
    pub key: UnitKey,
    pub outcome: UnitOutcome,
    /// Time from request to answer or final error, in milliseconds.
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
