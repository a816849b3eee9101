//! The reference planner: pure, deterministic formulas for training memory, learning
//! rate, gradient accumulation and batch size, one file per family. Numeric rubric
//! checks compare the number in an agent's response with `expected`, so rubrics contain
//! no expected numbers. `skilleval plan` runs the same functions from the command line.

mod accumulation;
mod activations;
mod architecture;
mod batch;
mod expected;
mod lr;
mod memory;
mod mitigation;
#[cfg(test)]
mod practitioner_cases;
mod precision;
mod presets;
#[cfg(test)]
mod properties;
mod states;
mod tradeoff;
mod units;

pub use accumulation::{
    AccumulationPlan, AccumulationRequest, accumulation_steps, plan_accumulation,
};
pub use activations::{ActivationSetup, Recompute, activation_bytes};
pub use architecture::{Architecture, Head, Mlp, Norm};
pub use batch::{
    BatchRange, BatchRecommendation, Task, bert_finetune_batch_range, recommended_batch,
};
pub use expected::{Expected, PlannerError, Unit, expected};
pub use lr::{
    LINEAR_RULE_VALIDATED_UP_TO, LrPlan, LrRequest, REFERENCE_BATCH, REFERENCE_LR, ScalingRule,
    WARMUP_EPOCHS, Warmup, global_batch, lr_multiplier, plan_lr,
};
pub use memory::{MemoryBreakdown, Overhead, TrainingPlan, fits, max_micro_batch, training_memory};
pub use mitigation::{Lever, Mitigation, mitigations};
pub use precision::{Optimizer, Precision};
pub use presets::{ModelSpec, PRESET_NAMES, ShapeSource, from_count, preset};
pub use states::{
    LoraConfig, LoraTargets, Method, ModelStates, QLORA_BITS_PER_PARAM, Sharding, StateSetup,
    lora_parameters, model_state_bytes, model_states,
};
pub use tradeoff::{
    GradientNormSample, NoiseScaleError, TradeoffPoint, batches_around, examples_over_min,
    noise_scale_from_norms, steps_over_min, tradeoff,
};
pub use units::{
    BYTES_PER_GB, BYTES_PER_GIB, UnitError, format_count, format_gb, parse_count, parse_size,
};
