//! `skilleval run`: sends every scenario to an agent with and without the skill,
//! scores the answers, evaluates the gates and writes the reports. Everything that can
//! be wrong with the input is checked before the first request, and a run that needs
//! more calls than `--max-calls` does not start.

mod agent_choice;
mod records;

use std::collections::{HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::suite_arg::SuiteArg;
use super::{CliError, exit, timestamp};
use crate::agent::{Agent, AgentRequest, DEFAULT_SYSTEM_PROMPT, Recorder, UnitKey};
use crate::matrix::{MatrixSpec, expand};
use crate::report::{Exporter, RunReport, TerminalExporter};
use crate::run::{
    CallEstimate, Journal, JournalLine, PlanSources, Progress, ProgressMode, ResponseCache, RunEvent, RunTally,
    RunnerSettings, UnitOutcome, UnitResult, plan_run, read_journal, run_plan_blocking,
};
use crate::score::{ScoredUnit, Scorer};
use crate::suite::{Arm, Phase, Scenario, Skill, Suite, BASE_VARIANT};

pub use agent_choice::ChosenAgent;
use agent_choice::choose_agent;
use records::{ReportBook, ReportContext, RunRecords};

/// Arguments of `skilleval run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub suite: SuiteArg,

    /// Which agent answers: `replay` (recorded answers), `openai` (an OpenAI-compatible chat API), `anthropic` (the Messages API), or the id of an entry in --agents
    #[arg(long, value_name = "ID", default_value = "replay")]
    pub agent: String,

    /// YAML file listing agents by id, with their models, servers, limits and retry policies
    #[arg(long, value_name = "FILE")]
    pub agents: Option<PathBuf>,

    /// JSON Lines recordings for the replay agent [default: the built-in recordings]
    #[arg(long, value_name = "FILE")]
    pub recordings: Option<PathBuf>,

    /// Model name sent to the API (openai, anthropic)
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,

    /// Base URL of the API (openai: up to and including the version) [default: the provider's own API]
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Environment variable that contains the API key [default: OPENAI_API_KEY or ANTHROPIC_API_KEY]; the key itself is never logged or written
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,

    /// Sampling temperature (openai, anthropic) [default: the server's]
    #[arg(long)]
    pub temperature: Option<f64>,

    /// Maximum tokens per answer (openai, anthropic) [default: the server's for openai, 4096 for anthropic]
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u32>,

    /// Skill document (a SKILL.md, or a folder holding one) for the with-skill arm
    #[arg(long, value_name = "PATH")]
    pub skill: Option<PathBuf>,

    /// Arms to ask. `auto` asks both, except that a live agent with no --skill is asked only without-skill, because its with-skill arm would repeat the same prompts
    #[arg(long, value_enum, default_value_t = ArmsArg::Auto)]
    pub arms: ArmsArg,

    /// System prompt both arms start from; the with-skill arm gets the skill appended after a blank line
    #[arg(long, value_name = "TEXT", default_value = DEFAULT_SYSTEM_PROMPT)]
    pub system_prompt: String,

    /// Samples per scenario and arm [default: every recorded sample for replay, 1 otherwise]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub samples: Option<u32>,

    /// Samples per variant and arm in the REFACTOR phase, where every scenario is also asked under each pressure and with each parameter set [default: every recorded sample for replay, 1 otherwise]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub variant_samples: Option<u32>,

    /// Requests in flight at once [default: the agent entry's; without one, 4, or 1 for a subprocess agent]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrency: Option<u32>,

    /// Maximum requests started per minute, retries included [default: the agent entry's, or no limit]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub requests_per_minute: Option<u32>,

    /// Maximum tokens (input and output) per minute, estimated before each call and corrected after [default: the agent entry's, or no limit]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub tokens_per_minute: Option<u64>,

    /// Run folder: journal.jsonl and the reports (results.json, report.md, report.html, junit.xml, snapshot.json and the phase document)
    #[arg(long, value_name = "DIR", default_value = "skilleval-out", conflicts_with = "resume")]
    pub out: PathBuf,

    /// Finish the run in this folder: units answered in its journal are not called again; give the original run's flags
    #[arg(long, value_name = "RUN_DIR")]
    pub resume: Option<PathBuf>,

    /// Folder of the response cache, which answers a request seen before without a call
    #[arg(long, value_name = "DIR", env = "SKILLEVAL_CACHE_DIR", default_value = ".skilleval-cache")]
    pub cache_dir: PathBuf,

    /// Call the agent for every unit even when the cache has its answer (answers are still stored)
    #[arg(long)]
    pub no_cache: bool,

    /// Print how many calls the run would make and an estimate of their tokens, then stop
    #[arg(long)]
    pub dry_run: bool,

    /// Do not start a run that needs more than N calls (cached and journaled units need none)
    #[arg(long, value_name = "N")]
    pub max_calls: Option<usize>,

    /// Stop starting units once more than N have errored, and exit with code 3 [default: half the units]
    #[arg(long, value_name = "N")]
    pub max_errored: Option<usize>,

    /// Append every answer to this JSON Lines file in the replay format
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Evaluate the gates of this phase and the earlier ones; `refactor` also asks every pressure and parametric variant and writes the pressure-test report [default: every gate whose inputs exist, base questions only]
    #[arg(long, value_enum)]
    pub phase: Option<PhaseArg>,

    #[command(flatten)]
    pub report: super::report_args::ReportArgs,
}

