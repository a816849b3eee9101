//! Agents: whatever answers a scenario's query. This is the only module that talks to
//! the network or runs other programs.

mod prompt;

pub use prompt::{build_prompt, Prompt, DEFAULT_SYSTEM_PROMPT};

use crate::suite::Arm;

/// Which unit a request belongs to: replay agents key recordings by it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct UnitKey {
    pub scenario: String,
    pub arm: Arm,
    /// 0-based sample index within the scenario and arm.
    pub sample: u32,
}

/// One request to an agent.
#[derive(Debug, Clone)]
pub struct AgentRequest {
    pub key: UnitKey,
    pub prompt: Prompt,
}

/// Tokens an answer cost, as the provider reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenUsage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

/// An agent's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentAnswer {
    pub text: String,
    pub usage: Option<TokenUsage>,
}

/// Why an agent gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("no recording for scenario \"{scenario}\", arm {arm}, sample {sample}")]
    MissingRecording { scenario: String, arm: &'static str, sample: u32 },
    #[error("{0}")]
    Other(String),
}
