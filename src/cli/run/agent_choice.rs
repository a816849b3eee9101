//! Turning `--agent`, `--agents` and the provider flags into one agent with its runner
//! settings. The built-in names (`replay`, `openai`, `anthropic`) take their settings
//! from flags. Any other name is an entry of the agents file, and an entry may also
//! shadow a built-in name.

use std::path::Path;

use super::{CliError, RunArgs};
use crate::agent::{
    Agent, AgentSettings, AgentSpec, AnthropicConfig, OpenAiConfig, ReplayAgent, RetryPolicy, DEFAULT_CONCURRENCY,
    load_agents_file,
};
use crate::run::{RateLimits, agent_identity};

/// The recorded answers the default run replays: real answers to the six scenarios,
/// without a skill and with the upstream batch-size skill v1.0.0 loaded.
const DEFAULT_RECORDINGS: &str = include_str!("../../../fixtures/replay/default.jsonl");

/// Agent names that `--agent` understands without an agents file.
const BUILT_IN_AGENTS: [&str; 3] = ["replay", "openai", "anthropic"];

/// The agent a run uses and how the runner treats it.
pub struct ChosenAgent {
    pub agent: Agent,
    /// Describes the agent in reports: entry id and kind, model and server, never a key.
    pub description: String,
    /// What decides the agent's answers, for cache fingerprints.
    pub identity: serde_json::Value,
    /// Whether answers are worth caching: replayed answers cost nothing.
    pub cacheable: bool,
    pub concurrency: u32,
    pub limits: RateLimits,
    pub retry: RetryPolicy,
    pub max_tokens: Option<u32>,
}

/// Builds the agent that `--agent` names, validating every flag first.
pub fn choose_agent(args: &RunArgs) -> Result<ChosenAgent, CliError> {
    crate::agent::install_crypto_provider();
    if let Some(spec) = agents_file_entry(args)? {
        reject_provider_flags(args, &spec.id)?;
        return from_spec(&spec, args, format!("{}: ", spec.id));
    }
    match args.agent.as_str() {
        "replay" => built_in_replay(args),
        "openai" => from_spec(&flag_spec(args, AgentSettings::OpenAi(openai_config(args)?)), args, String::new()),
        "anthropic" => from_spec(&flag_spec(args, AgentSettings::Anthropic(anthropic_config(args)?)), args, String::new()),
        other => Err(unknown_agent(other, args.agents.as_deref())),
    }
}

/// Finds `--agent` in the agents file, if one was given.
fn agents_file_entry(args: &RunArgs) -> Result<Option<AgentSpec>, CliError> {
    let Some(path) = &args.agents else { return Ok(None) };
    let specs = load_agents_file(path).map_err(|error| CliError::Input(error.to_string()))?;
    let found = specs.iter().find(|spec| spec.id == args.agent).cloned();
    if found.is_none() && !BUILT_IN_AGENTS.contains(&args.agent.as_str()) {
        let ids: Vec<&str> = specs.iter().map(|spec| spec.id.as_str()).collect();
        let message = format!(
            "agent \"{}\" is not in {}; it lists {}, and the built-in agents are {}",
            args.agent,
            path.display(),
            ids.join(", "),
            BUILT_IN_AGENTS.join(", ")
        );
        return Err(CliError::Input(message));
    }
    Ok(found)
}

/// Rejects provider flags with an agents-file entry, whose settings come from the file.
fn reject_provider_flags(args: &RunArgs, id: &str) -> Result<(), CliError> {
    let given = [
        ("--model", args.model.is_some()),
        ("--base-url", args.base_url.is_some()),
        ("--api-key-env", args.api_key_env.is_some()),
        ("--temperature", args.temperature.is_some()),
        ("--max-tokens", args.max_tokens.is_some()),
        ("--recordings", args.recordings.is_some()),
    ];
    match given.iter().find(|(_, set)| *set) {
        Some((flag, _)) => Err(CliError::Input(format!(
            "{flag} does not apply to agent \"{id}\" from the agents file; set it in the file's entry instead"
        ))),
        None => Ok(()),
    }
}