/// `--arms` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ArmsArg {
    /// Both arms, unless a live agent has no skill to load: then only without-skill
    Auto,
    /// Both arms, even when they send the same prompts
    Both,
    /// Only the baseline, as in a RED-phase run before the skill exists
    WithoutSkill,
    /// Only the arm with the skill loaded; needs --skill unless the agent is replay
    WithSkill,
}

/// `--phase` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PhaseArg {
    /// The baseline fails: scenarios documented, patterns identified, baseline fails
    Red,
    /// The skill fixes it: the red gates plus skill passes, patterns addressed, examples, length
    Green,
    /// The skill holds under pressure: every gate, with every scenario re-asked under pressure and with other parameters
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

/// Share of units that may error before the run counts as failed to reach the agent.
const MAX_ERRORED_SHARE: f64 = 0.5;

/// Everything validated and planned before the first call.
struct Prepared {
    suite: Suite,
    skill: Option<Arc<Skill>>,
    chosen: ChosenAgent,
    arms: &'static [Arm],
    samples: SampleCounts,
    requests: Vec<AgentRequest>,
    journal: Option<HashMap<UnitKey, JournalLine>>,
}

/// A finished in-memory run: every unit in matrix order, with its score (`None` for
/// errored units).
pub struct CompletedRun {
    pub suite: Suite,
    pub agent_description: String,
    pub skill: Option<Arc<Skill>>,
    pub samples: SampleCounts,
    pub units: Vec<ScoredUnit>,
}

/// How many times each question is asked per arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleCounts {
    /// Samples of each scenario as written.
    pub base: u32,
    /// Samples of each variant, or `None` when the run asks no variants.
    pub variants: Option<u32>,
}

/// Validates everything, runs every unit and scores the answers, in memory: no journal,
/// cache, recording or report is read or written. For library callers and tests.
pub fn execute(args: &RunArgs, mut progress: impl FnMut(&RunEvent)) -> Result<CompletedRun, CliError> {
    let prepared = prepare(args)?;
    let scorer = Scorer::new(&prepared.suite)?;
    let positions: HashMap<UnitKey, usize> =
        prepared.requests.iter().enumerate().map(|(index, request)| (request.key.clone(), index)).collect();
    let sources = PlanSources { agent_identity: &prepared.chosen.identity, journal: None, cache: None, max_tokens: None };
    let plan = plan_run(prepared.requests, sources).map_err(|error| CliError::Input(error.to_string()))?;
    let settings = RunnerSettings {
        concurrency: prepared.chosen.concurrency as usize,
        limits: prepared.chosen.limits,
        retry: prepared.chosen.retry,
        max_errored: args.max_errored.unwrap_or(usize::MAX),
        stop_on_interrupt: false,
    };

    let mut results = Vec::with_capacity(positions.len());
    run_plan_blocking(Arc::new(prepared.chosen.agent), plan, &settings, |event| {
        progress(&event);
        if let RunEvent::UnitFinished(unit) = event {
            results.push(unit.result);
        }
    })
    .map_err(|error| CliError::Agent(format!("cannot start the runtime: {error}")))?;
    results.sort_by_key(|result| positions[&result.key]);

    let units = results.into_iter().map(|result| score_result(&scorer, result)).collect::<Result<_, _>>()?;
    let agent_description = prepared.chosen.description;
    Ok(CompletedRun { suite: prepared.suite, agent_description, skill: prepared.skill, samples: prepared.samples, units })
}

/// Scores an answered unit; an errored unit gets no score.
fn score_result(scorer: &Scorer, result: UnitResult) -> Result<ScoredUnit, CliError> {
    let score = match &result.outcome {
        UnitOutcome::Answered { response } => Some(scorer.score_variant(&result.key.scenario, &result.key.variant, response)?),
        UnitOutcome::Errored { .. } => None,
    };
    Ok((result, score))
}

