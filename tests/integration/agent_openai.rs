//! The OpenAI-compatible agent against a mock server on 127.0.0.1: the request it
//! sends in each arm, the answers it parses, and one error per failure kind.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use skilleval::agent::{
    Agent, AgentError, AgentRequest, ApiKey, OpenAiAgent, OpenAiConfig, TokenUsage, UnitKey,
    is_transient,
};
use skilleval::suite::{Arm, Skill};

use crate::support::mock_http::{MockServer, Reply, closed_port_url};

const KEY: &str = "sk-test-4f9a1c-never-shown";
const SYSTEM_PROMPT: &str = "You are a helpful assistant.";
const QUERY: &str = "I have 24GB GPU memory. What batch size should I use?";
const SKILL_TEXT: &str = "# Batch size\n\nMaximum is not optimal.\n";

fn skill() -> Skill {
    Skill {
        path: PathBuf::from("SKILL.md"),
        text: SKILL_TEXT.to_string(),
    }
}

fn request(arm: Arm) -> AgentRequest {
    let skill = skill();
    let key = UnitKey::base("max-batch", arm, 0);
    AgentRequest::new(key, SYSTEM_PROMPT, Some(&Arc::new(skill)), QUERY)
}

fn completion(text: &str) -> serde_json::Value {
    json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "test-model",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": text},
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 41, "completion_tokens": 7, "total_tokens": 48}
    })
}

fn agent(server: &MockServer, key: Option<&str>) -> OpenAiAgent {
    let config = OpenAiConfig {
        base_url: server.url("/v1"),
        timeout: Duration::from_secs(5),
        ..OpenAiConfig::new("test-model")
    };
    OpenAiAgent::with_api_key(config, key.map(ApiKey::new)).unwrap()
}

/// Runs one request against a server that sends `reply`, and returns the error.
async fn error_for(reply: Reply) -> AgentError {
    let server = MockServer::start(vec![reply]).await;
    agent(&server, Some(KEY))
        .answer(&request(Arm::WithSkill))
        .await
        .unwrap_err()
}

fn assert_key_hidden(error: &AgentError) {
    assert!(!error.to_string().contains(KEY), "key in Display: {error}");
    assert!(
        !format!("{error:?}").contains(KEY),
        "key in Debug: {error:?}"
    );
}

#[tokio::test]
async fn openai_with_skill_request_shape() {
    let server = MockServer::start(vec![Reply::json(200, completion("Use 32."))]).await;
    let answer = agent(&server, Some(KEY))
        .answer(&request(Arm::WithSkill))
        .await
        .unwrap();

    let sent = server.single_request();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/v1/chat/completions");
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(sent.header("content-type"), Some("application/json"));
    let body = sent.json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(
        body["messages"][0]["content"],
        format!("{SYSTEM_PROMPT}\n\n{SKILL_TEXT}")
    );
    assert_eq!(body["messages"][1]["role"], "user");
    assert_eq!(body["messages"][1]["content"], QUERY);
    assert_eq!(body["messages"].as_array().unwrap().len(), 2);
    assert!(
        body.get("temperature").is_none(),
        "unset temperature is left out"
    );
    assert!(
        body.get("max_tokens").is_none(),
        "unset max_tokens is left out"
    );

    assert_eq!(answer.text, "Use 32.");
    assert_eq!(
        answer.usage,
        Some(TokenUsage {
            input_tokens: 41,
            output_tokens: 7
        })
    );
}

#[tokio::test]
async fn openai_baseline_has_no_skill() {
    let server = MockServer::start(vec![Reply::json(200, completion("Use the max."))]).await;
    agent(&server, Some(KEY))
        .answer(&request(Arm::WithoutSkill))
        .await
        .unwrap();

    let body = server.single_request().json();
    assert_eq!(body["messages"][0]["content"], SYSTEM_PROMPT);
    assert!(!body.to_string().contains("Maximum is not optimal"));
    assert_eq!(body["messages"][1]["content"], QUERY);
}

#[tokio::test]
async fn openai_sends_set_options() {
    let server = MockServer::start(vec![Reply::json(200, completion("ok"))]).await;
    let config = OpenAiConfig {
        base_url: server.url("/v1/"),
        temperature: Some(0.2),
        max_tokens: Some(256),
        ..OpenAiConfig::new("test-model")
    };
    let agent = OpenAiAgent::with_api_key(config, None).unwrap();
    agent.answer(&request(Arm::WithSkill)).await.unwrap();

    let sent = server.single_request();
    assert_eq!(
        sent.path, "/v1/chat/completions",
        "a trailing slash on the base URL is ignored"
    );
    assert_eq!(
        sent.header("authorization"),
        None,
        "no key, no Authorization header"
    );
    let body = sent.json();
    assert_eq!(body["temperature"], 0.2);
    assert_eq!(body["max_tokens"], 256);
}

