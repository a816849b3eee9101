//! Gates of the recorded run: which phases are evaluated and the figures behind the
//! answer gates.

use skilleval::gate::{GateId, GateResult, GateStatus};
use skilleval::suite::Phase;

use crate::report_fixture::recorded_report;

/// Returns the gate with this id.
fn gate(gates: &[GateResult], id: GateId) -> &GateResult {
    gates.iter().find(|gate| gate.id == id).expect("the gate was evaluated")
}

#[test]
fn red_phase_has_three_gates() {
    let report = recorded_report(Some(Phase::Red));
    let ids: Vec<&str> = report.gates.iter().map(|gate| gate.id.as_str()).collect();
    assert_eq!(ids, ["scenarios-documented", "patterns-identified", "baseline-fails"]);
}

#[test]
fn refactor_phase_has_all_ten() {
    assert_eq!(recorded_report(Some(Phase::Refactor)).gates.len(), 10);
    assert_eq!(recorded_report(None).gates.len(), 10);
}

#[test]
fn baseline_passing_too_often_fails() {
    let report = recorded_report(None);
    let baseline = gate(&report.gates, GateId::BaselineFails);
    assert_eq!(baseline.status, GateStatus::Fails);
    assert_eq!(
        baseline.detail,
        "1/2 scenarios fail without the skill; accumulation passes 2/3 (66.7%, 95% CI 21–94%, at or above 50%); \
         the 95% intervals of 2 scenarios include 50%, so more samples could change their verdicts"
    );
}

#[test]
fn errored_unit_does_not_lower_skill_pass_rate() {
    let report = recorded_report(None);
    let passes = gate(&report.gates, GateId::SkillPasses);
    assert_eq!(passes.status, GateStatus::Holds);
    assert_eq!(
        passes.detail,
        "2/2 scenarios pass with the skill; the lowest pass rate is accumulation with 2/2 (100%, 95% CI 34–100%, \
         at or above 80%); the 95% intervals of 2 scenarios include 80%, so more samples could change their verdicts"
    );
}

#[test]
fn pressure_gates_say_why_not_evaluated() {
    let report = recorded_report(None);
    for id in [GateId::PressurePasses, GateId::NoRationalization] {
        let result = gate(&report.gates, id);
        assert_eq!(result.status, GateStatus::NotEvaluated);
        assert_eq!(
            result.detail,
            "the suite has no pressure variants: add a pressures.yaml, or variants to a scenario file"
        );
    }
}