/// Runs the command and returns the exit code: the gates' verdict, 3 when too many
/// units errored, or 0 after a dry run.
pub fn run(args: &RunArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let started_at = timestamp::now_rfc3339();
    args.report.validate()?;
    let prepared = prepare(args)?;
    if args.arms == ArmsArg::Auto && prepared.arms == [Arm::WithoutSkill] {
        eprintln!("note: no --skill given, so only the without-skill arm is asked (--arms both asks both)");
    }
    let scorer = Scorer::new(&prepared.suite)?;
    let cache = (prepared.chosen.cacheable).then(|| ResponseCache::new(&args.cache_dir));
    let keys: Vec<_> = prepared.requests.iter().map(|request| request.key.clone()).collect();
    let total = keys.len();

    let sources = PlanSources {
        agent_identity: &prepared.chosen.identity,
        journal: prepared.journal.as_ref(),
        cache: cache.as_ref().filter(|_| !args.no_cache),
        max_tokens: prepared.chosen.max_tokens,
    };
    let plan = plan_run(prepared.requests, sources).map_err(|error| CliError::Input(error.to_string()))?;
    if args.dry_run {
        write_estimate(out, total, &plan.estimate).map_err(|error| CliError::Output(error.to_string()))?;
        check_max_calls(args, &plan.estimate, "")?;
        return Ok(exit::SUCCESS);
    }
    check_max_calls(args, &plan.estimate, " (see --dry-run)")?;

    let context = ReportContext {
        suite: &prepared.suite,
        scorer: &scorer,
        agent_description: prepared.chosen.description.clone(),
        skill: prepared.skill.clone(),
        samples: prepared.samples,
        arms: prepared.arms,
        up_to_phase: args.phase.map(Phase::from),
        out: run_folder(args).to_path_buf(),
        started_at,
    };
    let book = ReportBook::new(context, &keys);
    let (sender, receiver) = std::sync::mpsc::channel();
    let mut records = RunRecords {
        progress: Progress::new(ProgressMode::detect()),
        journal: open_journal(args)?,
        cache,
        recorder: open_recorder(args)?,
        reports: sender,
        failure: None,
    };
    if let (Some(recorder), Some(path)) = (&records.recorder, &args.record) {
        warn_already_recorded(recorder, &keys, path);
    }
    let settings = RunnerSettings {
        concurrency: prepared.chosen.concurrency as usize,
        limits: prepared.chosen.limits,
        retry: prepared.chosen.retry,
        max_errored: args.max_errored.unwrap_or((total as f64 * MAX_ERRORED_SHARE) as usize),
        stop_on_interrupt: true,
    };
    let agent = Arc::new(prepared.chosen.agent);

    let (tally, book, failure) = std::thread::scope(|scope| {
        let reporter = scope.spawn(move || book.fill(receiver));
        let tally = run_plan_blocking(agent, plan, &settings, |event| records.handle(event));
        if let Err(error) = records.journal.sync() {
            tracing::error!(%error, "cannot sync the journal");
            records.failure.get_or_insert(CliError::Output(error.to_string()));
        }
        let failure = records.failure.take();
        drop(records);
        (tally, reporter.join().expect("the report thread does not panic"), failure)
    });
    let tally = tally.map_err(|error| CliError::Agent(format!("cannot start the runtime: {error}")))?;
    if let Some(failure) = failure {
        return Err(failure);
    }
    finish(args, book, &tally, out)
}

/// Writes the final reports (with the baseline comparison and extra files that the
/// report flags ask for) and the terminal table, and picks the exit code.
fn finish(args: &RunArgs, mut book: ReportBook<'_>, tally: &RunTally, out: &mut dyn Write) -> Result<u8, CliError> {
    if let Some(failure) = book.failure.take() {
        return Err(failure);
    }
    let mut report = book.build(Some(timestamp::now_rfc3339()))?;
    let applied = args.report.apply(&mut report, book.run_folder())?;
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    let output_error = |error: std::io::Error| CliError::Output(error.to_string());
    TerminalExporter::new(color).write_report(&report, out).map_err(|error| CliError::Output(error.to_string()))?;
    for path in &applied.written {
        writeln!(out, "wrote {}", path.display()).map_err(output_error)?;
    }
    if tally.not_run > 0 {
        let message = format!("{} units were not run; finish them with --resume {}", tally.not_run, book.run_folder().display());
        writeln!(out, "{message}").map_err(output_error)?;
    }
    let code = exit_code(tally, &report);
    if code == exit::INTERRUPTED {
        return Ok(code);
    }
    Ok(applied.exit_code(code))
}

