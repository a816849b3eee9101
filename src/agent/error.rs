//! Why an agent gave no answer. One variant per cause, so the runner can tell a
//! transient failure from a permanent one (see `retry.rs`). Provider messages have the
//! API key redacted before they are stored here, because some providers echo it back.

use std::time::Duration;

/// Why an agent gave no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AgentError {
    /// The replay file has no answer for this unit.
    #[error("no recording for scenario \"{scenario}\"{variant_note}, arm {arm}, sample {sample}")]
    MissingRecording {
        scenario: String,
        /// `, variant "<id>"`, or empty for the base variant.
        variant_note: String,
        arm: &'static str,
        sample: u32,
    },

    /// The provider answered with an HTTP error status.
    #[error(
        "{provider} returned HTTP {status}: {message}{}",
        type_suffix(error_type)
    )]
    Status {
        provider: &'static str,
        status: u16,
        /// The provider's error type, such as `rate_limit_error`, when the body names one.
        error_type: Option<String>,
        /// The provider's error message, or the start of the body when it has none.
        message: String,
        /// How long the provider asked us to wait, from `Retry-After` or `retry-after-ms`.
        retry_after: Option<Duration>,
    },

    /// The request took longer than the agent's timeout.
    #[error("{provider} request timed out after {} s", after.as_secs_f64())]
    Timeout {
        provider: &'static str,
        after: Duration,
    },

    /// The connection could not be made, or broke before the response was complete.
    #[error("connection to {provider} failed: {message}")]
    Connection {
        provider: &'static str,
        message: String,
    },

    /// The response body was not the JSON the provider's API documents.
    #[error("malformed response from {provider}: {message}")]
    MalformedResponse {
        provider: &'static str,
        message: String,
    },

    /// A chat-completions response with an empty `choices` list.
    #[error("{provider} returned no choices")]
    EmptyChoices { provider: &'static str },

    /// A well-formed response that carries no answer text.
    #[error("{provider} returned no text: {detail}")]
    NoText {
        provider: &'static str,
        detail: String,
    },

    /// An error event inside a stream that had started with HTTP 200.
    #[error(
        "{provider} sent an error in the stream: {message}{}",
        type_suffix(error_type)
    )]
    StreamError {
        provider: &'static str,
        error_type: Option<String>,
        message: String,
    },

    /// The stream ended before its final event.
    #[error("{provider} stream ended early: {detail}")]
    TruncatedStream {
        provider: &'static str,
        detail: String,
    },

    /// A subprocess agent's program could not be prepared, started or read.
    #[error("subprocess {program}: {message}")]
    Subprocess { program: String, message: String },

    /// A subprocess agent's program exited unsuccessfully.
    #[error("subprocess {program} failed with {status}: {stderr}")]
    ProcessFailed {
        program: String,
        /// The exit status as the platform prints it, such as `exit status: 2`.
        status: String,
        /// The start of what the program wrote to stderr.
        stderr: String,
    },
}

/// Formats an optional provider error type as ` (type)`, or nothing.
fn type_suffix(error_type: &Option<String>) -> String {
    error_type
        .as_ref()
        .map(|kind| format!(" ({kind})"))
        .unwrap_or_default()
}

impl AgentError {
    /// Returns how long the provider asked the client to wait before retrying, if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            AgentError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_display_names_type() {
        let error = AgentError::Status {
            provider: "Anthropic API",
            status: 529,
            error_type: Some("overloaded_error".into()),
            message: "Overloaded".into(),
            retry_after: None,
        };
        assert_eq!(
            error.to_string(),
            "Anthropic API returned HTTP 529: Overloaded (overloaded_error)"
        );
    }

    #[test]
    fn timeout_display_in_seconds() {
        let error = AgentError::Timeout {
            provider: "OpenAI-compatible API",
            after: Duration::from_millis(1500),
        };
        assert_eq!(
            error.to_string(),
            "OpenAI-compatible API request timed out after 1.5 s"
        );
    }
}
