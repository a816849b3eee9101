//! Loading and validating a suite: YAML parsing with file, line and column in every
//! error, regex compilation, cross-file id checks and the fixed-id contract. Nothing
//! here knows the planner; numeric checks are checked against it by the scorer.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use regex::Regex;
use serde::de::DeserializeOwned;
use serde_saphyr::Spanned;

use super::contract::fixed_scenario;
use super::lazy_regex::{ascii_perl_classes, build_regex, LazyRegex, RegexInterner, RegexOrigin};
use super::files::{CheckFile, PatternFile, RationalizationsFile, RubricFile, ScenarioFile, SuiteFile};
use super::model::{
    Check, CheckKind, CheckRule, GateThresholds, NumericRule, Parameters, Pattern, PhraseGroup, PhraseRule,
    Rubric, Scenario, Suite, RATIONALIZATION_PREFIX,
};
use super::template;
use super::variants::{build_variants, PressureLibrary};

/// One suite file: its path as shown in messages, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// The files that make a suite, before parsing.
#[derive(Debug, Clone)]
pub struct SuiteSources {
    pub suite: SourceFile,
    pub gates: SourceFile,
    pub scenarios: Vec<SourceFile>,
    pub rubrics: Vec<SourceFile>,
    /// `pressures.yaml`, the REFACTOR phase's pressure library; optional.
    pub pressures: Option<SourceFile>,
    /// `rationalizations.yaml`, the checks that find excuses under pressure; optional.
    pub rationalizations: Option<SourceFile>,
}

/// A suite that could not be loaded: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    pub file: String,
    /// 1-based line, or 0 when the error concerns the whole file.
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
        }
    }
}

impl LoadError {
    pub(crate) fn whole_file(file: &str, message: impl Into<String>) -> Self {
        LoadError { file: file.to_string(), line: 0, column: 0, message: message.into() }
    }

    pub(crate) fn at<T>(file: &str, spanned: &Spanned<T>, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_string(),
            line: spanned.referenced.line(),
            column: spanned.referenced.column(),
            message: message.into(),
        }
    }
}

/// Reads a suite folder: `suite.yaml`, `gates.yaml`, `scenarios/*.yaml`, `rubrics/*.yaml`,
/// and when present `pressures.yaml` and `rationalizations.yaml`.
pub fn read_dir(dir: &Path) -> Result<SuiteSources, LoadError> {
    let optional = |relative: &str| match dir.join(relative).exists() {
        true => read_file(dir, relative).map(Some),
        false => Ok(None),
    };
    Ok(SuiteSources {
        suite: read_file(dir, "suite.yaml")?,
        gates: read_file(dir, "gates.yaml")?,
        scenarios: read_yaml_folder(dir, "scenarios")?,
        rubrics: read_yaml_folder(dir, "rubrics")?,
        pressures: optional("pressures.yaml")?,
        rationalizations: optional("rationalizations.yaml")?,
    })
}

fn read_file(dir: &Path, relative: &str) -> Result<SourceFile, LoadError> {
    let path = dir.join(relative);
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|error| LoadError::whole_file(&shown, format!("cannot read file: {error}")))?;
    Ok(SourceFile { path: shown, text })
}

fn read_yaml_folder(dir: &Path, folder: &str) -> Result<Vec<SourceFile>, LoadError> {
    let folder_path = dir.join(folder);
    let shown = folder_path.display().to_string();
    let entries = std::fs::read_dir(&folder_path)
        .map_err(|error| LoadError::whole_file(&shown, format!("cannot read folder: {error}")))?;

    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml" || ext == "yml"))
        .collect();
    paths.sort();

    paths
        .iter()
        .map(|path| {
            let name = path.file_name().map(|name| name.to_string_lossy().into_owned());
            read_file(&folder_path, &name.unwrap_or_default())
        })
        .collect()
}

