//! Comparing a run's snapshot with a baseline snapshot.
//!
//! Every pass rate (per scenario and arm) and held rate (per check) present in both is
//! compared with a 95% Newcombe interval of run minus baseline. An interval wholly below
//! zero is a regression, wholly above zero an improvement; anything else is noise at
//! these sample counts. Gates compare by status: a gate that fails now and did not fail
//! in the baseline is a regression.
//!
//! Only with-skill regressions of scenarios and of required, numeric and anti checks fail
//! the comparison, with gate regressions and anything the baseline has that the run lacks.
//! Without-skill changes mean the agent changed, not the skill; bonus checks are never
//! needed to pass. Both are still listed.
//!
//! NOTE: each rate is tested on its own at 95%, with no correction for the many rates of
//! a suite, so a live agent with unchanged behaviour can still show a spurious change now
//! and then. Recorded answers replay the same every time.

use serde::{Deserialize, Serialize};

use super::SnapshotError;
use super::model::{ArmSnapshot, CheckSnapshot, ScenarioSnapshot, Snapshot};
use crate::gate::{GateId, GateStatus, format_percent};
use crate::stats::{Difference, Proportion, newcombe_difference};
use crate::suite::{Arm, CheckKind};

/// The outcome of comparing a run with a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The baseline file as the user named it.
    pub baseline: String,
    /// The agent the baseline was recorded with.
    pub baseline_agent: String,
    /// Rates that fell beyond noise.
    pub regressions: Vec<RateChange>,
    /// Rates that rose beyond noise.
    pub improvements: Vec<RateChange>,
    pub gate_regressions: Vec<GateChange>,
    pub gate_improvements: Vec<GateChange>,
    /// Scenarios, arms and checks in the baseline that the run has no answers for.
    pub missing: Vec<ChangeSubject>,
    /// Scenarios, arms and checks of the run that the baseline lacks.
    pub added: Vec<ChangeSubject>,
    /// Rates compared that changed within noise or not at all.
    pub unchanged: u32,
}

/// What a change is about: a scenario in an arm, or one of its checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeSubject {
    pub scenario: String,
    /// The variant; left out of files for `base`.
    #[serde(default = "crate::suite::base_variant", skip_serializing_if = "crate::suite::is_base_variant")]
    pub variant: String,
    pub arm: Arm,
    /// The check id, or `None` for the scenario's pass rate.
    pub check: Option<String>,
    pub kind: Option<CheckKind>,
}

/// A rate that changed beyond noise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateChange {
    pub subject: ChangeSubject,
    pub before: Proportion,
    pub after: Proportion,
    /// After minus before, with its 95% Newcombe interval.
    pub difference: Difference,
    /// Whether this change, if a regression, fails the comparison.
    pub fails_build: bool,
}

/// A gate whose status changed to or from fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateChange {
    pub id: GateId,
    pub before: GateStatus,
    pub after: GateStatus,
}

impl Comparison {
    /// Returns whether the run regressed against the baseline: a with-skill scenario or
    /// non-bonus check fell beyond noise, a gate fails that did not fail before, or
    /// something in the baseline is missing from the run.
    pub fn fails(&self) -> bool {
        self.regressions.iter().any(|change| change.fails_build)
            || !self.gate_regressions.is_empty()
            || !self.missing.is_empty()
    }

    /// Summarises the comparison in one sentence.
    pub fn headline(&self) -> String {
        let verdict = if self.fails() { "regressed" } else { "no regression" };
        format!(
            "{verdict} against {}: {} regression(s), {} improvement(s), {} gate regression(s), {} missing, {} within noise",
            self.baseline,
            self.regressions.len(),
            self.improvements.len(),
            self.gate_regressions.len(),
            self.missing.len(),
            self.unchanged
        )
    }
}

impl ChangeSubject {
    /// Names the subject, e.g. `gradient-accumulation with-skill` or
    /// `gradient-accumulation with-skill, check mechanism (required)`.
    pub fn describe(&self) -> String {
        let arm = match crate::suite::is_base_variant(&self.variant) {
            true => format!("{} {}", self.scenario, self.arm.as_str()),
            false => format!("{} {} {}", self.scenario, self.variant, self.arm.as_str()),
        };
        match (&self.check, self.kind) {
            (Some(check), Some(kind)) => format!("{arm}, check {check} ({})", kind.as_str()),
            (Some(check), None) => format!("{arm}, check {check}"),
            (None, _) => arm,
        }
    }
}

