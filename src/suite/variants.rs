//! Variants of a scenario for the REFACTOR phase: the question re-asked under each
//! pressure of the library and under each combination, the hand-written pressured
//! variants of the scenario file, and the scenario's parameter sets.

use std::collections::HashSet;
use std::sync::Arc;

use serde_saphyr::Spanned;

use super::files::{PressureLibraryFile, VariantFile};
use super::lazy_regex::RegexInterner;
use super::load::{
    check_id_syntax, check_placeholders, check_planner_inputs, compile_checks, compile_rubric_for, LoadError, LoadedScenario,
};
use super::model::{Check, Parameters, PressureType, Rubric, Scenario, Variant, VariantKind, RATIONALIZATION_PREFIX};
use super::template;

/// The pressure library as loaded: pressure types with their framings, and the
/// combinations asked of every scenario (as indexes into `pressures`).
#[derive(Debug, Default)]
pub(crate) struct PressureLibrary {
    path: String,
    pressures: Vec<LibraryPressure>,
    combinations: Vec<Vec<usize>>,
}

#[derive(Debug)]
struct LibraryPressure {
    kind: PressureType,
    id_span: Spanned<String>,
    framings: Vec<Spanned<String>>,
}

impl PressureLibrary {
    /// Validates the library file: kebab-case unique ids, at least one framing each,
    /// combinations of known and distinct ids.
    pub(crate) fn parse(path: &str, file: PressureLibraryFile) -> Result<Self, LoadError> {
        let mut pressures: Vec<LibraryPressure> = Vec::new();
        for pressure in file.pressures {
            check_id_syntax(path, &pressure.id, "pressure")?;
            if pressures.iter().any(|seen| seen.kind.id == pressure.id.value) {
                let message = format!("duplicate pressure id \"{}\"", pressure.id.value);
                return Err(LoadError::at(path, &pressure.id, message));
            }
            if pressure.framings.is_empty() {
                let message = format!("pressure \"{}\" has no framings", pressure.id.value);
                return Err(LoadError::at(path, &pressure.id, message));
            }
            pressures.push(LibraryPressure {
                kind: PressureType { id: pressure.id.value.clone(), name: pressure.name.trim().to_string() },
                id_span: pressure.id,
                framings: pressure.framings,
            });
        }

        let mut combinations = Vec::new();
        for combination in &file.combinations {
            let mut indexes = Vec::new();
            for id in combination {
                let index = pressures.iter().position(|pressure| pressure.kind.id == id.value).ok_or_else(|| {
                    LoadError::at(path, id, format!("combination names unknown pressure \"{}\"", id.value))
                })?;
                if indexes.contains(&index) {
                    return Err(LoadError::at(path, id, format!("combination names \"{}\" twice", id.value)));
                }
                indexes.push(index);
            }
            if indexes.len() < 2 {
                let message = "a combination needs at least two pressures";
                return Err(match combination.first() {
                    Some(first) => LoadError::at(path, first, message),
                    None => LoadError::whole_file(path, message),
                });
            }
            combinations.push(indexes);
        }
        Ok(PressureLibrary { path: path.to_string(), pressures, combinations })
    }

    /// Returns the pressure types, in library order.
    pub(crate) fn types(&self) -> Vec<PressureType> {
        self.pressures.iter().map(|pressure| pressure.kind.clone()).collect()
    }

    /// Rejects a framing placeholder that no scenario declares: it can only be a typo.
    pub(crate) fn check_placeholders<'a>(&self, scenarios: impl Iterator<Item = &'a Parameters> + Clone) -> Result<(), LoadError> {
        for framing in self.pressures.iter().flat_map(|pressure| &pressure.framings) {
            for placeholder in template::placeholders(&framing.value) {
                if !scenarios.clone().any(|parameters| parameters.contains_key(placeholder.name)) {
                    let message = format!("unknown placeholder {{{}}}: no scenario has a parameter of that name", placeholder.name);
                    return Err(LoadError::at(&self.path, framing, message));
                }
            }
        }
        Ok(())
    }

    fn find(&self, id: &str) -> Option<&LibraryPressure> {
        self.pressures.iter().find(|pressure| pressure.kind.id == id)
    }
}

impl LibraryPressure {
    /// Picks the framing this pressure uses for a scenario: among those whose placeholders
    /// the scenario declares, the one at `turn`, counting round.
    fn framing_for(&self, path: &str, scenario: &LoadedScenario, turn: usize) -> Result<String, LoadError> {
        let parameters = &scenario.scenario.parameters;
        let candidates: Vec<&Spanned<String>> = self
            .framings
            .iter()
            .filter(|framing| template::first_unknown(&framing.value, parameters).is_none())
            .collect();
        if candidates.is_empty() {
            let message = format!(
                "no framing of pressure \"{}\" fits scenario \"{}\": each uses a placeholder the scenario lacks",
                self.kind.id, scenario.scenario.id
            );
            return Err(LoadError::at(path, &self.id_span, message));
        }
        let framing = candidates[turn % candidates.len()];
        Ok(template::render(framing.value.trim(), parameters, str::to_string))
    }
}

