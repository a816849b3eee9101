//! The journal: an append-only JSON Lines file in the run folder, one line per finished
//! unit, written whole and handed to the operating system before the next event is read.
//! A run killed at any point leaves every finished unit in it, and `--resume` reads it
//! back to call only the units that are missing.
//!
//! Lines are synced to the disk (`fsync`) by the first append at least `SYNC_INTERVAL`
//! after the last sync, and when the run ends. A crash of the process loses no line; a
//! crash of the machine can lose the lines written since the last sync.
//!
//! A later line for the same unit replaces an earlier one, so an errored unit retried
//! on resume ends with its new result.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::cache::Fingerprint;
use super::event::FinishedUnit;
use super::unit::{AnswerSource, UnitOutcome, UnitResult};
use super::RunError;
use crate::agent::{TokenUsage, UnitKey};
use crate::suite::Arm;



/// File name of the journal inside the run folder.
pub const JOURNAL_FILE: &str = "journal.jsonl";

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JournalLine {
    pub scenario: String,
    #[serde(default = "crate::suite::base_variant", skip_serializing_if = "crate::suite::is_base_variant")]
    pub variant: String,
    pub arm: Arm,
    pub sample: u32,
    /// Fingerprint of the request the unit sent.
    pub request: Fingerprint,
    #[serde(flatten)]
    pub outcome: UnitOutcome,
    pub latency_ms: u64,
    pub usage: Option<TokenUsage>,
    pub attempts: u32,
    pub source: AnswerSource,
}

impl JournalLine {
    fn from_finished(unit: &FinishedUnit) -> JournalLine {
        let result = &unit.result;
        JournalLine {
            scenario: result.key.scenario.clone(),
            variant: result.key.variant.clone(),
            arm: result.key.arm,
            sample: result.key.sample,
            request: unit.fingerprint.clone(),
            outcome: result.outcome.clone(),
            latency_ms: result.latency_ms,
            usage: result.usage,
            attempts: unit.attempts,
            source: unit.source,
        }
    }

    /// Returns the unit's key.
    pub fn key(&self) -> UnitKey {
        UnitKey { scenario: self.scenario.clone(), variant: self.variant.clone(), arm: self.arm, sample: self.sample }
    }

    /// Returns the unit result the line records.
    pub fn to_result(&self) -> UnitResult {
        UnitResult { key: self.key(), outcome: self.outcome.clone(), latency_ms: self.latency_ms, usage: self.usage }
    }
}

/// An open journal, appending.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    last_sync: Instant,
    /// Whether lines were written since the last sync.
    unsynced: bool,
}

/// Minimum time between two syncs of the journal while units finish. A sync costs a
/// disk flush, which a run that finishes hundreds of units a second cannot pay per line.
const SYNC_INTERVAL: Duration = Duration::from_secs(1);

impl Journal {
    /// Starts a new, empty journal in `run_folder`, replacing any earlier one.
    pub fn create(run_folder: &Path) -> Result<Journal, RunError> {
        fs::create_dir_all(run_folder).map_err(|source| RunError::file(run_folder, source))?;
        let path = run_folder.join(JOURNAL_FILE);
        let file = File::create(&path).map_err(|source| RunError::file(&path, source))?;
        Ok(Journal::open(path, file))
    }

    /// Opens the journal of a run to resume it: returns the last line recorded for each
    /// unit, and the journal, open for appending. A last line cut short by a kill is
    /// dropped from the file so that the next line starts on a line of its own.
    pub fn resume(run_folder: &Path) -> Result<(Journal, HashMap<UnitKey, JournalLine>), RunError> {
        let (lines, whole_length) = read_journal(run_folder)?;
        let path = run_folder.join(JOURNAL_FILE);
        let file = OpenOptions::new().write(true).open(&path).map_err(|source| RunError::file(&path, source))?;
        file.set_len(whole_length).map_err(|source| RunError::file(&path, source))?;
        let mut journal = Journal::open(path, file);
        journal.seek_to_end()?;
        Ok((journal, lines))
    }

    fn open(path: PathBuf, file: File) -> Journal {
        Journal { path, file, last_sync: Instant::now(), unsynced: false }
    }

    /// Appends one finished unit as a line, and syncs the journal when the last sync is
    /// `SYNC_INTERVAL` old.
    pub fn append(&mut self, unit: &FinishedUnit) -> Result<(), RunError> {
        let mut line = serde_json::to_string(&JournalLine::from_finished(unit)).expect("a journal line always serializes");
        line.push('\n');
        self.file.write_all(line.as_bytes()).map_err(|source| RunError::file(&self.path, source))?;
        self.unsynced = true;
        if self.last_sync.elapsed() >= SYNC_INTERVAL {
            self.sync()?;
        }
        Ok(())
    }

    /// Flushes every line written so far to the disk, unless none is waiting.
    pub fn sync(&mut self) -> Result<(), RunError> {
        if self.unsynced {
            self.file.sync_data().map_err(|source| RunError::file(&self.path, source))?;
            self.unsynced = false;
        }
        self.last_sync = Instant::now();
        Ok(())
    }

