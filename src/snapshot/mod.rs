//! Verdict snapshots and baseline comparison. A snapshot keeps, per scenario, arm and
//! check, the pass counts, rates and verdicts of a run, plus the gate statuses: sorted,
//! rounded, versioned, with no timestamps or latencies, so that it diffs cleanly when
//! committed. Comparing a run with a committed snapshot lists every change beyond noise,
//! judged with 95% Newcombe intervals of the difference of pass rates.
//!
//! Snapshots are built from summaries and gate results, not from the report, so that the
//! result model can carry a comparison.

mod compare;
mod model;

pub use compare::{ChangeSubject, Comparison, GateChange, RateChange, compare};
pub use model::{ArmSnapshot, CheckSnapshot, GateSnapshot, SNAPSHOT_VERSION, ScenarioSnapshot, Snapshot, Verdict};

use std::path::PathBuf;

/// A snapshot that could not be read, written or compared.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read the baseline {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("baseline {} is not a valid snapshot: {source}", path.display())]
    Parse { path: PathBuf, source: serde_json::Error },
    #[error(
        "baseline {} has snapshot_version {found}, but this skilleval reads version {expected}; \
         write a new one with --update-baseline",
        path.display()
    )]
    Version { path: PathBuf, found: u32, expected: u32 },
    #[error("baseline {} is for suite \"{baseline}\", but this run used suite \"{run}\"", path.display())]
    SuiteMismatch { path: PathBuf, baseline: String, run: String },
    #[error("cannot write the baseline {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}
