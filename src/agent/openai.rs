//! The OpenAI-compatible chat-completions agent: OpenAI itself, and servers that speak
//! the same API (vLLM, llama.cpp, Ollama, OpenRouter).
//!
//! Sends `POST {base_url}/chat/completions` with a system and a user message and reads
//! `choices[0].message.content` and `usage`, or with `stream` set, assembles the same
//! from server-sent chunks (see `openai_stream.rs`).

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::{Deserialize, Serialize};

use super::dispatch::SetupError;
use super::http::{ApiKey, Completion, Endpoint, build_client, endpoint_url, shown_url};
use super::openai_stream::OpenAiStream;
use super::sse::{is_event_stream, read_stream};
use super::{AgentAnswer, AgentError, AgentRequest, Prompt, TokenUsage};

/// OpenAI's own API, used when an agent entry names no base URL.
pub const DEFAULT_OPENAI_BASE_URL: &str = "https://api.openai.com/v1";

/// The environment variable the API key is read from unless an agent entry names another.
pub const DEFAULT_OPENAI_KEY_VARIABLE: &str = "OPENAI_API_KEY";

/// Provider name used in error messages.
pub(crate) const PROVIDER: &str = "OpenAI-compatible API";

/// The `finish_reason` of an answer cut off at `max_tokens`.
const CUT_OFF_REASON: &str = "length";

/// Request timeout when the configuration sets none: whole request, body included.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// How to reach an OpenAI-compatible server and what to ask it for.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAiConfig {
    pub model: String,
    /// Base URL up to and including the version, such as `http://127.0.0.1:8080/v1`.
    pub base_url: String,
    /// Name of the environment variable that contains the API key.
    pub api_key_variable: String,
    /// Sampling temperature; the server's default when `None`.
    pub temperature: Option<f64>,
    /// Maximum tokens in the answer; the server's default when `None`.
    pub max_tokens: Option<u32>,
    /// Limit for the whole request, from connecting to the last byte of the body.
    pub timeout: Duration,
    /// Whether to ask for the answer as server-sent events.
    pub stream: bool,
}

impl OpenAiConfig {
    /// Builds a configuration for `model` against OpenAI's API with default settings.
    pub fn new(model: impl Into<String>) -> OpenAiConfig {
        OpenAiConfig {
            model: model.into(),
            base_url: DEFAULT_OPENAI_BASE_URL.to_string(),
            api_key_variable: DEFAULT_OPENAI_KEY_VARIABLE.to_string(),
            temperature: None,
            max_tokens: None,
            timeout: DEFAULT_TIMEOUT,
            stream: false,
        }
    }
}

/// An agent that calls an OpenAI-compatible chat-completions endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiAgent {
    config: OpenAiConfig,
    url: reqwest::Url,
    endpoint: Endpoint,
    /// `Bearer <key>`, marked sensitive; `None` when no key is set.
    authorization: Option<HeaderValue>,
}

impl OpenAiAgent {
    /// Builds the agent, reading the API key once from the configured variable. A key
    /// is required for OpenAI's own API; other servers may run without one.
    pub fn new(config: OpenAiConfig) -> Result<OpenAiAgent, SetupError> {
        let key = ApiKey::for_provider(&config.api_key_variable, &config.base_url, DEFAULT_OPENAI_BASE_URL)?;
        OpenAiAgent::with_api_key(config, key)
    }

    /// Builds the agent with a key given directly instead of read from the environment.
    pub fn with_api_key(
        config: OpenAiConfig,
        key: Option<ApiKey>,
    ) -> Result<OpenAiAgent, SetupError> {
        let authorization = key
            .as_ref()
            .map(|key| key.header_value("Bearer "))
            .transpose()?;
        let url = endpoint_url(&config.base_url, "chat/completions")?;
        let client = build_client(config.timeout)?;
        let endpoint = Endpoint {
            provider: PROVIDER,
            client,
            timeout: config.timeout,
            key,
        };
        Ok(OpenAiAgent {
            config,
            url,
            endpoint,
            authorization,
        })
    }

    /// Sends the request's prompt and returns the first choice's text.
    pub async fn answer(&self, request: &AgentRequest) -> Result<AgentAnswer, AgentError> {
        let body = ChatRequest::new(&self.config, &request.prompt);
        let mut http_request = self.endpoint.client.post(self.url.clone()).json(&body);
        if let Some(value) = &self.authorization {
            http_request = http_request.header(AUTHORIZATION, value.clone());
        }

        let response = self.endpoint.send(http_request).await?;
        // A server that ignores `stream` sends one JSON body, which is read as usual.
        let completion = if self.config.stream && is_event_stream(&response) {
            read_stream(&self.endpoint, response, OpenAiStream::default()).await?
        } else {
            self.endpoint
                .read_json::<ChatResponse>(response)
                .await?
                .into_completion()?
        };
        Ok(completion.into_answer(&request.key, CUT_OFF_REASON))
    }

    /// Describes the agent for logs and reports: kind, model and server, never the key.
    pub fn describe(&self) -> String {
        format!(
            "openai-compatible model {} at {}",
            self.config.model,
            shown_url(&self.config.base_url)
        )
    }
}

/// The request body; unset options are left out so the server's defaults apply.
#[derive(Debug, Serialize)]
struct ChatRequest<'a> {
    model: &'a str,
    messages: Vec<ChatMessage<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_tokens: Option<u32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stream: bool,
    /// Asks for a last chunk with token usage, which streams otherwise leave out.
    #[serde(skip_serializing_if = "Option::is_none")]
    stream_options: Option<StreamOptions>,
}

#[derive(Debug, Serialize)]
struct StreamOptions {
    include_usage: bool,
}

