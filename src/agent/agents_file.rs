//! The agents file: YAML that lists the agents a run may use, parsed and validated into
//! [`AgentSpec`]s before any agent is built. Unknown keys, and keys that do not apply to
//! an entry's kind, are rejected; every error reads `file:line:col: message`.
//!
//! ```yaml
//! agents:
//!   - id: local-vllm
//!     kind: openai            # openai | anthropic | subprocess | replay
//!     model: qwen2.5-7b-instruct
//!     base_url: http://127.0.0.1:8000/v1
//!     stream: true
//!   - id: claude-code
//!     kind: subprocess
//!     command: [claude, -p]
//!     skill_delivery: skills-folder   # stdin | env | arguments | skills-folder
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::anthropic::AnthropicConfig;
use super::http::endpoint_url;
use super::openai::{DEFAULT_TIMEOUT, OpenAiConfig};
use super::retry::RetryPolicy;
use super::spec::{AgentKind, AgentSettings, AgentSpec};
use super::subprocess::{
    DEFAULT_SKILLS_FOLDER, SKILL_PATH_PLACEHOLDER, SkillDelivery, SubprocessAgent, SubprocessConfig,
};

/// Units in flight at once when an HTTP or replay entry sets no `concurrency`.
pub const DEFAULT_CONCURRENCY: u32 = 4;

/// Units in flight at once when a subprocess entry sets no `concurrency`: one, because a
/// command-line agent may use a lot of memory or share state between runs.
pub const DEFAULT_SUBPROCESS_CONCURRENCY: u32 = 1;

/// Highest accepted `temperature`. It is OpenAI's maximum; a provider with a lower one
/// rejects the request with an HTTP 4xx before any tokens are paid for.
const MAX_TEMPERATURE: f64 = 2.0;

/// An agents file that could not be read, parsed or validated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct AgentsFileError {
    pub file: String,
    /// 1-based line, or 0 when the error concerns the whole file.
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for AgentsFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentsFile {
    agents: Vec<Spanned<AgentEntry>>,
}

/// One entry as written; which keys apply depends on `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentEntry {
    id: Spanned<String>,
    kind: Spanned<AgentKind>,
    model: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    api_key_env: Option<Spanned<String>>,
    temperature: Option<Spanned<f64>>,
    max_tokens: Option<Spanned<u32>>,
    stream: Option<Spanned<bool>>,
    timeout_secs: Option<Spanned<f64>>,
    concurrency: Option<Spanned<u32>>,
    requests_per_minute: Option<Spanned<u32>>,
    tokens_per_minute: Option<Spanned<u64>>,
    retry: Option<Spanned<RetryEntry>>,
    command: Option<Spanned<Vec<String>>>,
    skill_delivery: Option<Spanned<DeliveryKind>>,
    skill_env: Option<Spanned<String>>,
    skill_arguments: Option<Spanned<Vec<String>>>,
    skills_folder: Option<Spanned<String>>,
    skill_name: Option<Spanned<String>>,
    env: Option<Spanned<BTreeMap<String, String>>>,
    recording: Option<Spanned<String>>,
}

/// `skill_delivery` as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum DeliveryKind {
    Stdin,
    Env,
    Arguments,
    SkillsFolder,
}

/// `retry` as written; unset keys take `RetryPolicy::default()`'s values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RetryEntry {
    max_attempts: Option<u32>,
    base_backoff_ms: Option<u64>,
    max_backoff_ms: Option<u64>,
    jitter: Option<f64>,
}

/// Keys every entry may have.
const COMMON_KEYS: [&str; 6] = [
    "id",
    "kind",
    "concurrency",
    "requests_per_minute",
    "tokens_per_minute",
    "retry",
];

/// Keys that apply to HTTP provider entries.
const PROVIDER_KEYS: [&str; 7] = [
    "model",
    "base_url",
    "api_key_env",
    "temperature",
    "max_tokens",
    "stream",
    "timeout_secs",
];

