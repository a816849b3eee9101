//! The replay agent: serves recorded answers, so a suite can run offline and a test can
//! pin what an agent returned.
//!
//! A recording is JSON Lines, one answer per line:
//! `{"scenario": "...", "arm": "with-skill", "sample": 0, "response": "..."}`.
//! Other fields (such as `id`) are ignored and blank lines are skipped. A unit without a
//! recording is an error, never an empty answer.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::{AgentAnswer, AgentError, AgentRequest, UnitKey};
use crate::suite::Arm;


/// One line of a recording file, as read.
#[derive(Debug, Deserialize)]
struct RecordedLine {
    scenario: String,
    #[serde(default = "crate::suite::base_variant")]
    variant: String,
    arm: Arm,
    sample: u32,
    response: String,
}

/// A recorded answer and the line it came from, for duplicate messages.
#[derive(Debug, Clone)]
struct Recorded {
    response: String,
    line: usize,
}

/// A recording file that could not be read, parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    #[error("cannot read recording {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },

    #[error("cannot write recording {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },

    #[error("recording {path} already has scenario \"{scenario}\"{variant_note}, arm {arm}, sample {sample}")]
    AlreadyRecorded {
        path: String,
        scenario: String,
        variant_note: String,
        arm: &'static str,
        sample: u32,
    },

    #[error("{source_name}:{line}:{column}: invalid recording: {message}")]
    InvalidLine {
        source_name: String,
        line: usize,
        column: usize,
        message: String,
    },

    #[error(
        "{source_name}:{line}: second recording for scenario \"{scenario}\"{variant_note}, arm {arm}, sample {sample} (first on line {first_line})"
    )]
    Duplicate {
        source_name: String,
        line: usize,
        first_line: usize,
        scenario: String,
        variant_note: String,
        arm: &'static str,
        sample: u32,
    },
}

/// Serves recorded answers keyed by scenario, arm and sample.
#[derive(Debug, Clone)]
pub struct ReplayAgent {
    source_name: String,
    answers: HashMap<UnitKey, Recorded>,
}

impl ReplayAgent {
    /// Parses a recording; `source_name` names it in error messages.
    pub fn from_jsonl_str(text: &str, source_name: &str) -> Result<ReplayAgent, RecordingError> {
        let mut answers: HashMap<UnitKey, Recorded> = HashMap::new();
        for (index, line_text) in text.lines().enumerate() {
            let line = index + 1;
            if line_text.trim().is_empty() {
                continue;
            }
            let recorded = parse_line(line_text, source_name, line)?;
            let key = UnitKey { scenario: recorded.scenario, variant: recorded.variant, arm: recorded.arm, sample: recorded.sample };
            if let Some(first) = answers.get(&key) {
                return Err(duplicate(source_name, line, first.line, key));
            }
            answers.insert(
                key,
                Recorded {
                    response: recorded.response,
                    line,
                },
            );
        }
        Ok(ReplayAgent {
            source_name: source_name.to_string(),
            answers,
        })
    }

    /// Reads and parses a recording file.
    pub fn from_file(path: &Path) -> Result<ReplayAgent, RecordingError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RecordingError::Read {
            path: shown.clone(),
            source,
        })?;
        ReplayAgent::from_jsonl_str(&text, &shown)
    }

    /// Returns the recorded answer for the request's unit; the prompt is not compared.
    pub fn answer(&self, request: &AgentRequest) -> Result<AgentAnswer, AgentError> {
        match self.answers.get(&request.key) {
            Some(recorded) => Ok(AgentAnswer {
                text: recorded.response.clone(),
                usage: None,
            }),
            None => Err(AgentError::MissingRecording {
                scenario: request.key.scenario.clone(),
                variant_note: request.key.variant_note(),
                arm: request.key.arm.as_str(),
                sample: request.key.sample,
            }),
        }
    }

    /// Counts the samples recorded for a scenario, variant and arm without a gap, from
    /// sample 0 up: with samples 0, 1 and 3 recorded, a run can ask for 2.
    pub fn samples_available(&self, scenario: &str, variant: &str, arm: Arm) -> u32 {
        let mut key = UnitKey { scenario: scenario.to_string(), variant: variant.to_string(), arm, sample: 0 };
        while self.answers.contains_key(&key) {
            key.sample += 1;
        }
        key.sample
    }

    /// Returns the recorded units, in no particular order.
    pub fn keys(&self) -> impl Iterator<Item = &UnitKey> {
        self.answers.keys()
    }

    /// Returns the number of recorded answers.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Returns whether the recording has no answers.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// Describes the agent for logs and reports: the recording and its size.
    pub fn describe(&self) -> String {
        format!(
            "replay of {} ({} answers)",
            self.source_name,
            self.answers.len()
        )
    }
}