#[derive(Debug, Serialize)]
struct ChatMessage<'a> {
    role: &'static str,
    content: &'a str,
}

impl<'a> ChatRequest<'a> {
    /// Builds the body: a system message (left out when empty) and the user message.
    fn new(config: &'a OpenAiConfig, prompt: &'a Prompt) -> ChatRequest<'a> {
        let mut messages = Vec::with_capacity(2);
        if !prompt.system.is_empty() {
            messages.push(ChatMessage {
                role: "system",
                content: &prompt.system,
            });
        }
        messages.push(ChatMessage {
            role: "user",
            content: &prompt.user,
        });
        ChatRequest {
            model: &config.model,
            messages,
            temperature: config.temperature,
            max_tokens: config.max_tokens,
            stream: config.stream,
            stream_options: config.stream.then_some(StreamOptions {
                include_usage: true,
            }),
        }
    }
}

/// The parts of a chat-completions response that the agent reads.
#[derive(Debug, Deserialize)]
struct ChatResponse {
    /// Some compatible servers send `null` instead of an empty list.
    choices: Option<Vec<Choice>>,
    usage: Option<Usage>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    message: Option<ChoiceMessage>,
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ChoiceMessage {
    /// `null` when the model answered with tool calls or a refusal only.
    content: Option<String>,
}

/// Token counts in OpenAI's naming.
#[derive(Debug, Clone, Copy, Deserialize)]
pub(crate) struct Usage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

impl Usage {
    /// Converts to the harness's naming; zero for a count the server left out.
    pub(crate) fn to_token_usage(self) -> TokenUsage {
        TokenUsage {
            input_tokens: self.prompt_tokens.unwrap_or(0),
            output_tokens: self.completion_tokens.unwrap_or(0),
        }
    }
}

impl ChatResponse {
    /// Takes the first choice's text and finish reason, and the usage.
    fn into_completion(self) -> Result<Completion, AgentError> {
        let usage = self.usage.map(Usage::to_token_usage);
        let first = self.choices.unwrap_or_default().into_iter().next();
        let Some(choice) = first else {
            return Err(AgentError::EmptyChoices { provider: PROVIDER });
        };
        let text = choice
            .message
            .and_then(|message| message.content)
            .ok_or_else(|| AgentError::NoText {
                provider: PROVIDER,
                detail: "the first choice has no message content".to_string(),
            })?;
        Ok(Completion {
            answer: AgentAnswer { text, usage },
            stop_reason: choice.finish_reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(system: &str) -> Prompt {
        Prompt {
            system: system.to_string(),
            user: "What batch size?".to_string(),
        }
    }

    #[test]
    fn request_body_leaves_out_unset_options() {
        let config = OpenAiConfig::new("gpt-test");
        let prompt = prompt("Be brief.");
        let body = serde_json::to_value(ChatRequest::new(&config, &prompt)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({
                "model": "gpt-test",
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": "What batch size?"},
                ],
            })
        );
    }

    #[test]
    fn request_body_sets_options() {
        let config = OpenAiConfig {
            temperature: Some(0.0),
            max_tokens: Some(512),
            ..OpenAiConfig::new("m")
        };
        let prompt = prompt("");
        let body = serde_json::to_value(ChatRequest::new(&config, &prompt)).unwrap();
        assert_eq!(body["temperature"], 0.0);
        assert_eq!(body["max_tokens"], 512);
        assert_eq!(
            body["messages"].as_array().unwrap().len(),
            1,
            "an empty system message is left out"
        );
        assert!(body.get("stream").is_none());
        assert!(body.get("stream_options").is_none());
    }

    #[test]
    fn request_body_asks_for_stream_usage() {
        let config = OpenAiConfig {
            stream: true,
            ..OpenAiConfig::new("m")
        };
        let prompt = prompt("s");
        let body = serde_json::to_value(ChatRequest::new(&config, &prompt)).unwrap();
        assert_eq!(body["stream"], true);
        assert_eq!(body["stream_options"]["include_usage"], true);
    }

    #[test]
    fn response_first_choice_and_usage() {
        let json = r#"{"choices": [{"index": 0, "message": {"role": "assistant", "content": "Use 32."}}],
                       "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}}"#;
        let answer = serde_json::from_str::<ChatResponse>(json)
            .unwrap()
            .into_completion()
            .unwrap()
            .answer;
        assert_eq!(answer.text, "Use 32.");
        assert_eq!(
            answer.usage,
            Some(TokenUsage {
                input_tokens: 12,
                output_tokens: 3
            })
        );
    }

    #[test]
    fn response_without_choices() {
        for json in [r#"{"choices": []}"#, r#"{"choices": null}"#, "{}"] {
            let error = serde_json::from_str::<ChatResponse>(json)
                .unwrap()
                .into_completion()
                .unwrap_err();
            assert!(matches!(error, AgentError::EmptyChoices { .. }), "{json}");
        }
    }

    #[test]
    fn response_with_null_content() {
        let json = r#"{"choices": [{"message": {"role": "assistant", "content": null}}]}"#;
        let error = serde_json::from_str::<ChatResponse>(json)
            .unwrap()
            .into_completion()
            .unwrap_err();
        assert!(matches!(error, AgentError::NoText { .. }));
    }

    #[test]
    fn default_server_needs_key() {
        let config = OpenAiConfig {
            api_key_variable: "SKILLEVAL_TEST_UNSET_VARIABLE".into(),
            ..OpenAiConfig::new("m")
        };
        let error = OpenAiAgent::new(config).unwrap_err();
        assert!(matches!(error, SetupError::MissingApiKey { .. }));
    }
}
