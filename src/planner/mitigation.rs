//! Changes that make a training plan fit a GPU. Every combination of the usual memory
//! levers is tried, and the cheapest combinations that fit come first.
//!
//! A lever's cost is a rank, not a measurement: it orders changes by what they take
//! from the user (nothing, some compute, some accuracy risk, more hardware, a
//! different kind of fine-tuning). Lowering the micro-batch and accumulating gradients
//! keeps the effective batch and costs only throughput, so it is tried with every
//! combination.

use serde::Serialize;

use super::activations::Recompute;
use super::memory::{TrainingPlan, max_micro_batch, training_memory};
use super::precision::{Optimizer, Precision};
use super::states::{LoraConfig, LoraTargets, Method, Sharding};

/// Adapter configuration the planner proposes: rank 16 on every linear layer.
const PROPOSED_LORA: LoraConfig = LoraConfig {
    rank: 16,
    targets: LoraTargets::AllLinear,
};

/// Largest GPU count proposed for sharding.
const MAX_PROPOSED_GPUS: u32 = 1024;

/// One change to a training plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lever {
    FlashAttention,
    MixedPrecision,
    ShardOverCurrentGpus,
    ActivationCheckpointing,
    EightBitAdam,
    OffloadOptimizer,
    ShardOverMoreGpus,
    Lora,
    Qlora,
}

impl Lever {
    /// Rank of what the change costs the user; lower is cheaper.
    fn cost(self) -> u32 {
        match self {
            Lever::FlashAttention | Lever::MixedPrecision => 1,
            Lever::ShardOverCurrentGpus => 2,
            Lever::ActivationCheckpointing | Lever::EightBitAdam => 3,
            Lever::OffloadOptimizer => 5,
            Lever::ShardOverMoreGpus => 6,
            Lever::Lora => 8,
            Lever::Qlora => 10,
        }
    }

    /// Returns whether the change alters `plan` at all.
    fn applies_to(self, plan: &TrainingPlan) -> bool {
        let states = &plan.states;
        match self {
            Lever::FlashAttention => !plan.flash_attention && plan.recompute == Recompute::None,
            Lever::MixedPrecision => states.precision == Precision::Fp32,
            Lever::ShardOverCurrentGpus => states.gpus > 1 && states.sharding != Sharding::Zero3,
            Lever::ActivationCheckpointing => plan.recompute != Recompute::Full,
            Lever::EightBitAdam => states.optimizer == Optimizer::AdamW,
            Lever::OffloadOptimizer => !states.offload_optimizer,
            Lever::ShardOverMoreGpus => states.gpus < MAX_PROPOSED_GPUS,
            Lever::Lora => states.method == Method::Full,
            Lever::Qlora => !matches!(states.method, Method::Qlora(_)),
        }
    }

    /// Applies the change to `plan`; sharding over more GPUs is applied separately.
    fn apply(self, plan: &mut TrainingPlan) {
        let states = &mut plan.states;
        match self {
            Lever::FlashAttention => plan.flash_attention = true,
            Lever::MixedPrecision => states.precision = Precision::Mixed,
            Lever::ShardOverCurrentGpus => states.sharding = Sharding::Zero3,
            Lever::ActivationCheckpointing => plan.recompute = Recompute::Full,
            Lever::EightBitAdam => states.optimizer = Optimizer::Adam8bit,
            Lever::OffloadOptimizer => states.offload_optimizer = true,
            Lever::ShardOverMoreGpus => {}
            Lever::Lora => states.method = Method::Lora(PROPOSED_LORA),
            Lever::Qlora => states.method = Method::Qlora(PROPOSED_LORA),
        }
    }

