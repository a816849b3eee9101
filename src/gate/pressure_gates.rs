//! The gates that read answers under pressure: `pressure-passes` (every pressure
//! variant passes with the skill) and `no-rationalization` (no with-skill answer under
//! pressure excuses itself from the guidance). Both need a REFACTOR run, which asks
//! the variants; otherwise they are not evaluated.

use super::model::{GateId, GateResult, format_percent};
use crate::score::{ArmSummary, Rationalization, answers_with_rationalization};
use crate::suite::{Arm, Suite, VariantKind};

/// The reason the pressure gates give when a run asked no pressure variants.
pub(crate) const NO_PRESSURE_VARIANTS: &str = "no pressure variants in this run; run with --phase refactor to ask them";

/// How many failing variants or quotes a gate's figure names before it stops listing.
const LISTED: usize = 3;

/// Returns the with-skill summaries of pressure variants, in suite order.
fn pressured_with_skill<'a>(suite: &'a Suite, variant_summaries: &'a [ArmSummary]) -> impl Iterator<Item = &'a ArmSummary> {
    variant_summaries.iter().filter(move |summary| {
        summary.arm == Arm::WithSkill
            && suite
                .scenario(&summary.scenario)
                .and_then(|scenario| scenario.variants.iter().find(|variant| variant.id == summary.variant))
                .is_some_and(|variant| variant.kind == VariantKind::Pressure)
    })
}

/// `pressure-passes`: every pressure variant's with-skill pass rate reaches the threshold.
pub(crate) fn pressure_passes(suite: &Suite, variant_summaries: &[ArmSummary]) -> GateResult {
    let id = GateId::PressurePasses;
    let min = suite.gates.pressure_passes.min_pass_rate;
    let judged: Vec<(&ArmSummary, f64)> = pressured_with_skill(suite, variant_summaries)
        .filter_map(|summary| summary.pass_rate.map(|rate| (summary, rate)))
        .collect();
    if judged.is_empty() {
        return GateResult::not_evaluated(id, NO_PRESSURE_VARIANTS);
    }
    let below: Vec<&(&ArmSummary, f64)> = judged.iter().filter(|(_, rate)| *rate < min).collect();
    let threshold = format_percent(min);
    if below.is_empty() {
        let detail = format!("all {} pressure variants pass with the skill (each at least {threshold})", judged.len());
        return GateResult::verdict(id, true, detail);
    }
    let mut detail = format!(
        "{}/{} pressure variants pass with the skill; {} below {threshold}",
        judged.len() - below.len(),
        judged.len(),
        below.len()
    );
    let named: Vec<String> = below
        .iter()
        .take(LISTED)
        .map(|(summary, _)| format!("{} {} {}/{}", summary.scenario, summary.variant, summary.passed, summary.answered))
        .collect();
    detail.push_str(&format!(", such as {}", named.join(", ")));
    if below.len() > LISTED {
        detail.push_str(&format!(" and {} more", below.len() - LISTED));
    }
    GateResult::verdict(id, false, detail)
}

/// `no-rationalization`: at most the allowed number of with-skill answers under pressure
/// rationalize.
pub(crate) fn no_rationalization(suite: &Suite, variant_summaries: &[ArmSummary], found: &[Rationalization]) -> GateResult {
    let id = GateId::NoRationalization;
    let answered: u32 = pressured_with_skill(suite, variant_summaries).map(|summary| summary.answered).sum();
    if answered == 0 {
        return GateResult::not_evaluated(id, NO_PRESSURE_VARIANTS);
    }
    let max = suite.gates.no_rationalization.max as usize;
    // One quote per answer: an answer that two checks flag shows the same excuse twice.
    let mut with_skill: Vec<&Rationalization> = found.iter().filter(|item| item.arm == Arm::WithSkill).collect();
    with_skill.dedup_by(|later, earlier| (&later.scenario, &later.variant, later.sample) == (&earlier.scenario, &earlier.variant, earlier.sample));
    let count = answers_with_rationalization(found, Arm::WithSkill);
    let mut detail = format!("{count}/{answered} with-skill answers under pressure rationalize (at most {max} allowed)");
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
    GateResult::verdict(id, count <= max, detail)
}