/// Parses one line, pointing errors at its line and column.
fn parse_line(text: &str, source_name: &str, line: usize) -> Result<RecordedLine, RecordingError> {
    serde_json::from_str(text).map_err(|error| {
        // serde_json appends " at line L column C"; the line is always 1 here.
        let message = error.to_string();
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        let message = message
            .strip_suffix(&suffix)
            .unwrap_or(&message)
            .to_string();
        RecordingError::InvalidLine {
            source_name: source_name.to_string(),
            line,
            column: error.column(),
            message,
        }
    })
}

fn duplicate(source_name: &str, line: usize, first_line: usize, key: UnitKey) -> RecordingError {
    RecordingError::Duplicate {
        source_name: source_name.to_string(),
        line,
        first_line,
        variant_note: key.variant_note(),
        scenario: key.scenario,
        arm: key.arm.as_str(),
        sample: key.sample,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::Prompt;

    const TWO_ANSWERS: &str = concat!(
        r#"{"id": "a--1", "scenario": "a", "arm": "with-skill", "sample": 0, "response": "yes"}"#,
        "\n\n",
        r#"{"scenario": "a", "arm": "without-skill", "sample": 0, "response": "no"}"#,
        "\n",
    );

    fn request(scenario: &str, arm: Arm, sample: u32) -> AgentRequest {
        let key = UnitKey::base(&scenario, arm, sample);
        AgentRequest {
            key,
            prompt: Prompt {
                system: String::new(),
                user: String::new(),
            },
            skill: None,
        }
    }

    #[test]
    fn replay_serves_each_arm() {
        let agent = ReplayAgent::from_jsonl_str(TWO_ANSWERS, "answers.jsonl").unwrap();
        assert_eq!(agent.len(), 2);
        assert_eq!(
            agent.answer(&request("a", Arm::WithSkill, 0)).unwrap().text,
            "yes"
        );
        assert_eq!(
            agent
                .answer(&request("a", Arm::WithoutSkill, 0))
                .unwrap()
                .text,
            "no"
        );
    }

    #[test]
    fn replay_missing_sample_is_error() {
        let agent = ReplayAgent::from_jsonl_str(TWO_ANSWERS, "answers.jsonl").unwrap();
        let error = agent.answer(&request("a", Arm::WithSkill, 1)).unwrap_err();
        assert!(matches!(
            error,
            AgentError::MissingRecording { sample: 1, .. }
        ));
    }

    #[test]
    fn invalid_line_names_file_and_line() {
        let text = format!("{TWO_ANSWERS}{{\"scenario\": \"b\", \"arm\": \"with-skill\"}}\n");
        let error = ReplayAgent::from_jsonl_str(&text, "answers.jsonl").unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("answers.jsonl:4:"), "{message}");
        assert!(message.contains("missing field"), "{message}");
    }

    #[test]
    fn unknown_arm_is_rejected() {
        let text = r#"{"scenario": "a", "arm": "both", "sample": 0, "response": ""}"#;
        let error = ReplayAgent::from_jsonl_str(text, "r.jsonl").unwrap_err();
        assert!(error.to_string().contains("unknown variant"), "{error}");
    }

    #[test]
    fn duplicate_key_is_rejected() {
        let text = format!(
            "{TWO_ANSWERS}{}\n",
            r#"{"scenario": "a", "arm": "with-skill", "sample": 0, "response": "again"}"#
        );
        let error = ReplayAgent::from_jsonl_str(&text, "answers.jsonl").unwrap_err();
        assert_eq!(
            error.to_string(),
            "answers.jsonl:4: second recording for scenario \"a\", arm with-skill, sample 0 (first on line 1)"
        );
    }

    #[test]
    fn samples_available_stops_at_gap() {
        let lines: String = [0, 1, 3]
            .iter()
            .map(|sample| format!("{{\"scenario\": \"a\", \"arm\": \"with-skill\", \"sample\": {sample}, \"response\": \"\"}}\n"))
            .collect();
        let agent = ReplayAgent::from_jsonl_str(&lines, "r.jsonl").unwrap();
        assert_eq!(agent.samples_available("a", "base", Arm::WithSkill), 2);
        assert_eq!(agent.samples_available("a", "base", Arm::WithoutSkill), 0);
        assert_eq!(agent.samples_available("b", "base", Arm::WithSkill), 0);
    }
}