/// Parses and validates every file of a suite.
pub fn load(sources: &SuiteSources) -> Result<Suite, LoadError> {
    let suite_file: SuiteFile = parse(&sources.suite)?;
    let gates: GateThresholds = parse(&sources.gates)?;
    let patterns = compile_patterns(&sources.suite.path, &suite_file.patterns)?;
    let pattern_ids: HashSet<&str> = patterns.iter().map(|pattern| pattern.id.as_str()).collect();
    let library = match &sources.pressures {
        Some(source) => PressureLibrary::parse(&source.path, parse(source)?)?,
        None => PressureLibrary::default(),
    };
    let mut regexes = RegexInterner::default();
    let rationalizations = match &sources.rationalizations {
        Some(source) => compile_rationalizations(&source.path, &parse(source)?, &mut regexes)?,
        None => Vec::new(),
    };

    let mut rubrics = parse_rubrics(&sources.rubrics)?;
    let mut loaded = Vec::new();
    let mut seen_ids = HashSet::new();
    for source in &sources.scenarios {
        let file: ScenarioFile = parse(source)?;
        check_scenario_file(source, &file, &pattern_ids, &mut seen_ids)?;
        let (rubric_path, rubric_file) = rubrics.remove(file.id.value.as_str()).ok_or_else(|| {
            LoadError::at(&source.path, &file.id, format!("no rubric for scenario \"{}\"", file.id.value))
        })?;
        let rubric = compile_rubric(&rubric_path, &rubric_file, &file.parameters, &mut regexes)?;
        check_contract(&rubric_path, &file.id.value, &rubric)?;
        check_planner_inputs(&source.path, &file.id, &rubric, &file.parameters, "the scenario's parameters")?;
        loaded.push(LoadedScenario { scenario: build_scenario(&file, rubric), file, path: source.path.clone(), rubric_path, rubric_file });
    }

    if let Some((path, orphan)) = rubrics.into_values().next() {
        let message = format!("rubric for unknown scenario \"{}\"", orphan.scenario.value);
        return Err(LoadError::at(&path, &orphan.scenario, message));
    }
    if loaded.is_empty() {
        return Err(LoadError::whole_file(&sources.suite.path, "the suite has no scenarios"));
    }
    let mut loaded = apply_order(&sources.suite.path, &suite_file.order, loaded)?;
    library.check_placeholders(loaded.iter().map(|scenario| &scenario.scenario.parameters))?;
    for (position, scenario) in loaded.iter_mut().enumerate() {
        scenario.scenario.variants = build_variants(scenario, position, &library, &rationalizations, &mut regexes)?;
    }

    let scenarios = loaded.into_iter().map(|scenario| scenario.scenario).collect();
    Ok(Suite { name: suite_file.name, patterns, scenarios, gates, pressures: library.types() })
}

/// A scenario as loaded, with the files its variants are built from.
pub(crate) struct LoadedScenario {
    pub scenario: Scenario,
    pub file: ScenarioFile,
    pub path: String,
    pub rubric_path: String,
    pub rubric_file: RubricFile,
}

impl Identified for LoadedScenario {
    fn id(&self) -> &str {
        &self.scenario.id
    }
}

/// Something `order` in `suite.yaml` can name.
trait Identified {
    fn id(&self) -> &str;
}

/// Puts scenarios in the order `suite.yaml` lists; every scenario must be listed once.
fn apply_order<T: Identified>(file: &str, order: &[Spanned<String>], mut scenarios: Vec<T>) -> Result<Vec<T>, LoadError> {
    if order.is_empty() {
        return Ok(scenarios);
    }
    let mut ordered = Vec::with_capacity(scenarios.len());
    for id in order {
        let position = scenarios.iter().position(|scenario| scenario.id() == id.value).ok_or_else(|| {
            LoadError::at(file, id, format!("`order` names \"{}\", which is not a scenario or is listed twice", id.value))
        })?;
        ordered.push(scenarios.remove(position));
    }
    if let Some(unlisted) = scenarios.first() {
        let message = format!("scenario \"{}\" is missing from `order`", unlisted.id());
        return Err(LoadError::whole_file(file, message));
    }
    Ok(ordered)
}

/// Parses one YAML file, turning a parser error into `file:line:col: message`.
pub(crate) fn parse<T: DeserializeOwned>(source: &SourceFile) -> Result<T, LoadError> {
    serde_saphyr::from_str(&source.text).map_err(|error| {
        let location = error.location();
        LoadError {
            file: source.path.clone(),
            line: location.map_or(0, |location| location.line()),
            column: location.map_or(0, |location| location.column()),
            message: first_line(&error.to_string()),
        }
    })
}

/// Keeps the parser's message, dropping the source snippet it appends and the
/// `error: line N column M:` prefix that our own `file:line:col:` replaces.
pub(crate) fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message).trim();
    let line = line.strip_prefix("error: ").unwrap_or(line);
    match line.strip_prefix("line ").and_then(|rest| rest.split_once(": ")) {
        Some((position, rest)) if position.contains(" column ") => rest.to_string(),
        _ => line.to_string(),
    }
}

