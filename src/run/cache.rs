//! The response cache: answers stored by request fingerprint, so that running the same
//! request again (a re-run, a rubric edit, another output folder) costs no call.
//!
//! The fingerprint is a SHA-256 over the agent's identity (kind, model, server and
//! sampling parameters), the messages and the sample index. API keys are not part of
//! the identity and the stored entries hold only the answer, its usage and latency.
//! One file per entry, written atomically, so parallel runs sharing a cache never read
//! half an entry. Entries are never evicted.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::RunError;
use crate::agent::{AgentRequest, AgentSettings, TokenUsage};

/// Version of the fingerprint's input; raise it when that input changes, so old entries
/// are no longer found.
const FINGERPRINT_VERSION: u32 = 1;

/// The SHA-256 of one request, as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Computes the fingerprint of a request to the agent that `agent_identity` describes.
    pub fn of(agent_identity: &serde_json::Value, request: &AgentRequest) -> Fingerprint {
        let input = serde_json::json!({
            "version": FINGERPRINT_VERSION,
            "agent": agent_identity,
            "system": request.prompt.system,
            "user": request.prompt.user,
            "sample": request.key.sample,
        });
        // serde_json sorts object keys, so equal inputs serialize to equal bytes.
        let digest = ring::digest::digest(&ring::digest::SHA256, input.to_string().as_bytes());
        Fingerprint(digest.as_ref().iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// Returns the hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Describes what decides an agent's answers: kind, model, server, sampling parameters,
/// or a subprocess's command. Timeouts, streaming and the key variable are left out
/// because they do not change an answer, and key values are never read here.
pub fn agent_identity(settings: &AgentSettings) -> serde_json::Value {
    match settings {
        AgentSettings::OpenAi(config) => serde_json::json!({
            "kind": "openai",
            "model": config.model,
            "base_url": config.base_url.trim_end_matches('/'),
            "temperature": config.temperature,
            "max_tokens": config.max_tokens,
        }),
        AgentSettings::Anthropic(config) => serde_json::json!({
            "kind": "anthropic",
            "model": config.model,
            "base_url": config.base_url.trim_end_matches('/'),
            "temperature": config.temperature,
            "max_tokens": config.max_tokens,
        }),
        AgentSettings::Subprocess(config) => serde_json::json!({
            "kind": "subprocess",
            "command": config.command,
            "skill_delivery": format!("{:?}", config.skill_delivery),
            "env": config.env,
        }),
        AgentSettings::Replay { recording } => serde_json::json!({
            "kind": "replay",
            "recording": recording.display().to_string(),
        }),
    }
}

/// A cached answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedAnswer {
    pub response: String,
    pub usage: Option<TokenUsage>,
    /// Latency of the call that produced the answer, in milliseconds.
    pub latency_ms: u64,
}

/// A folder of cached answers.
#[derive(Debug, Clone)]
pub struct ResponseCache {
    folder: PathBuf,
}

impl ResponseCache {
    /// Uses a cache folder; it is created on the first `put`, so a dry run writes nothing.
    pub fn new(folder: &Path) -> ResponseCache {
        ResponseCache { folder: folder.to_path_buf() }
    }

    /// Returns the cached answer for a fingerprint. An unreadable or corrupt entry counts
    /// as missing, so the unit is simply called again.
    pub fn get(&self, fingerprint: &Fingerprint) -> Option<CachedAnswer> {
        let text = fs::read_to_string(self.entry_path(fingerprint)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Stores an answer under its fingerprint, replacing any earlier entry.
    pub fn put(&self, fingerprint: &Fingerprint, answer: &CachedAnswer) -> Result<(), RunError> {
        let path = self.entry_path(fingerprint);
        let folder = path.parent().expect("an entry path has a folder");
        fs::create_dir_all(folder).map_err(|source| RunError::file(folder, source))?;

        let mut temporary = tempfile::NamedTempFile::new_in(folder).map_err(|source| RunError::file(folder, source))?;
        let json = serde_json::to_vec(answer).expect("a cached answer always serializes");
        temporary.write_all(&json).map_err(|source| RunError::file(&path, source))?;
        temporary.persist(&path).map_err(|error| RunError::file(&path, error.error))?;
        Ok(())
    }

    /// Spreads entries over 256 subfolders by the first two hex digits, to keep
    /// folders small.
    fn entry_path(&self, fingerprint: &Fingerprint) -> PathBuf {
        let hex = fingerprint.as_str();
        self.folder.join(&hex[..2]).join(format!("{hex}.json"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{OpenAiConfig, UnitKey};
    use crate::suite::Arm;

    fn request(sample: u32, query: &str) -> AgentRequest {
        let key = UnitKey::base("lr", Arm::WithoutSkill, sample);
        AgentRequest::new(key, "System.", None, query)
    }

    fn identity(model: &str, temperature: Option<f64>) -> serde_json::Value {
        let config = OpenAiConfig { temperature, ..OpenAiConfig::new(model) };
        agent_identity(&AgentSettings::OpenAi(config))
    }

    #[test]
    fn fingerprint_is_stable_hex() {
        let first = Fingerprint::of(&identity("m", None), &request(0, "q"));
        let second = Fingerprint::of(&identity("m", None), &request(0, "q"));
        assert_eq!(first, second);
        assert_eq!(first.as_str().len(), 64);
        assert!(first.as_str().chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn fingerprint_changes_with_each_input() {
        let base = Fingerprint::of(&identity("m", None), &request(0, "q"));
        assert_ne!(base, Fingerprint::of(&identity("other", None), &request(0, "q")), "model");
        assert_ne!(base, Fingerprint::of(&identity("m", Some(0.5)), &request(0, "q")), "temperature");
        assert_ne!(base, Fingerprint::of(&identity("m", None), &request(1, "q")), "sample");
        assert_ne!(base, Fingerprint::of(&identity("m", None), &request(0, "other")), "message");
    }

    #[test]
    fn identity_leaves_out_key_variable_and_timeout() {
        let mut config = OpenAiConfig::new("m");
        config.api_key_variable = "SECRET_HOLDER".to_string();
        config.timeout = std::time::Duration::from_secs(1);
        let identity = agent_identity(&AgentSettings::OpenAi(config)).to_string();
        assert!(!identity.contains("SECRET_HOLDER"), "{identity}");
        assert_eq!(identity, super::tests::identity("m", None).to_string());
    }

    #[test]
    fn cache_round_trip() {
        let folder = tempfile::tempdir().unwrap();
        let cache = ResponseCache::new(folder.path());
        let fingerprint = Fingerprint::of(&identity("m", None), &request(0, "q"));
        assert_eq!(cache.get(&fingerprint), None);

        let answer = CachedAnswer { response: "Use 32.".to_string(), usage: None, latency_ms: 5 };
        cache.put(&fingerprint, &answer).unwrap();
        assert_eq!(cache.get(&fingerprint), Some(answer));
    }

    #[test]
    fn corrupt_entry_counts_as_missing() {
        let folder = tempfile::tempdir().unwrap();
        let cache = ResponseCache::new(folder.path());
        let fingerprint = Fingerprint::of(&identity("m", None), &request(0, "q"));
        let path = cache.entry_path(&fingerprint);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "{\"respo").unwrap();
        assert_eq!(cache.get(&fingerprint), None);
    }
}
