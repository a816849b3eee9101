//! Evaluating the gates: which gates a run requests, and which of them have the
//! inputs they need.

use super::answer_gates::{baseline_fails, skill_passes};
use super::document_gates::{concrete_examples, patterns_addressed, rationalization_table, skill_length};
use super::lint::SkillLint;
use super::model::{GateId, GateInputs, GateResult};
use super::pressure_gates::{no_rationalization, pressure_passes};
use super::suite_gates::{patterns_identified, scenarios_documented};
use crate::suite::GateThresholds;


/// Evaluates the gates of the requested phases, in the order of [`GateId::ALL`]. Gates of
/// later phases are left out. A gate whose inputs are missing is marked not evaluated,
/// with the reason.
pub fn evaluate(inputs: &GateInputs<'_>) -> Vec<GateResult> {
    GateId::ALL
        .into_iter()
        .filter(|id| inputs.up_to_phase.is_none_or(|last| id.phase() <= last))
        .map(|id| evaluate_gate(id, inputs))
        .collect()
}

/// Evaluates one gate.
fn evaluate_gate(id: GateId, inputs: &GateInputs<'_>) -> GateResult {
    let suite = inputs.suite;
    match id {
        GateId::ScenariosDocumented => scenarios_documented(suite),
        GateId::PatternsIdentified => patterns_identified(suite),
        GateId::BaselineFails => baseline_fails(suite, inputs.summaries),
        GateId::SkillPasses => skill_passes(suite, inputs.summaries),
        GateId::PressurePasses => pressure_passes(suite, inputs.variant_summaries),
        GateId::NoRationalization => no_rationalization(suite, inputs.variant_summaries, inputs.rationalizations),
        GateId::PatternsAddressed => with_lint(id, inputs, patterns_addressed),
        GateId::ConcreteExamples => with_lint(id, inputs, concrete_examples),
        GateId::SkillLength => with_lint(id, inputs, skill_length),
        GateId::RationalizationTable => with_lint(id, inputs, rationalization_table),
    }
}

/// Runs a gate that reads the skill's lint, or marks it not evaluated when no skill was given.
fn with_lint(id: GateId, inputs: &GateInputs<'_>, gate: fn(&SkillLint, &GateThresholds) -> GateResult) -> GateResult {
    match inputs.lint {
        Some(lint) => gate(lint, &inputs.suite.gates),
        None => GateResult::not_evaluated(id, "no skill given"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateStatus;
    use crate::gate::lint::lint_skill;
    use crate::gate::test_support::{suite_with, summary};
    use crate::suite::{Arm, Phase};

    fn ids(results: &[GateResult]) -> Vec<&'static str> {
        results.iter().map(|result| result.id.as_str()).collect()
    }

    #[test]
    fn red_phase_evaluates_only_red() {
        let suite = suite_with(&["a"]);
        let inputs = GateInputs { suite: &suite, summaries: &[], variant_summaries: &[], rationalizations: &[], lint: None, up_to_phase: Some(Phase::Red) };
        assert_eq!(ids(&evaluate(&inputs)), ["scenarios-documented", "patterns-identified", "baseline-fails"]);
    }

    #[test]
    fn green_phase_includes_red() {
        let suite = suite_with(&["a"]);
        let inputs = GateInputs { suite: &suite, summaries: &[], variant_summaries: &[], rationalizations: &[], lint: None, up_to_phase: Some(Phase::Green) };
        let results = evaluate(&inputs);
        assert_eq!(results.len(), 7);
        assert!(results.iter().all(|result| result.phase <= Phase::Green));
    }

    #[test]
    fn no_phase_gives_all_ten() {
        let suite = suite_with(&["a"]);
        let inputs = GateInputs { suite: &suite, summaries: &[], variant_summaries: &[], rationalizations: &[], lint: None, up_to_phase: None };
        let results = evaluate(&inputs);
        assert_eq!(ids(&results), GateId::ALL.map(GateId::as_str));
    }

    #[test]
    fn lint_gates_need_a_skill() {
        let suite = suite_with(&["a"]);
        let inputs = GateInputs { suite: &suite, summaries: &[], variant_summaries: &[], rationalizations: &[], lint: None, up_to_phase: None };
        for result in evaluate(&inputs).iter().filter(|result| result.id.reads_skill_document()) {
            assert_eq!(result.status, GateStatus::NotEvaluated, "{}", result.id.as_str());
            assert_eq!(result.detail, "no skill given");
        }
    }

    #[test]
    fn lint_gates_run_with_a_skill() {
        let suite = suite_with(&["a"]);
        let lint = lint_skill("short\n", &suite);
        let inputs = GateInputs { suite: &suite, summaries: &[], variant_summaries: &[], rationalizations: &[], lint: Some(&lint), up_to_phase: None };
        let results = evaluate(&inputs);
        let length = results.iter().find(|result| result.id == GateId::SkillLength).unwrap();
        assert_eq!(length.status, GateStatus::Fails);
        assert_eq!(length.detail, "1 line, below the range 1500–2000");
    }

    #[test]
    fn pressure_gates_need_pressure_variants() {
        let suite = suite_with(&["a"]);
        let summaries = [summary("a", Arm::WithSkill, 5, 5, 0)];
        let inputs = GateInputs { suite: &suite, summaries: &summaries, variant_summaries: &[], rationalizations: &[], lint: None, up_to_phase: None };
        let results = evaluate(&inputs);
        for id in [GateId::PressurePasses, GateId::NoRationalization] {
            let result = results.iter().find(|result| result.id == id).unwrap();
            assert_eq!(result.status, GateStatus::NotEvaluated);
            assert!(result.detail.starts_with("the suite has no pressure variants"), "{}", result.detail);
        }
    }
}
