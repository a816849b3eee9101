//! `skilleval run`: sends every scenario to an agent with and without the skill,
//! scores the answers, evaluates the gates and writes the reports. Everything that can
//! be wrong with the input is checked before the first request.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use super::suite_arg::SuiteArg;
use super::{timestamp, CliError};
use crate::agent::{Agent, OpenAiAgent, OpenAiConfig, ReplayAgent, DEFAULT_SYSTEM_PROMPT};
use crate::matrix::{expand, MatrixSpec};
use crate::run::{run_blocking, RunEvent, RunOptions, UnitOutcome, UnitResult};
use crate::report::{Exporter, ReportInputs, RunReport, TerminalExporter};
use crate::score::{AnswerScore, Scorer};
use crate::suite::{Arm, Phase, Skill, Suite};

/// The recorded answers the default run replays: real answers to the six scenarios,
/// without a skill and with the upstream batch-size skill v1.0.0 loaded.
const DEFAULT_RECORDINGS: &str = include_str!("../../fixtures/replay/default.jsonl");

/// Arguments of `skilleval run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub suite: SuiteArg,

    /// Which agent answers: `replay` serves recorded answers, `openai` calls an OpenAI-compatible chat API
    #[arg(long, value_enum, default_value_t = AgentKind::Replay)]
    pub agent: AgentKind,

    /// JSON Lines recordings for the replay agent [default: the built-in recordings]
    #[arg(long, value_name = "FILE")]
    pub recordings: Option<PathBuf>,

    /// Model name sent to the API (openai)
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,

    /// Base URL of the API, up to and including the version (openai)
    #[arg(long, value_name = "URL", default_value = "https://api.openai.com/v1")]
    pub base_url: String,

    /// Environment variable that holds the API key (openai); the key itself is never logged or written
    #[arg(long, value_name = "VAR", default_value = "OPENAI_API_KEY")]
    pub api_key_env: String,

    /// Sampling temperature (openai) [default: the server's]
    #[arg(long)]
    pub temperature: Option<f64>,

    /// Maximum tokens per answer (openai) [default: the server's]
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,

    /// Skill document (a SKILL.md, or a folder holding one) for the with-skill arm
    #[arg(long, value_name = "PATH")]
    pub skill: Option<PathBuf>,

    /// System prompt both arms start from; the with-skill arm gets the skill appended after a blank line
    #[arg(long, value_name = "TEXT", default_value = DEFAULT_SYSTEM_PROMPT)]
    pub system_prompt: String,

    /// Samples per scenario and arm [default: every recorded sample for replay, 1 otherwise]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub samples: Option<u32>,

    /// Requests in flight at once
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: u32,

    /// Folder for the reports: results.json, report.md, report.html, junit.xml, snapshot.json and the phase document
    #[arg(long, value_name = "DIR", default_value = "skilleval-out")]
    pub out: PathBuf,

    /// Evaluate the gates of this phase and the earlier ones [default: every gate whose inputs exist]
    #[arg(long, value_enum)]
    pub phase: Option<PhaseArg>,

    #[command(flatten)]
    pub report: super::report_args::ReportArgs,
}

/// `--phase` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PhaseArg {
    /// The baseline fails: scenarios documented, patterns identified, baseline fails
    Red,
    /// The skill fixes it: the red gates plus skill passes, patterns addressed, examples, length
    Green,
    /// The skill holds under pressure: every gate
    Refactor,
}

impl From<PhaseArg> for Phase {
    fn from(phase: PhaseArg) -> Phase {
        match phase {
            PhaseArg::Red => Phase::Red,
            PhaseArg::Green => Phase::Green,
            PhaseArg::Refactor => Phase::Refactor,
        }
    }
}

/// The kinds of agent `run` can build from flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AgentKind {
    Replay,
    Openai,
}

/// A finished run: every unit with its score (`None` for errored units).
pub struct CompletedRun {
    pub suite: Suite,
    pub agent_description: String,
    pub skill: Option<Arc<Skill>>,
    pub samples: u32,
    pub units: Vec<(UnitResult, Option<AnswerScore>)>,
}

/// Validates everything, runs every unit and scores the answers.
pub fn execute(args: &RunArgs, mut progress: impl FnMut(&RunEvent)) -> Result<CompletedRun, CliError> {
    let suite = args.suite.load()?;
    let scorer = Scorer::new(&suite)?;
    let skill = args.skill.as_deref().map(Skill::read).transpose().map_err(|error| CliError::Input(error.to_string()))?;
    let skill = skill.map(Arc::new);
    let agent = build_agent(args)?;
    let samples = sample_count(args, &agent, &suite)?;

    let spec = MatrixSpec { arms: &Arm::BOTH, samples, system_prompt: &args.system_prompt, skill: skill.as_ref() };
    let requests = expand(&suite, &spec);
    let agent_description = agent.describe();
    let options = RunOptions { concurrency: args.concurrency as usize };
    let results = run_blocking(Arc::new(agent), requests, &options, |event| progress(&event))
        .map_err(|error| CliError::Agent(format!("cannot start the runtime: {error}")))?;

    let units = score_results(&scorer, results)?;
    Ok(CompletedRun { suite, agent_description, skill, samples, units })
}

