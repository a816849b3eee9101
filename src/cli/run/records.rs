//! What `skilleval run` does with each [`RunEvent`]. [`RunRecords`] shows progress and
//! keeps every finished unit at once in the journal, the response cache and the
//! recording; [`ReportBook`], on a thread of its own, scores each answer and rewrites
//! the reports at most once a second. Scoring and writing reports therefore never
//! delay the journal, and an interrupted run still leaves a readable report of what
//! finished. Nothing here waits on the network.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use super::CliError;
use crate::agent::{AgentAnswer, Recorder, UnitKey};
use crate::report::{ReportInputs, RunReport, write_reports};
use crate::run::{
    AnswerSource, CachedAnswer, FinishedUnit, Journal, Progress, ResponseCache, RunEvent, UnitOutcome, UnitResult,
};
use crate::score::{ScoredUnit, Scorer};
use crate::suite::{Arm, Phase, Skill, Suite};

/// Minimum time between two report rewrites while units finish; the last rewrite happens
/// when the run ends, whatever the time.
const REPORT_INTERVAL: Duration = Duration::from_secs(1);

/// Rewrites wait at least this many times as long as the last rewrite took, so that on
/// a large run rewriting takes at most a tenth of a core away from the calls.
const REPORT_COST_FACTOR: u32 = 10;

/// The consumers of a run's events that must keep up with it.
pub struct RunRecords {
    pub progress: Progress,
    pub journal: Journal,
    pub cache: Option<ResponseCache>,
    pub recorder: Option<Recorder>,
    /// Channel to the report thread, which scores and reports finished units.
    pub reports: Sender<UnitResult>,
    /// The first error met while keeping records; the run ends with it.
    pub failure: Option<CliError>,
}

impl RunRecords {
    /// Handles one event; a failure is kept for the end of the run, which goes on.
    pub fn handle(&mut self, event: RunEvent) {
        self.progress.handle(&event);
        if let RunEvent::UnitFinished(unit) = event {
            if let Err(error) = self.keep(&unit) {
                tracing::error!(%error, "cannot keep the record of a finished unit");
                self.failure.get_or_insert(error);
            }
            let _ = self.reports.send(unit.result);
        }
    }

    /// Writes the unit to the journal, the cache and the recording, as each applies.
    fn keep(&mut self, unit: &FinishedUnit) -> Result<(), CliError> {
        let output_error = |error: &dyn std::fmt::Display| CliError::Output(error.to_string());
        if unit.source != AnswerSource::Journal {
            self.journal.append(unit).map_err(|error| output_error(&error))?;
        }
        let UnitOutcome::Answered { response } = &unit.result.outcome else { return Ok(()) };
        if let Some(cache) = self.cache.as_ref().filter(|_| unit.source == AnswerSource::Agent) {
            let cached = CachedAnswer { response: response.clone(), usage: unit.result.usage, latency_ms: unit.result.latency_ms };
            cache.put(&unit.fingerprint, &cached).map_err(|error| output_error(&error))?;
        }
        if let Some(recorder) = self.recorder.as_ref().filter(|recorder| !recorder.contains(&unit.result.key)) {
            let answer = AgentAnswer { text: response.clone(), usage: unit.result.usage };
            recorder.record(&unit.result.key, &answer).map_err(|error| output_error(&error))?;
        }
        Ok(())
    }
}

/// The fixed facts a report of this run states.
pub struct ReportContext<'a> {
    pub suite: &'a Suite,
    pub scorer: &'a Scorer<'a>,
    pub agent_description: String,
    pub skill: Option<Arc<Skill>>,
    pub samples: super::SampleCounts,
    /// The arms asked, in matrix order.
    pub arms: &'static [Arm],
    pub up_to_phase: Option<Phase>,
    pub out: PathBuf,
    pub started_at: String,
}

/// The scored units of a run so far, and the report written from them.
pub struct ReportBook<'a> {
    context: ReportContext<'a>,
    /// Finished units, put in matrix order before each rewrite.
    finished: Vec<ScoredUnit>,
    /// Whether `finished` is in matrix order.
    sorted: bool,
    positions: HashMap<UnitKey, usize>,
    last_written: Option<Instant>,
    /// How long the last rewrite took.
    last_cost: Duration,
    /// The first error met while scoring or writing; the run ends with it.
    pub failure: Option<CliError>,
}

impl<'a> ReportBook<'a> {
    /// Starts an empty book for a run whose units, in matrix order, are `keys`.
    pub fn new(context: ReportContext<'a>, keys: &[UnitKey]) -> ReportBook<'a> {
        let positions = keys.iter().cloned().enumerate().map(|(index, key)| (key, index)).collect();
        ReportBook {
            context,
            finished: Vec::with_capacity(keys.len()),
            sorted: true,
            positions,
            last_written: None,
            last_cost: Duration::ZERO,
            failure: None,
        }
    }

    /// Scores units as they arrive and rewrites the reports at most once per
    /// `REPORT_INTERVAL`, or less often when rewriting is slow, until the sender is
    /// dropped; then returns the book.
    pub fn fill(mut self, units: Receiver<UnitResult>) -> ReportBook<'a> {
        for result in units {
            self.add(result);
            let interval = REPORT_INTERVAL.max(self.last_cost * REPORT_COST_FACTOR);
            if self.last_written.is_none_or(|written| written.elapsed() >= interval) {
                if let Err(error) = self.write() {
                    self.failure.get_or_insert(error);
                }
            }
        }
        self
    }

    /// Scores a unit and puts it in its place.
    fn add(&mut self, result: UnitResult) {
        let score = match &result.outcome {
            UnitOutcome::Answered { response } => match self.context.scorer.score_variant(&result.key.scenario, &result.key.variant, response) {
                Ok(score) => Some(score),
                Err(error) => {
                    self.failure.get_or_insert(error.into());
                    return;
                }
            },
            UnitOutcome::Errored { .. } => None,
        };
        self.finished.push((result, score));
        self.sorted = false;
    }

    /// Rewrites every report file in the run folder from the units finished so far.
    fn write(&mut self) -> Result<(), CliError> {
        let started = Instant::now();
        let report = self.build(None)?;
        write_reports(&report, &self.context.out).map_err(|error| CliError::Output(error.to_string()))?;
        self.last_written = Some(Instant::now());
        self.last_cost = started.elapsed();
        tracing::debug!(units = report.units.len(), elapsed_ms = self.last_cost.as_millis() as u64, "rewrote the reports");
        Ok(())
    }

    /// Builds the report of the units finished so far; `finished_at` is set only for the
    /// final report.
    pub fn build(&mut self, finished_at: Option<String>) -> Result<RunReport, CliError> {
        if !self.sorted {
            let positions = &self.positions;
            self.finished.sort_by_key(|(result, _)| positions[&result.key]);
            self.sorted = true;
        }
        let units = &self.finished;
        let context = &self.context;
        let report = RunReport::build(ReportInputs {
            suite: context.suite,
            agent: context.agent_description.clone(),
            skill: context.skill.as_deref(),
            samples: context.samples.base,
            variant_samples: context.samples.variants,
            arms: context.arms.to_vec(),
            started_at: Some(context.started_at.clone()),
            finished_at,
            units,
            up_to_phase: context.up_to_phase,
        })
        .map_err(|error| CliError::Output(error.to_string()))?;
        Ok(report)
    }

    /// Returns the run folder, where the journal and reports are.
    pub fn run_folder(&self) -> &Path {
        &self.context.out
    }
}