fn parse_rubrics(sources: &[SourceFile]) -> Result<BTreeMap<String, (String, RubricFile)>, LoadError> {
    let mut rubrics = BTreeMap::new();
    for source in sources {
        let file: RubricFile = parse(source)?;
        let scenario_id = file.scenario.value.clone();
        if rubrics.contains_key(&scenario_id) {
            let message = format!("a second rubric for scenario \"{scenario_id}\"");
            return Err(LoadError::at(&source.path, &file.scenario, message));
        }
        rubrics.insert(scenario_id, (source.path.clone(), file));
    }
    Ok(rubrics)
}

fn check_scenario_file(
    source: &SourceFile,
    file: &ScenarioFile,
    pattern_ids: &HashSet<&str>,
    seen_ids: &mut HashSet<String>,
) -> Result<(), LoadError> {
    check_id_syntax(&source.path, &file.id, "scenario")?;
    if !seen_ids.insert(file.id.value.clone()) {
        let message = format!("duplicate scenario id \"{}\"", file.id.value);
        return Err(LoadError::at(&source.path, &file.id, message));
    }
    for required in [("title", &file.title), ("query", &file.query.value), ("failure_pattern", &file.failure_pattern)] {
        if required.1.trim().is_empty() {
            let message = format!("`{}` of scenario \"{}\" is empty", required.0, file.id.value);
            return Err(LoadError::at(&source.path, &file.id, message));
        }
    }
    for pattern in &file.patterns {
        if !pattern_ids.contains(pattern.value.as_str()) {
            let message = format!("unknown failure pattern \"{}\"; declare it in suite.yaml", pattern.value);
            return Err(LoadError::at(&source.path, pattern, message));
        }
    }
    check_placeholders(&source.path, &file.query, &file.parameters)
}

/// Rejects a `{name}` in `text` that is not one of `parameters`.
pub(crate) fn check_placeholders(file: &str, text: &Spanned<String>, parameters: &Parameters) -> Result<(), LoadError> {
    match template::first_unknown(&text.value, parameters) {
        None => Ok(()),
        Some(name) => Err(LoadError::at(file, text, unknown_placeholder(name, parameters))),
    }
}

/// Formats the message for a placeholder that names no parameter.
pub(crate) fn unknown_placeholder(name: &str, parameters: &Parameters) -> String {
    let declared: Vec<String> = parameters.keys().map(|key| format!("{{{key}}}")).collect();
    let declared = if declared.is_empty() { "none".to_string() } else { declared.join(", ") };
    format!("unknown placeholder {{{name}}}; the scenario's parameters give: {declared}")
}

/// Checks that the planner can compute every numeric check of `rubric` from
/// `parameters`, so that a missing or invalid value is a load error at `place` rather
/// than a scorer error that names no line. `owner` names the parameters in the message.
pub(crate) fn check_planner_inputs<T>(
    file: &str,
    place: &Spanned<T>,
    rubric: &Rubric,
    parameters: &Parameters,
    owner: &str,
) -> Result<(), LoadError> {
    for check in &rubric.checks {
        if let CheckRule::Numeric(rule) = &check.rule {
            if let Err(error) = crate::planner::expected(rule.quantity, parameters) {
                let message = format!("{owner} cannot give numeric check \"{}\" its expected value: {error}", check.id);
                return Err(LoadError::at(file, place, message));
            }
        }
    }
    Ok(())
}

/// Ids are kebab-case so that they work unchanged in file names, reports and URLs.
pub(crate) fn check_id_syntax(file: &str, id: &Spanned<String>, what: &str) -> Result<(), LoadError> {
    let valid = !id.value.is_empty()
        && id.value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(())
    } else {
        let message = format!("invalid {what} id \"{}\": use lowercase letters, digits and '-'", id.value);
        Err(LoadError::at(file, id, message))
    }
}

fn compile_patterns(file: &str, patterns: &[PatternFile]) -> Result<Vec<Pattern>, LoadError> {
    let mut seen = HashSet::new();
    patterns
        .iter()
        .map(|pattern| {
            check_id_syntax(file, &pattern.id, "pattern")?;
            if !seen.insert(pattern.id.value.as_str()) {
                let message = format!("duplicate pattern id \"{}\"", pattern.id.value);
                return Err(LoadError::at(file, &pattern.id, message));
            }
            Ok(Pattern {
                id: pattern.id.value.clone(),
                name: pattern.name.clone(),
                terms: compile_regexes(file, &pattern.terms, &Parameters::new())?,
            })
        })
        .collect()
}

