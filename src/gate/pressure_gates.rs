//! The gates that read answers under pressure: `pressure-passes` (every pressure
//! variant passes with the skill) and `no-rationalization` (no with-skill answer under
//! pressure excuses itself from the guidance). Both need a REFACTOR run, which asks
//! the variants; otherwise they are not evaluated.
//!
//! As with the other answer gates, a variant with no answered with-skill sample (every
//! sample errored, or the run stopped first) cannot be judged: a gate fails when a
//! judged variant breaks it, and is not evaluated when it would otherwise rest on
//! variants it could not see.

use super::model::{GateId, GateResult, GateStatus, format_percent};
use crate::score::{ArmSummary, Rationalization, answers_with_rationalization};
use crate::suite::{Arm, RATIONALIZATION_PREFIX, Suite, VariantKind};

/// The reason the pressure gates give when a run asked no pressure variants.
pub(crate) const NO_PRESSURE_VARIANTS: &str = "no pressure variants in this run; run with --phase refactor to ask them";

/// The reason when the suite itself has none to ask.
const SUITE_HAS_NO_PRESSURE: &str =
    "the suite has no pressure variants: add a pressures.yaml, or variants to a scenario file";

/// How many failing variants or quotes a gate's figure names before it stops listing.
const LISTED: usize = 3;

/// The with-skill side of every pressure variant of the suite, in suite order: its
/// summary when the run has one.
struct PressuredRuns<'a> {
    judged: Vec<(&'a ArmSummary, f64)>,
    /// `scenario variant` of each pressure variant with no answered with-skill sample.
    unjudged: Vec<String>,
}

impl<'a> PressuredRuns<'a> {
    fn of(suite: &'a Suite, variant_summaries: &'a [ArmSummary]) -> Self {
        let mut runs = PressuredRuns { judged: Vec::new(), unjudged: Vec::new() };
        for scenario in &suite.scenarios {
            for variant in scenario.variants.iter().filter(|variant| variant.kind == VariantKind::Pressure) {
                let summary = variant_summaries.iter().find(|summary| {
                    summary.arm == Arm::WithSkill && summary.scenario == scenario.id && summary.variant == variant.id
                });
                match summary.and_then(|summary| summary.pass_rate.map(|rate| (summary, rate))) {
                    Some(judged) => runs.judged.push(judged),
                    None => runs.unjudged.push(format!("{} {}", scenario.id, variant.id)),
                }
            }
        }
        runs
    }

    /// The answered with-skill samples under pressure.
    fn answered(&self) -> u32 {
        self.judged.iter().map(|(summary, _)| summary.answered).sum()
    }

    /// Says how many variants could not be judged, naming the first few.
    fn unjudged_sentence(&self) -> Option<String> {
        if self.unjudged.is_empty() {
            return None;
        }
        let named: Vec<&str> = self.unjudged.iter().take(LISTED).map(String::as_str).collect();
        let more = self.unjudged.len().saturating_sub(LISTED);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        Some(format!(
            "{} pressure variants have no answered with-skill sample (errored or not run), such as {}{more}",
            self.unjudged.len(),
            named.join(", ")
        ))
    }
}

/// Returns whether any scenario of the suite has a pressure variant to ask.
fn suite_has_pressure(suite: &Suite) -> bool {
    suite.scenarios.iter().any(|scenario| scenario.variants.iter().any(|variant| variant.kind == VariantKind::Pressure))
}

/// Builds the not-evaluated result for a run with no judged variant, saying why.
fn nothing_judged(id: GateId, suite: &Suite, runs: &PressuredRuns) -> GateResult {
    if !suite_has_pressure(suite) {
        return GateResult::not_evaluated(id, SUITE_HAS_NO_PRESSURE);
    }
    match runs.unjudged_sentence() {
        Some(sentence) if runs.unjudged.len() < total_pressure_variants(suite) => GateResult::not_evaluated(id, sentence),
        _ => GateResult::not_evaluated(id, NO_PRESSURE_VARIANTS),
    }
}

fn total_pressure_variants(suite: &Suite) -> usize {
    suite.scenarios.iter().flat_map(|scenario| &scenario.variants).filter(|variant| variant.kind == VariantKind::Pressure).count()
}

/// `pressure-passes`: every pressure variant's with-skill pass rate reaches the threshold.
pub(crate) fn pressure_passes(suite: &Suite, variant_summaries: &[ArmSummary]) -> GateResult {
    let id = GateId::PressurePasses;
    let runs = PressuredRuns::of(suite, variant_summaries);
    if runs.judged.is_empty() {
        return nothing_judged(id, suite, &runs);
    }

    let min = suite.gates.pressure_passes.min_pass_rate;
    let threshold = format_percent(min);
    let below: Vec<&(&ArmSummary, f64)> = runs.judged.iter().filter(|(_, rate)| *rate < min).collect();
    let mut sentences = Vec::new();
    let status = if below.is_empty() {
        sentences.push(format!("all {} judged pressure variants pass with the skill (each at least {threshold})", runs.judged.len()));
        if runs.unjudged.is_empty() { GateStatus::Holds } else { GateStatus::NotEvaluated }
    } else {
        let named: Vec<String> = below
            .iter()
            .take(LISTED)
            .map(|(summary, _)| format!("{} {} {}/{}", summary.scenario, summary.variant, summary.passed, summary.answered))
            .collect();
        let more = if below.len() > LISTED { format!(" and {} more", below.len() - LISTED) } else { String::new() };
        sentences.push(format!(
            "{}/{} pressure variants pass with the skill; {} below {threshold}, such as {}{more}",
            runs.judged.len() - below.len(),
            runs.judged.len(),
            below.len(),
            named.join(", ")
        ));
        GateStatus::Fails
    };
    sentences.extend(runs.unjudged_sentence());
    GateResult::new(id, status, sentences.join("; "))
}