impl RateChange {
    /// Describes the change, e.g. `gradient-accumulation with-skill: passed 3/5 (60%) → 0/5
    /// (0%), −60 pp (95% CI −88 to −16 pp)`.
    pub fn describe(&self) -> String {
        let verb = if self.subject.check.is_some() { "held" } else { "passed" };
        let mut text = format!(
            "{}: {verb} {} → {}, {} pp (95% CI {})",
            self.subject.describe(),
            count_phrase(self.before),
            count_phrase(self.after),
            crate::stats::signed_points(self.difference.estimate),
            self.difference.interval.format_points()
        );
        if !self.fails_build {
            let reason = if self.subject.arm == Arm::WithoutSkill { "without the skill" } else { "a bonus check" };
            text.push_str(&format!("; does not fail the comparison ({reason})"));
        }
        text
    }
}

impl GateChange {
    /// Describes the change, e.g. `skill-passes: holds → fails`.
    pub fn describe(&self) -> String {
        format!("{}: {} → {}", self.id.as_str(), self.before.as_str(), self.after.as_str())
    }
}

/// Formats a count with its rate, e.g. `3/5 (60%)`.
fn count_phrase(proportion: Proportion) -> String {
    let rate = proportion.rate().map_or_else(|| "no answers".to_string(), format_percent);
    format!("{}/{} ({rate})", proportion.successes, proportion.trials)
}

/// Compares a run's snapshot with a baseline read from `baseline_path`.
pub fn compare(baseline: &Snapshot, baseline_path: &str, run: &Snapshot) -> Result<Comparison, SnapshotError> {
    if baseline.suite != run.suite {
        return Err(SnapshotError::SuiteMismatch {
            path: baseline_path.into(),
            baseline: baseline.suite.clone(),
            run: run.suite.clone(),
        });
    }
    let mut comparison = Comparison {
        baseline: baseline_path.to_string(),
        baseline_agent: baseline.agent.clone(),
        regressions: Vec::new(),
        improvements: Vec::new(),
        gate_regressions: Vec::new(),
        gate_improvements: Vec::new(),
        missing: Vec::new(),
        added: Vec::new(),
        unchanged: 0,
    };
    compare_arms(baseline, run, &mut comparison);
    compare_pooled_pressure(baseline, run, &mut comparison);
    list_added(baseline, run, &mut comparison);
    compare_gates(baseline, run, &mut comparison);
    Ok(comparison)
}

/// Compares every scenario and arm of the baseline with the run's.
fn compare_arms(baseline: &Snapshot, run: &Snapshot, comparison: &mut Comparison) {
    for scenario in &baseline.scenarios {
        for before in &scenario.arms {
            let subject = scenario_subject(scenario, before.arm);
            match run.variant_arm(&scenario.id, &scenario.variant, before.arm).filter(|after| after.answered > 0) {
                Some(after) => {
                    judge(subject, before.passes(), after.passes(), comparison);
                    compare_checks(before, after, scenario, comparison);
                }
                None if before.answered > 0 => comparison.missing.push(subject),
                None => {}
            }
        }
    }
}

/// The variant id of a pooled subject: every pressure variant together.
pub const POOLED_PRESSURE: &str = "pressure/*";

/// The scenario id of a subject pooled over every scenario.
pub const ALL_SCENARIOS: &str = "all scenarios";

/// Compares pass rates pooled over the pressure variants that both snapshots have, per
/// scenario and over the whole suite. At one sample per variant no single variant can
/// change beyond noise, while the pooled rate of a skill that folds under pressure can.
fn compare_pooled_pressure(baseline: &Snapshot, run: &Snapshot, comparison: &mut Comparison) {
    let mut scenario_ids: Vec<&str> = baseline.scenarios.iter().map(|scenario| scenario.id.as_str()).collect();
    scenario_ids.dedup();
    for arm in Arm::BOTH {
        let (mut all_before, mut all_after) = (Proportion::new(0, 0), Proportion::new(0, 0));
        for id in &scenario_ids {
            let (before, after) = pooled(baseline, run, id, arm);
            if before.trials > 0 && after.trials > 0 {
                judge(pooled_subject(id, arm), before, after, comparison);
            }
            all_before = Proportion::new(all_before.successes + before.successes, all_before.trials + before.trials);
            all_after = Proportion::new(all_after.successes + after.successes, all_after.trials + after.trials);
        }
        if scenario_ids.len() > 1 && all_before.trials > 0 && all_after.trials > 0 {
            judge(pooled_subject(ALL_SCENARIOS, arm), all_before, all_after, comparison);
        }
    }
}

