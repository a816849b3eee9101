//! HTTP plumbing shared by the provider agents: API keys, the client, sending a request
//! and turning each kind of failure into its own `AgentError`.

use std::error::Error as _;
use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;

use super::dispatch::SetupError;
use super::retry::parse_retry_after;
use super::tls::install_crypto_provider;
use super::{AgentAnswer, AgentError, UnitKey};

/// Maximum length, in characters, of a response-body excerpt in an error message.
const BODY_EXCERPT_CHARS: usize = 300;

/// Text put in place of an API key wherever a provider echoes it back.
const REDACTED: &str = "[redacted]";

/// An API key. Its `Debug` output is redacted and it has no `Display`, so it cannot end
/// up in a log line or an error message by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key value.
    pub fn new(value: impl Into<String>) -> ApiKey {
        ApiKey(value.into())
    }

    /// Reads a key from an environment variable; unset, empty or non-UTF-8 gives `None`.
    pub fn from_env(variable: &str) -> Option<ApiKey> {
        let value = std::env::var(variable).ok()?;
        let value = value.trim();
        (!value.is_empty()).then(|| ApiKey(value.to_string()))
    }

    /// Reads the key for a provider from `variable`. A provider's own API (its base
    /// URL equals `official_url`) rejects requests without a key, so a missing key is
    /// an error there; a local server or proxy may run without one.
    pub(crate) fn for_provider(variable: &str, base_url: &str, official_url: &str) -> Result<Option<ApiKey>, SetupError> {
        let key = ApiKey::from_env(variable);
        if key.is_none() && base_url.trim_end_matches('/') == official_url {
            return Err(SetupError::MissingApiKey { variable: variable.to_string() });
        }
        Ok(key)
    }

    /// Builds a header value such as `Bearer <key>`, marked sensitive so that HTTP
    /// libraries leave it out of their debug output.
    pub(crate) fn header_value(&self, prefix: &str) -> Result<HeaderValue, SetupError> {
        let mut value = HeaderValue::from_str(&format!("{prefix}{}", self.0))
            .map_err(|_| SetupError::InvalidApiKey)?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Replaces every occurrence of the key in `text`.
    pub(crate) fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.0, REDACTED)
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// Builds an HTTP client whose every request, body included, must finish within `timeout`.
pub(crate) fn build_client(timeout: Duration) -> Result<reqwest::Client, SetupError> {
    install_crypto_provider();
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("skilleval/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| SetupError::HttpClient(error_chain(&error.without_url())))
}

/// Connection settings shared by the provider agents: client, timeout, key, and the
/// provider name used in error messages.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    /// Provider name used in error messages.
    pub provider: &'static str,
    pub client: reqwest::Client,
    pub timeout: Duration,
    pub key: Option<ApiKey>,
}

impl Endpoint {
    /// Sends a request and returns the response if its status is a success.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, AgentError> {
        let response = request
            .send()
            .await
            .map_err(|error| self.transport_error(error))?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(self.status_error(response).await)
        }
    }

    /// Reads the whole body and parses it as JSON.
    pub async fn read_json<T: DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> Result<T, AgentError> {
        let body = response
            .bytes()
            .await
            .map_err(|error| self.transport_error(error))?;
        serde_json::from_slice(&body).map_err(|error| {
            let excerpt = excerpt(&String::from_utf8_lossy(&body));
            self.malformed(format!("{error}; body starts: {excerpt}"))
        })
    }

    /// Builds a `MalformedResponse` error, with the key redacted from the message.
    pub fn malformed(&self, message: String) -> AgentError {
        AgentError::MalformedResponse {
            provider: self.provider,
            message: self.redact(&message),
        }
    }

    /// Redacts the key from the provider text that an error quotes.
    pub fn scrub(&self, error: AgentError) -> AgentError {
        match error {
            AgentError::MalformedResponse { provider, message } => AgentError::MalformedResponse {
                provider,
                message: self.redact(&message),
            },
            AgentError::StreamError {
                provider,
                error_type,
                message,
            } => AgentError::StreamError {
                provider,
                error_type,
                message: self.redact(&message),
            },
            other => other,
        }
    }

    /// Maps a transport failure: a timeout, or a connection that failed or broke.
    pub fn transport_error(&self, error: reqwest::Error) -> AgentError {
        if error.is_timeout() {
            return AgentError::Timeout {
                provider: self.provider,
                after: self.timeout,
            };
        }
        // The URL is dropped because a user may have put credentials into a base URL.
        let message = error_chain(&error.without_url());
        AgentError::Connection {
            provider: self.provider,
            message: self.redact(&message),
        }
    }

    /// Builds a `Status` error from a failed response: status, provider message, and
    /// the wait the provider asked for.
    async fn status_error(&self, response: reqwest::Response) -> AgentError {
        let status = response.status().as_u16();
        let retry_after = retry_after_from_headers(response.headers(), SystemTime::now());
        let body = response.text().await.unwrap_or_default();
        let (error_type, message) = provider_error(&body);
        AgentError::Status {
            provider: self.provider,
            status,
            error_type,
            message: self.redact(&message),
            retry_after,
        }
    }

    fn redact(&self, text: &str) -> String {
        match &self.key {
            Some(key) => key.redact(text),
            None => text.to_string(),
        }
    }
}

/// An answer with the provider's reason for stopping, such as `stop` or `max_tokens`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Completion {
    pub answer: AgentAnswer,
    pub stop_reason: Option<String>,
}

