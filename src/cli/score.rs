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
    /// `base` (the default, also for `null`), a variant id of the scenario, or
    /// `pressure` for an answer to some pressured question: the scenario's rubric plus
    /// the rationalization checks.
    #[serde(default)]
    variant: Option<String>,
    response: String,
    /// The input line, for messages.
    #[serde(skip)]
    line: usize,
}

impl SavedAnswer {
    fn variant(&self) -> &str {
        self.variant.as_deref().unwrap_or(crate::suite::BASE_VARIANT)
    }
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
    let shown = args.answers.display().to_string();
    let variants = answers
        .iter()
        .map(|answer| rubric_variant(&suite, answer).map_err(|message| CliError::Input(format!("{shown}:{}: {message}", answer.line))))
        .collect::<Result<Vec<&str>, CliError>>()?;
    // A regex too large to compile stops the command before any output.
    for (answer, variant) in answers.iter().zip(&variants) {
        let asked = suite.scenario(&answer.scenario).and_then(|scenario| scenario.asked(variant));
        if let Some(asked) = asked {
            asked.rubric.compile()?;
        }
    }

    for (answer, variant) in answers.iter().zip(variants) {
        let score = scorer.score_variant(&answer.scenario, variant, &answer.response)?;
        let line = ScoredAnswer {
            id: &answer.id,
            scenario: &answer.scenario,
            variant: answer.variant(),
            passes: score.passes,
            checks: &score.checks,
        };
        serde_json::to_writer(&mut *out, &line).map_err(|error| CliError::Output(error.to_string()))?;
        writeln!(out).map_err(|error| CliError::Output(error.to_string()))?;
    }
    Ok(())
}

/// Returns the variant whose rubric scores the answer, checked against the suite before
/// any output: `pressure` stands for the scenario's first generated pressure variant,
/// whose rubric every generated one shares.
fn rubric_variant<'a>(suite: &'a Suite, answer: &'a SavedAnswer) -> Result<&'a str, String> {
    let Some(scenario) = suite.scenario(&answer.scenario) else {
        let known: Vec<&str> = suite.scenarios.iter().map(|scenario| scenario.id.as_str()).collect();
        return Err(format!("unknown scenario \"{}\"; the suite has: {}", answer.scenario, known.join(", ")));
    };
    let variant = answer.variant();
    if variant == ANY_PRESSURE {
        let pressured = scenario.variants.iter().find(|variant| variant.kind == VariantKind::Pressure);
        return pressured.map(|variant| variant.id.as_str()).ok_or_else(|| {
            format!("scenario \"{}\" has no pressure variants: the suite has no pressures.yaml", answer.scenario)
        });
    }
    if scenario.asked(variant).is_some() {
        return Ok(variant);
    }
    let known: Vec<&str> = [crate::suite::BASE_VARIANT, ANY_PRESSURE]
        .into_iter()
        .chain(scenario.variants.iter().map(|variant| variant.id.as_str()))
        .collect();
    Err(format!("scenario \"{}\" has no variant \"{variant}\"; it has: {}", answer.scenario, known.join(", ")))
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
        let mut answer: SavedAnswer = serde_json::from_str(&line)
            .map_err(|error| CliError::Input(json_error(&shown, index + 1, &error)))?;
        answer.line = index + 1;
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
