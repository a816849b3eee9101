//! The Anthropic Messages API agent against a mock server on 127.0.0.1: headers, the
//! top-level system prompt in each arm, and the overload and rate-limit errors.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use skilleval::agent::{
    ANTHROPIC_VERSION, Agent, AgentError, AgentRequest, AnthropicAgent, AnthropicConfig, ApiKey,
    TokenUsage, UnitKey, is_transient,
};
use skilleval::suite::{Arm, Skill};

use crate::support::mock_http::{MockServer, Reply};

const KEY: &str = "sk-ant-test-77c1-never-shown";
const SYSTEM_PROMPT: &str = "You are a helpful assistant.";
const QUERY: &str = "Should I use the largest batch that fits?";
const SKILL_TEXT: &str = "# Batch size\n\nMaximum is not optimal.\n";

fn request(arm: Arm) -> AgentRequest {
    let skill = Skill {
        path: PathBuf::from("SKILL.md"),
        text: SKILL_TEXT.to_string(),
    };
    let key = UnitKey::base("max-batch", arm, 0);
    AgentRequest::new(key, SYSTEM_PROMPT, Some(&Arc::new(skill)), QUERY)
}

fn message(text: &str) -> serde_json::Value {
    json!({
        "id": "msg_01",
        "type": "message",
        "role": "assistant",
        "model": "claude-test",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": null,
        "usage": {"input_tokens": 30, "output_tokens": 5}
    })
}

fn error_body(error_type: &str, message: &str) -> serde_json::Value {
    json!({"type": "error", "error": {"type": error_type, "message": message}, "request_id": "req_1"})
}

fn agent(server: &MockServer) -> AnthropicAgent {
    let config = AnthropicConfig {
        base_url: server.url(""),
        timeout: Duration::from_secs(5),
        ..AnthropicConfig::new("claude-test")
    };
    AnthropicAgent::with_api_key(config, Some(ApiKey::new(KEY))).unwrap()
}

async fn error_for(reply: Reply) -> AgentError {
    let server = MockServer::start(vec![reply]).await;
    agent(&server)
        .answer(&request(Arm::WithSkill))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn anthropic_with_skill_request_shape() {
    let server = MockServer::start(vec![Reply::json(200, message("No: use 32."))]).await;
    let answer = agent(&server)
        .answer(&request(Arm::WithSkill))
        .await
        .unwrap();

    let sent = server.single_request();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/v1/messages");
    assert_eq!(sent.header("x-api-key"), Some(KEY));
    assert_eq!(sent.header("anthropic-version"), Some(ANTHROPIC_VERSION));
    assert_eq!(sent.header("authorization"), None);
    let body = sent.json();
    assert_eq!(body["model"], "claude-test");
    assert_eq!(body["system"], format!("{SYSTEM_PROMPT}\n\n{SKILL_TEXT}"));
    assert_eq!(
        body["messages"],
        json!([{"role": "user", "content": QUERY}])
    );
    assert!(
        body["max_tokens"].as_u64().is_some_and(|tokens| tokens > 0),
        "max_tokens is required"
    );

    assert_eq!(answer.text, "No: use 32.");
    assert_eq!(
        answer.usage,
        Some(TokenUsage {
            input_tokens: 30,
            output_tokens: 5
        })
    );
}

#[tokio::test]
async fn anthropic_baseline_has_no_skill() {
    let server = MockServer::start(vec![Reply::json(200, message("Yes."))]).await;
    agent(&server)
        .answer(&request(Arm::WithoutSkill))
        .await
        .unwrap();

    let body = server.single_request().json();
    assert_eq!(body["system"], SYSTEM_PROMPT);
    assert!(!body.to_string().contains("Maximum is not optimal"));
}

#[tokio::test]
async fn anthropic_overloaded_is_transient() {
    let error = error_for(Reply::json(
        529,
        error_body("overloaded_error", "Overloaded"),
    ))
    .await;
    match &error {
        AgentError::Status {
            status, error_type, ..
        } => {
            assert_eq!(*status, 529);
            assert_eq!(error_type.as_deref(), Some("overloaded_error"));
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    assert!(is_transient(&error));
}

#[tokio::test]
async fn anthropic_rate_limit_retry_after() {
    let reply = Reply::json(
        429,
        error_body(
            "rate_limit_error",
            "Number of requests has exceeded your rate limit",
        ),
    );
    let error = error_for(reply.with_header("retry-after", "12")).await;
    assert!(
        matches!(&error, AgentError::Status { status: 429, error_type: Some(kind), .. } if kind == "rate_limit_error")
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(12)));
    assert!(is_transient(&error));
}

#[tokio::test]
async fn anthropic_auth_error_hides_key() {
    let reply = Reply::json(
        401,
        error_body("authentication_error", &format!("invalid x-api-key {KEY}")),
    );
    let error = error_for(reply).await;
    assert!(
        matches!(error, AgentError::Status { status: 401, .. }),
        "{error:?}"
    );
    assert!(!is_transient(&error));
    assert!(!error.to_string().contains(KEY), "{error}");
    assert!(
        error.to_string().contains("authentication_error"),
        "{error}"
    );
}

#[tokio::test]
async fn anthropic_through_agent_enum() {
    let server = MockServer::start(vec![Reply::json(200, message("ok"))]).await;
    let agent = Agent::Anthropic(agent(&server));
    assert_eq!(
        agent.answer(&request(Arm::WithSkill)).await.unwrap().text,
        "ok"
    );
    let description = agent.describe();
    assert!(
        description.starts_with("anthropic model claude-test at http://127.0.0.1:"),
        "{description}"
    );
    assert!(!format!("{agent:?}").contains(KEY));
}