impl Completion {
    /// Returns the answer, logging a warning when the provider cut it off at the token
    /// limit, since a cut answer usually fails its checks for that reason alone.
    pub fn into_answer(self, key: &UnitKey, cut_off_reason: &str) -> AgentAnswer {
        if self.stop_reason.as_deref() == Some(cut_off_reason) {
            tracing::warn!(
                scenario = %key.scenario,
                arm = key.arm.as_str(),
                sample = key.sample,
                "answer cut off at the max_tokens limit; raise max_tokens for this agent"
            );
        }
        self.answer
    }
}

/// Joins a base URL and a path, rejecting anything that is not an http(s) URL.
pub(crate) fn endpoint_url(base_url: &str, path: &str) -> Result<reqwest::Url, SetupError> {
    let invalid = |message: String| SetupError::InvalidBaseUrl {
        url: shown_url(base_url),
        message,
    };
    let joined = format!("{}/{path}", base_url.trim_end_matches('/'));
    let url = reqwest::Url::parse(&joined).map_err(|error| invalid(error.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid(format!(
            "scheme must be http or https, not {}",
            url.scheme()
        )));
    }
    Ok(url)
}

/// Returns a base URL without user name, password or query, which may hold secrets.
pub(crate) fn shown_url(base_url: &str) -> String {
    let Ok(mut url) = reqwest::Url::parse(base_url) else {
        return "an invalid URL".to_string();
    };
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.set_query(None);
    url.to_string().trim_end_matches('/').to_string()
}

/// Reads `retry-after-ms` (sent by some OpenAI-compatible servers) or `Retry-After`.
pub(crate) fn retry_after_from_headers(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let milliseconds = headers
        .get("retry-after-ms")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<f64>().ok())
        .and_then(|value| Duration::try_from_secs_f64(value / 1000.0).ok());
    if milliseconds.is_some() {
        return milliseconds;
    }
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, now)
}

/// Extracts the error type and message from an error body. OpenAI and Anthropic both
/// send `{"error": {"type": ..., "message": ...}}`; some compatible servers send
/// `{"error": "..."}` or `{"message": "..."}`. Anything else is quoted as text.
pub(crate) fn provider_error(body: &str) -> (Option<String>, String) {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
        return (None, text_or_placeholder(body));
    };
    let error = &json["error"];
    let error_type = error["type"]
        .as_str()
        .or_else(|| error["code"].as_str())
        .map(str::to_string);
    let message = error["message"]
        .as_str()
        .or_else(|| error.as_str())
        .or_else(|| json["message"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| text_or_placeholder(body));
    (error_type, message)
}

fn text_or_placeholder(body: &str) -> String {
    if body.trim().is_empty() {
        "empty response body".to_string()
    } else {
        excerpt(body)
    }
}

/// Returns the start of `text`, trimmed, at most `BODY_EXCERPT_CHARS` characters.
pub(crate) fn excerpt(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(BODY_EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// Joins an error and its sources: reqwest's own message alone ("error sending
/// request") hides the cause, such as "Connection refused".
pub(crate) fn error_chain(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_url_joins_path() {
        let url = endpoint_url("http://127.0.0.1:8080/v1/", "chat/completions").unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:8080/v1/chat/completions");
        assert!(endpoint_url("ftp://example.invalid/v1", "chat/completions").is_err());
        assert!(endpoint_url("not a url", "chat/completions").is_err());
    }

    #[test]
    fn shown_url_drops_credentials() {
        assert_eq!(
            shown_url("https://user:pw@host.invalid/v1?key=abc"),
            "https://host.invalid/v1"
        );
    }

    #[test]
    fn api_key_debug_is_redacted() {
        let key = ApiKey::new("sk-secret-123");
        assert!(!format!("{key:?}").contains("sk-secret-123"));
    }

    #[test]
    fn api_key_redacts_echoed_key() {
        let key = ApiKey::new("sk-secret-123");
        assert_eq!(
            key.redact("bad key sk-secret-123 given"),
            "bad key [redacted] given"
        );
    }

    #[test]
    fn provider_error_openai_shape() {
        let body = r#"{"error": {"message": "Incorrect API key", "type": "invalid_request_error", "code": "invalid_api_key"}}"#;
        let (error_type, message) = provider_error(body);
        assert_eq!(error_type.as_deref(), Some("invalid_request_error"));
        assert_eq!(message, "Incorrect API key");
    }

    #[test]
    fn provider_error_plain_string() {
        let (error_type, message) = provider_error(r#"{"error": "model \"x\" not found"}"#);
        assert_eq!(error_type, None);
        assert_eq!(message, "model \"x\" not found");
    }

    #[test]
    fn provider_error_non_json_body() {
        let (error_type, message) = provider_error("<html>Bad Gateway</html>");
        assert_eq!(error_type, None);
        assert_eq!(message, "<html>Bad Gateway</html>");
        assert_eq!(provider_error("  ").1, "empty response body");
    }

    #[test]
    fn excerpt_cuts_long_text() {
        let long = "é".repeat(BODY_EXCERPT_CHARS + 10);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), BODY_EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn retry_after_ms_header_wins() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after-ms", HeaderValue::from_static("1500"));
        headers.insert("retry-after", HeaderValue::from_static("9"));
        let wait = retry_after_from_headers(&headers, SystemTime::now());
        assert_eq!(wait, Some(Duration::from_millis(1500)));
    }

    #[test]
    fn retry_after_seconds_header() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("7"));
        let wait = retry_after_from_headers(&headers, SystemTime::now());
        assert_eq!(wait, Some(Duration::from_secs(7)));
    }
}
