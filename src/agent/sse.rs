//! Server-sent events: an incremental parser for `text/event-stream` bodies and the
//! read loop that feeds each event to a provider's stream assembler.
//!
//! The parser follows the event-stream rules of the WHATWG HTML standard:
//! - lines end in CRLF, LF or CR;
//! - `event:` names the event, and `data:` lines are joined with newlines;
//! - a blank line dispatches the event, and a line starting with `:` is a comment;
//! - an event left incomplete when the body ends is dropped.

use super::AgentError;
use super::http::{Completion, Endpoint};

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SseEvent {
    /// The `event:` field, or `message` when the event has none.
    pub event: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// Parses an event stream from chunks of bytes that may split lines anywhere.
#[derive(Debug, Default)]
pub(crate) struct SseParser {
    /// Bytes of a line whose end has not arrived yet.
    pending: Vec<u8>,
    event: Option<String>,
    data: Option<String>,
}

impl SseParser {
    /// Adds a chunk of the body and returns the events it completes.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        self.pending.extend_from_slice(chunk);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some((line_end, next_start)) = find_line_end(&self.pending, start) {
            let line = String::from_utf8_lossy(&self.pending[start..line_end]).into_owned();
            if let Some(event) = self.process_line(&line) {
                events.push(event);
            }
            start = next_start;
        }
        self.pending.drain(..start);
        events
    }

    /// Handles one line; returns an event when the line is blank and data is pending.
    fn process_line(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            let event = self.event.take();
            let data = self.data.take()?;
            return Some(SseEvent {
                event: event.unwrap_or_else(|| "message".to_string()),
                data,
            });
        }
        if line.starts_with(':') {
            return None;
        }

        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            // `id` and `retry` matter only to clients that reconnect, which we do not.
            _ => {}
        }
        None
    }
}

/// Finds the next line end at or after `start`: returns where the line stops and where
/// the next one begins. A CR at the very end of the buffer waits for the next chunk,
/// because an LF may follow it.
fn find_line_end(buffer: &[u8], start: usize) -> Option<(usize, usize)> {
    let offset = buffer[start..]
        .iter()
        .position(|byte| *byte == b'\n' || *byte == b'\r')?;
    let end = start + offset;
    if buffer[end] == b'\n' {
        return Some((end, end + 1));
    }
    match buffer.get(end + 1) {
        Some(b'\n') => Some((end, end + 2)),
        Some(_) => Some((end, end + 1)),
        None => None,
    }
}

/// Whether a stream has reached its final event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamState {
    Open,
    Finished,
}

/// Builds an answer from one provider's events.
pub(crate) trait StreamAssembler {
    /// Takes one event; an error event from the provider becomes an `AgentError`.
    fn on_event(&mut self, event: SseEvent) -> Result<StreamState, AgentError>;

    /// Returns the answer if the stream is complete enough, or why it is truncated. Called
    /// when the final event arrives or the body ends.
    fn finish(self, state: StreamState) -> Result<Completion, AgentError>;
}

/// Reads an event-stream body to its final event and returns the assembled answer.
pub(crate) async fn read_stream<A: StreamAssembler>(
    endpoint: &Endpoint,
    mut response: reqwest::Response,
    mut assembler: A,
) -> Result<Completion, AgentError> {
    let mut parser = SseParser::default();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|error| endpoint.transport_error(error))?
    {
        for event in parser.push(&chunk) {
            let state = assembler
                .on_event(event)
                .map_err(|error| endpoint.scrub(error))?;
            if state == StreamState::Finished {
                return assembler.finish(StreamState::Finished);
            }
        }
    }
    assembler.finish(StreamState::Open)
}

/// Returns whether a response carries an event stream rather than one JSON body.
pub(crate) fn is_event_stream(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().starts_with("text/event-stream"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(name: &str, data: &str) -> SseEvent {
        SseEvent {
            event: name.to_string(),
            data: data.to_string(),
        }
    }

    #[test]
    fn parser_reads_named_events() {
        let mut parser = SseParser::default();
        let events = parser.push(b"event: ping\ndata: {}\n\ndata: {\"a\":1}\n\n");
        assert_eq!(
            events,
            vec![event("ping", "{}"), event("message", "{\"a\":1}")]
        );
    }

    #[test]
    fn parser_joins_data_lines() {
        let mut parser = SseParser::default();
        let events = parser.push(b"data: first\ndata:second\ndata\n\n");
        assert_eq!(events, vec![event("message", "first\nsecond\n")]);
    }

    #[test]
    fn parser_handles_all_line_endings() {
        let mut parser = SseParser::default();
        let events = parser.push(b"data: crlf\r\n\r\ndata: cr\r\rdata: lf\n\n");
        assert_eq!(
            events,
            vec![
                event("message", "crlf"),
                event("message", "cr"),
                event("message", "lf")
            ]
        );
    }

    #[test]
    fn parser_splits_anywhere() {
        let stream =
            "event: delta\r\ndata: {\"text\": \"héllo\"}\r\n\r\n: comment\r\ndata: [DONE]\r\n\r\n";
        let expected = vec![
            event("delta", "{\"text\": \"héllo\"}"),
            event("message", "[DONE]"),
        ];
        for split in 0..stream.len() {
            let (first, second) = stream.as_bytes().split_at(split);
            let mut parser = SseParser::default();
            let mut events = parser.push(first);
            events.extend(parser.push(second));
            assert_eq!(events, expected, "split at byte {split}");
        }
    }

    #[test]
    fn parser_skips_comments_and_empty_events() {
        let mut parser = SseParser::default();
        let events = parser.push(b": keep-alive\n\nevent: lonely\n\nid: 7\nretry: 10\ndata: x\n\n");
        assert_eq!(events, vec![event("message", "x")]);
    }

    #[test]
    fn parser_holds_incomplete_event() {
        let mut parser = SseParser::default();
        assert!(parser.push(b"data: partial").is_empty());
        assert!(parser.push(b"\n").is_empty());
        assert_eq!(parser.push(b"\n"), vec![event("message", "partial")]);
    }
}
