//! Snapshots of the terminal, JSON and Markdown reports of the recorded run, and the
//! files `write_reports` saves.

use skilleval::report::{
    Exporter, JsonExporter, MARKDOWN_FILE, MarkdownExporter, RESULTS_FILE, RunReport, TerminalExporter, write_reports,
};

use crate::report_fixture::recorded_report;

/// Renders a report with one exporter.
fn render(exporter: &dyn Exporter) -> String {
    let mut out = Vec::new();
    exporter.write_report(&recorded_report(None), &mut out).expect("the report renders");
    String::from_utf8(out).expect("reports are UTF-8")
}

#[test]
fn terminal_report() {
    insta::assert_snapshot!("terminal", render(&TerminalExporter::new(false)));
}

#[test]
fn json_report() {
    insta::assert_snapshot!("json", render(&JsonExporter));
}

#[test]
fn markdown_report() {
    insta::assert_snapshot!("markdown", render(&MarkdownExporter));
}

#[test]
fn saved_results_read_back() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    write_reports(&recorded_report(None), folder.path()).expect("the reports are written");

    let json = std::fs::read_to_string(folder.path().join(RESULTS_FILE)).expect("results.json exists");
    let back: RunReport = serde_json::from_str(&json).expect("results.json parses");
    assert_eq!(back, recorded_report(None));
    let markdown = std::fs::read_to_string(folder.path().join(MARKDOWN_FILE)).expect("report.md exists");
    assert_eq!(markdown, render(&MarkdownExporter));
}
