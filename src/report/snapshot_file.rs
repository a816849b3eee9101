//! The snapshot exporter: the run's verdict snapshot, the file `--update-baseline` writes
//! and `--baseline` reads. Saved beside the other reports so that CI can keep it as an
//! artifact and a maintainer can commit it as the next baseline.

use std::io::Write;

use super::{Exporter, ReportError, RunReport};
use crate::snapshot::Snapshot;

/// Writes the verdict snapshot as JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct SnapshotExporter;

impl Exporter for SnapshotExporter {
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
        out.write_all(report.snapshot().to_json().as_bytes())?;
        Ok(())
    }
}

impl RunReport {
    /// Builds the run's verdict snapshot, with the variants a REFACTOR run asked.
    pub fn snapshot(&self) -> Snapshot {
        let summaries = [self.summaries.as_slice(), self.variant_summaries.as_slice()].concat();
        Snapshot::new(&self.run.suite, &self.run.agent, self.run.samples, &summaries, &self.gates)
    }
}
