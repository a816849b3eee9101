//! The Anthropic Messages API agent: `POST {base_url}/v1/messages` with the system
//! prompt as a top-level field, `x-api-key` and `anthropic-version` headers, and a
//! required `max_tokens`. Reads the text content blocks and `usage`, or with `stream`
//! set, assembles the same from server-sent events (see `anthropic_stream.rs`).

use std::time::Duration;

use reqwest::header::HeaderValue;
use serde::{Deserialize, Serialize};

use super::anthropic_stream::AnthropicStream;
use super::dispatch::SetupError;
use super::http::{ApiKey, Completion, Endpoint, build_client, endpoint_url, shown_url};
use super::openai::DEFAULT_TIMEOUT;
use super::sse::{is_event_stream, read_stream};
use super::{AgentAnswer, AgentError, AgentRequest, Prompt, TokenUsage};

/// Anthropic's own API, used when neither the agent entry nor `ANTHROPIC_BASE_URL` names
/// another. Paths such as `/v1/messages` are appended to it.
pub const DEFAULT_ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com";

/// The environment variable that overrides the default base URL.
pub const ANTHROPIC_BASE_URL_VARIABLE: &str = "ANTHROPIC_BASE_URL";

/// The environment variable the API key is read from unless an agent entry names another.
pub const DEFAULT_ANTHROPIC_KEY_VARIABLE: &str = "ANTHROPIC_API_KEY";

/// The API version sent in `anthropic-version`.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// The answer-length limit when an agent entry sets none: the API requires one. 4096
/// tokens is a choice that leaves room for a long explanation.
pub const DEFAULT_ANTHROPIC_MAX_TOKENS: u32 = 4096;

/// Provider name used in error messages.
pub(crate) const PROVIDER: &str = "Anthropic API";

/// The `stop_reason` of an answer cut off at `max_tokens`.
const CUT_OFF_REASON: &str = "max_tokens";

/// How to reach the Messages API and what to ask it for.
#[derive(Debug, Clone, PartialEq)]
pub struct AnthropicConfig {
    pub model: String,
    /// Base URL without the version, such as `https://api.anthropic.com`.
    pub base_url: String,
    /// Name of the environment variable that contains the API key.
    pub api_key_variable: String,
    /// Sampling temperature; the API's default when `None`.
    pub temperature: Option<f64>,
    /// Maximum tokens in the answer.
    pub max_tokens: u32,
    /// Limit for the whole request, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// Whether to ask for the answer as server-sent events.
    pub stream: bool,
}

impl AnthropicConfig {
    /// Builds a configuration for `model` with default settings. The base URL comes from
    /// `ANTHROPIC_BASE_URL` when it is set and not empty.
    pub fn new(model: impl Into<String>) -> AnthropicConfig {
        let base_url = std::env::var(ANTHROPIC_BASE_URL_VARIABLE)
            .ok()
            .filter(|value| !value.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_ANTHROPIC_BASE_URL.to_string());
        AnthropicConfig {
            model: model.into(),
            base_url,
            api_key_variable: DEFAULT_ANTHROPIC_KEY_VARIABLE.to_string(),
            temperature: None,
            max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
            timeout: DEFAULT_TIMEOUT,
            stream: false,
        }
    }
}

/// An agent that calls the Anthropic Messages API.
#[derive(Debug, Clone)]
pub struct AnthropicAgent {
    config: AnthropicConfig,
    url: reqwest::Url,
    endpoint: Endpoint,
    /// The `x-api-key` value, marked sensitive; `None` when no key is set.
    api_key_header: Option<HeaderValue>,
}

impl AnthropicAgent {
    /// Builds the agent, reading the API key once from the configured variable. A key
    /// is required for Anthropic's own API; a proxy or mock server may run without one.
    pub fn new(config: AnthropicConfig) -> Result<AnthropicAgent, SetupError> {
        let key = ApiKey::for_provider(&config.api_key_variable, &config.base_url, DEFAULT_ANTHROPIC_BASE_URL)?;
        AnthropicAgent::with_api_key(config, key)
    }

    /// Builds the agent with a key given directly instead of read from the environment.
    pub fn with_api_key(
        config: AnthropicConfig,
        key: Option<ApiKey>,
    ) -> Result<AnthropicAgent, SetupError> {
        let api_key_header = key.as_ref().map(|key| key.header_value("")).transpose()?;
        let url = endpoint_url(&config.base_url, "v1/messages")?;
        let client = build_client(config.timeout)?;
        let endpoint = Endpoint {
            provider: PROVIDER,
            client,
            timeout: config.timeout,
            key,
        };
        Ok(AnthropicAgent {
            config,
            url,
            endpoint,
            api_key_header,
        })
    }

    /// Sends the request's prompt and returns the text of the answer's text blocks.
    pub async fn answer(&self, request: &AgentRequest) -> Result<AgentAnswer, AgentError> {
        let body = MessagesRequest::new(&self.config, &request.prompt);
        let mut http_request = self
            .endpoint
            .client
            .post(self.url.clone())
            .header("anthropic-version", ANTHROPIC_VERSION)
            .json(&body);
        if let Some(value) = &self.api_key_header {
            http_request = http_request.header("x-api-key", value.clone());
        }

        let response = self.endpoint.send(http_request).await?;
        let completion = if self.config.stream && is_event_stream(&response) {
            read_stream(&self.endpoint, response, AnthropicStream::default()).await?
        } else {
            self.endpoint
                .read_json::<MessagesResponse>(response)
                .await?
                .into_completion()?
        };
        Ok(completion.into_answer(&request.key, CUT_OFF_REASON))
    }