/// Compiles a rubric's checks, its phrases rendered with `parameters`.
pub(crate) fn compile_rubric(
    file: &str,
    rubric: &RubricFile,
    parameters: &Parameters,
    regexes: &mut RegexInterner,
) -> Result<Rubric, LoadError> {
    let checks = compile_checks(file, &rubric.checks, parameters, None, regexes)?;
    Ok(Rubric { checks: checks.into_iter().map(Arc::new).collect() })
}

/// Compiles a rubric for other parameter values, sharing with `base` (the same rubric
/// compiled for the scenario's own values) every check that has no placeholder.
pub(crate) fn compile_rubric_for(
    file: &str,
    rubric: &RubricFile,
    parameters: &Parameters,
    base: &Rubric,
    regexes: &mut RegexInterner,
) -> Result<Rubric, LoadError> {
    let mut checks = Vec::with_capacity(rubric.checks.len());
    for (check, shared) in rubric.checks.iter().zip(&base.checks) {
        if has_placeholders(check) {
            let kind = check.kind.as_ref().map_or(shared.kind, |kind| kind.value);
            checks.push(Arc::new(compile_check(file, check, kind, parameters, regexes)?));
        } else {
            checks.push(Arc::clone(shared));
        }
    }
    Ok(Rubric { checks })
}

/// Returns whether any regex of a check names a parameter.
fn has_placeholders(check: &CheckFile) -> bool {
    check_sources(check).any(|source| !template::placeholders(&source.value).is_empty())
}

/// Returns every regex source of a check: phrases, `together` sets, groups, exclusions,
/// reversals and subject words.
fn check_sources(check: &CheckFile) -> impl Iterator<Item = &Spanned<String>> {
    let groups = check.groups.iter().flat_map(|group| group.phrases.iter().chain(group.together.iter().flatten()));
    check.phrases.iter().chain(check.together.iter().flatten()).chain(&check.exclude).chain(&check.reversed_by).chain(&check.subject_words).chain(groups)
}

/// Compiles a list of checks with unique ids whose `unless_shown` names one of them.
/// `forced_kind` is the kind of every check of a file that does not write one.
pub(crate) fn compile_checks(
    file: &str,
    files: &[CheckFile],
    parameters: &Parameters,
    forced_kind: Option<CheckKind>,
    regexes: &mut RegexInterner,
) -> Result<Vec<Check>, LoadError> {
    let mut checks = Vec::new();
    let mut seen = HashSet::new();
    for check in files {
        check_id_syntax(file, &check.id, "check")?;
        if !seen.insert(check.id.value.as_str()) {
            let message = format!("duplicate check id \"{}\"", check.id.value);
            return Err(LoadError::at(file, &check.id, message));
        }
        let kind = match (&check.kind, forced_kind) {
            (None, Some(kind)) => kind,
            (Some(kind), None) => kind.value,
            (Some(kind), Some(forced)) if kind.value == forced => forced,
            (Some(kind), Some(forced)) => {
                let message = format!("every check in this file is {}; remove `kind`", forced.as_str());
                return Err(LoadError::at(file, kind, message));
            }
            (None, None) => {
                let message = format!("check \"{}\" needs a `kind`: required, numeric, anti or bonus", check.id.value);
                return Err(LoadError::at(file, &check.id, message));
            }
        };
        checks.push(compile_check(file, check, kind, parameters, regexes)?);
    }

    for check in files {
        for other in &check.unless_shown {
            if !seen.contains(other.value.as_str()) {
                let message = format!("`unless_shown` names unknown check \"{}\"", other.value);
                return Err(LoadError::at(file, other, message));
            }
        }
    }
    Ok(checks)
}

/// Compiles `rationalizations.yaml`: anti checks, their ids prefixed so that they can
/// never clash with a rubric's.
fn compile_rationalizations(
    file: &str,
    rationalizations: &RationalizationsFile,
    regexes: &mut RegexInterner,
) -> Result<Vec<Arc<Check>>, LoadError> {
    for check in &rationalizations.checks {
        if let Some(source) = check_sources(check).find(|source| !template::placeholders(&source.value).is_empty()) {
            let message = "rationalization checks take no placeholders: they apply to every scenario, whatever its parameters";
            return Err(LoadError::at(file, source, message));
        }
    }
    let mut checks = compile_checks(file, &rationalizations.checks, &Parameters::new(), Some(CheckKind::Anti), regexes)?;
    for check in &mut checks {
        check.id = format!("{RATIONALIZATION_PREFIX}{}", check.id);
        for other in &mut check.unless_shown {
            *other = format!("{RATIONALIZATION_PREFIX}{other}");
        }
    }
    Ok(checks.into_iter().map(Arc::new).collect())
}

