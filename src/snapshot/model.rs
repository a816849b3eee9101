//! The snapshot file: its shape, how it is built from a run's summaries and gates, and
//! how it is read and written.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tempfile::NamedTempFile;

use super::SnapshotError;
use crate::gate::{GateId, GateResult, GateStatus};
use crate::score::{ArmSummary, CheckTally};
use crate::stats::Proportion;
use crate::suite::{Arm, CheckKind};

/// Version of the snapshot's JSON shape. Raise it whenever a field is renamed, removed or
/// changes meaning; a baseline of another version is rejected with a clear error.
pub const SNAPSHOT_VERSION: u32 = 1;

/// Decimal places kept of each rate, so that float formatting never shows in a diff.
const RATE_DECIMALS: i32 = 4;

/// The verdicts of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`SNAPSHOT_VERSION`] when written by this version.
    pub snapshot_version: u32,
    pub suite: String,
    /// The agent as the run named it; a comparison notes when it differs.
    pub agent: String,
    /// Samples per scenario and arm that the run asked for.
    pub samples: u32,
    /// Sorted by scenario id, then variant id (`base` first); a REFACTOR run adds an entry
    /// per variant.
    pub scenarios: Vec<ScenarioSnapshot>,
    /// Every evaluated gate, in the fixed gate order.
    pub gates: Vec<GateSnapshot>,
}

/// One scenario's verdicts in each arm it was run in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSnapshot {
    pub id: String,
    /// The variant asked; left out of the file for `base`.
    #[serde(default = "crate::suite::base_variant", skip_serializing_if = "crate::suite::is_base_variant")]
    pub variant: String,
    /// `without-skill` first.
    pub arms: Vec<ArmSnapshot>,
}

/// One scenario in one arm. Errored units are left out: only answered samples count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmSnapshot {
    pub arm: Arm,
    pub answered: u32,
    pub passed: u32,
    /// `passed / answered`, rounded to four decimals; `None` when nothing was answered.
    pub pass_rate: Option<f64>,
    pub verdict: Verdict,
    /// Sorted by check id.
    pub checks: Vec<CheckSnapshot>,
}

/// One check in one scenario and arm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSnapshot {
    pub id: String,
    pub kind: CheckKind,
    /// Answered samples in which the check held (for an anti check: was not committed).
    pub held: u32,
    /// `held / answered`, rounded to four decimals; `None` when nothing was answered.
    pub held_rate: Option<f64>,
    pub verdict: Verdict,
}

/// One gate's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateSnapshot {
    pub id: GateId,
    pub status: GateStatus,
}

/// How the answered samples of one scenario, arm or check agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every answered sample passed (or held the check).
    Pass,
    /// No answered sample passed.
    Fail,
    /// Some passed and some did not.
    Flaky,
    /// No sample was answered.
    NoAnswers,
}

impl Verdict {
    /// Reads the verdict off a count.
    fn of(successes: u32, trials: u32) -> Self {
        match (successes, trials) {
            (_, 0) => Verdict::NoAnswers,
            (0, _) => Verdict::Fail,
            (successes, trials) if successes == trials => Verdict::Pass,
            _ => Verdict::Flaky,
        }
    }
}

impl Snapshot {
    /// Builds the snapshot of a run from its summaries (of the base questions and of any
    /// variants) and gate results.
    pub fn new(suite: &str, agent: &str, samples: u32, summaries: &[ArmSummary], gates: &[GateResult]) -> Self {
        let mut ids: Vec<(&str, &str)> =
            summaries.iter().map(|summary| (summary.scenario.as_str(), summary.variant.as_str())).collect();
        ids.sort_unstable();
        ids.dedup();
        let scenarios = ids.into_iter().map(|(id, variant)| scenario_snapshot(id, variant, summaries)).collect();
        let mut gates: Vec<GateSnapshot> =
            gates.iter().map(|gate| GateSnapshot { id: gate.id, status: gate.status }).collect();
        gates.sort_by_key(|gate| gate.id);
        Snapshot {
            snapshot_version: SNAPSHOT_VERSION,
            suite: suite.to_string(),
            agent: agent.to_string(),
            samples,
            scenarios,
            gates,
        }
    }

