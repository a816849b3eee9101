//! Training memory per GPU as a breakdown (model states, activations, CUDA context,
//! fragmentation margin), whether it fits a GPU, and the largest micro-batch that does.

use serde::Serialize;

use super::activations::{ActivationSetup, Recompute, activation_bytes};
use super::presets::ModelSpec;
use super::states::{ModelStates, Sharding, StateSetup, model_states};
use super::units::BYTES_PER_GB;

/// Largest micro-batch the planner searches, far above any real GPU's capacity.
const MAX_MICRO_BATCH: u32 = 1 << 20;

/// Memory a GPU loses to things other than tensors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Overhead {
    /// CUDA context, cuBLAS and cuDNN workspaces, in bytes. An estimate: PyTorch
    /// typically takes 0.3 to 1 GB depending on GPU, driver and library versions.
    pub cuda_context: f64,
    /// Margin for allocator fragmentation and temporary buffers, as a fraction of the
    /// model states and activations.
    pub fragmentation: f64,
}

impl Default for Overhead {
    // NOTE: both defaults are estimates, not measurements. Measure a real run
    // (torch.cuda.max_memory_reserved) and pass --cuda-context and --fragmentation.
    fn default() -> Self {
        Overhead {
            cuda_context: 0.5 * BYTES_PER_GB,
            fragmentation: 0.10,
        }
    }
}

/// Everything that decides the training memory of one GPU.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingPlan {
    pub model: ModelSpec,
    pub states: StateSetup,
    /// Tokens per sequence.
    pub seq_len: u32,
    /// Sequences per forward and backward pass on one GPU.
    pub micro_batch: u32,
    pub recompute: Recompute,
    pub flash_attention: bool,
    pub overhead: Overhead,
}

impl TrainingPlan {
    /// Returns the same plan at another micro-batch.
    pub fn with_micro_batch(&self, micro_batch: u32) -> TrainingPlan {
        TrainingPlan {
            micro_batch,
            ..self.clone()
        }
    }

    /// Returns the activation choices of this plan.
    fn activation_setup(&self) -> ActivationSetup {
        ActivationSetup {
            seq_len: self.seq_len,
            micro_batch: self.micro_batch,
            precision: self.states.precision,
            recompute: self.recompute,
            flash_attention: self.flash_attention,
        }
    }
}

/// Memory of one GPU by component, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MemoryBreakdown {
    pub states: ModelStates,
    /// Full weights and gradients of the largest layer, which ZeRO-3 and FSDP gather on
    /// every GPU while they use it. Zero without ZeRO-3.
    pub gathered_layer: f64,
    pub activations: f64,
    pub cuda_context: f64,
    pub fragmentation: f64,
    /// Sum of every component above.
    pub total: f64,
}

impl MemoryBreakdown {
    /// Returns the model-state bytes on the GPU.
    pub fn model_states(&self) -> f64 {
        self.states.gpu_bytes()
    }
}

/// Computes the training memory of one GPU.
pub fn training_memory(plan: &TrainingPlan) -> MemoryBreakdown {
    let states = model_states(&plan.model, &plan.states);
    let gathered_layer = gathered_layer_bytes(plan);
    let activations = activation_bytes(&plan.model.architecture, &plan.activation_setup());
    let tensors = states.gpu_bytes() + gathered_layer + activations;
    let fragmentation = plan.overhead.fragmentation * tensors;
    let cuda_context = plan.overhead.cuda_context;
    MemoryBreakdown {
        states,
        gathered_layer,
        activations,
        cuda_context,
        fragmentation,
        total: tensors + cuda_context + fragmentation,
    }
}

/// Returns the bytes of the largest layer's weights and gradients that ZeRO-3 gathers:
/// 4 bytes per parameter in 16 bits, as DeepSpeed's
/// `estimate_zero3_model_states_mem_needs` counts them.
// NOTE: FSDP gathers a whole wrapped block instead, usually a transformer layer, and
// prefetches the next one, so for FSDP this is a lower estimate.
fn gathered_layer_bytes(plan: &TrainingPlan) -> f64 {
    if plan.states.sharding != Sharding::Zero3 {
        return 0.0;
    }
    let element = plan.states.precision.activation_bytes();
    2.0 * element * plan.model.architecture.largest_layer_parameters()
}

/// Returns whether the plan fits in `gpu_memory` bytes.
pub fn fits(plan: &TrainingPlan, gpu_memory: f64) -> bool {
    training_memory(plan).total <= gpu_memory
}

/// Finds the largest micro-batch that fits in `gpu_memory` bytes; zero when even one
/// sequence does not fit.
pub fn max_micro_batch(plan: &TrainingPlan, gpu_memory: f64) -> u32 {
    if !fits(&plan.with_micro_batch(1), gpu_memory) {
        return 0;
    }
    // Every component is affine in the micro-batch, so two points give the estimate;
    // the steps after it correct any rounding at the boundary.
    let one = training_memory(&plan.with_micro_batch(1)).total;
    let two = training_memory(&plan.with_micro_batch(2)).total;
    let per_sequence = two - one;
    let estimate = if per_sequence > 0.0 {
        1.0 + ((gpu_memory - one) / per_sequence).floor()
    } else {
        f64::from(MAX_MICRO_BATCH)
    };
    let mut batch = estimate.clamp(1.0, f64::from(MAX_MICRO_BATCH)) as u32;
    while batch < MAX_MICRO_BATCH && fits(&plan.with_micro_batch(batch + 1), gpu_memory) {
        batch += 1;
    }
    while batch > 1 && !fits(&plan.with_micro_batch(batch), gpu_memory) {
        batch -= 1;
    }
    batch
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::precision::{Optimizer, Precision};
    use crate::planner::presets::{from_count, preset};
    use crate::planner::states::Method;

    fn plan(model: ModelSpec, micro_batch: u32) -> TrainingPlan {
        TrainingPlan {
            model,
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
    fn three_billion_does_not_fit_24_gb() {
        let plan = plan(from_count(3e9), 32);
        let memory = training_memory(&plan);
        assert_eq!(memory.model_states(), 48e9);
        assert!(!fits(&plan, 24e9));
        assert_eq!(max_micro_batch(&plan, 24e9), 0);
    }

    #[test]
    fn total_adds_up() {
        let memory = training_memory(&plan(preset("bert-base").unwrap(), 8));
        let sum =
            memory.model_states() + memory.activations + memory.cuda_context + memory.fragmentation;
        assert_eq!(memory.total, sum);
        assert_eq!(memory.gathered_layer, 0.0);
    }

    #[test]
    fn zero3_gathers_largest_layer() {
        let mut sharded = plan(preset("llama-7b").unwrap(), 1);
        sharded.states.sharding = Sharding::Zero3;
        sharded.states.gpus = 8;
        let memory = training_memory(&sharded);
        // The 32,000 × 4,096 embedding, weights and gradients in 16 bits.
        assert_eq!(memory.gathered_layer, 4.0 * 32_000.0 * 4096.0);
        let sum = memory.model_states()
            + memory.gathered_layer
            + memory.activations
            + memory.cuda_context
            + memory.fragmentation;
        assert_eq!(memory.total, sum);
    }

    #[test]
    fn bert_base_max_batch_is_tight() {
        let plan = plan(preset("bert-base").unwrap(), 1);
        let batch = max_micro_batch(&plan, 24e9);
        assert!(batch > 16, "{batch}");
        assert!(fits(&plan.with_micro_batch(batch), 24e9));
        assert!(!fits(&plan.with_micro_batch(batch + 1), 24e9));
    }
}