/// Keys that apply to subprocess entries.
const SUBPROCESS_KEYS: [&str; 8] = [
    "command",
    "skill_delivery",
    "skill_env",
    "skill_arguments",
    "skills_folder",
    "skill_name",
    "env",
    "timeout_secs",
];

/// Reads and validates an agents file. A relative `recording` path is resolved against
/// the file's folder.
pub fn load_agents_file(path: &Path) -> Result<Vec<AgentSpec>, AgentsFileError> {
    let display_path = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| AgentsFileError {
        file: display_path.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read file: {error}"),
    })?;
    let base_dir = path.parent().unwrap_or(Path::new("."));
    parse_agents_file(&text, &display_path, base_dir)
}

/// Parses and validates agents-file text; `file` names it in errors and `base_dir`
/// resolves relative `recording` paths.
pub fn parse_agents_file(
    text: &str,
    file: &str,
    base_dir: &Path,
) -> Result<Vec<AgentSpec>, AgentsFileError> {
    let validator = Validator { file, base_dir };
    let parsed: AgentsFile =
        serde_saphyr::from_str(text).map_err(|error| validator.parse_error(&error))?;
    if parsed.agents.is_empty() {
        return Err(validator.whole_file("the agents file lists no agents"));
    }

    let mut first_lines: HashMap<&str, u64> = HashMap::new();
    let mut specs = Vec::with_capacity(parsed.agents.len());
    for entry in &parsed.agents {
        let id = &entry.value.id;
        if let Some(first_line) = first_lines.insert(&id.value, id.referenced.line()) {
            let message = format!(
                "duplicate agent id \"{}\" (first on line {first_line})",
                id.value
            );
            return Err(validator.at(id.referenced, message));
        }
        specs.push(validator.entry(&entry.value, entry.referenced)?);
    }
    Ok(specs)
}

/// Turns entries into specs, pointing each error at the offending key.
struct Validator<'a> {
    file: &'a str,
    base_dir: &'a Path,
}

