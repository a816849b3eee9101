//! The `run` flags for reports and baselines: `--baseline`, `--update-baseline`,
//! `--junit`, `--html` and `--markdown`, and what a finished run does with them.
//!
//! With `--baseline FILE` the run is compared with a committed verdict snapshot, and the
//! comparison decides the gate part of the exit code. It is 1 on a regression: a
//! with-skill scenario or check worse beyond noise, a gate that fails now but did not
//! fail in the baseline, or something in the baseline that the run lacks. It is 0
//! otherwise, even when gates fail that already failed in the baseline.
//! `--update-baseline` writes the run's snapshot to that file instead. It is rejected
//! when the `CI` environment variable is set, so CI never rewrites the baseline.

use std::path::{Path, PathBuf};

use super::{CliError, exit};
use crate::report::{
    Exporter, HtmlExporter, JunitExporter, MarkdownExporter, ReportError, RunReport, write_report_file, write_reports,
};
use crate::snapshot::{Snapshot, SnapshotError, compare};

/// Report and baseline flags of `skilleval run`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReportArgs {
    /// Compare the run with this verdict snapshot; the exit code is then 1 only on a regression against it
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write this run's verdict snapshot to the --baseline file; changes from the old file are shown, not failed (rejected when CI is set)
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,

    /// Also write the JUnit XML report to FILE (one test case per scenario and arm)
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Also write the self-contained HTML report to FILE
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// Also write the Markdown report to FILE, e.g. "$GITHUB_STEP_SUMMARY"
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
}

/// Report or baseline flags that cannot be carried out.
#[derive(Debug, thiserror::Error)]
pub enum ReportArgsError {
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(
        "--update-baseline is rejected because the CI environment variable is set: \
         update the baseline on your machine and commit the file"
    )]
    UpdateInCi,
}

impl From<ReportArgsError> for CliError {
    fn from(error: ReportArgsError) -> Self {
        match error {
            ReportArgsError::Report(error) => CliError::Output(error.to_string()),
            other => CliError::Input(other.to_string()),
        }
    }
}

/// The outcome of [`ReportArgs::apply`]: the files it wrote and the comparison's verdict.
#[derive(Debug, Clone, Default)]
pub struct AppliedReport {
    /// Every file written, in order.
    pub written: Vec<PathBuf>,
    /// `Some(regressed)` when a baseline comparison decides the gate part of the exit code.
    regressed: Option<bool>,
}

impl AppliedReport {
    /// Combines the run's own exit code with the comparison. An agent failure (3) is kept.
    /// After a comparison the code is 1 on a regression and 0 without one. Without a
    /// comparison it is the run's own code.
    pub fn exit_code(&self, run_code: u8) -> u8 {
        match self.regressed {
            _ if run_code == exit::AGENT_FAILED => run_code,
            Some(true) => exit::GATE_FAILED,
            Some(false) => exit::SUCCESS,
            None => run_code,
        }
    }
}

impl ReportArgs {
    /// Checks the flags before the run, so that nothing is paid for when they are wrong:
    /// `--update-baseline` outside CI, and a `--baseline` file that reads as a snapshot.
    pub fn validate(&self) -> Result<(), ReportArgsError> {
        self.validate_with(ci_is_set())
    }

    /// Compares the run with the baseline (or prepares the update), writes every report
    /// into `out_dir` and to the extra files named by flags, updates the baseline when
    /// asked, and returns the files written and the comparison's verdict.
    pub fn apply(&self, report: &mut RunReport, out_dir: &Path) -> Result<AppliedReport, ReportArgsError> {
        self.apply_with(report, out_dir, ci_is_set())
    }

    /// [`ReportArgs::validate`] with the CI check given.
    fn validate_with(&self, in_ci: bool) -> Result<(), ReportArgsError> {
        if self.update_baseline && in_ci {
            return Err(ReportArgsError::UpdateInCi);
        }
        match &self.baseline {
            Some(path) if !self.update_baseline => Snapshot::read(path).map(drop).map_err(ReportArgsError::from),
            _ => Ok(()),
        }
    }

    /// [`ReportArgs::apply`] with the CI check given.
    fn apply_with(
        &self,
        report: &mut RunReport,
        out_dir: &Path,
        in_ci: bool,
    ) -> Result<AppliedReport, ReportArgsError> {
        self.validate_with(in_ci)?;
        let regressed = self.compare_with_baseline(report)?;

        let mut written = write_reports(report, out_dir)?;
        let extra: [(&Option<PathBuf>, &dyn Exporter); 3] =
            [(&self.junit, &JunitExporter), (&self.html, &HtmlExporter), (&self.markdown, &MarkdownExporter)];
        for (path, exporter) in extra {
            if let Some(path) = path {
                written.push(write_report_file(report, exporter, path)?);
            }
        }

        if let (Some(path), true) = (&self.baseline, self.update_baseline) {
            report.snapshot().write(path)?;
            written.push(path.clone());
        }
        Ok(AppliedReport { written, regressed })
    }

    /// Compares the run with the baseline and stores the comparison in the report.
    /// Returns whether it regressed, or `None` when no comparison decides the exit code:
    /// no baseline, or an update (whose comparison with the old file, when that file
    /// reads, is shown but does not fail).
    fn compare_with_baseline(&self, report: &mut RunReport) -> Result<Option<bool>, ReportArgsError> {
        let Some(path) = &self.baseline else { return Ok(None) };
        let baseline = match Snapshot::read(path) {
            Ok(baseline) => baseline,
            Err(_) if self.update_baseline => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        let comparison = compare(&baseline, &path.display().to_string(), &report.snapshot())?;
        let regressed = comparison.fails();
        report.baseline = Some(comparison);
        Ok((!self.update_baseline).then_some(regressed))
    }
}

/// Returns whether the `CI` environment variable is set to something other than empty,
/// `0` or `false`, as CI services set it.
fn ci_is_set() -> bool {
    std::env::var("CI").is_ok_and(|value| !matches!(value.trim().to_ascii_lowercase().as_str(), "" | "0" | "false"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_in_ci_is_rejected() {
        let args = ReportArgs { baseline: Some("b.json".into()), update_baseline: true, ..ReportArgs::default() };
        assert!(matches!(args.validate_with(true), Err(ReportArgsError::UpdateInCi)));
        assert!(args.validate_with(false).is_ok());
    }

    #[test]
    fn missing_baseline_is_bad_input() {
        let args = ReportArgs { baseline: Some("/nonexistent/baseline.json".into()), ..ReportArgs::default() };
        let error = CliError::from(args.validate_with(false).unwrap_err());
        assert_eq!(error.exit_code(), exit::BAD_INPUT);
        assert!(error.to_string().starts_with("cannot read the baseline /nonexistent/baseline.json"), "{error}");
    }

    #[test]
    fn exit_code_combinations() {
        let compared = |regressed| AppliedReport { written: Vec::new(), regressed: Some(regressed) };
        assert_eq!(compared(true).exit_code(exit::SUCCESS), exit::GATE_FAILED);
        assert_eq!(compared(false).exit_code(exit::GATE_FAILED), exit::SUCCESS);
        assert_eq!(compared(false).exit_code(exit::AGENT_FAILED), exit::AGENT_FAILED);
        assert_eq!(AppliedReport::default().exit_code(exit::GATE_FAILED), exit::GATE_FAILED);
    }
}
