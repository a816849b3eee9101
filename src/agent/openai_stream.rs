//! Assembles a streamed chat completion. Each event's data is a chunk
//! `{"choices": [{"index": 0, "delta": {"content": "..."}, "finish_reason": null}]}`;
//! with `stream_options.include_usage` a last chunk with empty `choices` carries
//! `usage`; `data: [DONE]` ends the stream. Only choice 0 is read.

use serde::Deserialize;

use super::http::{Completion, provider_error};
use super::openai::{PROVIDER, Usage};
use super::sse::{SseEvent, StreamAssembler, StreamState};
use super::{AgentAnswer, AgentError, TokenUsage};

/// The data of the event that ends an OpenAI stream.
const DONE: &str = "[DONE]";

/// Text and usage gathered so far from a chat-completions stream.
#[derive(Debug, Default)]
pub(crate) struct OpenAiStream {
    text: String,
    usage: Option<TokenUsage>,
    finish_reason: Option<String>,
    saw_choice: bool,
}

/// One streamed chunk; an `error` object replaces the rest on some servers.
#[derive(Debug, Deserialize)]
struct StreamChunk {
    choices: Option<Vec<StreamChoice>>,
    usage: Option<Usage>,
    error: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct StreamChoice {
    #[serde(default)]
    index: u32,
    delta: Option<Delta>,
    finish_reason: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Delta {
    content: Option<String>,
}

impl StreamAssembler for OpenAiStream {
    fn on_event(&mut self, event: SseEvent) -> Result<StreamState, AgentError> {
        if event.data.trim() == DONE {
            return Ok(StreamState::Finished);
        }
        let chunk: StreamChunk =
            serde_json::from_str(&event.data).map_err(|error| AgentError::MalformedResponse {
                provider: PROVIDER,
                message: format!("invalid stream chunk: {error}"),
            })?;
        if chunk.error.is_some() {
            let (error_type, message) = provider_error(&event.data);
            return Err(AgentError::StreamError {
                provider: PROVIDER,
                error_type,
                message,
            });
        }

        if let Some(usage) = chunk.usage {
            self.usage = Some(usage.to_token_usage());
        }
        for choice in chunk
            .choices
            .unwrap_or_default()
            .into_iter()
            .filter(|choice| choice.index == 0)
        {
            self.add_choice(choice);
        }
        Ok(StreamState::Open)
    }

    fn finish(self, state: StreamState) -> Result<Completion, AgentError> {
        // A finish reason means the model finished, so a body that ends after one without
        // `[DONE]` still contains a complete answer. Only a stream with neither is truncated.
        if state == StreamState::Open && self.finish_reason.is_none() {
            let detail = format!(
                "the body ended before `data: {DONE}`, after {} characters",
                self.text.chars().count()
            );
            return Err(AgentError::TruncatedStream {
                provider: PROVIDER,
                detail,
            });
        }
        if !self.saw_choice {
            return Err(AgentError::EmptyChoices { provider: PROVIDER });
        }
        let answer = AgentAnswer {
            text: self.text,
            usage: self.usage,
        };
        Ok(Completion {
            answer,
            stop_reason: self.finish_reason,
        })
    }
}

impl OpenAiStream {
    fn add_choice(&mut self, choice: StreamChoice) {
        self.saw_choice = true;
        if let Some(content) = choice.delta.and_then(|delta| delta.content) {
            self.text.push_str(&content);
        }
        if choice.finish_reason.is_some() {
            self.finish_reason = choice.finish_reason;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(text: &str) -> SseEvent {
        SseEvent {
            event: "message".to_string(),
            data: text.to_string(),
        }
    }

    fn feed(events: &[&str]) -> (OpenAiStream, StreamState) {
        let mut stream = OpenAiStream::default();
        let mut state = StreamState::Open;
        for event in events {
            state = stream.on_event(data(event)).unwrap();
        }
        (stream, state)
    }

    const HELLO: [&str; 4] = [
        r#"{"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}], "usage": null}"#,
        r#"{"choices": [{"index": 0, "delta": {"content": "Hel"}, "finish_reason": null}]}"#,
        r#"{"choices": [{"index": 0, "delta": {"content": "lo"}, "finish_reason": "stop"}]}"#,
        r#"{"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 2}}"#,
    ];

    #[test]
    fn stream_assembles_text_and_usage() {
        let mut events = HELLO.to_vec();
        events.push("[DONE]");
        let (stream, state) = feed(&events);
        assert_eq!(state, StreamState::Finished);
        let completion = stream.finish(state).unwrap();
        assert_eq!(completion.answer.text, "Hello");
        assert_eq!(
            completion.answer.usage,
            Some(TokenUsage {
                input_tokens: 9,
                output_tokens: 2
            })
        );
        assert_eq!(completion.stop_reason.as_deref(), Some("stop"));
    }

    #[test]
    fn stream_without_done_after_finish_reason() {
        let (stream, state) = feed(&HELLO);
        assert_eq!(stream.finish(state).unwrap().answer.text, "Hello");
    }

    #[test]
    fn stream_cut_mid_answer_is_truncated() {
        let (stream, state) = feed(&HELLO[..2]);
        let error = stream.finish(state).unwrap_err();
        assert!(
            matches!(error, AgentError::TruncatedStream { .. }),
            "{error:?}"
        );
        assert!(error.to_string().contains("after 3 characters"), "{error}");
    }

    #[test]
    fn stream_ignores_other_choices() {
        let events = [
            r#"{"choices": [{"index": 1, "delta": {"content": "other"}}, {"index": 0, "delta": {"content": "mine"}}]}"#,
            "[DONE]",
        ];
        let (stream, state) = feed(&events);
        assert_eq!(stream.finish(state).unwrap().answer.text, "mine");
    }

    #[test]
    fn stream_error_chunk() {
        let mut stream = OpenAiStream::default();
        let event = data(r#"{"error": {"message": "model overloaded", "type": "server_error"}}"#);
        let error = stream.on_event(event).unwrap_err();
        assert_eq!(
            error,
            AgentError::StreamError {
                provider: PROVIDER,
                error_type: Some("server_error".into()),
                message: "model overloaded".into()
            }
        );
    }

    #[test]
    fn stream_invalid_chunk() {
        let error = OpenAiStream::default()
            .on_event(data("{not json"))
            .unwrap_err();
        assert!(
            matches!(error, AgentError::MalformedResponse { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn stream_with_only_done_has_no_choices() {
        let (stream, state) = feed(&["[DONE]"]);
        let error = stream.finish(state).unwrap_err();
        assert!(
            matches!(error, AgentError::EmptyChoices { .. }),
            "{error:?}"
        );
    }
}
