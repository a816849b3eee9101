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
mod precision;
mod presets;
#[cfg(test)]
mod properties;
mod states;
mod tradeoff;
mod units;

pub use accumulation::{accumulation_steps, plan_accumulation, AccumulationPlan, AccumulationRequest};
pub use activations::{activation_bytes, ActivationSetup, Recompute};
pub use architecture::{Architecture, Head, Mlp, Norm};
pub use batch::{bert_finetune_batch_range, recommended_batch, BatchRange, BatchRecommendation, Task};
pub use expected::{expected, Expected, PlannerError, Unit};
pub use lr::{
    global_batch, lr_multiplier, plan_lr, LrPlan, LrRequest, ScalingRule, Warmup, LINEAR_RULE_VALIDATED_UP_TO,
    REFERENCE_BATCH, REFERENCE_LR, WARMUP_EPOCHS,
};
pub use memory::{fits, max_micro_batch, training_memory, MemoryBreakdown, Overhead, TrainingPlan};
pub use mitigation::{mitigations, Lever, Mitigation};
pub use precision::{Optimizer, Precision};
pub use presets::{from_count, preset, ModelSpec, ShapeSource, PRESET_NAMES};
pub use states::{
    lora_parameters, model_state_bytes, model_states, LoraConfig, LoraTargets, Method, ModelStates, Sharding,
    StateSetup, QLORA_BITS_PER_PARAM,
};
pub use tradeoff::{
    batches_around, examples_over_min, noise_scale_from_norms, steps_over_min, tradeoff, GradientNormSample,
    NoiseScaleError, TradeoffPoint,
};
pub use units::{format_count, format_gb, parse_count, parse_size, UnitError, BYTES_PER_GB, BYTES_PER_GIB};
