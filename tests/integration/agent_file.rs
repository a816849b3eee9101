//! Agents files loaded from disk and turned into agents with `Agent::from_spec`: one
//! entry of each kind, relative recording paths, and setup errors raised before any
//! request is sent.

use serde_json::json;
use skilleval::agent::{Agent, AgentKind, AgentRequest, SetupError, UnitKey, load_agents_file};
use skilleval::suite::Arm;
use tempfile::TempDir;

use crate::support::mock_http::{MockServer, Reply};

/// A variable name that no environment sets, so no real key is ever read.
const UNSET_VARIABLE: &str = "SKILLEVAL_TEST_NEVER_SET_KEY";

fn write_agents_file(folder: &TempDir, text: &str) -> std::path::PathBuf {
    let path = folder.path().join("agents.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn request(arm: Arm) -> AgentRequest {
    AgentRequest::new(
        UnitKey::base("lr", arm, 0),
        "System.",
        None,
        "Scale the LR?",
    )
}

#[tokio::test]
async fn agents_file_builds_each_kind() {
    let server = MockServer::start(vec![Reply::json(
        200,
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": "4x"}, "finish_reason": "stop"}]}),
    )])
    .await;
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("fixtures")).unwrap();
    std::fs::write(
        folder.path().join("fixtures/answers.jsonl"),
        r#"{"scenario": "lr", "arm": "with-skill", "sample": 0, "response": "Linear rule."}"#,
    )
    .unwrap();
    let text = format!(
        "agents:
  - id: local
    kind: openai
    model: test-model
    base_url: {base_url}
    api_key_env: {UNSET_VARIABLE}
    timeout_secs: 5
  - id: echo
    kind: subprocess
    command: [cat]
  - id: recorded
    kind: replay
    recording: fixtures/answers.jsonl
",
        base_url = server.url("/v1")
    );
    let specs = load_agents_file(&write_agents_file(&folder, &text)).unwrap();
    let kinds: Vec<AgentKind> = specs.iter().map(|spec| spec.kind()).collect();
    assert_eq!(
        kinds,
        [AgentKind::OpenAi, AgentKind::Subprocess, AgentKind::Replay]
    );

    let local = Agent::from_spec(&specs[0]).unwrap();
    assert_eq!(
        local
            .answer(&request(Arm::WithoutSkill))
            .await
            .unwrap()
            .text,
        "4x"
    );
    assert_eq!(
        server.single_request().header("authorization"),
        None,
        "no key is set, so none is sent"
    );

    let echo = Agent::from_spec(&specs[1]).unwrap();
    assert_eq!(
        echo.answer(&request(Arm::WithoutSkill)).await.unwrap().text,
        "System.\n\nScale the LR?"
    );

    let recorded = Agent::from_spec(&specs[2]).unwrap();
    assert_eq!(
        recorded
            .answer(&request(Arm::WithSkill))
            .await
            .unwrap()
            .text,
        "Linear rule."
    );
}

#[test]
fn default_openai_needs_key() {
    let folder = tempfile::tempdir().unwrap();
    let text = format!(
        "agents:\n  - {{id: gpt, kind: openai, model: gpt-test, api_key_env: {UNSET_VARIABLE}}}\n"
    );
    let specs = load_agents_file(&write_agents_file(&folder, &text)).unwrap();

    let error = Agent::from_spec(&specs[0]).unwrap_err();
    assert!(
        matches!(error, SetupError::MissingApiKey { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains(UNSET_VARIABLE), "{error}");
}

#[test]
fn missing_recording_fails_setup() {
    let folder = tempfile::tempdir().unwrap();
    let path = write_agents_file(
        &folder,
        "agents:\n  - {id: r, kind: replay, recording: absent.jsonl}\n",
    );
    let specs = load_agents_file(&path).unwrap();

    let error = Agent::from_spec(&specs[0]).unwrap_err();
    assert!(matches!(error, SetupError::Recording(_)), "{error:?}");
    assert!(error.to_string().contains("absent.jsonl"), "{error}");
}

#[test]
fn unreadable_agents_file() {
    let folder = tempfile::tempdir().unwrap();
    let error = load_agents_file(&folder.path().join("agents.yaml")).unwrap_err();
    assert_eq!(error.line, 0);
    assert!(error.to_string().contains("cannot read file"), "{error}");
}

#[test]
fn agents_file_error_has_location() {
    let folder = tempfile::tempdir().unwrap();
    let path = write_agents_file(
        &folder,
        "agents:\n  - id: a\n    kind: openai\n    model: m\n    timeout_secs: 0\n",
    );
    let error = load_agents_file(&path).unwrap_err();
    assert_eq!((error.line, error.column), (5, 19));
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}:5:19: ", path.display())),
        "{error}"
    );
}
