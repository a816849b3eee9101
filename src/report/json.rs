//! The JSON exporter: the result model as pretty-printed JSON, the format `results.json`
//! is saved in.

use std::io::Write;

use super::{Exporter, ReportError, RunReport};

/// Writes the result model as pretty-printed JSON, with a final newline.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn write_report(&self, report: &RunReport, out: &mut dyn Write) -> Result<(), ReportError> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::test_support::sample_report;

    #[test]
    fn output_reads_back() {
        let report = sample_report();
        let mut out = Vec::new();
        JsonExporter.write_report(&report, &mut out).unwrap();

        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("{\n  \"schema_version\": 1,\n"));
        assert!(text.ends_with("}\n"));
        assert_eq!(serde_json::from_str::<RunReport>(&text).unwrap(), report);
    }
}
