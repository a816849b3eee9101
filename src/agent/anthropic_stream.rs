//! Assembles a streamed Messages API answer. The events are `message_start` (input
//! usage), `content_block_start`, `content_block_delta` (`text_delta` pieces),
//! `content_block_stop`, `message_delta` (stop reason, cumulative output usage),
//! `message_stop` (the end), `ping`, and `error`, which may arrive after HTTP 200.

use serde::Deserialize;

use super::anthropic::{AnthropicUsage, PROVIDER};
use super::http::Completion;
use super::sse::{SseEvent, StreamAssembler, StreamState};
use super::{AgentAnswer, AgentError, TokenUsage};

/// Text, usage and stop reason gathered so far from a Messages API stream.
#[derive(Debug, Default)]
pub(crate) struct AnthropicStream {
    text: String,
    saw_text_block: bool,
    usage: AnthropicUsage,
    stop_reason: Option<String>,
}

/// One stream event, by its `type` field.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StreamEvent {
    MessageStart {
        message: StartMessage,
    },
    ContentBlockStart {
        content_block: StartBlock,
    },
    ContentBlockDelta {
        delta: BlockDelta,
    },
    MessageDelta {
        delta: MessageDeltaBody,
        usage: Option<AnthropicUsage>,
    },
    MessageStop {},
    Error {
        error: ErrorBody,
    },
    /// `ping`, `content_block_stop` and any event type added later.
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct StartMessage {
    usage: Option<AnthropicUsage>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum StartBlock {
    Text {
        #[serde(default)]
        text: String,
    },
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum BlockDelta {
    TextDelta {
        text: String,
    },
    /// Thinking, tool input, signatures and citations.
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct MessageDeltaBody {
    stop_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(rename = "type")]
    error_type: Option<String>,
    message: Option<String>,
}

impl StreamAssembler for AnthropicStream {
    fn on_event(&mut self, event: SseEvent) -> Result<StreamState, AgentError> {
        let parsed: StreamEvent =
            serde_json::from_str(&event.data).map_err(|error| AgentError::MalformedResponse {
                provider: PROVIDER,
                message: format!("invalid `{}` event: {error}", event.event),
            })?;
        match parsed {
            StreamEvent::MessageStart { message } => self.add_usage(message.usage),
            StreamEvent::ContentBlockStart {
                content_block: StartBlock::Text { text },
            } => {
                self.saw_text_block = true;
                self.text.push_str(&text);
            }
            StreamEvent::ContentBlockDelta {
                delta: BlockDelta::TextDelta { text },
            } => self.text.push_str(&text),
            StreamEvent::MessageDelta { delta, usage } => {
                self.stop_reason = delta.stop_reason.or(self.stop_reason.take());
                self.add_usage(usage);
            }
            StreamEvent::MessageStop {} => return Ok(StreamState::Finished),
            StreamEvent::Error { error } => {
                let message = error.message.unwrap_or_else(|| "no message".to_string());
                return Err(AgentError::StreamError {
                    provider: PROVIDER,
                    error_type: error.error_type,
                    message,
                });
            }
            StreamEvent::ContentBlockStart { .. }
            | StreamEvent::ContentBlockDelta { .. }
            | StreamEvent::Other => {}
        }
        Ok(StreamState::Open)
    }

    fn finish(self, state: StreamState) -> Result<Completion, AgentError> {
        if state == StreamState::Open {
            let detail = format!(
                "the body ended before `message_stop`, after {} characters",
                self.text.chars().count()
            );
            return Err(AgentError::TruncatedStream {
                provider: PROVIDER,
                detail,
            });
        }
        if !self.saw_text_block {
            let detail = "the stream has no text content block".to_string();
            return Err(AgentError::NoText {
                provider: PROVIDER,
                detail,
            });
        }
        let usage = TokenUsage {
            input_tokens: self.usage.input_tokens.unwrap_or(0),
            output_tokens: self.usage.output_tokens.unwrap_or(0),
        };
        let answer = AgentAnswer {
            text: self.text,
            usage: Some(usage),
        };
        Ok(Completion {
            answer,
            stop_reason: self.stop_reason,
        })
    }
}

impl AnthropicStream {
    /// Keeps the latest count of each kind: `message_delta` counts are cumulative.
    fn add_usage(&mut self, usage: Option<AnthropicUsage>) {
        let Some(usage) = usage else { return };
        self.usage.input_tokens = usage.input_tokens.or(self.usage.input_tokens);
        self.usage.output_tokens = usage.output_tokens.or(self.usage.output_tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENTS: [(&str, &str); 8] = [
        (
            "message_start",
            r#"{"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "content": [], "model": "claude-test", "stop_reason": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}"#,
        ),
        (
            "content_block_start",
            r#"{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}"#,
        ),
        ("ping", r#"{"type": "ping"}"#),
        (
            "content_block_delta",
            r#"{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Use "}}"#,
        ),
        (
            "content_block_delta",
            r#"{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "32."}}"#,
        ),
        (
            "content_block_stop",
            r#"{"type": "content_block_stop", "index": 0}"#,
        ),
        (
            "message_delta",
            r#"{"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 6}}"#,
        ),
        ("message_stop", r#"{"type": "message_stop"}"#),
    ];

    fn feed(events: &[(&str, &str)]) -> (AnthropicStream, StreamState) {
        let mut stream = AnthropicStream::default();
        let mut state = StreamState::Open;
        for (name, data) in events {
            let event = SseEvent {
                event: name.to_string(),
                data: data.to_string(),
            };
            state = stream.on_event(event).unwrap();
        }
        (stream, state)
    }

    #[test]
    fn stream_assembles_text_and_usage() {
        let (stream, state) = feed(&EVENTS);
        assert_eq!(state, StreamState::Finished);
        let completion = stream.finish(state).unwrap();
        assert_eq!(completion.answer.text, "Use 32.");
        assert_eq!(
            completion.answer.usage,
            Some(TokenUsage {
                input_tokens: 25,
                output_tokens: 6
            })
        );
        assert_eq!(completion.stop_reason.as_deref(), Some("end_turn"));
    }

    #[test]
    fn stream_without_message_stop_is_truncated() {
        let (stream, state) = feed(&EVENTS[..5]);
        let error = stream.finish(state).unwrap_err();
        assert!(
            matches!(error, AgentError::TruncatedStream { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("after 7 characters"), "{error}");
    }

    #[test]
    fn stream_overloaded_error_event() {
        let mut stream = AnthropicStream::default();
        let data =
            r#"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#;
        let error = stream
            .on_event(SseEvent {
                event: "error".into(),
                data: data.into(),
            })
            .unwrap_err();
        assert_eq!(
            error,
            AgentError::StreamError {
                provider: PROVIDER,
                error_type: Some("overloaded_error".into()),
                message: "Overloaded".into()
            }
        );
    }

    #[test]
    fn stream_skips_thinking_deltas() {
        let thinking = r#"{"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "hmm"}}"#;
        let mut events = EVENTS.to_vec();
        events.insert(3, ("content_block_delta", thinking));
        let (stream, state) = feed(&events);
        assert_eq!(stream.finish(state).unwrap().answer.text, "Use 32.");
    }

    #[test]
    fn stream_invalid_event_data() {
        let event = SseEvent {
            event: "content_block_delta".into(),
            data: "{".into(),
        };
        let error = AnthropicStream::default().on_event(event).unwrap_err();
        assert!(
            matches!(error, AgentError::MalformedResponse { .. }),
            "{error:?}"
        );
    }
}