    fn seek_to_end(&mut self) -> Result<(), RunError> {
        use std::io::Seek;
        self.file.seek(std::io::SeekFrom::End(0)).map(drop).map_err(|source| RunError::file(&self.path, source))
    }
}

/// Reads the journal of a run without changing it: the last line recorded for each unit,
/// and the length in bytes of the whole lines, which leaves out a line cut short by a kill.
pub fn read_journal(run_folder: &Path) -> Result<(HashMap<UnitKey, JournalLine>, u64), RunError> {
    let path = run_folder.join(JOURNAL_FILE);
    let text = fs::read_to_string(&path).map_err(|source| RunError::file(&path, source))?;
    let whole_lines = &text[..text.rfind('\n').map_or(0, |end| end + 1)];
    Ok((parse_lines(whole_lines, &path)?, whole_lines.len() as u64))
}

/// Parses whole journal lines, keeping the last line of each unit.
fn parse_lines(text: &str, path: &Path) -> Result<HashMap<UnitKey, JournalLine>, RunError> {
    let mut lines = HashMap::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed: JournalLine = serde_json::from_str(line).map_err(|error| RunError::InvalidJournal {
            path: path.to_path_buf(),
            line: index + 1,
            message: error.to_string(),
        })?;
        lines.insert(parsed.key(), parsed);
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finished(sample: u32, outcome: UnitOutcome) -> FinishedUnit {
        let key = UnitKey::base("lr", Arm::WithSkill, sample);
        FinishedUnit {
            result: UnitResult { key, outcome, latency_ms: 7, usage: None },
            fingerprint: Fingerprint::of(&serde_json::json!({}), &crate::agent::AgentRequest::new(
                UnitKey::base("lr", Arm::WithSkill, sample),
                "s",
                None,
                "q",
            )),
            source: AnswerSource::Agent,
            attempts: 1,
        }
    }

    fn answered(text: &str) -> UnitOutcome {
        UnitOutcome::Answered { response: text.to_string() }
    }

    #[test]
    fn append_then_resume() {
        let folder = tempfile::tempdir().unwrap();
        let mut journal = Journal::create(folder.path()).unwrap();
        journal.append(&finished(0, answered("a"))).unwrap();
        journal.append(&finished(1, UnitOutcome::Errored { error: "HTTP 503".to_string() })).unwrap();
        drop(journal);

        let (_, lines) = Journal::resume(folder.path()).unwrap();
        assert_eq!(lines.len(), 2);
        let first = &lines[&finished(0, answered("a")).result.key];
        assert_eq!(first.outcome, answered("a"));
        assert_eq!(first.attempts, 1);
    }

    #[test]
    fn append_syncs_once_interval_passed() {
        let folder = tempfile::tempdir().unwrap();
        let mut journal = Journal::create(folder.path()).unwrap();
        journal.append(&finished(0, answered("a"))).unwrap();
        assert!(journal.unsynced, "a line within the interval waits for the next sync");

        journal.last_sync -= SYNC_INTERVAL;
        journal.append(&finished(1, answered("b"))).unwrap();
        assert!(!journal.unsynced, "a line after the interval syncs both");

        journal.append(&finished(2, answered("c"))).unwrap();
        journal.sync().unwrap();
        assert!(!journal.unsynced, "an explicit sync flushes the waiting line");
    }

    #[test]
    fn later_line_replaces_earlier() {
        let folder = tempfile::tempdir().unwrap();
        let mut journal = Journal::create(folder.path()).unwrap();
        journal.append(&finished(0, UnitOutcome::Errored { error: "timeout".to_string() })).unwrap();
        journal.append(&finished(0, answered("late"))).unwrap();
        drop(journal);

        let (_, lines) = Journal::resume(folder.path()).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines.values().next().unwrap().outcome, answered("late"));
    }

    #[test]
    fn resume_drops_cut_last_line() {
        let folder = tempfile::tempdir().unwrap();
        let mut journal = Journal::create(folder.path()).unwrap();
        journal.append(&finished(0, answered("a"))).unwrap();
        drop(journal);
        let path = folder.path().join(JOURNAL_FILE);
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"scenario\":\"lr\",\"arm\":\"with-").unwrap();
        drop(file);

        let (mut journal, lines) = Journal::resume(folder.path()).unwrap();
        assert_eq!(lines.len(), 1);
        journal.append(&finished(1, answered("b"))).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.lines().all(|line| serde_json::from_str::<JournalLine>(line).is_ok()), "{text}");
    }

    #[test]
    fn resume_rejects_invalid_line() {
        let folder = tempfile::tempdir().unwrap();
        fs::write(folder.path().join(JOURNAL_FILE), "not json\n").unwrap();
        let error = Journal::resume(folder.path()).unwrap_err();
        assert!(error.to_string().contains(":1:"), "{error}");
    }

    #[test]
    fn resume_without_journal_names_the_file() {
        let folder = tempfile::tempdir().unwrap();
        let error = Journal::resume(folder.path()).unwrap_err();
        assert!(error.to_string().contains(JOURNAL_FILE), "{error}");
    }
}
