//! Gate types: the ten gate ids with their phases, the inputs of an evaluation, and one
//! result per gate with the figure behind it.

use serde::{Deserialize, Serialize};

use super::lint::SkillLint;
use crate::score::{ArmSummary, Rationalization};
use crate::suite::{Phase, Suite};

/// The ten quality gates. Their ids and phases are fixed; the gates file sets only
/// their thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateId {
    ScenariosDocumented,
    PatternsIdentified,
    BaselineFails,
    SkillPasses,
    PatternsAddressed,
    ConcreteExamples,
    SkillLength,
    PressurePasses,
    RationalizationTable,
    NoRationalization,
}

impl GateId {
    /// Every gate, in phase order, as reports list them.
    pub const ALL: [GateId; 10] = [
        GateId::ScenariosDocumented,
        GateId::PatternsIdentified,
        GateId::BaselineFails,
        GateId::SkillPasses,
        GateId::PatternsAddressed,
        GateId::ConcreteExamples,
        GateId::SkillLength,
        GateId::PressurePasses,
        GateId::RationalizationTable,
        GateId::NoRationalization,
    ];

    /// Returns the kebab-case id used in gate files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            GateId::ScenariosDocumented => "scenarios-documented",
            GateId::PatternsIdentified => "patterns-identified",
            GateId::BaselineFails => "baseline-fails",
            GateId::SkillPasses => "skill-passes",
            GateId::PatternsAddressed => "patterns-addressed",
            GateId::ConcreteExamples => "concrete-examples",
            GateId::SkillLength => "skill-length",
            GateId::PressurePasses => "pressure-passes",
            GateId::RationalizationTable => "rationalization-table",
            GateId::NoRationalization => "no-rationalization",
        }
    }

    /// Returns the phase of the RED / GREEN / REFACTOR cycle the gate belongs to.
    pub fn phase(self) -> Phase {
        match self {
            GateId::ScenariosDocumented | GateId::PatternsIdentified | GateId::BaselineFails => Phase::Red,
            GateId::SkillPasses | GateId::PatternsAddressed | GateId::ConcreteExamples | GateId::SkillLength => {
                Phase::Green
            }
            GateId::PressurePasses | GateId::RationalizationTable | GateId::NoRationalization => Phase::Refactor,
        }
    }

    /// Returns whether the gate reads the skill document (its lint) rather than answers or the suite.
    pub fn reads_skill_document(self) -> bool {
        matches!(
            self,
            GateId::PatternsAddressed | GateId::ConcreteExamples | GateId::SkillLength | GateId::RationalizationTable
        )
    }
}

/// The verdict of one gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GateStatus {
    Holds,
    Fails,
    /// The inputs the gate needs are missing from the run, or the gates file turns it off.
    NotEvaluated,
}

impl GateStatus {
    /// Returns the kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            GateStatus::Holds => "holds",
            GateStatus::Fails => "fails",
            GateStatus::NotEvaluated => "not-evaluated",
        }
    }
}

/// The result of one gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateResult {
    pub id: GateId,
    pub phase: Phase,
    pub status: GateStatus,
    /// The figure behind the verdict as a sentence, or why the gate was not evaluated.
    pub detail: String,
}

impl GateResult {
    /// Builds a result, taking the phase from the gate id.
    pub fn new(id: GateId, status: GateStatus, detail: impl Into<String>) -> Self {
        GateResult { id, phase: id.phase(), status, detail: detail.into() }
    }

    /// Builds a result that holds when `holds` is true and fails otherwise.
    pub fn verdict(id: GateId, holds: bool, detail: impl Into<String>) -> Self {
        let status = if holds { GateStatus::Holds } else { GateStatus::Fails };
        GateResult::new(id, status, detail)
    }

    /// Builds a result for a gate that could not be evaluated, with the reason.
    pub fn not_evaluated(id: GateId, reason: impl Into<String>) -> Self {
        GateResult::new(id, GateStatus::NotEvaluated, reason)
    }

    /// Returns whether the gate was evaluated and failed.
    pub fn fails(&self) -> bool {
        self.status == GateStatus::Fails
    }
}

/// Everything the gates read.
#[derive(Debug, Clone, Copy)]
pub struct GateInputs<'a> {
    /// The suite: its scenarios, failure patterns and gate thresholds.
    pub suite: &'a Suite,
    /// Summaries of the run; empty when no agent was run.
    pub summaries: &'a [ArmSummary],
    /// Summaries of the variants the run asked, per scenario, variant and arm; empty
    /// unless the run was a REFACTOR run.
    pub variant_summaries: &'a [ArmSummary],
    /// Rationalizations found in the answers.
    pub rationalizations: &'a [Rationalization],
    /// The skill's lint, when a skill was given.
    pub lint: Option<&'a SkillLint>,
    /// Evaluate only the gates of this phase and the phases before it. `None`
    /// evaluates every gate and marks those whose inputs are missing as not evaluated.
    pub up_to_phase: Option<Phase>,
}

/// Formats a fraction from 0 to 1 as a percentage: whole numbers without decimals
/// (`80%`), others with one (`66.7%`).
pub fn format_percent(fraction: f64) -> String {
    let percent = fraction * 100.0;
    if (percent - percent.round()).abs() < 1e-9 { format!("{percent:.0}%") } else { format!("{percent:.1}%") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_serde() {
        for id in GateId::ALL {
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            assert_eq!(serde_json::from_str::<GateId>(&json).unwrap(), id);
        }
    }

    #[test]
    fn phases_follow_the_cycle() {
        let phases: Vec<Phase> = GateId::ALL.iter().map(|id| id.phase()).collect();
        let mut sorted = phases.clone();
        sorted.sort();
        assert_eq!(phases, sorted);
        assert_eq!(phases.iter().filter(|phase| **phase == Phase::Red).count(), 3);
        assert_eq!(phases.iter().filter(|phase| **phase == Phase::Green).count(), 4);
    }

    #[test]
    fn percent_formatting() {
        assert_eq!(format_percent(0.8), "80%");
        assert_eq!(format_percent(2.0 / 3.0), "66.7%");
        assert_eq!(format_percent(1.0), "100%");
        assert_eq!(format_percent(0.0), "0%");
    }
}