    /// Describes the change for a report.
    fn describe(self, plan: &TrainingPlan) -> String {
        match self {
            Lever::FlashAttention => "use FlashAttention (no attention-score activations)".into(),
            Lever::MixedPrecision => "train in mixed precision (16-bit activations)".into(),
            Lever::ShardOverCurrentGpus => format!(
                "shard states with ZeRO-3 / FSDP over your {} GPUs",
                plan.states.gpus
            ),
            Lever::ActivationCheckpointing => {
                "checkpoint activations (about a third more compute)".into()
            }
            Lever::EightBitAdam => "use 8-bit AdamW (bitsandbytes)".into(),
            Lever::OffloadOptimizer => {
                "offload optimizer states and gradients to CPU memory (slower steps)".into()
            }
            Lever::ShardOverMoreGpus => {
                format!("shard with ZeRO-3 / FSDP over {} GPUs", plan.states.gpus)
            }
            Lever::Lora => {
                "train LoRA adapters (rank 16, all linear layers) instead of all weights".into()
            }
            Lever::Qlora => {
                "train QLoRA adapters on a 4-bit base (rank 16, all linear layers)".into()
            }
        }
    }
}

/// Every lever, cheapest first.
const LEVERS: [Lever; 9] = [
    Lever::FlashAttention,
    Lever::MixedPrecision,
    Lever::ShardOverCurrentGpus,
    Lever::ActivationCheckpointing,
    Lever::EightBitAdam,
    Lever::OffloadOptimizer,
    Lever::ShardOverMoreGpus,
    Lever::Lora,
    Lever::Qlora,
];

/// A set of changes that makes the plan fit, with the micro-batch it allows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mitigation {
    /// The changes, cheapest first; empty when only the micro-batch changes.
    pub changes: Vec<String>,
    pub levers: Vec<Lever>,
    /// Micro-batch per GPU to run: the requested one, or the largest that fits.
    pub micro_batch: u32,
    /// Micro-batches to accumulate so that the requested batch per GPU is kept.
    pub accumulation_steps: u32,
    /// GPU memory at that micro-batch, in bytes.
    pub total: f64,
    /// Sum of the levers' cost ranks, plus one when gradients are accumulated.
    pub cost: u32,
}

/// Finds the cheapest sets of changes that make `plan` fit in `gpu_memory` bytes, at
/// most `limit` of them. A set that contains a cheaper fitting set is kept only when
/// it runs the requested micro-batch without accumulation and the cheaper set does not.
pub fn mitigations(plan: &TrainingPlan, gpu_memory: f64, limit: usize) -> Vec<Mitigation> {
    let levers: Vec<Lever> = LEVERS
        .into_iter()
        .filter(|lever| lever.applies_to(plan))
        .collect();
    let mut found: Vec<Mitigation> = (0..1u32 << levers.len())
        .map(|mask| {
            levers
                .iter()
                .enumerate()
                .filter(|(bit, _)| mask & (1 << bit) != 0)
                .map(|(_, lever)| *lever)
                .collect()
        })
        .filter(|chosen: &Vec<Lever>| is_consistent(chosen))
        .filter_map(|chosen| evaluate(plan, chosen, gpu_memory))
        .collect();
    found.sort_by(|a, b| {
        a.cost
            .cmp(&b.cost)
            .then(a.levers.len().cmp(&b.levers.len()))
            .then(a.total.total_cmp(&b.total))
    });

    let mut minimal: Vec<Mitigation> = Vec::new();
    for candidate in found {
        let dominated = minimal.iter().any(|kept| {
            let inside = kept
                .levers
                .iter()
                .all(|lever| candidate.levers.contains(lever));
            let no_larger_batch = kept.micro_batch >= candidate.micro_batch;
            inside && (no_larger_batch || candidate.accumulation_steps > 1)
        });
        if !dominated {
            minimal.push(candidate);
        }
    }
    minimal.truncate(limit);
    minimal
}

/// Returns whether a set of levers can be applied together. LoRA excludes QLoRA, and
/// the two ways of sharding exclude each other.
fn is_consistent(chosen: &[Lever]) -> bool {
    let both = |a: Lever, b: Lever| chosen.contains(&a) && chosen.contains(&b);
    !both(Lever::Lora, Lever::Qlora) && !both(Lever::ShardOverCurrentGpus, Lever::ShardOverMoreGpus)
}

