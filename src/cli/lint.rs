//! `skilleval lint SKILL.md`: lints a skill document against a suite's failure
//! patterns and prints each figure with the document gates (`patterns-addressed`,
//! `concrete-examples`, `skill-length`, `rationalization-table`).

use std::io::{self, Write};
use std::path::PathBuf;

use serde::Serialize;

use crate::gate::{ExampleKind, GateInputs, GateResult, PatternCoverage, SkillLint, evaluate, lint_skill};
use crate::report::terminal::write_gate_lines;
use crate::suite::{Skill, SkillError, Suite};

/// Arguments of `skilleval lint`.
#[derive(Debug, Clone, clap::Args)]
pub struct LintArgs {
    /// Skill file to lint, or a folder that contains a SKILL.md.
    pub path: PathBuf,
    /// Suite folder whose failure patterns and gate thresholds to use [default: the built-in suite].
    #[arg(long, value_name = "DIR")]
    pub suite: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
}

/// Output formats of `skilleval lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// Figures and gates for a person to read.
    Text,
    /// The lint and the gates as pretty-printed JSON.
    Json,
}

/// A lint that could not be run or printed.
#[derive(Debug, thiserror::Error)]
pub enum LintCommandError {
    #[error(transparent)]
    Skill(#[from] SkillError),
    #[error("cannot write the lint output: {0}")]
    Write(#[from] io::Error),
    #[error("cannot serialise the lint as JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// The JSON output of `skilleval lint`.
#[derive(Debug, Serialize)]
struct LintOutput<'a> {
    skill: String,
    lint: &'a SkillLint,
    gates: &'a [GateResult],
}

/// Reads the skill at `args.path`, lints it against `suite`, writes the figures to `out`
/// and returns the document gates, so that the caller can set the exit code. The caller
/// loads `suite` from `args.suite`, or the built-in suite when that is `None`.
pub fn run(args: &LintArgs, suite: &Suite, out: &mut dyn Write) -> Result<Vec<GateResult>, LintCommandError> {
    let skill = Skill::read(&args.path)?;
    let lint = lint_skill(&skill.text, suite);
    let inputs = GateInputs { suite, summaries: &[], variant_summaries: &[], rationalizations: &[], lint: Some(&lint), up_to_phase: None };
    let gates: Vec<GateResult> = evaluate(&inputs).into_iter().filter(|gate| gate.id.reads_skill_document()).collect();

    let shown_path = skill.path.display().to_string();
    match args.format {
        LintFormat::Text => write_text(&shown_path, &lint, &gates, out)?,
        LintFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &LintOutput { skill: shown_path, lint: &lint, gates: &gates })?;
            writeln!(out)?;
        }
    }
    Ok(gates)
}

/// Writes the figures for a person to read.
fn write_text(path: &str, lint: &SkillLint, gates: &[GateResult], out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "skill {path}")?;
    writeln!(out, "lines: {}", lint.lines)?;
    write_examples(lint, out)?;
    write_patterns(lint, out)?;
    writeln!(out, "rationalization tables: {}", rationalization_tables(lint))?;
    writeln!(out)?;
    writeln!(out, "gates")?;
    write_gate_lines(gates, false, out)
}

/// Writes the example count, then one line per kind with the lines where each starts.
fn write_examples(lint: &SkillLint, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "concrete examples: {}", lint.example_count())?;
    for kind in ExampleKind::ALL {
        let lines: Vec<String> = lint
            .examples
            .iter()
            .filter(|example| example.kind == kind)
            .map(|example| example.line.to_string())
            .collect();
        let at = match lines.len() {
            0 => String::new(),
            1 => format!(" (line {})", lines[0]),
            _ => format!(" (lines {})", lines.join(", ")),
        };
        writeln!(out, "  {} {}{at}", lines.len(), kind.noun(lines.len()))?;
    }
    Ok(())
}