/// Builds every variant of the scenario at `position` in suite order.
pub(crate) fn build_variants(
    scenario: &LoadedScenario,
    position: usize,
    library: &PressureLibrary,
    rationalizations: &[Arc<Check>],
    regexes: &mut RegexInterner,
) -> Result<Vec<Variant>, LoadError> {
    let base = &scenario.scenario;
    let pressured_rubric = Rubric { checks: [base.rubric.checks.as_slice(), rationalizations].concat() };
    let mut variants = Vec::new();

    for pressure in &library.pressures {
        let framing = pressure.framing_for(&library.path, scenario, position)?;
        variants.push(pressured(base, &[pressure], vec![framing], &pressured_rubric));
    }
    for combination in &library.combinations {
        let members: Vec<&LibraryPressure> = combination.iter().map(|&index| &library.pressures[index]).collect();
        let framings = members
            .iter()
            .enumerate()
            .map(|(slot, pressure)| pressure.framing_for(&library.path, scenario, position + slot + 1))
            .collect::<Result<Vec<_>, _>>()?;
        variants.push(pressured(base, &members, framings, &pressured_rubric));
    }

    let generated: HashSet<String> = variants.iter().map(|variant| variant.id.clone()).collect();
    let mut ids = generated.clone();
    for written in &scenario.file.variants {
        let variant = hand_written(scenario, written, library, &pressured_rubric, regexes)?;
        if !ids.insert(variant.id.clone()) {
            let message = match generated.contains(&variant.id) {
                true => format!("variant id \"{}\" is taken by a generated pressure variant; pick another", written.id.value),
                false => format!("duplicate variant id \"{}\"", written.id.value),
            };
            return Err(LoadError::at(&scenario.path, &written.id, message));
        }
        variants.push(variant);
    }

    for set in &scenario.file.parameter_sets {
        check_id_syntax(&scenario.path, &set.id, "parameter set")?;
        let id = format!("params/{}", set.id.value);
        if !ids.insert(id.clone()) {
            return Err(LoadError::at(&scenario.path, &set.id, format!("duplicate parameter set id \"{}\"", set.id.value)));
        }
        let mut parameters = base.parameters.clone();
        for (name, value) in &set.parameters.value {
            if !parameters.contains_key(name) {
                let message = format!("parameter set \"{}\" gives `{name}`, which the scenario's parameters lack", set.id.value);
                return Err(LoadError::at(&scenario.path, &set.parameters, message));
            }
            parameters.insert(name.clone(), value.clone());
        }
        let rubric = compile_rubric_for(&scenario.rubric_path, &scenario.rubric_file, &parameters, &base.rubric, regexes)?;
        let owner = format!("parameter set \"{}\"", set.id.value);
        check_planner_inputs(&scenario.path, &set.parameters, &rubric, &parameters, &owner)?;
        variants.push(Variant {
            id,
            kind: VariantKind::Parametric,
            pressures: Vec::new(),
            query: template::render(scenario.file.query.value.trim(), &parameters, str::to_string),
            parameters,
            rubric,
        });
    }
    Ok(variants)
}

/// Builds a generated pressure variant: the base question followed by the framings.
fn pressured(base: &Scenario, members: &[&LibraryPressure], framings: Vec<String>, rubric: &Rubric) -> Variant {
    let ids: Vec<String> = members.iter().map(|pressure| pressure.kind.id.clone()).collect();
    Variant {
        id: format!("pressure/{}", ids.join("+")),
        kind: VariantKind::Pressure,
        pressures: ids,
        query: format!("{} {}", base.query, framings.join(" ")),
        parameters: base.parameters.clone(),
        rubric: rubric.clone(),
    }
}

/// Builds a pressured variant written in the scenario file, with its own wording and checks.
fn hand_written(
    scenario: &LoadedScenario,
    written: &VariantFile,
    library: &PressureLibrary,
    pressured_rubric: &Rubric,
    regexes: &mut RegexInterner,
) -> Result<Variant, LoadError> {
    let path = &scenario.path;
    let base = &scenario.scenario;
    check_id_syntax(path, &written.id, "variant")?;
    if written.pressures.is_empty() {
        let message = format!("variant \"{}\" names no pressures; list the library's pressure ids it applies", written.id.value);
        return Err(LoadError::at(path, &written.id, message));
    }
    for pressure in &written.pressures {
        if library.find(&pressure.value).is_none() {
            let known: Vec<&str> = library.pressures.iter().map(|pressure| pressure.kind.id.as_str()).collect();
            let known = if known.is_empty() { "none (the suite has no pressures.yaml)".to_string() } else { known.join(", ") };
            let message = format!("unknown pressure \"{}\"; the library has: {known}", pressure.value);
            return Err(LoadError::at(path, pressure, message));
        }
    }
    check_placeholders(path, &written.query, &base.parameters)?;

    let extra: Vec<Arc<Check>> =
        compile_checks(path, &written.checks, &base.parameters, None, regexes)?.into_iter().map(Arc::new).collect();
    if let Some(clash) = written.checks.iter().find(|check| pressured_rubric.checks.iter().any(|other| other.id == check.id.value)) {
        let source = if clash.id.value.starts_with(RATIONALIZATION_PREFIX) { "rationalizations.yaml" } else { "the scenario's rubric" };
        let message = format!("check \"{}\" is already a check of {source}; give the variant's check its own id", clash.id.value);
        return Err(LoadError::at(path, &clash.id, message));
    }
    Ok(Variant {
        id: format!("pressure/{}", written.id.value),
        kind: VariantKind::Pressure,
        pressures: written.pressures.iter().map(|pressure| pressure.value.clone()).collect(),
        query: template::render(written.query.value.trim(), &base.parameters, str::to_string),
        parameters: base.parameters.clone(),
        rubric: Rubric { checks: [pressured_rubric.checks.as_slice(), extra.as_slice()].concat() },
    })
}
