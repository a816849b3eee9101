//! The [`Agent`] enum: one variant per kind of agent, dispatched by `match` so that no
//! trait objects or async-trait crate are needed.

use super::anthropic::AnthropicAgent;
use super::openai::OpenAiAgent;
use super::replay::{RecordingError, ReplayAgent};
use super::spec::{AgentSettings, AgentSpec};
use super::subprocess::SubprocessAgent;
use super::{AgentAnswer, AgentError, AgentRequest};

/// Anything that can answer a unit's prompt.
#[derive(Debug, Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "a run builds one agent, so its size does not matter"
)]
pub enum Agent {
    Replay(ReplayAgent),
    OpenAi(OpenAiAgent),
    Anthropic(AnthropicAgent),
    Subprocess(SubprocessAgent),
}

/// An agent that could not be built from its configuration. Raised before any request
/// is sent, so a bad configuration costs nothing.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("environment variable {variable} is not set; it must hold the API key")]
    MissingApiKey { variable: String },

    #[error("the API key contains characters that are not allowed in an HTTP header")]
    InvalidApiKey,

    #[error("invalid base URL {url}: {message}")]
    InvalidBaseUrl { url: String, message: String },

    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),

    #[error("invalid subprocess agent: {0}")]
    InvalidSubprocess(String),

    #[error(transparent)]
    Recording(#[from] RecordingError),
}

impl Agent {
    /// Builds the agent an entry describes: reads its API key from the environment, or
    /// its recording from disk. Errors do not name the entry, so callers should prefix
    /// them with `spec.id`.
    pub fn from_spec(spec: &AgentSpec) -> Result<Agent, SetupError> {
        let agent = match &spec.settings {
            AgentSettings::OpenAi(config) => Agent::OpenAi(OpenAiAgent::new(config.clone())?),
            AgentSettings::Anthropic(config) => {
                Agent::Anthropic(AnthropicAgent::new(config.clone())?)
            }
            AgentSettings::Subprocess(config) => {
                Agent::Subprocess(SubprocessAgent::new(config.clone())?)
            }
            AgentSettings::Replay { recording } => {
                Agent::Replay(ReplayAgent::from_file(recording)?)
            }
        };
        Ok(agent)
    }

    /// Asks the agent for one unit's answer. Makes one attempt: the runner decides on
    /// retries with `is_transient`.
    pub async fn answer(&self, request: &AgentRequest) -> Result<AgentAnswer, AgentError> {
        match self {
            Agent::Replay(agent) => agent.answer(request),
            Agent::OpenAi(agent) => agent.answer(request).await,
            Agent::Anthropic(agent) => agent.answer(request).await,
            Agent::Subprocess(agent) => agent.answer(request).await,
        }
    }

    /// Describes the agent for logs and reports: its kind and model, never a key.
    pub fn describe(&self) -> String {
        match self {
            Agent::Replay(agent) => agent.describe(),
            Agent::OpenAi(agent) => agent.describe(),
            Agent::Anthropic(agent) => agent.describe(),
            Agent::Subprocess(agent) => agent.describe(),
        }
    }
}