/// Loads and validates every input, picks the agent and expands the matrix, before any call.
fn prepare(args: &RunArgs) -> Result<Prepared, CliError> {
    let suite = args.suite.load()?;
    let skill = args.skill.as_deref().map(Skill::read).transpose().map_err(|error| CliError::Input(error.to_string()))?;
    let skill = skill.map(Arc::new);
    let chosen = choose_agent(args)?;
    let arms = chosen_arms(args.arms, skill.is_some(), &chosen.agent)?;
    let samples = sample_counts(args, &chosen.agent, &suite, arms)?;
    let spec = MatrixSpec {
        arms,
        samples: samples.base,
        variant_samples: samples.variants,
        system_prompt: &args.system_prompt,
        skill: skill.as_ref(),
    };
    let requests = expand(&suite, &spec);
    compile_asked_rubrics(&suite, &requests)?;
    let journal = match &args.resume {
        Some(folder) => Some(read_journal(folder).map_err(|error| CliError::Input(error.to_string()))?.0),
        None => None,
    };
    Ok(Prepared { suite, skill, chosen, arms, samples, requests, journal })
}

/// Picks the arms to ask. A replay agent has recordings of both arms, so only a live
/// agent without a skill has an arm that would repeat the other.
fn chosen_arms(arms: ArmsArg, has_skill: bool, agent: &Agent) -> Result<&'static [Arm], CliError> {
    let live_without_skill = !has_skill && !matches!(agent, Agent::Replay(_));
    match arms {
        ArmsArg::Auto if live_without_skill => Ok(&[Arm::WithoutSkill]),
        ArmsArg::Auto | ArmsArg::Both => Ok(&Arm::BOTH),
        ArmsArg::WithoutSkill => Ok(&[Arm::WithoutSkill]),
        ArmsArg::WithSkill if live_without_skill => {
            Err(CliError::Input("--arms with-skill needs --skill: the with-skill arm loads that skill".to_string()))
        }
        ArmsArg::WithSkill => Ok(&[Arm::WithSkill]),
    }
}

/// Compiles the rubric of every question the run asks, so that a regex too large to
/// compile stops the run before the first call. The rubrics of questions not asked,
/// such as the variants outside the REFACTOR phase, stay uncompiled.
fn compile_asked_rubrics(suite: &Suite, requests: &[AgentRequest]) -> Result<(), CliError> {
    let mut compiled = HashSet::new();
    for key in requests.iter().map(|request| &request.key) {
        if !compiled.insert((key.scenario.as_str(), key.variant.as_str())) {
            continue;
        }
        if let Some(asked) = suite.scenario(&key.scenario).and_then(|scenario| scenario.asked(&key.variant)) {
            asked.rubric.compile()?;
        }
    }
    Ok(())
}

/// Returns the run folder: the one being resumed, or `--out`.
fn run_folder(args: &RunArgs) -> &Path {
    args.resume.as_deref().unwrap_or(&args.out)
}

/// Opens the journal: appending to the resumed run's, or a new one.
fn open_journal(args: &RunArgs) -> Result<Journal, CliError> {
    let journal = match &args.resume {
        Some(folder) => Journal::resume(folder).map(|(journal, _)| journal),
        None => Journal::create(&args.out),
    };
    journal.map_err(|error| CliError::Output(error.to_string()))
}

fn open_recorder(args: &RunArgs) -> Result<Option<Recorder>, CliError> {
    let Some(path) = &args.record else { return Ok(None) };
    Recorder::open(path).map(Some).map_err(|error| CliError::Input(error.to_string()))
}

/// Warns before any call when the recording already contains answers for some of this
/// run's units. The file keeps the first answer of a unit, so the new answers for those
/// units are scored and reported but not recorded.
fn warn_already_recorded(recorder: &Recorder, keys: &[UnitKey], path: &Path) {
    let already_recorded = keys.iter().filter(|key| recorder.contains(key)).count();
    if already_recorded > 0 {
        eprintln!(
            "warning: {} already holds answers for {already_recorded} of this run's {} units; it keeps them, and new answers for those units will not be recorded (record to a new file to keep them)",
            path.display(),
            keys.len()
        );
    }
}