    /// Describes the agent for logs and reports: kind, model and server, never the key.
    pub fn describe(&self) -> String {
        format!(
            "anthropic model {} at {}",
            self.config.model,
            shown_url(&self.config.base_url)
        )
    }
}

/// The request body; the system prompt is left out when empty.
#[derive(Debug, Serialize)]
struct MessagesRequest<'a> {
    model: &'a str,
    max_tokens: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    system: Option<&'a str>,
    messages: [UserMessage<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
}

#[derive(Debug, Serialize)]
struct UserMessage<'a> {
    role: &'static str,
    content: &'a str,
}

impl<'a> MessagesRequest<'a> {
    fn new(config: &'a AnthropicConfig, prompt: &'a Prompt) -> MessagesRequest<'a> {
        MessagesRequest {
            model: &config.model,
            max_tokens: config.max_tokens,
            system: (!prompt.system.is_empty()).then_some(prompt.system.as_str()),
            messages: [UserMessage {
                role: "user",
                content: &prompt.user,
            }],
            temperature: config.temperature,
            stream: config.stream,
        }
    }
}

/// The parts of a Messages API response that the agent reads.
#[derive(Debug, Deserialize)]
struct MessagesResponse {
    content: Vec<ContentBlock>,
    stop_reason: Option<String>,
    usage: Option<AnthropicUsage>,
}

/// A content block; only text blocks carry the answer.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ContentBlock {
    Text {
        text: String,
    },
    /// Thinking, tool use and any block type added later.
    #[serde(other)]
    Other,
}

/// Token counts in Anthropic's naming.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub(crate) struct AnthropicUsage {
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
}

impl MessagesResponse {
    /// Joins the text blocks in order.
    fn into_completion(self) -> Result<Completion, AgentError> {
        let texts: Vec<String> = self
            .content
            .into_iter()
            .filter_map(|block| match block {
                ContentBlock::Text { text } => Some(text),
                ContentBlock::Other => None,
            })
            .collect();
        if texts.is_empty() {
            let detail = "the response has no text content block".to_string();
            return Err(AgentError::NoText {
                provider: PROVIDER,
                detail,
            });
        }

        let usage = self.usage.map(|usage| TokenUsage {
            input_tokens: usage.input_tokens.unwrap_or(0),
            output_tokens: usage.output_tokens.unwrap_or(0),
        });
        let answer = AgentAnswer {
            text: texts.concat(),
            usage,
        };
        Ok(Completion {
            answer,
            stop_reason: self.stop_reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> AnthropicConfig {
        AnthropicConfig {
            base_url: DEFAULT_ANTHROPIC_BASE_URL.to_string(),
            ..AnthropicConfig::new("claude-test")
        }
    }

    #[test]
    fn request_body_has_top_level_system() {
        let config = config();
        let prompt = Prompt {
            system: "Be brief.".into(),
            user: "Batch size?".into(),
        };
        let body = serde_json::to_value(MessagesRequest::new(&config, &prompt)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "model": "claude-test",
                "max_tokens": DEFAULT_ANTHROPIC_MAX_TOKENS,
                "system": "Be brief.",
                "messages": [{"role": "user", "content": "Batch size?"}],
            })
        );
    }

    #[test]
    fn request_body_options() {
        let config = AnthropicConfig {
            temperature: Some(0.5),
            stream: true,
            max_tokens: 100,
            ..config()
        };
        let prompt = Prompt {
            system: String::new(),
            user: "q".into(),
        };
        let body = serde_json::to_value(MessagesRequest::new(&config, &prompt)).unwrap();
        assert!(
            body.get("system").is_none(),
            "an empty system prompt is left out"
        );
        assert_eq!(body["temperature"], 0.5);
        assert_eq!(body["stream"], true);
        assert_eq!(body["max_tokens"], 100);
    }

    #[test]
    fn response_joins_text_blocks() {
        let json = r#"{"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
            "content": [{"type": "thinking", "thinking": "hmm", "signature": "x"},
                        {"type": "text", "text": "Use "}, {"type": "text", "text": "32."}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 20, "output_tokens": 4}}"#;
        let completion = serde_json::from_str::<MessagesResponse>(json)
            .unwrap()
            .into_completion()
            .unwrap();
        assert_eq!(completion.answer.text, "Use 32.");
        assert_eq!(
            completion.answer.usage,
            Some(TokenUsage {
                input_tokens: 20,
                output_tokens: 4
            })
        );
        assert_eq!(completion.stop_reason.as_deref(), Some("end_turn"));
    }

    #[test]
    fn response_without_text_block() {
        let json = r#"{"content": [{"type": "tool_use", "id": "t", "name": "n", "input": {}}], "stop_reason": "tool_use"}"#;
        let error = serde_json::from_str::<MessagesResponse>(json)
            .unwrap()
            .into_completion()
            .unwrap_err();
        assert!(matches!(error, AgentError::NoText { .. }), "{error:?}");
    }

    #[test]
    fn default_server_needs_key() {
        let config = AnthropicConfig {
            api_key_variable: "SKILLEVAL_TEST_UNSET_VARIABLE".into(),
            ..config()
        };
        let error = AnthropicAgent::new(config).unwrap_err();
        assert!(matches!(error, SetupError::MissingApiKey { .. }));
    }
}