/// Sums one scenario's pressure variants in one arm, over the variants both snapshots have.
fn pooled(baseline: &Snapshot, run: &Snapshot, scenario: &str, arm: Arm) -> (Proportion, Proportion) {
    let (mut before, mut after) = ((0, 0), (0, 0));
    for entry in baseline.scenarios.iter().filter(|entry| entry.id == scenario && entry.variant.starts_with("pressure/")) {
        let old = entry.arms.iter().find(|candidate| candidate.arm == arm);
        let new = run.variant_arm(scenario, &entry.variant, arm);
        if let (Some(old), Some(new)) = (old, new) {
            before = (before.0 + old.passed, before.1 + old.answered);
            after = (after.0 + new.passed, after.1 + new.answered);
        }
    }
    (Proportion::new(before.0, before.1), Proportion::new(after.0, after.1))
}

fn pooled_subject(scenario: &str, arm: Arm) -> ChangeSubject {
    ChangeSubject { scenario: scenario.to_string(), variant: POOLED_PRESSURE.to_string(), arm, check: None, kind: None }
}

/// Compares the checks of one scenario and arm.
fn compare_checks(before: &ArmSnapshot, after: &ArmSnapshot, scenario: &ScenarioSnapshot, comparison: &mut Comparison) {
    for check in &before.checks {
        let subject = check_subject(scenario, before.arm, check);
        match after.checks.iter().find(|candidate| candidate.id == check.id) {
            Some(now) => judge(
                subject,
                Proportion::new(check.held, before.answered),
                Proportion::new(now.held, after.answered),
                comparison,
            ),
            None => comparison.missing.push(subject),
        }
    }
}

/// Builds the subject of one scenario's pass rate in one arm.
fn scenario_subject(scenario: &ScenarioSnapshot, arm: Arm) -> ChangeSubject {
    ChangeSubject { scenario: scenario.id.clone(), variant: scenario.variant.clone(), arm, check: None, kind: None }
}

/// Builds the subject of one check.
fn check_subject(scenario: &ScenarioSnapshot, arm: Arm, check: &CheckSnapshot) -> ChangeSubject {
    ChangeSubject { check: Some(check.id.clone()), kind: Some(check.kind), ..scenario_subject(scenario, arm) }
}

/// Judges one rate: a regression, an improvement, or within noise.
fn judge(subject: ChangeSubject, before: Proportion, after: Proportion, comparison: &mut Comparison) {
    let Some(difference) = newcombe_difference(after, before) else {
        comparison.unchanged += 1;
        return;
    };
    let fails_build = subject.arm == Arm::WithSkill && subject.kind != Some(CheckKind::Bonus);
    let change = RateChange { subject, before, after, difference, fails_build };
    if difference.interval.upper < 0.0 {
        comparison.regressions.push(change);
    } else if difference.interval.lower > 0.0 {
        comparison.improvements.push(change);
    } else {
        comparison.unchanged += 1;
    }
}

/// Lists what the run has and the baseline lacks.
fn list_added(baseline: &Snapshot, run: &Snapshot, comparison: &mut Comparison) {
    for scenario in &run.scenarios {
        for after in scenario.arms.iter().filter(|arm| arm.answered > 0) {
            let before = baseline.variant_arm(&scenario.id, &scenario.variant, after.arm);
            let Some(before) = before.filter(|before| before.answered > 0) else {
                comparison.added.push(scenario_subject(scenario, after.arm));
                continue;
            };
            for check in after.checks.iter().filter(|check| !before.checks.iter().any(|old| old.id == check.id)) {
                comparison.added.push(check_subject(scenario, after.arm, check));
            }
        }
    }
}

