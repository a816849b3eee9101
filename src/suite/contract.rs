//! The fixed scenario and check ids. Reports, snapshots and scoring output use exactly
//! these ids so that results stay comparable across versions and across anyone's runs:
//! a rubric may add checks, but a scenario with one of these ids must keep every
//! listed check with its kind.

use super::model::CheckKind;
use CheckKind::{Anti, Bonus, Numeric, Required};

/// A scenario id with the check ids and kinds every rubric for it must contain.
pub struct FixedScenario {
    pub id: &'static str,
    pub checks: &'static [(&'static str, CheckKind)],
}

/// The six scenarios of the batch-size suite and their fixed checks.
pub const FIXED_SCENARIOS: &[FixedScenario] = &[
    FixedScenario {
        id: "max-batch-assumption",
        checks: &[
            ("max-is-not-optimal", Required),
            ("generalization-tradeoff", Required),
            ("lr-scales-with-batch", Required),
            ("recommended-batch", Numeric),
            ("memory-per-sample", Bonus),
            ("validate-choice", Bonus),
            ("recommends-max-fit", Anti),
        ],
    },
    FixedScenario {
        id: "linear-scaling-rule",
        checks: &[
            ("lr-multiplier", Numeric),
            ("warmup", Required),
            ("schedule-interaction", Required),
            ("why-it-works", Required),
            ("sqrt-for-adaptive", Bonus),
            ("undersized-multiplier", Anti),
        ],
    },
    FixedScenario {
        id: "gradient-accumulation",
        checks: &[
            ("accumulation-steps", Numeric),
            ("mechanism", Required),
            ("memory-stays-micro", Required),
            ("time-cost", Required),
            ("batchnorm-caveat", Required),
            ("when-appropriate", Required),
            ("standard-technique", Bonus),
            ("lr-for-effective-batch", Bonus),
        ],
    },
    FixedScenario {
        id: "time-pressure-convergence",
        checks: &[
            ("generalization-gap", Required),
            ("wall-clock-vs-steps", Required),
            ("lr-adjustment", Required),
            ("alternatives", Required),
            ("measure-throughput", Bonus),
            ("blind-yes", Anti),
        ],
    },
    FixedScenario {
        id: "memory-estimation",
        checks: &[
            ("components", Required),
            ("model-state-estimate", Numeric),
            ("does-not-fit", Required),
            ("activations-scale-with-batch", Required),
            ("mitigations", Required),
            ("mixed-precision-caveat", Bonus),
            ("try-and-see", Anti),
            ("weights-only", Anti),
        ],
    },
    FixedScenario {
        id: "convergence-vs-speed",
        checks: &[
            ("fewer-iterations", Required),
            ("less-gradient-noise", Required),
            ("lr-multiplier", Numeric),
            ("define-convergence", Required),
            ("validate", Required),
            ("critical-batch", Bonus),
            ("blind-yes", Anti),
        ],
    },
];

/// Returns the fixed checks for a scenario id, if the id is one of the fixed six.
pub fn fixed_scenario(id: &str) -> Option<&'static FixedScenario> {
    FIXED_SCENARIOS.iter().find(|fixed| fixed.id == id)
}