fn compile_check(
    file: &str,
    check: &CheckFile,
    kind: CheckKind,
    parameters: &Parameters,
    regexes: &mut RegexInterner,
) -> Result<Check, LoadError> {
    let id = &check.id.value;
    let has_phrases = !check.phrases.is_empty() || !check.together.is_empty() || !check.groups.is_empty();
    let rule = match (kind, check.quantity, has_phrases) {
        (CheckKind::Numeric, Some(quantity), false) => CheckRule::Numeric(NumericRule {
            quantity,
            subject_words: compile_regexes(file, &check.subject_words, parameters)?,
        }),
        (CheckKind::Numeric, None, _) => {
            return Err(LoadError::at(file, &check.id, format!("numeric check \"{id}\" needs a `quantity`")));
        }
        (CheckKind::Numeric, Some(_), true) => {
            let message = format!("numeric check \"{id}\" takes a `quantity`, not phrases");
            return Err(LoadError::at(file, &check.id, message));
        }
        (_, Some(_), _) => {
            let message = format!("only numeric checks take a `quantity`; \"{id}\" is {}", kind.as_str());
            return Err(LoadError::at(file, &check.id, message));
        }
        (_, None, false) => {
            return Err(LoadError::at(file, &check.id, format!("check \"{id}\" needs `phrases` or `groups`")));
        }
        (_, None, true) if !check.subject_words.is_empty() => {
            let message = format!("only numeric checks take `subject_words`; \"{id}\" is {}", kind.as_str());
            return Err(LoadError::at(file, &check.id, message));
        }
        (_, None, true) => CheckRule::Phrase(compile_phrase_rule(file, check, kind, parameters, regexes)?),
    };
    Ok(Check {
        id: id.clone(),
        kind,
        description: check.description.trim().to_string(),
        rule,
        unless_shown: check.unless_shown.iter().map(|other| other.value.clone()).collect(),
    })
}

fn compile_phrase_rule(
    file: &str,
    check: &CheckFile,
    kind: CheckKind,
    parameters: &Parameters,
    regexes: &mut RegexInterner,
) -> Result<PhraseRule, LoadError> {
    let top_level = !check.phrases.is_empty() || !check.together.is_empty();
    if top_level && !check.groups.is_empty() {
        let message = format!("check \"{}\" gives both `phrases` and `groups`; use one", check.id.value);
        return Err(LoadError::at(file, &check.id, message));
    }

    let groups = if check.groups.is_empty() {
        vec![compile_group(file, &check.id, &check.id.value, &check.phrases, &check.together, parameters, regexes)?]
    } else {
        check
            .groups
            .iter()
            .map(|group| compile_group(file, &check.id, &group.name, &group.phrases, &group.together, parameters, regexes))
            .collect::<Result<Vec<_>, LoadError>>()?
    };

    let min_groups = match &check.min_groups {
        None => groups.len(),
        Some(min) if min.value >= 1 && min.value <= groups.len() => min.value,
        Some(min) => {
            let message = format!("`min_groups` must lie between 1 and {} (the number of groups)", groups.len());
            return Err(LoadError::at(file, min, message));
        }
    };

    Ok(PhraseRule {
        groups,
        min_groups,
        exclude: parse_regexes(file, &check.exclude, parameters, regexes)?,
        reversed_by: parse_regexes(file, &check.reversed_by, parameters, regexes)?,
        count_negated: check.count_negated,
        makes_point: kind != CheckKind::Anti,
    })
}

