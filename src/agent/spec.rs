//! Validated agent entries, as the agents file describes them: what to build, and the
//! limits and retry policy the runner applies to it. Parsing lives in `agents_file.rs`.

use std::path::PathBuf;

use serde::Deserialize;

use super::anthropic::AnthropicConfig;
use super::openai::OpenAiConfig;
use super::retry::RetryPolicy;
use super::subprocess::SubprocessConfig;

/// The kinds of agent an entry can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentKind {
    #[serde(rename = "openai")]
    OpenAi,
    Anthropic,
    Subprocess,
    Replay,
}

impl AgentKind {
    /// Returns the name used in agents files.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentKind::OpenAi => "openai",
            AgentKind::Anthropic => "anthropic",
            AgentKind::Subprocess => "subprocess",
            AgentKind::Replay => "replay",
        }
    }
}

/// One validated agent entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSpec {
    /// The entry's id, unique within its file.
    pub id: String,
    pub settings: AgentSettings,
    /// Maximum units in flight at once for this agent.
    pub concurrency: u32,
    /// Maximum requests started per minute, if the provider limits them.
    pub requests_per_minute: Option<u32>,
    /// Maximum tokens (input and output) per minute, if the provider limits them.
    pub tokens_per_minute: Option<u64>,
    pub retry: RetryPolicy,
}

/// Kind-specific settings of an agent entry.
#[derive(Debug, Clone, PartialEq)]
pub enum AgentSettings {
    OpenAi(OpenAiConfig),
    Anthropic(AnthropicConfig),
    Subprocess(SubprocessConfig),
    /// A recording file, its path resolved against the agents file's folder.
    Replay {
        recording: PathBuf,
    },
}

impl AgentSpec {
    /// Returns the kind of agent the entry builds.
    pub fn kind(&self) -> AgentKind {
        match self.settings {
            AgentSettings::OpenAi(_) => AgentKind::OpenAi,
            AgentSettings::Anthropic(_) => AgentKind::Anthropic,
            AgentSettings::Subprocess(_) => AgentKind::Subprocess,
            AgentSettings::Replay { .. } => AgentKind::Replay,
        }
    }
}