fn unknown_agent(name: &str, agents_file: Option<&Path>) -> CliError {
    let hint = match agents_file {
        Some(path) => format!("it is not in {}", path.display()),
        None => "pass --agents FILE to use an entry of an agents file".to_string(),
    };
    CliError::Input(format!(
        "unknown agent \"{name}\": the built-in agents are {}; {hint}",
        BUILT_IN_AGENTS.join(", ")
    ))
}

/// Builds the spec that flags describe for a built-in provider agent.
fn flag_spec(args: &RunArgs, settings: AgentSettings) -> AgentSpec {
    AgentSpec {
        id: args.agent.clone(),
        settings,
        concurrency: DEFAULT_CONCURRENCY,
        requests_per_minute: None,
        tokens_per_minute: None,
        retry: RetryPolicy::default(),
    }
}

fn openai_config(args: &RunArgs) -> Result<OpenAiConfig, CliError> {
    let model = args.model.clone().ok_or_else(|| CliError::Input("--agent openai needs --model".into()))?;
    let mut config = OpenAiConfig::new(model);
    if let Some(base_url) = &args.base_url {
        config.base_url = base_url.clone();
    }
    if let Some(variable) = &args.api_key_env {
        config.api_key_variable = variable.clone();
    }
    config.temperature = args.temperature;
    config.max_tokens = args.max_tokens;
    Ok(config)
}

fn anthropic_config(args: &RunArgs) -> Result<AnthropicConfig, CliError> {
    let model = args.model.clone().ok_or_else(|| CliError::Input("--agent anthropic needs --model".into()))?;
    let mut config = AnthropicConfig::new(model);
    if let Some(base_url) = &args.base_url {
        config.base_url = base_url.clone();
    }
    if let Some(variable) = &args.api_key_env {
        config.api_key_variable = variable.clone();
    }
    config.temperature = args.temperature;
    if let Some(max_tokens) = args.max_tokens {
        config.max_tokens = max_tokens;
    }
    Ok(config)
}

/// Builds an agent from a spec, with the flags' concurrency and rate limits winning
/// over the spec's.
fn from_spec(spec: &AgentSpec, args: &RunArgs, label: String) -> Result<ChosenAgent, CliError> {
    let agent = Agent::from_spec(spec).map_err(|error| CliError::Input(format!("agent \"{}\": {error}", spec.id)))?;
    let max_tokens = match &spec.settings {
        AgentSettings::OpenAi(config) => config.max_tokens,
        AgentSettings::Anthropic(config) => Some(config.max_tokens),
        AgentSettings::Subprocess(_) | AgentSettings::Replay { .. } => None,
    };
    Ok(ChosenAgent {
        description: format!("{label}{}", agent.describe()),
        identity: agent_identity(&spec.settings),
        cacheable: !matches!(spec.settings, AgentSettings::Replay { .. }),
        concurrency: args.concurrency.unwrap_or(spec.concurrency),
        limits: RateLimits {
            requests_per_minute: args.requests_per_minute.or(spec.requests_per_minute),
            tokens_per_minute: args.tokens_per_minute.or(spec.tokens_per_minute),
        },
        retry: spec.retry,
        max_tokens,
        agent,
    })
}

/// Builds the replay agent from `--recordings` or the built-in recordings.
fn built_in_replay(args: &RunArgs) -> Result<ChosenAgent, CliError> {
    if args.model.is_some() || args.base_url.is_some() {
        return Err(CliError::Input("--model and --base-url do not apply to --agent replay".into()));
    }
    let (replay, source) = match &args.recordings {
        Some(path) => (ReplayAgent::from_file(path), path.display().to_string()),
        None => (ReplayAgent::from_jsonl_str(DEFAULT_RECORDINGS, "<built-in recordings>"), "built-in".to_string()),
    };
    let agent = Agent::Replay(replay.map_err(|error| CliError::Input(error.to_string()))?);
    Ok(ChosenAgent {
        description: agent.describe(),
        identity: serde_json::json!({"kind": "replay", "recording": source}),
        cacheable: false,
        concurrency: args.concurrency.unwrap_or(DEFAULT_CONCURRENCY),
        limits: RateLimits { requests_per_minute: args.requests_per_minute, tokens_per_minute: args.tokens_per_minute },
        retry: RetryPolicy::default(),
        max_tokens: None,
        agent,
    })
}