/// Compiles one group; a group needs at least one phrase or `together` set, and a
/// `together` set at least two regexes.
fn compile_group(
    file: &str,
    check_id: &Spanned<String>,
    name: &str,
    phrases: &[Spanned<String>],
    together: &[Vec<Spanned<String>>],
    parameters: &Parameters,
    regexes: &mut RegexInterner,
) -> Result<PhraseGroup, LoadError> {
    if phrases.is_empty() && together.is_empty() {
        let message = format!("group \"{name}\" of check \"{}\" has no phrases", check_id.value);
        return Err(LoadError::at(file, check_id, message));
    }
    if let Some(short) = together.iter().find(|set| set.len() < 2) {
        let message = "a `together` set needs at least two regexes; put a single one under `phrases`";
        return Err(match short.first() {
            Some(first) => LoadError::at(file, first, message),
            None => LoadError::at(file, check_id, message),
        });
    }
    Ok(PhraseGroup {
        name: name.to_string(),
        phrases: parse_regexes(file, phrases, parameters, regexes)?,
        together: together.iter().map(|set| parse_regexes(file, set, parameters, regexes)).collect::<Result<_, _>>()?,
    })
}

/// Compiles case-insensitive regexes with their placeholders filled in from
/// `parameters`, pointing at the first one that does not compile.
fn compile_regexes(file: &str, sources: &[Spanned<String>], parameters: &Parameters) -> Result<Vec<Regex>, LoadError> {
    sources
        .iter()
        .map(|source| {
            let (pattern, origin) = render_regex(file, source, parameters)?;
            build_regex(&pattern).map_err(|error| origin.invalid(&error))
        })
        .collect()
}

/// Parses phrase regexes like [`compile_regexes`], leaving the compiling to their first
/// use. Their word characters and digits are ASCII too, which keeps the compiled
/// programs and match caches of the hundreds of phrases small. A pattern that `regexes`
/// has already parsed is shared.
fn parse_regexes(
    file: &str,
    sources: &[Spanned<String>],
    parameters: &Parameters,
    regexes: &mut RegexInterner,
) -> Result<Vec<LazyRegex>, LoadError> {
    sources
        .iter()
        .map(|source| {
            let (pattern, origin) = render_regex(file, source, parameters)?;
            regexes.parse(ascii_perl_classes(&pattern), origin)
        })
        .collect()
}

/// Returns a regex as compiled, its placeholders filled in and its word boundaries
/// ASCII, with where it was written.
fn render_regex(file: &str, source: &Spanned<String>, parameters: &Parameters) -> Result<(String, RegexOrigin), LoadError> {
    check_placeholders(file, source, parameters)?;
    let rendered = template::render(&source.value, parameters, regex::escape);
    let origin = RegexOrigin {
        file: file.to_string(),
        line: source.referenced.line(),
        column: source.referenced.column(),
        written: source.value.clone(),
    };
    Ok((ascii_word_boundaries(&rendered), origin))
}

/// Rewrites `\b` and `\B` as their ASCII forms. A Unicode word boundary stops the
/// regex engine's fast DFA at the first non-ASCII byte (answers are full of `×`, `→`
/// and curly quotes) and falls back to a search many times slower. For English prose
/// the ASCII boundary finds the same words.
pub fn ascii_word_boundaries(pattern: &str) -> String {
    let mut rewritten = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            rewritten.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => rewritten.push_str("(?-u:\\b)"),
            Some('B') => rewritten.push_str("(?-u:\\B)"),
            Some(other) => {
                rewritten.push('\\');
                rewritten.push(other);
            }
            None => rewritten.push('\\'),
        }
    }
    rewritten
}

/// Checks that a rubric for one of the fixed scenarios keeps every fixed check and kind.
fn check_contract(file: &str, scenario_id: &str, rubric: &Rubric) -> Result<(), LoadError> {
    let Some(fixed) = fixed_scenario(scenario_id) else { return Ok(()) };
    for (check_id, kind) in fixed.checks {
        match rubric.checks.iter().find(|check| check.id == *check_id) {
            None => {
                let message = format!("rubric for \"{scenario_id}\" lacks the fixed check \"{check_id}\"");
                return Err(LoadError::whole_file(file, message));
            }
            Some(check) if check.kind != *kind => {
                let message = format!(
                    "check \"{check_id}\" must be {}, not {}",
                    kind.as_str(),
                    check.kind.as_str()
                );
                return Err(LoadError::whole_file(file, message));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn build_scenario(file: &ScenarioFile, rubric: Rubric) -> Scenario {
    Scenario {
        id: file.id.value.clone(),
        title: file.title.trim().to_string(),
        query: template::render(file.query.value.trim(), &file.parameters, str::to_string),
        failure_pattern: file.failure_pattern.trim().to_string(),
        patterns: file.patterns.iter().map(|pattern| pattern.value.clone()).collect(),
        parameters: file.parameters.clone(),
        rubric,
        variants: Vec::new(),
    }
}
