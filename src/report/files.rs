//! Saving reports to a folder: the result model, the Markdown, HTML and JUnit reports,
//! the verdict snapshot, and the phase document of the phase the run evaluated. Each file
//! is written to a temporary file in the same folder, synced, then renamed over the
//! target. A reader, or the folder after a crash, then has the old file or the new one,
//! never a partial file. Rewriting every file after each finished unit is what leaves an
//! interrupted run with a readable report of what finished.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::snapshot_file::SnapshotExporter;
use super::{
    Exporter, GreenPhaseExporter, HtmlExporter, JsonExporter, JunitExporter, MarkdownExporter, PressureHtmlExporter,
    RedPhaseExporter, RefactorPhaseExporter, ReportError, ReportInputs, RunReport,
};
use crate::suite::Phase;

/// File name of the result model in JSON.
pub const RESULTS_FILE: &str = "results.json";

/// File name of the Markdown report.
pub const MARKDOWN_FILE: &str = "report.md";

/// File name of the HTML report.
pub const HTML_FILE: &str = "report.html";

/// File name of the JUnit XML report.
pub const JUNIT_FILE: &str = "junit.xml";

/// File name of the verdict snapshot.
pub const SNAPSHOT_FILE: &str = "snapshot.json";

/// File name of the RED-phase document, written when the run evaluated the red phase.
pub const RED_PHASE_FILE: &str = "red-phase.md";

/// File name of the GREEN-phase document, written when the run evaluated the green or
/// refactor phase.
pub const GREEN_PHASE_FILE: &str = "green-phase.md";

/// File name of the REFACTOR-phase document, the pressure-test report in Markdown,
/// written when the run evaluated the refactor phase.
pub const REFACTOR_PHASE_FILE: &str = "refactor-phase.md";

/// File name of the pressure-test report in HTML, written beside the REFACTOR document.
pub const REFACTOR_HTML_FILE: &str = "refactor-phase.html";

/// Writes every report file into `out_dir`, creating the folder if needed, and returns
/// the paths written: `results.json`, `report.md`, `report.html`, `junit.xml`,
/// `snapshot.json`, and the phase document when the report names a phase.
/// A phase document of another phase left in the folder by an earlier run is removed,
/// so that every report in the folder describes this run.
pub fn write_reports(report: &RunReport, out_dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    fs::create_dir_all(out_dir).map_err(|source| ReportError::File { path: out_dir.to_path_buf(), source })?;
    let files = report_files(report);
    for stale in PHASE_FILES.iter().filter(|name| !files.iter().any(|(written, _)| written == *name)) {
        let path = out_dir.join(stale);
        match fs::remove_file(&path) {
            Err(source) if source.kind() != std::io::ErrorKind::NotFound => return Err(ReportError::File { path, source }),
            _ => {}
        }
    }
    files.into_iter().map(|(name, exporter)| write_atomically(report, exporter.as_ref(), &out_dir.join(name))).collect()
}

/// Every phase document a run may write.
const PHASE_FILES: [&str; 4] = [RED_PHASE_FILE, GREEN_PHASE_FILE, REFACTOR_PHASE_FILE, REFACTOR_HTML_FILE];

/// Builds the report from the units so far and rewrites every report file in `out_dir`.
/// The runner calls it after each finished unit (or every so often) and once at the end
/// with `finished_at` set, so that an interrupted run leaves a readable report.
pub fn rewrite_reports(inputs: ReportInputs<'_>, out_dir: &Path) -> Result<(RunReport, Vec<PathBuf>), ReportError> {
    let report = RunReport::build(inputs)?;
    let written = write_reports(&report, out_dir)?;
    Ok((report, written))
}

/// Lists the files to write for this report, each with its exporter.
fn report_files(report: &RunReport) -> Vec<(&'static str, Box<dyn Exporter>)> {
    let mut files: Vec<(&'static str, Box<dyn Exporter>)> = vec![
        (RESULTS_FILE, Box::new(JsonExporter)),
        (MARKDOWN_FILE, Box::new(MarkdownExporter)),
        (HTML_FILE, Box::new(HtmlExporter)),
        (JUNIT_FILE, Box::new(JunitExporter)),
        (SNAPSHOT_FILE, Box::new(SnapshotExporter)),
    ];
    match report.run.phase {
        Some(Phase::Red) => files.push((RED_PHASE_FILE, Box::new(RedPhaseExporter))),
        Some(Phase::Green) => files.push((GREEN_PHASE_FILE, Box::new(GreenPhaseExporter))),
        Some(Phase::Refactor) => {
            files.push((GREEN_PHASE_FILE, Box::new(GreenPhaseExporter)));
            files.push((REFACTOR_PHASE_FILE, Box::new(RefactorPhaseExporter)));
            files.push((REFACTOR_HTML_FILE, Box::new(PressureHtmlExporter)));
        }
        None => {}
    }
    files
}

