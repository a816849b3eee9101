//! Reports: the one result model and one exporter per format behind the [`Exporter`]
//! trait, plus [`write_reports`], which saves `results.json` and `report.md` so that a
//! crash never leaves half a file.

mod effect;
mod files;
mod json;
mod markdown;
mod model;
mod phrases;
mod suite_info;
pub(crate) mod terminal;
#[cfg(test)]
pub(crate) mod test_support;

use std::io::{self, Write};
use std::path::PathBuf;

pub use files::{MARKDOWN_FILE, RESULTS_FILE, write_reports};
pub use json::JsonExporter;
pub use markdown::MarkdownExporter;
pub use effect::{EffectVerdict, OverallEffect, ScenarioEffect, SkillEffect, skill_effect};
pub use model::{ReportInputs, RunMetadata, RunReport, SCHEMA_VERSION, UnitReport};
pub use suite_info::{CheckInfo, PassThresholds, PatternInfo, ScenarioInfo};
pub use terminal::TerminalExporter;

use crate::score::SummaryError;

/// Writes a run report in one format.
pub trait Exporter {
    /// Writes the whole report to `out`.
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError>;
}

/// A report that could not be built or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot summarise the run: {0}")]
    Summary(#[from] SummaryError),
    #[error("cannot write the report: {0}")]
    Write(#[from] io::Error),
    #[error("cannot serialise the report as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write {}: {source}", path.display())]
    File { path: PathBuf, source: io::Error },
}