    /// Returns the snapshot as pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string_pretty(self).expect("a snapshot always serialises");
        json.push('\n');
        json
    }

    /// Reads a snapshot file and checks its version.
    pub fn read(path: &Path) -> Result<Snapshot, SnapshotError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| SnapshotError::Read { path: path.to_path_buf(), source })?;
        let version: VersionOnly =
            serde_json::from_str(&text).map_err(|source| SnapshotError::Parse { path: path.to_path_buf(), source })?;
        if version.snapshot_version != SNAPSHOT_VERSION {
            let (found, expected) = (version.snapshot_version, SNAPSHOT_VERSION);
            return Err(SnapshotError::Version { path: path.to_path_buf(), found, expected });
        }
        serde_json::from_str(&text).map_err(|source| SnapshotError::Parse { path: path.to_path_buf(), source })
    }

    /// Writes the snapshot to `path` through a temporary file in the same folder, so
    /// that a failed write leaves the old file whole.
    pub fn write(&self, path: &Path) -> Result<(), SnapshotError> {
        let write_error = |source| SnapshotError::Write { path: path.to_path_buf(), source };
        let folder = path.parent().filter(|folder| !folder.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(folder).map_err(write_error)?;
        let mut temporary = NamedTempFile::new_in(folder).map_err(write_error)?;
        temporary.write_all(self.to_json().as_bytes()).map_err(write_error)?;
        temporary.as_file().sync_all().map_err(write_error)?;
        temporary.persist(path).map_err(|error| write_error(error.error))?;
        Ok(())
    }

    /// Finds one scenario, as written, in one arm.
    pub fn arm(&self, scenario: &str, arm: Arm) -> Option<&ArmSnapshot> {
        self.variant_arm(scenario, crate::suite::BASE_VARIANT, arm)
    }

    /// Finds one variant of a scenario in one arm.
    pub fn variant_arm(&self, scenario: &str, variant: &str, arm: Arm) -> Option<&ArmSnapshot> {
        let scenario = self.scenarios.iter().find(|candidate| candidate.id == scenario && candidate.variant == variant)?;
        scenario.arms.iter().find(|candidate| candidate.arm == arm)
    }
}

impl ArmSnapshot {
    /// Returns the answered samples that passed, as a proportion.
    pub fn passes(&self) -> Proportion {
        Proportion::new(self.passed, self.answered)
    }
}

/// Only the version field, read first so that a newer file gets a version error rather
/// than a field error.
#[derive(Deserialize)]
struct VersionOnly {
    snapshot_version: u32,
}

/// Builds the snapshot of one scenario's variant from the summaries of its arms.
fn scenario_snapshot(id: &str, variant: &str, summaries: &[ArmSummary]) -> ScenarioSnapshot {
    let mut arms: Vec<ArmSnapshot> = summaries
        .iter()
        .filter(|summary| summary.scenario == id && summary.variant == variant)
        .map(arm_snapshot)
        .collect();
    arms.sort_by_key(|arm| arm.arm);
    ScenarioSnapshot { id: id.to_string(), variant: variant.to_string(), arms }
}

/// Builds one arm's snapshot.
fn arm_snapshot(summary: &ArmSummary) -> ArmSnapshot {
    let mut checks: Vec<CheckSnapshot> =
        summary.checks.iter().map(|tally| check_snapshot(tally, summary.answered)).collect();
    checks.sort_by(|a, b| a.id.cmp(&b.id));
    ArmSnapshot {
        arm: summary.arm,
        answered: summary.answered,
        passed: summary.passed,
        pass_rate: Proportion::new(summary.passed, summary.answered).rate().map(round_rate),
        verdict: Verdict::of(summary.passed, summary.answered),
        checks,
    }
}

