//! The replay agent read from a file: recorded answers by unit, ignored extra fields,
//! and a missing recording reported as an error that no retry can fix.

use std::io::Write;

use skilleval::agent::{
    Agent, AgentError, AgentRequest, RecordingError, ReplayAgent, UnitKey, is_transient,
};
use skilleval::suite::Arm;

/// Two recorded answers in the corpus's shape, with fields the replay agent ignores.
const RECORDING: &str = concat!(
    r#"{"id": "lr--normal", "scenario": "lr", "arm": "without-skill", "sample": 0, "skill": null, "#,
    r#""variant": "base", "prompt": "Scale the LR?", "response": "Multiply by 1.5.", "labels": {"x": true}}"#,
    "\n",
    r#"{"id": "lr--skill-1", "scenario": "lr", "arm": "with-skill", "sample": 0, "skill": "v1.0.0", "#,
    r#""variant": "base", "prompt": "Scale the LR?", "response": "Linear rule: 4x.", "passes": true}"#,
    "\n",
);

fn request(scenario: &str, arm: Arm, sample: u32) -> AgentRequest {
    AgentRequest::new(
        UnitKey::base(scenario, arm, sample),
        "system",
        None,
        "Scale the LR?",
    )
}

fn recording_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

#[tokio::test]
async fn replay_from_file_serves_both_arms() {
    let file = recording_file(RECORDING);
    let agent = Agent::Replay(ReplayAgent::from_file(file.path()).unwrap());

    let baseline = agent
        .answer(&request("lr", Arm::WithoutSkill, 0))
        .await
        .unwrap();
    let with_skill = agent
        .answer(&request("lr", Arm::WithSkill, 0))
        .await
        .unwrap();
    assert_eq!(baseline.text, "Multiply by 1.5.");
    assert_eq!(with_skill.text, "Linear rule: 4x.");
    assert_eq!(with_skill.usage, None);
    assert!(
        agent.describe().contains("2 answers"),
        "{}",
        agent.describe()
    );
}

#[tokio::test]
async fn replay_missing_recording_errors() {
    let agent = Agent::Replay(ReplayAgent::from_jsonl_str(RECORDING, "recording.jsonl").unwrap());

    let error = agent
        .answer(&request("lr", Arm::WithSkill, 1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, AgentError::MissingRecording { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "no recording for scenario \"lr\", arm with-skill, sample 1"
    );
    assert!(!is_transient(&error));

    let error = agent
        .answer(&request("memory", Arm::WithoutSkill, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(error, AgentError::MissingRecording { .. }),
        "{error:?}"
    );
}

#[test]
fn replay_samples_available_per_arm() {
    let agent = ReplayAgent::from_jsonl_str(RECORDING, "recording.jsonl").unwrap();
    assert_eq!(agent.samples_available("lr", "base", Arm::WithSkill), 1);
    assert_eq!(agent.samples_available("lr", "base", Arm::WithoutSkill), 1);
    assert_eq!(agent.samples_available("memory", "base", Arm::WithSkill), 0);
}

#[test]
fn replay_bad_line_names_file() {
    let file = recording_file(&format!("{RECORDING}not json\n"));
    let error = ReplayAgent::from_file(file.path()).unwrap_err();
    let expected_start = format!("{}:3:", file.path().display());
    assert!(
        matches!(error, RecordingError::InvalidLine { line: 3, .. }),
        "{error:?}"
    );
    assert!(error.to_string().starts_with(&expected_start), "{error}");
}

#[test]
fn replay_unreadable_file() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("absent.jsonl");
    let error = ReplayAgent::from_file(&path).unwrap_err();
    assert!(matches!(error, RecordingError::Read { .. }), "{error:?}");
    assert!(error.to_string().contains("absent.jsonl"), "{error}");
}