/// Writes one export to `path`, creating its folder if needed, through a temporary file
/// beside it, and returns `path`.
pub fn write_report_file(report: &RunReport, exporter: &dyn Exporter, path: &Path) -> Result<PathBuf, ReportError> {
    let folder = path.parent().filter(|folder| !folder.as_os_str().is_empty());
    if let Some(folder) = folder {
        fs::create_dir_all(folder).map_err(|source| ReportError::File { path: folder.to_path_buf(), source })?;
    }
    write_atomically(report, exporter, path)
}

/// Writes one export to `path` through a temporary file beside it, and returns `path`.
/// The temporary file is removed if anything fails before the rename.
fn write_atomically(report: &RunReport, exporter: &dyn Exporter, path: &Path) -> Result<PathBuf, ReportError> {
    let file_error = |source| ReportError::File { path: path.to_path_buf(), source };
    let folder = path.parent().unwrap_or(Path::new("."));
    let temporary = NamedTempFile::new_in(folder).map_err(file_error)?;

    let mut writer = BufWriter::new(temporary);
    exporter.write_report(report, &mut writer)?;
    writer.flush().map_err(file_error)?;
    let temporary = writer.into_inner().map_err(|error| file_error(error.into_error()))?;
    temporary.as_file().sync_all().map_err(file_error)?;

    temporary.persist(path).map_err(|error| file_error(error.error))?;
    Ok(path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn writes_every_file() {
        let folder = tempfile::tempdir().unwrap();
        let out_dir = folder.path().join("nested/out");
        let paths = write_reports(&sample_report(), &out_dir).unwrap();
        let names = [RESULTS_FILE, MARKDOWN_FILE, HTML_FILE, JUNIT_FILE, SNAPSHOT_FILE];
        assert_eq!(paths, names.map(|name| out_dir.join(name)));

        let json = fs::read_to_string(out_dir.join(RESULTS_FILE)).unwrap();
        assert_eq!(serde_json::from_str::<RunReport>(&json).unwrap(), sample_report());
        let markdown = fs::read_to_string(out_dir.join(MARKDOWN_FILE)).unwrap();
        assert!(markdown.starts_with("## skilleval: mini\n"));
    }

    #[test]
    fn removes_phase_documents_of_another_phase() {
        let folder = tempfile::tempdir().unwrap();
        let mut report = sample_report();
        report.run.phase = Some(Phase::Refactor);
        write_reports(&report, folder.path()).unwrap();
        assert!(folder.path().join(REFACTOR_PHASE_FILE).exists());
        report.run.phase = Some(Phase::Red);
        write_reports(&report, folder.path()).unwrap();
        assert!(folder.path().join(RED_PHASE_FILE).exists());
        for stale in [GREEN_PHASE_FILE, REFACTOR_PHASE_FILE, REFACTOR_HTML_FILE] {
            assert!(!folder.path().join(stale).exists(), "{stale} is left from the refactor run");
        }
    }

    #[test]
    fn leaves_no_temporary_files() {
        let folder = tempfile::tempdir().unwrap();
        write_reports(&sample_report(), folder.path()).unwrap();
        write_reports(&sample_report(), folder.path()).unwrap();
        let mut names: Vec<String> = fs::read_dir(folder.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [JUNIT_FILE, HTML_FILE, MARKDOWN_FILE, RESULTS_FILE, SNAPSHOT_FILE]);
    }

    #[test]
    fn phase_document_follows_the_phase() {
        let folder = tempfile::tempdir().unwrap();
        let mut report = sample_report();
        report.run.phase = Some(Phase::Red);
        let paths = write_reports(&report, folder.path()).unwrap();
        assert_eq!(paths.last().unwrap(), &folder.path().join(RED_PHASE_FILE));
        report.run.phase = Some(Phase::Green);
        let paths = write_reports(&report, folder.path()).unwrap();
        assert_eq!(paths.last().unwrap(), &folder.path().join(GREEN_PHASE_FILE));
    }

    #[test]
    fn failed_export_keeps_the_old_file() {
        struct Failing;
        impl Exporter for Failing {
            fn write_report(&self, _: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
                out.write_all(b"half")?;
                Err(ReportError::Write(std::io::Error::other("disk full")))
            }
        }
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join(RESULTS_FILE);
        fs::write(&path, "old").unwrap();

        assert!(write_atomically(&sample_report(), &Failing, &path).is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(folder.path()).unwrap().count(), 1);
    }

    #[test]
    fn unwritable_folder_names_the_path() {
        let folder = tempfile::tempdir().unwrap();
        let blocker = folder.path().join("file");
        fs::write(&blocker, "").unwrap();
        let error = write_reports(&sample_report(), &blocker.join("out")).unwrap_err();
        assert!(error.to_string().starts_with(&format!("cannot write {}", blocker.join("out").display())));
    }
}