/// Builds one check's snapshot.
fn check_snapshot(tally: &CheckTally, answered: u32) -> CheckSnapshot {
    CheckSnapshot {
        id: tally.id.clone(),
        kind: tally.kind,
        held: tally.held,
        held_rate: Proportion::new(tally.held, answered).rate().map(round_rate),
        verdict: Verdict::of(tally.held, answered),
    }
}

/// Rounds a rate to [`RATE_DECIMALS`] places.
fn round_rate(rate: f64) -> f64 {
    let scale = 10f64.powi(RATE_DECIMALS);
    (rate * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(scenario: &str, arm: Arm, passed: u32, answered: u32) -> ArmSummary {
        let mut later = CheckTally::empty("zeta", CheckKind::Required);
        later.held = passed;
        let mut earlier = CheckTally::empty("alpha", CheckKind::Anti);
        earlier.held = answered;
        ArmSummary::from_counts(scenario, arm, passed, answered, 1, vec![later, earlier])
    }

    fn sample() -> Snapshot {
        let summaries = [
            summary("b", Arm::WithSkill, 2, 3),
            summary("b", Arm::WithoutSkill, 0, 3),
            summary("a", Arm::WithSkill, 3, 3),
        ];
        let gates = [
            GateResult::verdict(GateId::SkillPasses, false, "x"),
            GateResult::verdict(GateId::BaselineFails, true, "y"),
        ];
        Snapshot::new("mini", "replay", 3, &summaries, &gates)
    }

    #[test]
    fn sorted_and_rounded() {
        let snapshot = sample();
        let ids: Vec<&str> = snapshot.scenarios.iter().map(|scenario| scenario.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        let b = &snapshot.scenarios[1];
        assert_eq!(b.arms.iter().map(|arm| arm.arm).collect::<Vec<_>>(), Arm::BOTH);
        let with = &b.arms[1];
        assert_eq!(with.pass_rate, Some(0.6667));
        assert_eq!(with.verdict, Verdict::Flaky);
        assert_eq!(with.checks.iter().map(|check| check.id.as_str()).collect::<Vec<_>>(), ["alpha", "zeta"]);
        assert_eq!(
            snapshot.gates.iter().map(|gate| gate.id).collect::<Vec<_>>(),
            [GateId::BaselineFails, GateId::SkillPasses]
        );
    }

    #[test]
    fn no_timestamps_or_latencies() {
        let json = sample().to_json();
        assert!(json.starts_with("{\n  \"snapshot_version\": 1,\n"), "{json}");
        for word in ["latency", "started_at", "finished_at", "errored", "usage"] {
            assert!(!json.contains(word), "{word} in {json}");
        }
    }

    #[test]
    fn verdicts() {
        assert_eq!(Verdict::of(0, 0), Verdict::NoAnswers);
        assert_eq!(Verdict::of(0, 4), Verdict::Fail);
        assert_eq!(Verdict::of(4, 4), Verdict::Pass);
        assert_eq!(Verdict::of(1, 4), Verdict::Flaky);
    }

    #[test]
    fn write_then_read() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("nested/baseline.json");
        sample().write(&path).unwrap();
        assert_eq!(Snapshot::read(&path).unwrap(), sample());
    }

    #[test]
    fn other_version_is_rejected() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("baseline.json");
        std::fs::write(&path, "{\"snapshot_version\": 99, \"whatever\": true}").unwrap();
        let error = Snapshot::read(&path).unwrap_err().to_string();
        assert!(error.contains("has snapshot_version 99, but this skilleval reads version 1"), "{error}");
    }

    #[test]
    fn unknown_field_is_rejected() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("baseline.json");
        let json = sample().to_json().replacen("\"suite\"", "\"timestamp\": 1, \"suite\"", 1);
        std::fs::write(&path, json).unwrap();
        assert!(matches!(Snapshot::read(&path), Err(SnapshotError::Parse { .. })));
    }
}
