//! The recorder: appends answers to a JSON Lines file in the replay format, so a live
//! run can be replayed offline with the replay agent.
//!
//! Each line is written whole while a lock is held, so lines from parallel units never
//! interleave. Lines are not fsynced, so they survive a crash of
//! the process but not necessarily of the machine.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

use super::replay::{RecordingError, ReplayAgent};
use super::{AgentAnswer, TokenUsage, UnitKey};
use crate::suite::Arm;

/// One line as written. `usage` is informational: the replay agent ignores it.
#[derive(Debug, Serialize)]
struct RecordLine<'a> {
    scenario: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    variant: &'a str,
    arm: Arm,
    sample: u32,
    response: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<TokenUsage>,
}

/// Appends answers to a recording file.
#[derive(Debug)]
pub struct Recorder {
    path: String,
    state: Mutex<RecorderState>,
}

#[derive(Debug)]
struct RecorderState {
    file: File,
    recorded: HashSet<UnitKey>,
}

impl Recorder {
    /// Opens a recording for appending, creating it if needed. Units already in the file
    /// are loaded, so a resumed run cannot record one twice. A file that the replay agent
    /// would reject is rejected here too.
    pub fn open(path: &Path) -> Result<Recorder, RecordingError> {
        let display_path = path.display().to_string();
        let recorded = if path.exists() {
            ReplayAgent::from_file(path)?.keys().cloned().collect()
        } else {
            HashSet::new()
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| RecordingError::Write {
                path: display_path.clone(),
                source,
            })?;
        Ok(Recorder {
            path: display_path,
            state: Mutex::new(RecorderState { file, recorded }),
        })
    }

    /// Appends one answer as a line. Blocks only for one small write, so it may be called
    /// from async tasks.
    pub fn record(&self, key: &UnitKey, answer: &AgentAnswer) -> Result<(), RecordingError> {
        let record = RecordLine {
            scenario: &key.scenario,
            variant: if key.is_base() { "" } else { &key.variant },
            arm: key.arm,
            sample: key.sample,
            response: &answer.text,
            usage: answer.usage,
        };
        let mut line = serde_json::to_string(&record).expect("a record line always serializes");
        line.push('\n');

        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.recorded.contains(key) {
            return Err(self.already_recorded(key));
        }
        state
            .file
            .write_all(line.as_bytes())
            .and_then(|()| state.file.flush())
            .map_err(|source| RecordingError::Write {
                path: self.path.clone(),
                source,
            })?;
        state.recorded.insert(key.clone());
        Ok(())
    }

    /// Returns whether the recording already has an answer for the unit.
    pub fn contains(&self, key: &UnitKey) -> bool {
        let state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.recorded.contains(key)
    }

    fn already_recorded(&self, key: &UnitKey) -> RecordingError {
        RecordingError::AlreadyRecorded {
            path: self.path.clone(),
            scenario: key.scenario.clone(),
            variant_note: key.variant_note(),
            arm: key.arm.as_str(),
            sample: key.sample,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(sample: u32) -> UnitKey {
        UnitKey::base("lr", Arm::WithSkill, sample)
    }

    fn answer(text: &str) -> AgentAnswer {
        AgentAnswer {
            text: text.to_string(),
            usage: Some(TokenUsage {
                input_tokens: 3,
                output_tokens: 4,
            }),
        }
    }

    #[test]
    fn recorded_answers_replay() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run.jsonl");
        let recorder = Recorder::open(&path).unwrap();
        recorder.record(&key(0), &answer("first\nline")).unwrap();
        recorder.record(&key(1), &answer("second")).unwrap();

        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.starts_with(
            r#"{"scenario":"lr","arm":"with-skill","sample":0,"response":"first\nline","usage":{"input_tokens":3,"output_tokens":4}}"#
        ));
        let replay = ReplayAgent::from_file(&path).unwrap();
        assert_eq!(replay.samples_available("lr", "base", Arm::WithSkill), 2);
    }

    #[test]
    fn reopen_rejects_recorded_unit() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run.jsonl");
        Recorder::open(&path)
            .unwrap()
            .record(&key(0), &answer("a"))
            .unwrap();

        let recorder = Recorder::open(&path).unwrap();
        assert!(recorder.contains(&key(0)));
        let error = recorder.record(&key(0), &answer("again")).unwrap_err();
        assert!(
            matches!(error, RecordingError::AlreadyRecorded { sample: 0, .. }),
            "{error:?}"
        );
        recorder.record(&key(1), &answer("b")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
    }

    #[test]
    fn parallel_records_stay_whole() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run.jsonl");
        let recorder = Recorder::open(&path).unwrap();
        let long_text = "x".repeat(10_000);
        std::thread::scope(|scope| {
            for thread in 0..8u32 {
                let (recorder, long_text) = (&recorder, &long_text);
                scope.spawn(move || {
                    for index in 0..25 {
                        recorder
                            .record(&key(thread * 100 + index), &answer(long_text))
                            .unwrap();
                    }
                });
            }
        });
        let replay = ReplayAgent::from_file(&path).unwrap();
        assert_eq!(replay.len(), 200);
    }

    #[test]
    fn open_rejects_invalid_recording() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("run.jsonl");
        std::fs::write(
            &path,
            "{\"scenario\": \"lr\", \"arm\": \"with-skill\", \"sample\": 0, \"respo",
        )
        .unwrap();
        let error = Recorder::open(&path).unwrap_err();
        assert!(
            matches!(error, RecordingError::InvalidLine { line: 1, .. }),
            "{error:?}"
        );
    }
}
