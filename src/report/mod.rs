//! Reports: the one result model and one exporter per format behind the [`Exporter`]
//! trait (terminal, JSON, Markdown, JUnit XML, HTML, the verdict snapshot and the phase
//! documents), plus [`write_reports`] and [`rewrite_reports`], which save every file so
//! that a crash never leaves half a file.

mod effect;
mod failures;
mod files;
mod html;
mod json;
mod junit;
mod markdown;
mod model;
mod phase;
mod phrases;
mod pressure;
mod snapshot_file;
mod suite_info;
pub(crate) mod terminal;
#[cfg(test)]
pub(crate) mod test_support;

use std::io::{self, Write};
use std::path::PathBuf;

pub use effect::{EffectVerdict, OverallEffect, ScenarioEffect, SkillEffect, skill_effect};
pub use files::{
    GREEN_PHASE_FILE, HTML_FILE, JUNIT_FILE, MARKDOWN_FILE, RED_PHASE_FILE, RESULTS_FILE, SNAPSHOT_FILE,
    rewrite_reports, write_report_file, write_reports,
};
pub use html::{HtmlExporter, PressureHtmlExporter};
pub use json::JsonExporter;
pub use junit::JunitExporter;
pub use markdown::MarkdownExporter;
pub use model::{ReportInputs, RunMetadata, RunReport, RunTotals, SCHEMA_VERSION, UnitReport};
pub use phase::{GreenPhaseExporter, RedPhaseExporter, RefactorPhaseExporter};
pub use pressure::PressureTest;
pub use snapshot_file::SnapshotExporter;
pub use suite_info::{CheckInfo, PassThresholds, PatternInfo, ScenarioInfo, VariantInfo};
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
