//! [`RunEvent`]: the one stream through which the runner reports what happens. The
//! progress display, the journal, the response cache, the recorder and the report
//! writer all read it, and none of them has access to the runner's tasks.

use std::time::Duration;

use super::cache::Fingerprint;
use super::unit::{AnswerSource, UnitResult};
use crate::agent::UnitKey;

/// Something that happened in a run.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// The run starts with `total` units, of which `calls` need a call to the agent; the
    /// others come from the journal or the cache.
    Started { total: usize, calls: usize },
    /// An attempt failed with a transient error, and the unit is tried again after `delay`.
    Retrying {
        key: UnitKey,
        /// The attempt that failed, from 1.
        attempt: u32,
        delay: Duration,
        error: String,
    },
    /// A unit finished, answered or errored.
    UnitFinished(FinishedUnit),
    /// More units errored than the run allows, so no further unit starts. Units in flight
    /// still finish.
    Stopping { errored: usize, max_errored: usize },
    /// Ctrl-C stopped the run: no unit starts or retries any more, and units in flight
    /// still finish.
    Interrupted,
    /// Every unit that started has finished.
    Finished(RunTally),
}

/// A finished unit with the request it answered and where its result came from.
#[derive(Debug, Clone)]
pub struct FinishedUnit {
    pub result: UnitResult,
    /// The request's cache key, which the journal stores so that a resumed run can
    /// check that it sends the same requests.
    pub fingerprint: Fingerprint,
    pub source: AnswerSource,
    /// Attempts made in this run; 0 for a unit taken from the journal or the cache.
    pub attempts: u32,
}

/// Counts of a finished run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunTally {
    pub answered: usize,
    pub errored: usize,
    /// Units never started because the run stopped early.
    pub not_run: usize,
    /// Requests sent to the agent, retries included.
    pub calls: usize,
    /// Whether the run stopped early because too many units errored.
    pub stopped: bool,
    /// Whether Ctrl-C stopped the run early.
    pub interrupted: bool,
}
