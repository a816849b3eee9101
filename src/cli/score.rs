//! `skilleval score`: re-scores saved answers offline, one JSON object per input line.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use serde::Serialize;

use super::suite_arg::SuiteArg;
use super::CliError;
use crate::score::{CheckOutcome, Scorer};
use crate::suite::{Suite, VariantKind};

/// Arguments of `skilleval score`.
#[derive(Debug, clap::Args)]
pub struct ScoreArgs {
    /// JSON Lines file of answers, each with at least `id`, `scenario` and `response`; `-` reads standard input
    #[arg(value_name = "ANSWERS.jsonl")]
    pub answers: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value_t = ScoreFormat::Jsonl)]
    pub format: ScoreFormat,
    #[command(flatten)]
    pub suite: SuiteArg,
}

/// Output formats of `skilleval score`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ScoreFormat {
    /// One JSON object per input line, in input order.
    Jsonl,
}

/// One input line: the fields `score` reads; others are ignored.
#[derive(Debug, serde::Deserialize)]
struct SavedAnswer {
    id: serde_json::Value,
    scenario: String,
    /// `base` (the default), a variant id of the scenario, or `pressure` for an answer
    /// to some pressured question: the scenario's rubric plus the rationalization checks.
    #[serde(default = "crate::suite::base_variant")]
    variant: String,
    response: String,
}

/// Id that scores an answer as one to a pressured question without naming the variant.
const ANY_PRESSURE: &str = "pressure";

/// One output line. The field names and their order are a stable contract; `variant`
/// appears only for answers to a variant.
#[derive(Debug, Serialize)]
struct ScoredAnswer<'a> {
    id: &'a serde_json::Value,
    scenario: &'a str,
    #[serde(skip_serializing_if = "crate::suite::is_base_variant")]
    variant: &'a str,
    passes: bool,
    checks: &'a [CheckOutcome],
}

/// Scores every answer and writes one JSON line each.
pub fn run(args: &ScoreArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let suite = args.suite.load()?;
    let scorer = Scorer::new(&suite)?;
    let answers = read_answers(&args.answers)?;

    for answer in &answers {
        let variant = rubric_variant(&suite, answer)?;
        let score = scorer.score_variant(&answer.scenario, variant, &answer.response)?;
        let line = ScoredAnswer {
            id: &answer.id,
            scenario: &answer.scenario,
            variant: &answer.variant,
            passes: score.passes,
            checks: &score.checks,
        };
        serde_json::to_writer(&mut *out, &line).map_err(|error| CliError::Output(error.to_string()))?;
        writeln!(out).map_err(|error| CliError::Output(error.to_string()))?;
    }
    Ok(())
}

/// Returns the variant whose rubric scores the answer: `pressure` stands for the
/// scenario's first generated pressure variant, whose rubric every generated one shares.
fn rubric_variant<'a>(suite: &'a Suite, answer: &'a SavedAnswer) -> Result<&'a str, CliError> {
    if answer.variant != ANY_PRESSURE {
        return Ok(&answer.variant);
    }
    let scenario = suite.scenario(&answer.scenario).ok_or_else(|| CliError::Input(format!("unknown scenario \"{}\"", answer.scenario)))?;
    let pressured = scenario.variants.iter().find(|variant| variant.kind == VariantKind::Pressure);
    pressured.map(|variant| variant.id.as_str()).ok_or_else(|| {
        CliError::Input(format!("scenario \"{}\" has no pressure variants: the suite has no pressures.yaml", answer.scenario))
    })
}

/// Reads every line first, so that a bad line stops the command before any output.
fn read_answers(path: &PathBuf) -> Result<Vec<SavedAnswer>, CliError> {
    let shown = path.display().to_string();
    let reader: Box<dyn BufRead> = if shown == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).map_err(|error| CliError::Input(format!("{shown}: cannot open: {error}")))?;
        Box::new(std::io::BufReader::new(file))
    };

    let mut answers = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line = line.map_err(|error| CliError::Input(format!("{shown}:{}: cannot read: {error}", index + 1)))?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = serde_json::from_str(&line)
            .map_err(|error| CliError::Input(json_error(&shown, index + 1, &error)))?;
        answers.push(answer);
    }
    Ok(answers)
}

/// Formats a JSON error as `file:line:column: message`, without serde's own position.
fn json_error(file: &str, line: usize, error: &serde_json::Error) -> String {
    let message = error.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message);
    format!("{file}:{line}:{}: {message}", error.column())
}