impl Validator<'_> {
    fn at(&self, location: Location, message: impl Into<String>) -> AgentsFileError {
        AgentsFileError {
            file: self.file.to_string(),
            line: location.line(),
            column: location.column(),
            message: message.into(),
        }
    }

    fn whole_file(&self, message: &str) -> AgentsFileError {
        AgentsFileError {
            file: self.file.to_string(),
            line: 0,
            column: 0,
            message: message.to_string(),
        }
    }

    /// Keeps the parser's message and location, without the source excerpt it may append.
    fn parse_error(&self, error: &serde_saphyr::Error) -> AgentsFileError {
        let rendered = error.without_snippet().to_string();
        match error.location() {
            Some(location) => self.at(location, bare_message(&rendered, location)),
            None => self.whole_file(rendered.lines().next().unwrap_or(&rendered).trim()),
        }
    }

    /// Validates one entry.
    fn entry(&self, entry: &AgentEntry, location: Location) -> Result<AgentSpec, AgentsFileError> {
        let id = non_empty(&entry.id).map_err(|message| self.at(entry.id.referenced, message))?;
        let kind = entry.kind.value;
        self.check_keys_apply(entry, kind)?;

        let settings = match kind {
            AgentKind::OpenAi => AgentSettings::OpenAi(self.openai(entry, &id, location)?),
            AgentKind::Anthropic => AgentSettings::Anthropic(self.anthropic(entry, &id, location)?),
            AgentKind::Subprocess => {
                AgentSettings::Subprocess(self.subprocess(entry, &id, location)?)
            }
            AgentKind::Replay => self.replay(entry, &id, location)?,
        };
        let default_concurrency = if kind == AgentKind::Subprocess {
            DEFAULT_SUBPROCESS_CONCURRENCY
        } else {
            DEFAULT_CONCURRENCY
        };

        Ok(AgentSpec {
            id,
            settings,
            concurrency: self
                .positive(&entry.concurrency, "concurrency")?
                .unwrap_or(default_concurrency),
            requests_per_minute: self
                .positive(&entry.requests_per_minute, "requests_per_minute")?,
            tokens_per_minute: self.positive(&entry.tokens_per_minute, "tokens_per_minute")?,
            retry: self.retry(entry.retry.as_ref())?,
        })
    }

    /// Rejects keys that the entry's kind does not use, so a typo'd setup fails loudly.
    fn check_keys_apply(&self, entry: &AgentEntry, kind: AgentKind) -> Result<(), AgentsFileError> {
        let kind_keys: &[&str] = match kind {
            AgentKind::OpenAi | AgentKind::Anthropic => &PROVIDER_KEYS,
            AgentKind::Subprocess => &SUBPROCESS_KEYS,
            AgentKind::Replay => &["recording"],
        };
        for (key, location) in present_keys(entry) {
            if !COMMON_KEYS.contains(&key) && !kind_keys.contains(&key) {
                let message = format!(
                    "`{key}` does not apply to an agent of kind {}",
                    kind.as_str()
                );
                return Err(self.at(location, message));
            }
        }
        Ok(())
    }

    fn openai(
        &self,
        entry: &AgentEntry,
        id: &str,
        location: Location,
    ) -> Result<OpenAiConfig, AgentsFileError> {
        let mut config = OpenAiConfig::new(self.required(&entry.model, "model", id, location)?);
        if let Some(base_url) = self.base_url(entry)? {
            config.base_url = base_url;
        }
        if let Some(variable) = self.variable_name(&entry.api_key_env, "api_key_env")? {
            config.api_key_variable = variable;
        }
        config.temperature = self.temperature(entry)?;
        config.max_tokens = self.positive(&entry.max_tokens, "max_tokens")?;
        config.stream = entry.stream.as_ref().is_some_and(|stream| stream.value);
        config.timeout = self.timeout(entry)?;
        Ok(config)
    }

    fn anthropic(
        &self,
        entry: &AgentEntry,
        id: &str,
        location: Location,
    ) -> Result<AnthropicConfig, AgentsFileError> {
        let mut config =
            AnthropicConfig::new(self.required(&entry.model, "model", id, location)?);
        if let Some(base_url) = self.base_url(entry)? {
            config.base_url = base_url;
        }
        if let Some(variable) = self.variable_name(&entry.api_key_env, "api_key_env")? {
            config.api_key_variable = variable;
        }
        config.temperature = self.temperature(entry)?;
        if let Some(max_tokens) = self.positive(&entry.max_tokens, "max_tokens")? {
            config.max_tokens = max_tokens;
        }
        config.stream = entry.stream.as_ref().is_some_and(|stream| stream.value);
        config.timeout = self.timeout(entry)?;
        Ok(config)
    }

    fn subprocess(
        &self,
        entry: &AgentEntry,
        id: &str,
        location: Location,
    ) -> Result<SubprocessConfig, AgentsFileError> {
        let Some(command) = &entry.command else {
            return Err(self.at(
                location,
                format!("agent \"{id}\" of kind subprocess needs a `command` list"),
            ));
        };
        let config = SubprocessConfig {
            command: command.value.clone(),
            skill_delivery: self.skill_delivery(entry)?,
            timeout: self.timeout(entry)?,
            env: entry
                .env
                .as_ref()
                .map(|env| env.value.clone())
                .unwrap_or_default(),
        };
        // The agent's own checks (empty command, unsafe folder or name) apply here too,
        // so that they fail with a location before anything runs.
        SubprocessAgent::new(config.clone())
            .map_err(|error| self.at(command.referenced, error.to_string()))?;
        Ok(config)
    }

    /// Builds the skill delivery from `skill_delivery` and the keys that go with it.
    fn skill_delivery(&self, entry: &AgentEntry) -> Result<SkillDelivery, AgentsFileError> {
        let kind = entry
            .skill_delivery
            .as_ref()
            .map_or(DeliveryKind::Stdin, |delivery| delivery.value);
        self.check_delivery_keys(entry, kind)?;
        let delivery = match kind {
            DeliveryKind::Stdin => SkillDelivery::Stdin,
            DeliveryKind::Env => {
                let variable = self.variable_name(&entry.skill_env, "skill_env")?;
                let variable = variable.ok_or_else(|| self.delivery_needs(entry, "skill_env"))?;
                SkillDelivery::EnvVar { variable }
            }
            DeliveryKind::Arguments => {
                let arguments = entry
                    .skill_arguments
                    .as_ref()
                    .ok_or_else(|| self.delivery_needs(entry, "skill_arguments"))?;
                if !arguments
                    .value
                    .iter()
                    .any(|argument| argument.contains(SKILL_PATH_PLACEHOLDER))
                {
                    let message =
                        format!("`skill_arguments` must contain {SKILL_PATH_PLACEHOLDER}");
                    return Err(self.at(arguments.referenced, message));
                }
                SkillDelivery::Arguments {
                    arguments: arguments.value.clone(),
                }
            }
            DeliveryKind::SkillsFolder => SkillDelivery::SkillsFolder {
                folder: PathBuf::from(
                    entry
                        .skills_folder
                        .as_ref()
                        .map_or(DEFAULT_SKILLS_FOLDER, |folder| &folder.value),
                ),
                name: entry.skill_name.as_ref().map(|name| name.value.clone()),
            },
        };
        Ok(delivery)
    }

    /// Rejects delivery keys that the chosen `skill_delivery` does not use.
    fn check_delivery_keys(
        &self,
        entry: &AgentEntry,
        kind: DeliveryKind,
    ) -> Result<(), AgentsFileError> {
        let keys = [
            (
                "skill_env",
                entry.skill_env.as_ref().map(|value| value.referenced),
                DeliveryKind::Env,
            ),
            (
                "skill_arguments",
                entry.skill_arguments.as_ref().map(|value| value.referenced),
                DeliveryKind::Arguments,
            ),
            (
                "skills_folder",
                entry.skills_folder.as_ref().map(|value| value.referenced),
                DeliveryKind::SkillsFolder,
            ),
            (
                "skill_name",
                entry.skill_name.as_ref().map(|value| value.referenced),
                DeliveryKind::SkillsFolder,
            ),
        ];
        for (key, location, applies_to) in keys {
            if let Some(location) = location.filter(|_| kind != applies_to) {
                let message = format!(
                    "`{key}` applies only with `skill_delivery: {}`",
                    delivery_name(applies_to)
                );
                return Err(self.at(location, message));
            }
        }
        Ok(())
    }

    fn delivery_needs(&self, entry: &AgentEntry, key: &str) -> AgentsFileError {
        let location = entry
            .skill_delivery
            .as_ref()
            .map_or(entry.kind.referenced, |delivery| delivery.referenced);
        self.at(location, format!("this `skill_delivery` needs `{key}`"))
    }

    fn replay(
        &self,
        entry: &AgentEntry,
        id: &str,
        location: Location,
    ) -> Result<AgentSettings, AgentsFileError> {
        let recording = self.required(&entry.recording, "recording", id, location)?;
        Ok(AgentSettings::Replay {
            recording: self.base_dir.join(recording),
        })
    }

    fn required(
        &self,
        value: &Option<Spanned<String>>,
        key: &str,
        id: &str,
        location: Location,
    ) -> Result<String, AgentsFileError> {
        let Some(value) = value else {
            return Err(self.at(location, format!("agent \"{id}\" needs `{key}`")));
        };
        non_empty(value).map_err(|message| self.at(value.referenced, message))
    }

    fn base_url(&self, entry: &AgentEntry) -> Result<Option<String>, AgentsFileError> {
        let Some(base_url) = &entry.base_url else {
            return Ok(None);
        };
        endpoint_url(&base_url.value, "")
            .map_err(|error| self.at(base_url.referenced, error.to_string()))?;
        Ok(Some(base_url.value.clone()))
    }

    /// Accepts an environment variable name: letters, digits and `_`, not starting with a digit.
    fn variable_name(
        &self,
        value: &Option<Spanned<String>>,
        key: &str,
    ) -> Result<Option<String>, AgentsFileError> {
        let Some(value) = value else { return Ok(None) };
        let name = &value.value;
        let valid = name
            .chars()
            .next()
            .is_some_and(|first| !first.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            let message = format!(
                "`{key}` must be an environment variable name (letters, digits, _), not \"{name}\""
            );
            return Err(self.at(value.referenced, message));
        }
        Ok(Some(name.clone()))
    }

    fn temperature(&self, entry: &AgentEntry) -> Result<Option<f64>, AgentsFileError> {
        let Some(temperature) = &entry.temperature else {
            return Ok(None);
        };
        if !(0.0..=MAX_TEMPERATURE).contains(&temperature.value) {
            let message = format!(
                "`temperature` must be between 0 and {MAX_TEMPERATURE}, not {}",
                temperature.value
            );
            return Err(self.at(temperature.referenced, message));
        }
        Ok(Some(temperature.value))
    }

    fn timeout(&self, entry: &AgentEntry) -> Result<Duration, AgentsFileError> {
        let Some(seconds) = &entry.timeout_secs else {
            return Ok(DEFAULT_TIMEOUT);
        };
        Duration::try_from_secs_f64(seconds.value)
            .ok()
            .filter(|timeout| !timeout.is_zero())
            .ok_or_else(|| {
                self.at(
                    seconds.referenced,
                    format!(
                        "`timeout_secs` must be a positive number of seconds, not {}",
                        seconds.value
                    ),
                )
            })
    }

    /// Accepts an optional count above zero.
    fn positive<T>(
        &self,
        value: &Option<Spanned<T>>,
        key: &str,
    ) -> Result<Option<T>, AgentsFileError>
    where
        T: Copy + Default + PartialOrd + fmt::Display,
    {
        let Some(value) = value else { return Ok(None) };
        if value.value <= T::default() {
            return Err(self.at(
                value.referenced,
                format!("`{key}` must be at least 1, not {}", value.value),
            ));
        }
        Ok(Some(value.value))
    }

    fn retry(&self, retry: Option<&Spanned<RetryEntry>>) -> Result<RetryPolicy, AgentsFileError> {
        let defaults = RetryPolicy::default();
        let Some(retry) = retry else {
            return Ok(defaults);
        };
        let entry = &retry.value;
        let policy = RetryPolicy {
            max_attempts: entry.max_attempts.unwrap_or(defaults.max_attempts),
            base_backoff: entry
                .base_backoff_ms
                .map_or(defaults.base_backoff, Duration::from_millis),
            max_backoff: entry
                .max_backoff_ms
                .map_or(defaults.max_backoff, Duration::from_millis),
            jitter: entry.jitter.unwrap_or(defaults.jitter),
        };

        let problem = if policy.max_attempts == 0 {
            Some("`max_attempts` must be at least 1 (1 means no retry)".to_string())
        } else if !(0.0..=1.0).contains(&policy.jitter) {
            Some(format!(
                "`jitter` must be between 0 and 1, not {}",
                policy.jitter
            ))
        } else if policy.base_backoff > policy.max_backoff {
            Some("`base_backoff_ms` must not exceed `max_backoff_ms`".to_string())
        } else {
            None
        };
        match problem {
            Some(message) => Err(self.at(retry.referenced, format!("invalid `retry`: {message}"))),
            None => Ok(policy),
        }
    }
}

