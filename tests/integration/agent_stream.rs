//! Streaming (server-sent events) for both providers against a mock server on
//! 127.0.0.1: answers assembled from pieces split anywhere, truncated streams, and an
//! error event after HTTP 200.

use std::time::Duration;

use serde_json::json;
use skilleval::agent::{
    AgentError, AgentRequest, AnthropicAgent, AnthropicConfig, ApiKey, OpenAiAgent, OpenAiConfig,
    TokenUsage, UnitKey, is_transient,
};
use skilleval::suite::Arm;

use crate::support::mock_http::{MockServer, Reply};

const KEY: &str = "sk-stream-test-5e1b-never-shown";

fn request() -> AgentRequest {
    let key = UnitKey::base("max-batch", Arm::WithoutSkill, 0);
    AgentRequest::new(key, "You are a helpful assistant.", None, "Batch size?")
}

fn openai_agent(server: &MockServer) -> OpenAiAgent {
    let config = OpenAiConfig {
        base_url: server.url("/v1"),
        stream: true,
        timeout: Duration::from_secs(5),
        ..OpenAiConfig::new("test-model")
    };
    OpenAiAgent::with_api_key(config, Some(ApiKey::new(KEY))).unwrap()
}

fn anthropic_agent(server: &MockServer) -> AnthropicAgent {
    let config = AnthropicConfig {
        base_url: server.url(""),
        stream: true,
        timeout: Duration::from_secs(5),
        ..AnthropicConfig::new("claude-test")
    };
    AnthropicAgent::with_api_key(config, Some(ApiKey::new(KEY))).unwrap()
}

/// Splits a stream body into pieces of `size` bytes, so events and lines break anywhere.
fn split_every(body: &str, size: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let mut cut = size.min(rest.len());
        while !rest.is_char_boundary(cut) {
            cut += 1;
        }
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

fn openai_chunk(content: &str, finish_reason: Option<&str>) -> String {
    let chunk = json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "test-model",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish_reason}]
    });
    format!("data: {chunk}\n\n")
}

fn openai_stream_body() -> String {
    let usage = json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": [],
                       "usage": {"prompt_tokens": 17, "completion_tokens": 3, "total_tokens": 20}});
    [
        openai_chunk("Use ", None),
        ": keep-alive comment\n\n".to_string(),
        openai_chunk("32, not ", None),
        openai_chunk("the maximum.", Some("stop")),
        format!("data: {usage}\n\n"),
        "data: [DONE]\n\n".to_string(),
    ]
    .concat()
}

fn anthropic_event(name: &str, data: serde_json::Value) -> String {
    format!("event: {name}\r\ndata: {data}\r\n\r\n")
}

fn anthropic_stream_body(texts: &[&str], complete: bool) -> String {
    let mut body = anthropic_event(
        "message_start",
        json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
               "content": [], "model": "claude-test", "stop_reason": null,
               "usage": {"input_tokens": 21, "output_tokens": 1}}}),
    );
    body += &anthropic_event(
        "content_block_start",
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
    );
    body += &anthropic_event("ping", json!({"type": "ping"}));
    for text in texts {
        body += &anthropic_event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
        );
    }
    if complete {
        body += &anthropic_event(
            "content_block_stop",
            json!({"type": "content_block_stop", "index": 0}),
        );
        body += &anthropic_event(
            "message_delta",
            json!({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null},
                   "usage": {"output_tokens": 9}}),
        );
        body += &anthropic_event("message_stop", json!({"type": "message_stop"}));
    }
    body
}

#[tokio::test]
async fn openai_stream_assembles_answer() {
    let body = openai_stream_body();
    let server = MockServer::start(vec![Reply::in_pieces(
        "text/event-stream",
        &split_every(&body, 7),
    )])
    .await;
    let answer = openai_agent(&server).answer(&request()).await.unwrap();

    assert_eq!(answer.text, "Use 32, not the maximum.");
    assert_eq!(
        answer.usage,
        Some(TokenUsage {
            input_tokens: 17,
            output_tokens: 3
        })
    );
    let sent = server.single_request().json();
    assert_eq!(sent["stream"], true);
    assert_eq!(sent["stream_options"]["include_usage"], true);
}

#[tokio::test]
async fn openai_stream_truncated() {
    let body = [openai_chunk("Use ", None), openai_chunk("32", None)].concat();
    let server = MockServer::start(vec![Reply::in_pieces("text/event-stream", &[&body])]).await;
    let error = openai_agent(&server).answer(&request()).await.unwrap_err();

    assert!(
        matches!(error, AgentError::TruncatedStream { .. }),
        "{error:?}"
    );
    assert!(is_transient(&error));
    assert!(!error.to_string().contains(KEY));
}

#[tokio::test]
async fn openai_stream_json_fallback() {
    let completion = json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "plain"},
                            "finish_reason": "stop"}]});
    let server = MockServer::start(vec![Reply::json(200, completion)]).await;
    let answer = openai_agent(&server).answer(&request()).await.unwrap();
    assert_eq!(
        answer.text, "plain",
        "a server that ignores `stream` still works"
    );
}

#[tokio::test]
async fn anthropic_stream_assembles_answer() {
    let body = anthropic_stream_body(&["Use 32, ", "not the ", "maximum."], true);
    let server = MockServer::start(vec![Reply::in_pieces(
        "text/event-stream",
        &split_every(&body, 5),
    )])
    .await;
    let answer = anthropic_agent(&server).answer(&request()).await.unwrap();

    assert_eq!(answer.text, "Use 32, not the maximum.");
    assert_eq!(
        answer.usage,
        Some(TokenUsage {
            input_tokens: 21,
            output_tokens: 9
        })
    );
    assert_eq!(server.single_request().json()["stream"], true);
}

#[tokio::test]
async fn anthropic_stream_truncated() {
    let body = anthropic_stream_body(&["Use 32, "], false);
    let server = MockServer::start(vec![Reply::in_pieces("text/event-stream", &[&body])]).await;
    let error = anthropic_agent(&server)
        .answer(&request())
        .await
        .unwrap_err();

    assert!(
        matches!(error, AgentError::TruncatedStream { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("message_stop"), "{error}");
    assert!(is_transient(&error));
}

#[tokio::test]
async fn anthropic_stream_overloaded_event() {
    let mut body = anthropic_stream_body(&["Use "], false);
    body += &anthropic_event(
        "error",
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    );
    let server = MockServer::start(vec![Reply::in_pieces("text/event-stream", &[&body])]).await;
    let error = anthropic_agent(&server)
        .answer(&request())
        .await
        .unwrap_err();

    assert!(
        matches!(&error, AgentError::StreamError { error_type: Some(kind), .. } if kind == "overloaded_error"),
        "{error:?}"
    );
    assert!(is_transient(&error));
}
