//! Agents: whatever answers a scenario's query. This is the only module that talks to
//! the network or runs other programs.
//!
//! The runner builds one [`Agent`] and calls [`Agent::answer`] once per unit. Whether a
//! failed call is worth another attempt is decided by [`is_transient`]; this module
//! never waits or retries by itself.

mod agents_file;
mod anthropic;
mod anthropic_stream;
mod dispatch;
mod error;
mod http;
mod openai;
mod openai_stream;
mod process;
mod prompt;
mod record;
mod replay;
mod retry;
mod spec;
mod sse;
mod subprocess;
mod tls;

pub use agents_file::{
    AgentsFileError, DEFAULT_CONCURRENCY, DEFAULT_SUBPROCESS_CONCURRENCY, load_agents_file,
    parse_agents_file,
};
pub use anthropic::{
    ANTHROPIC_BASE_URL_VARIABLE, ANTHROPIC_VERSION, AnthropicAgent, AnthropicConfig,
    DEFAULT_ANTHROPIC_BASE_URL, DEFAULT_ANTHROPIC_KEY_VARIABLE, DEFAULT_ANTHROPIC_MAX_TOKENS,
};
pub use dispatch::{Agent, SetupError};
pub use error::AgentError;
pub use http::ApiKey;
pub use openai::{DEFAULT_OPENAI_BASE_URL, DEFAULT_OPENAI_KEY_VARIABLE, OpenAiAgent, OpenAiConfig};
pub use prompt::{DEFAULT_SYSTEM_PROMPT, Prompt, build_prompt};
pub use record::Recorder;
pub use replay::{RecordingError, ReplayAgent};
pub use retry::{RetryPolicy, is_transient, parse_retry_after};
pub use spec::{AgentKind, AgentSettings, AgentSpec};
pub use subprocess::{
    DEFAULT_SKILLS_FOLDER, SKILL_PATH_PLACEHOLDER, SkillDelivery, SubprocessAgent, SubprocessConfig,
};
pub use tls::install_crypto_provider;

use std::sync::Arc;

use crate::suite::{Arm, Skill, BASE_VARIANT};

/// Which unit a request belongs to: replay agents key recordings by it.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct UnitKey {
    pub scenario: String,
    /// The variant asked: `base`, or a pressure or parametric variant's id. Left out of
    /// files for `base`, so that recordings and journals of base runs stay as they were.
    #[serde(default = "crate::suite::base_variant", skip_serializing_if = "crate::suite::is_base_variant")]
    pub variant: String,
    pub arm: Arm,
    /// 0-based sample index within the scenario, variant and arm.
    pub sample: u32,
}

impl UnitKey {
    /// Builds the key of one sample of a scenario as written, without pressure.
    pub fn base(scenario: &str, arm: Arm, sample: u32) -> UnitKey {
        UnitKey { scenario: scenario.to_string(), variant: BASE_VARIANT.to_string(), arm, sample }
    }

    /// Whether the unit asks the scenario as written.
    pub fn is_base(&self) -> bool {
        self.variant == BASE_VARIANT
    }

    /// `, variant "<id>"` for a variant, nothing for the base: the words that messages
    /// about the unit put after its scenario.
    pub fn variant_note(&self) -> String {
        if self.is_base() { String::new() } else { format!(", variant \"{}\"", self.variant) }
    }
}



/// One request to an agent.
#[derive(Debug, Clone)]
pub struct AgentRequest {
    pub key: UnitKey,
    pub prompt: Prompt,
    /// The skill in the with-skill arm, `None` in the baseline. HTTP agents read only
    /// the prompt, which already contains the skill; a subprocess agent hands the
    /// skill to its program as a file.
    pub skill: Option<Arc<Skill>>,
}

impl AgentRequest {
    /// Builds the request for one unit: the prompt from `build_prompt`, and the skill
    /// only when the unit's arm is the with-skill arm.
    pub fn new(
        key: UnitKey,
        system_prompt: &str,
        skill: Option<&Arc<Skill>>,
        query: &str,
    ) -> AgentRequest {
        let skill = skill.filter(|_| key.arm == Arm::WithSkill).cloned();
        let prompt = build_prompt(system_prompt, skill.as_deref(), key.arm, query);
        AgentRequest { key, prompt, skill }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn skill() -> Arc<Skill> {
        Arc::new(Skill {
            path: "SKILL.md".into(),
            text: "Use the linear rule.".to_string(),
        })
    }

    #[test]
    fn request_with_skill_arm() {
        let key = UnitKey::base("lr", Arm::WithSkill, 0);
        let request = AgentRequest::new(key, "System.", Some(&skill()), "Query?");
        assert_eq!(request.prompt.system, "System.\n\nUse the linear rule.");
        assert_eq!(request.prompt.user, "Query?");
        assert!(request.skill.is_some());
    }

    #[test]
    fn request_baseline_drops_skill() {
        let key = UnitKey::base("lr", Arm::WithoutSkill, 0);
        let request = AgentRequest::new(key, "System.", Some(&skill()), "Query?");
        assert_eq!(request.prompt.system, "System.");
        assert!(request.skill.is_none());
    }
}