/// Lists the optional keys an entry sets, with their locations.
fn present_keys(entry: &AgentEntry) -> Vec<(&'static str, Location)> {
    fn location<T>(value: &Option<Spanned<T>>) -> Option<Location> {
        value.as_ref().map(|value| value.referenced)
    }
    let keys = [
        ("model", location(&entry.model)),
        ("base_url", location(&entry.base_url)),
        ("api_key_env", location(&entry.api_key_env)),
        ("temperature", location(&entry.temperature)),
        ("max_tokens", location(&entry.max_tokens)),
        ("stream", location(&entry.stream)),
        ("timeout_secs", location(&entry.timeout_secs)),
        ("command", location(&entry.command)),
        ("skill_delivery", location(&entry.skill_delivery)),
        ("skill_env", location(&entry.skill_env)),
        ("skill_arguments", location(&entry.skill_arguments)),
        ("skills_folder", location(&entry.skills_folder)),
        ("skill_name", location(&entry.skill_name)),
        ("env", location(&entry.env)),
        ("recording", location(&entry.recording)),
    ];
    keys.into_iter()
        .filter_map(|(key, location)| location.map(|location| (key, location)))
        .collect()
}

/// Drops the ` at line L, column C` that serde-saphyr 2.2 appends to a message, because
/// the error already shows the location as `file:line:col`.
fn bare_message(rendered: &str, location: Location) -> String {
    let first_line = rendered.lines().next().unwrap_or(rendered).trim();
    let suffix = format!(" at line {}, column {}", location.line(), location.column());
    first_line
        .strip_suffix(&suffix)
        .unwrap_or(first_line)
        .to_string()
}