/// Prints what a dry run found.
fn write_estimate(out: &mut dyn Write, total: usize, estimate: &CallEstimate) -> std::io::Result<()> {
    writeln!(
        out,
        "{total} units: {} calls needed, {} answered in the journal, {} in the cache",
        estimate.calls, estimate.from_journal, estimate.from_cache
    )?;
    let output = match estimate.max_output_tokens {
        Some(tokens) => format!("at most {tokens} output tokens (max_tokens per call)"),
        None => "output tokens unknown (the agent sets no max_tokens)".to_string(),
    };
    writeln!(out, "estimate: about {} input tokens (4 characters per token), {output}; retries not included", estimate.input_tokens)
}

/// Rejects a run that needs more calls than `--max-calls` allows. A dry run is rejected
/// the same way, so its exit code shows whether the real run would start.
fn check_max_calls(args: &RunArgs, estimate: &CallEstimate, hint: &str) -> Result<(), CliError> {
    match args.max_calls {
        Some(max_calls) if estimate.calls > max_calls => Err(CliError::Input(format!(
            "the run needs {} calls, more than --max-calls {max_calls}; nothing was sent{hint}",
            estimate.calls
        ))),
        _ => Ok(()),
    }
}

/// Picks the sample counts, and for replay checks that every unit has a recording, so
/// a missing recording stops the run before it starts instead of erroring units.
/// Variants are asked only in the REFACTOR phase.
fn sample_counts(args: &RunArgs, agent: &Agent, suite: &Suite, arms: &[Arm]) -> Result<SampleCounts, CliError> {
    if args.variant_samples.is_some() && args.phase != Some(PhaseArg::Refactor) {
        return Err(CliError::Input("--variant-samples applies only with --phase refactor, the phase that asks the variants".to_string()));
    }
    let asks_variants = args.phase == Some(PhaseArg::Refactor) && suite.scenarios.iter().any(|scenario| !scenario.variants.is_empty());
    let Agent::Replay(replay) = agent else {
        let variants = asks_variants.then(|| args.variant_samples.unwrap_or(1));
        return Ok(SampleCounts { base: args.samples.unwrap_or(1), variants });
    };
    let base_units = suite.scenarios.iter().map(|scenario| (scenario, BASE_VARIANT));
    let base = recorded_samples(replay, base_units, arms, args.samples, "--samples")?;
    let variants = match asks_variants {
        false => None,
        true => {
            let variant_units = suite
                .scenarios
                .iter()
                .flat_map(|scenario| scenario.variants.iter().map(move |variant| (scenario, variant.id.as_str())));
            Some(recorded_samples(replay, variant_units, arms, args.variant_samples, "--variant-samples")?)
        }
    };
    Ok(SampleCounts { base, variants })
}

/// Returns the samples to ask of each (scenario, variant) in `arms`: `asked`, or every
/// recorded sample when not given. Fails when a recording falls short.
fn recorded_samples<'a>(
    replay: &crate::agent::ReplayAgent,
    units: impl Iterator<Item = (&'a Scenario, &'a str)>,
    arms: &[Arm],
    asked: Option<u32>,
    flag: &str,
) -> Result<u32, CliError> {
    let fewest = units
        .flat_map(|(scenario, variant)| arms.iter().map(move |&arm| (scenario, variant, arm, replay.samples_available(&scenario.id, variant, arm))))
        .min_by_key(|(.., count)| *count);
    let Some((scenario, variant, arm, available)) = fewest else { return Ok(0) };
    let unit = UnitKey { scenario: scenario.id.clone(), variant: variant.to_string(), arm, sample: 0 };
    let samples = asked.unwrap_or(available);
    if samples == 0 {
        let message = format!("no recordings for scenario \"{}\"{}, arm {}", unit.scenario, unit.variant_note(), arm.as_str());
        return Err(CliError::Input(message));
    }
    if samples > available {
        let message = format!(
            "the recordings have {available} sample(s) for scenario \"{}\"{}, arm {}, but {flag} {samples} was asked for",
            unit.scenario,
            unit.variant_note(),
            arm.as_str()
        );
        return Err(CliError::Input(message));
    }
    Ok(samples)
}

/// 130 after Ctrl-C, 3 when the run stopped early or more than half the units errored,
/// else 1 when a gate fails, else 0.
fn exit_code(tally: &RunTally, report: &RunReport) -> u8 {
    if tally.interrupted {
        return exit::INTERRUPTED;
    }
    let finished = tally.answered + tally.errored;
    if tally.stopped || (finished > 0 && tally.errored as f64 > MAX_ERRORED_SHARE * finished as f64) {
        return exit::AGENT_FAILED;
    }
    if report.gates.iter().any(|gate| gate.fails()) {
        return exit::GATE_FAILED;
    }
    exit::SUCCESS
}