/// Writes the count of patterns addressed, then each pattern with each term's match.
fn write_patterns(lint: &SkillLint, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "failure patterns addressed: {}/{}", lint.addressed_count(), lint.patterns.len())?;
    for pattern in &lint.patterns {
        write_pattern(pattern, out)?;
    }
    Ok(())
}

/// Writes one pattern and its terms.
fn write_pattern(pattern: &PatternCoverage, out: &mut dyn Write) -> io::Result<()> {
    let verdict = if pattern.addressed { "addressed" } else { "not addressed" };
    writeln!(out, "  {verdict}: {} ({})", pattern.id, pattern.name)?;
    if pattern.terms.is_empty() {
        writeln!(out, "    the pattern has no terms")?;
    }
    for term in &pattern.terms {
        match &term.found {
            Some(found) => writeln!(out, "    `{}` matched {:?} at line {}", term.term, found.text, found.line)?,
            None => writeln!(out, "    `{}` has no match", term.term)?,
        }
    }
    Ok(())
}

/// Lists the rationalization tables, or returns `none`.
fn rationalization_tables(lint: &SkillLint) -> String {
    if lint.rationalization_tables.is_empty() {
        return "none".to_string();
    }
    let places: Vec<String> =
        lint.rationalization_tables.iter().map(|table| format!("line {} ({} rows)", table.line, table.rows)).collect();
    places.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateStatus;
    use crate::gate::test_support::{pattern, suite_with_patterns};

    fn lint_file(text: &str, format: LintFormat) -> (String, Vec<GateResult>) {
        let folder = tempfile::tempdir().unwrap();
        std::fs::write(folder.path().join("SKILL.md"), text).unwrap();
        let args = LintArgs { path: folder.path().to_path_buf(), suite: None, format };
        let suite = suite_with_patterns(vec![pattern("no-warmup", &["warm-?up"]), pattern("opaque", &["accumulat"])]);
        let mut out = Vec::new();
        let gates = run(&args, &suite, &mut out).unwrap();
        (String::from_utf8(out).unwrap(), gates)
    }

    #[test]
    fn folder_reads_its_skill_md() {
        let (text, _) = lint_file("Use a warmup.\n", LintFormat::Text);
        assert!(text.starts_with("skill "));
        assert!(text.lines().next().unwrap().ends_with("SKILL.md"));
    }

    #[test]
    fn text_lists_each_pattern_and_term() {
        let (text, _) = lint_file("Use a warmup.\n", LintFormat::Text);
        assert!(text.contains("failure patterns addressed: 1/2\n"));
        assert!(
            text.contains("  addressed: no-warmup (no-warmup pattern)\n    `warm-?up` matched \"warmup\" at line 1\n")
        );
        assert!(text.contains("  not addressed: opaque (opaque pattern)\n    `accumulat` has no match\n"));
    }

    #[test]
    fn returns_only_document_gates() {
        let (_, gates) = lint_file("Use a warmup.\n", LintFormat::Text);
        let ids: Vec<&str> = gates.iter().map(|gate| gate.id.as_str()).collect();
        assert_eq!(ids, ["patterns-addressed", "concrete-examples", "skill-length", "rationalization-table"]);
        assert!(gates.iter().all(|gate| gate.status == GateStatus::Fails));
    }

    #[test]
    fn json_has_lint_and_gates() {
        let (text, _) = lint_file("Use a warmup.\n", LintFormat::Json);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["lint"]["lines"], 1);
        assert_eq!(value["gates"].as_array().unwrap().len(), 4);
    }

    #[test]
    fn missing_skill_names_the_path() {
        let args = LintArgs { path: PathBuf::from("/nonexistent/SKILL.md"), suite: None, format: LintFormat::Text };
        let error = run(&args, &suite_with_patterns(Vec::new()), &mut Vec::new()).unwrap_err();
        assert!(error.to_string().starts_with("cannot read skill /nonexistent/SKILL.md"));
    }
}