fn delivery_name(kind: DeliveryKind) -> &'static str {
    match kind {
        DeliveryKind::Stdin => "stdin",
        DeliveryKind::Env => "env",
        DeliveryKind::Arguments => "arguments",
        DeliveryKind::SkillsFolder => "skills-folder",
    }
}

fn non_empty(value: &Spanned<String>) -> Result<String, String> {
    let text = value.value.trim();
    if text.is_empty() {
        Err("the value must not be empty".to_string())
    } else {
        Ok(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{DEFAULT_ANTHROPIC_MAX_TOKENS, DEFAULT_OPENAI_KEY_VARIABLE};

    const FULL: &str = "\
agents:
  - id: local
    kind: openai
    model: qwen-7b
    base_url: http://127.0.0.1:8000/v1
    api_key_env: LOCAL_KEY
    temperature: 0.2
    max_tokens: 1024
    stream: true
    timeout_secs: 30
    concurrency: 8
    requests_per_minute: 60
    tokens_per_minute: 90000
    retry: {max_attempts: 5, base_backoff_ms: 500, max_backoff_ms: 8000, jitter: 0.25}
  - id: claude
    kind: anthropic
    model: claude-test
  - id: claude-code
    kind: subprocess
    command: [claude, -p]
    skill_delivery: skills-folder
    skill_name: batch-size
    env: {NO_COLOR: \"1\"}
  - id: recorded
    kind: replay
    recording: fixtures/answers.jsonl
";

    fn parse(text: &str) -> Result<Vec<AgentSpec>, AgentsFileError> {
        parse_agents_file(text, "agents.yaml", Path::new("/suite"))
    }

    fn error(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn full_file_parses() {
        let specs = parse(FULL).unwrap();
        let ids: Vec<&str> = specs.iter().map(|spec| spec.id.as_str()).collect();
        assert_eq!(ids, ["local", "claude", "claude-code", "recorded"]);

        let local = &specs[0];
        assert_eq!(local.concurrency, 8);
        assert_eq!(local.requests_per_minute, Some(60));
        assert_eq!(local.tokens_per_minute, Some(90_000));
        assert_eq!(local.retry.max_attempts, 5);
        assert_eq!(local.retry.base_backoff, Duration::from_millis(500));
        assert_eq!(local.retry.jitter, 0.25);
        let AgentSettings::OpenAi(config) = &local.settings else {
            panic!("expected openai settings")
        };
        assert_eq!(config.model, "qwen-7b");
        assert_eq!(config.base_url, "http://127.0.0.1:8000/v1");
        assert_eq!(config.api_key_variable, "LOCAL_KEY");
        assert_eq!(config.temperature, Some(0.2));
        assert_eq!(config.max_tokens, Some(1024));
        assert!(config.stream);
        assert_eq!(config.timeout, Duration::from_secs(30));
    }

    #[test]
    fn defaults_per_kind() {
        let specs = parse(FULL).unwrap();
        let AgentSettings::Anthropic(config) = &specs[1].settings else {
            panic!("expected anthropic settings")
        };
        assert_eq!(config.max_tokens, DEFAULT_ANTHROPIC_MAX_TOKENS);
        assert_eq!(config.timeout, DEFAULT_TIMEOUT);
        assert!(!config.stream);
        assert_eq!(specs[1].concurrency, DEFAULT_CONCURRENCY);
        assert_eq!(specs[1].retry, RetryPolicy::default());
        assert_eq!(specs[2].concurrency, DEFAULT_SUBPROCESS_CONCURRENCY);

        let openai = parse("agents:\n  - {id: a, kind: openai, model: m}\n").unwrap();
        let AgentSettings::OpenAi(config) = &openai[0].settings else {
            panic!("expected openai settings")
        };
        assert_eq!(config.api_key_variable, DEFAULT_OPENAI_KEY_VARIABLE);
        assert_eq!(config.temperature, None);
    }

    #[test]
    fn subprocess_and_replay_settings() {
        let specs = parse(FULL).unwrap();
        let AgentSettings::Subprocess(config) = &specs[2].settings else {
            panic!("expected subprocess settings")
        };
        assert_eq!(config.command, ["claude", "-p"]);
        assert_eq!(
            config.skill_delivery,
            SkillDelivery::SkillsFolder {
                folder: PathBuf::from(".claude/skills"),
                name: Some("batch-size".into())
            }
        );
        assert_eq!(config.env.get("NO_COLOR").map(String::as_str), Some("1"));
        assert_eq!(
            specs[3].settings,
            AgentSettings::Replay {
                recording: PathBuf::from("/suite/fixtures/answers.jsonl")
            }
        );
        assert_eq!(specs[3].kind(), AgentKind::Replay);
    }

    #[test]
    fn unknown_key_rejected() {
        let message =
            error("agents:\n  - id: a\n    kind: openai\n    model: m\n    temprature: 0.1\n");
        assert!(message.starts_with("agents.yaml:5:"), "{message}");
        assert!(message.contains("temprature"), "{message}");
    }

    #[test]
    fn key_of_other_kind_rejected() {
        let message =
            error("agents:\n  - id: a\n    kind: openai\n    model: m\n    command: [ls]\n");
        assert_eq!(
            message,
            "agents.yaml:5:14: `command` does not apply to an agent of kind openai"
        );
    }

    #[test]
    fn unknown_kind_rejected() {
        let message = error("agents:\n  - id: a\n    kind: gemini\n");
        assert_eq!(
            message,
            "agents.yaml:3:11: unknown variant `gemini`, expected one of openai, anthropic, subprocess, replay"
        );
    }

    #[test]
    fn yaml_syntax_error_located() {
        assert_eq!(
            error("agents: [\n"),
            "agents.yaml:1:9: unclosed bracket '['"
        );
    }

    #[test]
    fn duplicate_id_rejected() {
        let message = error(
            "agents:\n  - {id: a, kind: openai, model: m}\n  - {id: a, kind: anthropic, model: m}\n",
        );
        assert!(message.starts_with("agents.yaml:3:"), "{message}");
        assert!(
            message.ends_with("duplicate agent id \"a\" (first on line 2)"),
            "{message}"
        );
    }

    #[test]
    fn missing_required_keys() {
        assert!(
            error("agents:\n  - {id: a, kind: openai}\n").ends_with("agent \"a\" needs `model`")
        );
        assert!(
            error("agents:\n  - {id: r, kind: replay}\n")
                .ends_with("agent \"r\" needs `recording`")
        );
        assert!(
            error("agents:\n  - {id: s, kind: subprocess}\n").contains("needs a `command` list")
        );
        assert_eq!(
            error("agents: []\n"),
            "agents.yaml: the agents file lists no agents"
        );
    }

    #[test]
    fn invalid_numbers_rejected() {
        let cases = [
            ("temperature: 2.5", "`temperature` must be between 0 and 2"),
            ("max_tokens: 0", "`max_tokens` must be at least 1"),
            ("concurrency: 0", "`concurrency` must be at least 1"),
            (
                "timeout_secs: 0",
                "`timeout_secs` must be a positive number",
            ),
            (
                "timeout_secs: -3",
                "`timeout_secs` must be a positive number",
            ),
            (
                "retry: {jitter: 1.5}",
                "invalid `retry`: `jitter` must be between 0 and 1",
            ),
            (
                "retry: {max_attempts: 0}",
                "invalid `retry`: `max_attempts` must be at least 1",
            ),
            (
                "retry: {base_backoff_ms: 5000, max_backoff_ms: 10}",
                "must not exceed",
            ),
        ];
        for (line, expected) in cases {
            let message = error(&format!(
                "agents:\n  - id: a\n    kind: openai\n    model: m\n    {line}\n"
            ));
            assert!(message.starts_with("agents.yaml:5:"), "{line}: {message}");
            assert!(message.contains(expected), "{line}: {message}");
        }
    }

    #[test]
    fn invalid_base_url_and_variable() {
        let message =
            error("agents:\n  - {id: a, kind: openai, model: m, base_url: \"ftp://host/v1\"}\n");
        assert!(message.contains("invalid base URL"), "{message}");
        let message =
            error("agents:\n  - {id: a, kind: openai, model: m, api_key_env: \"MY-KEY\"}\n");
        assert!(
            message.contains("must be an environment variable name"),
            "{message}"
        );
    }

    #[test]
    fn delivery_keys_must_match() {
        let base = "agents:\n  - id: s\n    kind: subprocess\n    command: [agent]\n";
        let message = error(&format!("{base}    skill_env: SKILL\n"));
        assert_eq!(
            message,
            "agents.yaml:5:16: `skill_env` applies only with `skill_delivery: env`"
        );
        let message = error(&format!("{base}    skill_delivery: env\n"));
        assert!(
            message.ends_with("this `skill_delivery` needs `skill_env`"),
            "{message}"
        );
        let message = error(&format!(
            "{base}    skill_delivery: arguments\n    skill_arguments: [--skill]\n"
        ));
        assert!(
            message.ends_with("`skill_arguments` must contain {skill_path}"),
            "{message}"
        );
    }

    #[test]
    fn delivery_env_and_arguments() {
        let base = "agents:\n  - id: s\n    kind: subprocess\n    command: [agent]\n";
        let specs = parse(&format!(
            "{base}    skill_delivery: env\n    skill_env: SKILL_FILE\n"
        ))
        .unwrap();
        let AgentSettings::Subprocess(config) = &specs[0].settings else {
            panic!("expected subprocess settings")
        };
        assert_eq!(
            config.skill_delivery,
            SkillDelivery::EnvVar {
                variable: "SKILL_FILE".into()
            }
        );

        let text = format!(
            "{base}    skill_delivery: arguments\n    skill_arguments: [--file, \"{{skill_path}}\"]\n"
        );
        let specs = parse(&text).unwrap();
        let AgentSettings::Subprocess(config) = &specs[0].settings else {
            panic!("expected subprocess settings")
        };
        let expected = SkillDelivery::Arguments {
            arguments: vec!["--file".into(), "{skill_path}".into()],
        };
        assert_eq!(config.skill_delivery, expected);
    }

    #[test]
    fn unsafe_skills_folder_rejected() {
        let text = "agents:\n  - id: s\n    kind: subprocess\n    command: [agent]\n    skill_delivery: skills-folder\n    skills_folder: ../outside\n";
        let message = error(text);
        assert!(message.starts_with("agents.yaml:4:"), "{message}");
        assert!(
            message.contains("must be a relative path inside the working directory"),
            "{message}"
        );
    }
}