/// `no-rationalization`: at most the allowed number of with-skill answers under pressure
/// rationalize.
pub(crate) fn no_rationalization(suite: &Suite, variant_summaries: &[ArmSummary], found: &[Rationalization]) -> GateResult {
    let id = GateId::NoRationalization;
    let runs = PressuredRuns::of(suite, variant_summaries);
    if runs.judged.is_empty() {
        return nothing_judged(id, suite, &runs);
    }
    if !suite_checks_rationalizations(suite) {
        let reason = "the suite has no rationalization checks: add a rationalizations.yaml with at least one check";
        return GateResult::not_evaluated(id, reason);
    }

    let max = suite.gates.no_rationalization.max as usize;
    // One quote per answer: an answer that two checks flag shows the same excuse twice.
    let mut with_skill: Vec<&Rationalization> = found.iter().filter(|item| item.arm == Arm::WithSkill).collect();
    with_skill.dedup_by(|later, earlier| (&later.scenario, &later.variant, later.sample) == (&earlier.scenario, &earlier.variant, earlier.sample));
    let count = answers_with_rationalization(found, Arm::WithSkill);
    let mut detail = format!("{count}/{} with-skill answers under pressure rationalize (at most {max} allowed)", runs.answered());
    if !with_skill.is_empty() {
        let quoted: Vec<String> = with_skill
            .iter()
            .take(LISTED)
            .map(|item| {
                let quote = item.evidence.as_deref().unwrap_or("no sentence recorded");
                format!("{} {}: \"{quote}\"", item.scenario, item.variant)
            })
            .collect();
        detail.push_str(&format!(", such as {}", quoted.join("; ")));
    }
    let status = match (count <= max, runs.unjudged_sentence()) {
        (false, _) => GateStatus::Fails,
        (true, None) => GateStatus::Holds,
        (true, Some(sentence)) => {
            detail.push_str(&format!("; {sentence}"));
            GateStatus::NotEvaluated
        }
    };
    GateResult::new(id, status, detail)
}

/// Returns whether the pressure variants carry any rationalization check.
fn suite_checks_rationalizations(suite: &Suite) -> bool {
    suite
        .scenarios
        .iter()
        .flat_map(|scenario| &scenario.variants)
        .filter(|variant| variant.kind == VariantKind::Pressure)
        .flat_map(|variant| &variant.rubric.checks)
        .any(|check| check.id.starts_with(RATIONALIZATION_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::ArmSummary;
    use crate::suite::load_builtin;

    /// With-skill summaries of every pressure variant of the built-in suite, each with
    /// `passed` of 1, leaving out the first `missing`.
    fn summaries(suite: &Suite, passed: u32, missing: usize) -> Vec<ArmSummary> {
        let mut all = Vec::new();
        for scenario in &suite.scenarios {
            for variant in scenario.variants.iter().filter(|variant| variant.kind == VariantKind::Pressure) {
                let mut summary = ArmSummary::from_counts(&scenario.id, Arm::WithSkill, passed, 1, 0, Vec::new());
                summary.variant = variant.id.clone();
                all.push(summary);
            }
        }
        all.split_off(missing)
    }

    #[test]
    fn all_passing_variants_hold() {
        let suite = load_builtin().unwrap();
        let result = pressure_passes(&suite, &summaries(&suite, 1, 0));
        assert_eq!(result.status, GateStatus::Holds, "{}", result.detail);
    }

    #[test]
    fn unanswered_variants_keep_a_gate_from_holding() {
        let suite = load_builtin().unwrap();
        let result = pressure_passes(&suite, &summaries(&suite, 1, 2));
        assert_eq!(result.status, GateStatus::NotEvaluated);
        assert!(result.detail.contains("2 pressure variants have no answered with-skill sample"), "{}", result.detail);
        let result = no_rationalization(&suite, &summaries(&suite, 1, 2), &[]);
        assert_eq!(result.status, GateStatus::NotEvaluated, "{}", result.detail);
    }

    #[test]
    fn failing_variant_fails_despite_unanswered() {
        let suite = load_builtin().unwrap();
        let result = pressure_passes(&suite, &summaries(&suite, 0, 2));
        assert_eq!(result.status, GateStatus::Fails);
    }

    #[test]
    fn no_rationalization_checks_is_not_evaluated() {
        let mut suite = load_builtin().unwrap();
        for variant in suite.scenarios.iter_mut().flat_map(|scenario| scenario.variants.iter_mut()) {
            variant.rubric.checks.retain(|check| !check.id.starts_with(RATIONALIZATION_PREFIX));
        }
        let result = no_rationalization(&suite, &summaries(&suite, 1, 0), &[]);
        assert_eq!(result.status, GateStatus::NotEvaluated);
        assert!(result.detail.contains("no rationalization checks"), "{}", result.detail);
    }

    #[test]
    fn suite_without_pressures_named() {
        let mut suite = load_builtin().unwrap();
        suite.scenarios.iter_mut().for_each(|scenario| scenario.variants.clear());
        let result = pressure_passes(&suite, &[]);
        assert!(result.detail.starts_with("the suite has no pressure variants"), "{}", result.detail);
    }
}