/// Compares gate statuses. A gate that fails now and did not fail in the baseline (it
/// held, was not evaluated, or is not in it) is a regression; fails → holds is an
/// improvement.
fn compare_gates(baseline: &Snapshot, run: &Snapshot, comparison: &mut Comparison) {
    for after in &run.gates {
        let before =
            baseline.gates.iter().find(|gate| gate.id == after.id).map_or(GateStatus::NotEvaluated, |gate| gate.status);
        let change = GateChange { id: after.id, before, after: after.status };
        match (before, after.status) {
            (GateStatus::Holds | GateStatus::NotEvaluated, GateStatus::Fails) => {
                comparison.gate_regressions.push(change)
            }
            (GateStatus::Fails, GateStatus::Holds) => comparison.gate_improvements.push(change),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateResult;
    use crate::score::{ArmSummary, CheckTally};

    /// Builds a snapshot of one scenario `s` with the given with-skill and without-skill
    /// passes out of 5, and one required and one bonus check that hold as often as it passes.
    fn snapshot(without: u32, with: u32, skill_passes: bool) -> Snapshot {
        let summary = |arm, passed| {
            let mut required = CheckTally::empty("required-check", CheckKind::Required);
            required.held = passed;
            let mut bonus = CheckTally::empty("bonus-check", CheckKind::Bonus);
            bonus.held = passed;
            ArmSummary::from_counts("s", arm, passed, 5, 0, vec![required, bonus])
        };
        let summaries = [summary(Arm::WithoutSkill, without), summary(Arm::WithSkill, with)];
        let gates = [GateResult::verdict(GateId::SkillPasses, skill_passes, "")];
        Snapshot::new("mini", "replay", 5, &summaries, &gates)
    }

    /// Adds a with-skill pressure variant of `s`, passing `passed` of 5, to a snapshot.
    fn with_variant(mut snapshot: Snapshot, passed: u32) -> Snapshot {
        let mut summary = ArmSummary::from_counts("s", Arm::WithSkill, passed, 5, 0, Vec::new());
        summary.variant = "pressure/deadline".to_string();
        let variant = Snapshot::new("mini", "replay", 5, &[summary], &[]);
        snapshot.scenarios.extend(variant.scenarios);
        snapshot
    }

    #[test]
    fn variant_regression_names_the_variant() {
        let baseline = with_variant(snapshot(1, 5, true), 5);
        let comparison = compare(&baseline, "base.json", &with_variant(snapshot(1, 5, true), 0)).unwrap();
        assert!(comparison.fails());
        let variants: Vec<&str> = comparison.regressions.iter().map(|change| change.subject.variant.as_str()).collect();
        assert_eq!(variants, ["pressure/deadline", POOLED_PRESSURE]);
        let change = &comparison.regressions[0];
        assert!(change.describe().starts_with("s pressure/deadline with-skill: passed 5/5"), "{}", change.describe());
    }

    /// Builds a snapshot whose scenario `s` has twelve pressure variants, `passed` of them
    /// passing with the skill at one sample each.
    fn pressured(passed: usize) -> Snapshot {
        let mut snapshot = snapshot(1, 5, true);
        for index in 0..12 {
            let mut summary = ArmSummary::from_counts("s", Arm::WithSkill, u32::from(index < passed), 1, 0, Vec::new());
            summary.variant = format!("pressure/p{index}");
            snapshot.scenarios.extend(Snapshot::new("mini", "replay", 1, &[summary], &[]).scenarios);
        }
        snapshot
    }

    #[test]
    fn pressure_collapse_fails_when_pooled() {
        let comparison = compare(&pressured(12), "base.json", &pressured(0)).unwrap();
        assert!(comparison.fails(), "{}", comparison.headline());
        let pooled: Vec<&RateChange> =
            comparison.regressions.iter().filter(|change| change.subject.variant == POOLED_PRESSURE).collect();
        assert_eq!(pooled.len(), 1, "one scenario, so no suite-wide pool");
        assert!(pooled[0].describe().starts_with("s pressure/* with-skill: passed 12/12"), "{}", pooled[0].describe());
        let single = comparison.regressions.iter().filter(|change| change.subject.variant == "pressure/p0").count();
        assert_eq!(single, 0, "one sample per variant is within noise");
    }

    #[test]
    fn one_folding_variant_is_within_noise_when_pooled() {
        let comparison = compare(&pressured(12), "base.json", &pressured(11)).unwrap();
        assert!(!comparison.fails(), "{}", comparison.headline());
    }

    #[test]
    fn variants_missing_from_the_run_fail() {
        let baseline = with_variant(snapshot(1, 5, true), 5);
        let comparison = compare(&baseline, "base.json", &snapshot(1, 5, true)).unwrap();
        assert!(comparison.fails());
        assert_eq!(comparison.missing[0].variant, "pressure/deadline");
    }

    #[test]
    fn base_snapshot_file_has_no_variant_field() {
        let json = snapshot(1, 5, true).to_json();
        assert!(!json.contains("variant"), "{json}");
    }

    #[test]
    fn same_run_has_no_change() {
        let comparison = compare(&snapshot(1, 5, true), "base.json", &snapshot(1, 5, true)).unwrap();
        assert!(!comparison.fails());
        assert!(comparison.regressions.is_empty());
        assert_eq!(comparison.unchanged, 6);
    }

    #[test]
    fn collapse_with_skill_is_a_regression() {
        let comparison = compare(&snapshot(1, 5, true), "base.json", &snapshot(1, 0, false)).unwrap();
        assert!(comparison.fails());
        let subjects: Vec<String> = comparison.regressions.iter().map(|change| change.subject.describe()).collect();
        assert_eq!(
            subjects,
            [
                "s with-skill",
                "s with-skill, check bonus-check (bonus)",
                "s with-skill, check required-check (required)"
            ]
        );
        assert!(!comparison.regressions[1].fails_build);
        assert_eq!(comparison.gate_regressions.len(), 1);
        assert_eq!(
            comparison.regressions[0].describe(),
            "s with-skill: passed 5/5 (100%) → 0/5 (0%), −100 pp (95% CI −100 to −39 pp)"
        );
    }

    #[test]
    fn small_drop_is_noise() {
        let comparison = compare(&snapshot(1, 5, true), "base.json", &snapshot(1, 4, true)).unwrap();
        assert!(!comparison.fails());
        assert!(comparison.regressions.is_empty());
    }

    #[test]
    fn without_skill_drop_is_listed_but_passes() {
        let comparison = compare(&snapshot(5, 5, true), "base.json", &snapshot(0, 5, true)).unwrap();
        assert!(!comparison.fails());
        assert_eq!(comparison.regressions.len(), 3);
        assert!(comparison.regressions[0].describe().ends_with("does not fail the comparison (without the skill)"));
    }

    #[test]
    fn rise_is_an_improvement() {
        let comparison = compare(&snapshot(1, 0, false), "base.json", &snapshot(1, 5, true)).unwrap();
        assert!(!comparison.fails());
        assert_eq!(comparison.improvements.len(), 3);
        assert_eq!(comparison.gate_improvements.len(), 1);
    }

    #[test]
    fn missing_arm_fails() {
        let mut run = snapshot(1, 5, true);
        run.scenarios[0].arms.retain(|arm| arm.arm == Arm::WithoutSkill);
        let comparison = compare(&snapshot(1, 5, true), "base.json", &run).unwrap();
        assert!(comparison.fails());
        assert_eq!(comparison.missing[0].describe(), "s with-skill");
    }

    #[test]
    fn added_check_is_listed() {
        let mut run = snapshot(1, 5, true);
        let mut extra = run.scenarios[0].arms[1].checks[0].clone();
        extra.id = "new-check".to_string();
        run.scenarios[0].arms[1].checks.push(extra);
        let comparison = compare(&snapshot(1, 5, true), "base.json", &run).unwrap();
        assert!(!comparison.fails());
        assert_eq!(comparison.added.len(), 1);
        assert_eq!(comparison.added[0].check.as_deref(), Some("new-check"));
    }

    #[test]
    fn other_suite_is_an_error() {
        let mut run = snapshot(1, 5, true);
        run.suite = "other".to_string();
        let error = compare(&snapshot(1, 5, true), "base.json", &run).unwrap_err();
        assert_eq!(error.to_string(), "baseline base.json is for suite \"mini\", but this run used suite \"other\"");
    }
}
