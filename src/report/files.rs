//! Saving reports to a folder. Each file is written to a temporary file in the same
//! folder, synced, then renamed over the target. A reader, or the folder after a crash,
//! then has the old file or the new one, never a partial file.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use super::{Exporter, JsonExporter, MarkdownExporter, ReportError, RunReport};

/// File name of the result model in JSON.
pub const RESULTS_FILE: &str = "results.json";

/// File name of the Markdown report.
pub const MARKDOWN_FILE: &str = "report.md";

/// Writes `results.json` and `report.md` into `out_dir`, creating the folder if needed,
/// and returns the paths written.
pub fn write_reports(report: &RunReport, out_dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    fs::create_dir_all(out_dir).map_err(|source| ReportError::File { path: out_dir.to_path_buf(), source })?;
    let results = write_atomically(report, &JsonExporter, &out_dir.join(RESULTS_FILE))?;
    let markdown = write_atomically(report, &MarkdownExporter, &out_dir.join(MARKDOWN_FILE))?;
    Ok(vec![results, markdown])
}

/// Writes one export to a temporary file beside `path`, then renames it to `path`. The
/// temporary file is removed if anything fails before the rename.
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
    fn writes_both_files() {
        let folder = tempfile::tempdir().unwrap();
        let out_dir = folder.path().join("nested/out");
        let paths = write_reports(&sample_report(), &out_dir).unwrap();
        assert_eq!(paths, [out_dir.join(RESULTS_FILE), out_dir.join(MARKDOWN_FILE)]);

        let json = fs::read_to_string(out_dir.join(RESULTS_FILE)).unwrap();
        assert_eq!(serde_json::from_str::<RunReport>(&json).unwrap(), sample_report());
        let markdown = fs::read_to_string(out_dir.join(MARKDOWN_FILE)).unwrap();
        assert!(markdown.starts_with("## skilleval: mini\n"));
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
        assert_eq!(names, [MARKDOWN_FILE, RESULTS_FILE]);
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