fn build_agent(args: &RunArgs) -> Result<Agent, CliError> {
    crate::agent::install_crypto_provider();
    match args.agent {
        AgentKind::Replay => {
            let replay = match &args.recordings {
                Some(path) => ReplayAgent::from_file(path),
                None => ReplayAgent::from_jsonl_str(DEFAULT_RECORDINGS, "<built-in recordings>"),
            };
            Ok(Agent::Replay(replay.map_err(|error| CliError::Input(error.to_string()))?))
        }
        AgentKind::Openai => {
            let model = args.model.clone().ok_or_else(|| CliError::Input("--agent openai needs --model".into()))?;
            let mut config = OpenAiConfig::new(model);
            config.base_url = args.base_url.clone();
            config.api_key_variable = args.api_key_env.clone();
            config.temperature = args.temperature;
            config.max_tokens = args.max_tokens;
            let agent = OpenAiAgent::new(config).map_err(|error| CliError::Input(error.to_string()))?;
            Ok(Agent::OpenAi(agent))
        }
    }
}

/// Picks the sample count, and for replay checks that every unit has a recording, so
/// a missing recording stops the run before it starts instead of erroring units.
fn sample_count(args: &RunArgs, agent: &Agent, suite: &Suite) -> Result<u32, CliError> {
    let Agent::Replay(replay) = agent else { return Ok(args.samples.unwrap_or(1)) };
    let available = suite
        .scenarios
        .iter()
        .flat_map(|scenario| Arm::BOTH.map(|arm| (scenario, arm, replay.samples_available(&scenario.id, arm))))
        .min_by_key(|(_, _, count)| *count);
    let Some((scenario, arm, available)) = available else { return Ok(0) };
    let samples = args.samples.unwrap_or(available);
    if samples > available {
        let message = format!(
            "the recordings have {available} sample(s) for scenario \"{}\", arm {}, but {samples} were asked for",
            scenario.id,
            arm.as_str()
        );
        return Err(CliError::Input(message));
    }
    if samples == 0 {
        return Err(CliError::Input(format!("no recordings for scenario \"{}\", arm {}", scenario.id, arm.as_str())));
    }
    Ok(samples)
}

fn score_results(scorer: &Scorer, results: Vec<UnitResult>) -> Result<Vec<(UnitResult, Option<AnswerScore>)>, CliError> {
    results
        .into_iter()
        .map(|result| {
            let score = match &result.outcome {
                UnitOutcome::Answered { response } => Some(scorer.score(&result.key.scenario, response)?),
                UnitOutcome::Errored { .. } => None,
            };
            Ok((result, score))
        })
        .collect()
}

/// Runs the command: executes the run, writes the reports, prints the terminal
/// table, and returns the exit code the gates and errored units call for.
pub fn run(args: &RunArgs, out: &mut dyn std::io::Write) -> Result<u8, CliError> {
    let started_at = timestamp::now_rfc3339();
    args.report.validate()?;
    let completed = execute(args, |_| {})?;
    let finished_at = timestamp::now_rfc3339();

    let mut report = RunReport::build(ReportInputs {
        suite: &completed.suite,
        agent: completed.agent_description.clone(),
        skill: completed.skill.as_deref(),
        samples: completed.samples,
        arms: Arm::BOTH.to_vec(),
        started_at: Some(started_at),
        finished_at: Some(finished_at),
        units: &completed.units,
        up_to_phase: args.phase.map(Phase::from),
    })
    .map_err(|error| CliError::Output(error.to_string()))?;

    let applied = args.report.apply(&mut report, &args.out)?;
    let color = std::io::stdout().is_terminal();
    TerminalExporter::new(color).write_report(&report, out).map_err(|error| CliError::Output(error.to_string()))?;
    for path in &applied.written {
        writeln!(out, "wrote {}", path.display()).map_err(|error| CliError::Output(error.to_string()))?;
    }
    Ok(applied.exit_code(exit_code(&completed.units, &report)))
}

/// Share of units that may error before the run counts as failed to reach the agent.
const MAX_ERRORED_SHARE: f64 = 0.5;

/// 3 when more than half the units errored, else 1 when a gate fails, else 0.
fn exit_code(units: &[(UnitResult, Option<AnswerScore>)], report: &RunReport) -> u8 {
    let errored = units.iter().filter(|(_, score)| score.is_none()).count();
    if !units.is_empty() && errored as f64 > MAX_ERRORED_SHARE * units.len() as f64 {
        return super::exit::AGENT_FAILED;
    }
    if report.gates.iter().any(|gate| gate.fails()) {
        return super::exit::GATE_FAILED;
    }
    super::exit::SUCCESS
}
