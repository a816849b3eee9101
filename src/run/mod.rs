//! The runner: plans a run (journal, cache, calls needed), sends every unit that needs a
//! call to the agent with bounded concurrency, rate limits and retries, and reports
//! everything through one stream of [`RunEvent`]s. Every unit ends answered or errored;
//! none is dropped. Together with `agent`, the only module that knows tokio.

mod attempt;
mod cache;
mod event;
mod journal;
mod plan;
mod progress;
mod rate_limit;
mod runner;
mod unit;

pub use cache::{CachedAnswer, Fingerprint, ResponseCache, agent_identity};
pub use event::{FinishedUnit, RunEvent, RunTally};
pub use journal::{JOURNAL_FILE, Journal, JournalLine, read_journal};
pub use plan::{CallEstimate, PendingUnit, PlanSources, RunPlan, plan_run};
pub use progress::{Progress, ProgressMode};
pub use rate_limit::RateLimits;
pub use runner::{INTERRUPTED_EXIT_CODE, RunnerSettings, run_plan, run_plan_blocking};
pub use unit::{AnswerSource, UnitOutcome, UnitResult};

use std::path::{Path, PathBuf};

use crate::agent::UnitKey;

/// A run that cannot start or cannot keep its records.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot read or write {}: {source}", path.display())]
    File { path: PathBuf, source: std::io::Error },

    #[error("{}:{line}: invalid journal line: {message}", path.display())]
    InvalidJournal { path: PathBuf, line: usize, message: String },

    #[error("cannot resume: the journal's scenario \"{scenario}\"{variant_note}, arm {arm}, sample {sample} does not match: {reason}; resume with the flags of the original run, or start a new run in another folder")]
    JournalMismatch { scenario: String, variant_note: String, arm: &'static str, sample: u32, reason: &'static str },
}

impl RunError {
    fn file(path: &Path, source: std::io::Error) -> RunError {
        RunError::File { path: path.to_path_buf(), source }
    }

    fn journal_mismatch(key: &UnitKey, reason: &'static str) -> RunError {
        RunError::JournalMismatch {
            scenario: key.scenario.clone(),
            variant_note: key.variant_note(),
            arm: key.arm.as_str(),
            sample: key.sample,
            reason,
        }
    }
}