#[tokio::test]
async fn openai_body_in_pieces() {
    let body = completion("Use 32.").to_string();
    let (start, rest) = body.split_at(body.len() / 2);
    let server =
        MockServer::start(vec![Reply::in_pieces("application/json", &[start, rest])]).await;
    let answer = agent(&server, None)
        .answer(&request(Arm::WithSkill))
        .await
        .unwrap();
    assert_eq!(answer.text, "Use 32.");
}

#[tokio::test]
async fn openai_through_agent_enum() {
    let server = MockServer::start(vec![Reply::json(200, completion("Use 32."))]).await;
    let agent = Agent::OpenAi(agent(&server, Some(KEY)));
    let answer = agent.answer(&request(Arm::WithSkill)).await.unwrap();
    assert_eq!(answer.text, "Use 32.");

    let description = agent.describe();
    assert!(description.contains("test-model"), "{description}");
    assert!(!description.contains(KEY), "{description}");
    assert!(
        !format!("{agent:?}").contains(KEY),
        "key in the agent's Debug output"
    );
}

#[tokio::test]
async fn openai_server_error_is_transient() {
    let error = error_for(Reply::text(500, "upstream crashed")).await;
    assert!(
        matches!(error, AgentError::Status { status: 500, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("upstream crashed"), "{error}");
    assert!(is_transient(&error));
    assert_key_hidden(&error);
}

#[tokio::test]
async fn openai_unauthorized_is_permanent() {
    // OpenAI's 401 body quotes the key it was given; the agent must not pass it on.
    let body = json!({"error": {
        "message": format!("Incorrect API key provided: {KEY}."),
        "type": "invalid_request_error",
        "param": null,
        "code": "invalid_api_key"
    }});
    let error = error_for(Reply::json(401, body)).await;
    match &error {
        AgentError::Status {
            status,
            error_type,
            message,
            ..
        } => {
            assert_eq!(*status, 401);
            assert_eq!(error_type.as_deref(), Some("invalid_request_error"));
            assert_eq!(message, "Incorrect API key provided: [redacted].");
        }
        other => panic!("expected a status error, got {other:?}"),
    }
    assert!(!is_transient(&error));
    assert_key_hidden(&error);
}

#[tokio::test]
async fn openai_rate_limit_retry_after() {
    let body = json!({"error": {"message": "Rate limit reached", "type": "requests", "code": "rate_limit_exceeded"}});
    let error = error_for(Reply::json(429, body).with_header("retry-after", "3")).await;
    assert!(
        matches!(error, AgentError::Status { status: 429, .. }),
        "{error:?}"
    );
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3)));
    assert!(is_transient(&error));
}

#[tokio::test]
async fn openai_malformed_json() {
    let reply = Reply::Full {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: "{\"choices\": [".into(),
    };
    let error = error_for(reply).await;
    assert!(
        matches!(error, AgentError::MalformedResponse { .. }),
        "{error:?}"
    );
    assert!(!is_transient(&error));
    assert_key_hidden(&error);
}

#[tokio::test]
async fn openai_wrong_json_shape() {
    let error = error_for(Reply::json(200, json!({"choices": "none"}))).await;
    assert!(
        matches!(error, AgentError::MalformedResponse { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn openai_empty_choices() {
    let error = error_for(Reply::json(200, json!({"choices": [], "usage": null}))).await;
    assert!(
        matches!(error, AgentError::EmptyChoices { .. }),
        "{error:?}"
    );
    assert!(!is_transient(&error));
}

#[tokio::test]
async fn openai_timeout() {
    let slow = Reply::Delayed(
        Duration::from_secs(3),
        Box::new(Reply::json(200, completion("late"))),
    );
    let server = MockServer::start(vec![slow]).await;
    let config = OpenAiConfig {
        base_url: server.url("/v1"),
        timeout: Duration::from_millis(300),
        ..OpenAiConfig::new("test-model")
    };
    let agent = OpenAiAgent::with_api_key(config, Some(ApiKey::new(KEY))).unwrap();
    let error = agent.answer(&request(Arm::WithSkill)).await.unwrap_err();
    assert!(matches!(error, AgentError::Timeout { .. }), "{error:?}");
    assert!(is_transient(&error));
    assert_key_hidden(&error);
}

#[tokio::test]
async fn openai_connection_refused() {
    let config = OpenAiConfig {
        base_url: closed_port_url().await,
        timeout: Duration::from_secs(5),
        ..OpenAiConfig::new("test-model")
    };
    let agent = OpenAiAgent::with_api_key(config, Some(ApiKey::new(KEY))).unwrap();
    let error = agent.answer(&request(Arm::WithSkill)).await.unwrap_err();
    assert!(matches!(error, AgentError::Connection { .. }), "{error:?}");
    assert!(is_transient(&error));
    assert_key_hidden(&error);
}