/// Applies `chosen` to `plan` and returns the mitigation if the result fits.
fn evaluate(plan: &TrainingPlan, chosen: Vec<Lever>, gpu_memory: f64) -> Option<Mitigation> {
    let mut changed = plan.clone();
    for lever in &chosen {
        lever.apply(&mut changed);
    }
    let fitting_batch = if chosen.contains(&Lever::ShardOverMoreGpus) {
        shard_over_fewest_gpus(&mut changed, gpu_memory)?
    } else {
        max_micro_batch(&changed, gpu_memory)
    };
    if fitting_batch == 0 {
        return None;
    }

    let micro_batch = fitting_batch.min(plan.micro_batch);
    let accumulation_steps = plan.micro_batch.div_ceil(micro_batch);
    let total = training_memory(&changed.with_micro_batch(micro_batch)).total;
    let lever_cost: u32 = chosen.iter().map(|lever| lever.cost()).sum();
    Some(Mitigation {
        changes: chosen
            .iter()
            .map(|lever| lever.describe(&changed))
            .collect(),
        levers: chosen,
        micro_batch,
        accumulation_steps,
        total,
        cost: lever_cost + u32::from(accumulation_steps > 1),
    })
}

/// Shards `plan` with ZeRO-3 over the fewest GPUs (a power of two above the current
/// count) at which one sequence fits, and returns the largest micro-batch there.
fn shard_over_fewest_gpus(plan: &mut TrainingPlan, gpu_memory: f64) -> Option<u32> {
    let mut gpus = (plan.states.gpus + 1).next_power_of_two();
    while gpus <= MAX_PROPOSED_GPUS {
        plan.states.gpus = gpus;
        plan.states.sharding = Sharding::Zero3;
        let batch = max_micro_batch(plan, gpu_memory);
        if batch > 0 {
            return Some(batch);
        }
        gpus *= 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::memory::{Overhead, fits};
    use crate::planner::presets::from_count;
    use crate::planner::states::StateSetup;

    fn three_billion(micro_batch: u32) -> TrainingPlan {
        TrainingPlan {
            model: from_count(3e9),
            states: StateSetup {
                precision: Precision::Mixed,
                optimizer: Optimizer::AdamW,
                method: Method::Full,
                sharding: Sharding::None,
                gpus: 1,
                offload_optimizer: false,
                offload_parameters: false,
            },
            seq_len: 512,
            micro_batch,
            recompute: Recompute::None,
            flash_attention: false,
            overhead: Overhead::default(),
        }
    }

    #[test]
    fn every_mitigation_fits() {
        let plan = three_billion(32);
        let found = mitigations(&plan, 24e9, 10);
        assert!(!found.is_empty());
        for mitigation in &found {
            assert!(mitigation.total <= 24e9, "{mitigation:?}");
            assert!(mitigation.micro_batch * mitigation.accumulation_steps >= 32);
        }
    }

    #[test]
    fn cheapest_first_and_minimal() {
        let found = mitigations(&three_billion(32), 24e9, 10);
        for (index, later) in found.iter().enumerate() {
            for earlier in &found[..index] {
                assert!(earlier.cost <= later.cost);
                let inside = earlier
                    .levers
                    .iter()
                    .all(|lever| later.levers.contains(lever));
                let removes_accumulation =
                    later.accumulation_steps == 1 && earlier.accumulation_steps > 1;
                assert!(!inside || removes_accumulation, "{earlier:?} {later:?}");
            }
        }
    }

    #[test]
    fn fitting_plan_needs_only_accumulation() {
        let mut plan = three_billion(64);
        plan.model = from_count(125e6);
        assert!(!fits(&plan, 24e9));
        let found = mitigations(&plan, 24e9, 3);
        assert!(found[0].levers.is_empty());
        assert!(found[0].accumulation_steps > 1);
    }
}
