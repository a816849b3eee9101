//! Model states per GPU: weights, gradients, fp32 master weights and optimizer states,
//! for full training or LoRA / QLoRA, sharded by ZeRO or FSDP and optionally offloaded.
//!
//! Sharding follows Rajbhandari et al. 2020, "ZeRO", figure 1: over N data-parallel
//! GPUs, stage 1 divides the optimizer states (with the master weights) by N, stage 2
//! also the gradients, stage 3 also the weights. FSDP's FULL_SHARD is stage 3 and
//! SHARD_GRAD_OP is stage 2.

use serde::Serialize;

use super::architecture::{Architecture, Mlp};
use super::precision::{Optimizer, Precision};
use super::presets::ModelSpec;

/// Bits per parameter of a QLoRA base weight: 4-bit NormalFloat plus double-quantized
/// block constants, 8/64 + 32/(64 × 256) = 0.127 bits (Dettmers et al. 2023, "QLoRA",
/// section 3).
pub const QLORA_BITS_PER_PARAM: f64 = 4.0 + 8.0 / 64.0 + 32.0 / (64.0 * 256.0);

/// Split of the model states across data-parallel GPUs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sharding {
    /// Plain data parallelism: every GPU stores every state.
    None,
    /// ZeRO stage 1: optimizer states and master weights sharded.
    Zero1,
    /// ZeRO stage 2: gradients sharded too.
    Zero2,
    /// ZeRO stage 3 or FSDP full sharding: weights sharded too.
    Zero3,
}

impl Sharding {
    /// Returns the name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Sharding::None => "no sharding",
            Sharding::Zero1 => "ZeRO stage 1",
            Sharding::Zero2 => "ZeRO stage 2",
            Sharding::Zero3 => "ZeRO stage 3 / FSDP",
        }
    }
}

/// Set of linear layers that LoRA adapts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoraTargets {
    /// The query and value projections, as in Hu et al. 2021, "LoRA".
    QueryValue,
    /// All four attention projections.
    Attention,
    /// Every linear layer of attention and MLP, as QLoRA does.
    AllLinear,
}

/// A LoRA adapter configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LoraConfig {
    pub rank: u32,
    pub targets: LoraTargets,
}

/// Training method: which parameters training updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Method {
    /// Every weight is trained.
    Full,
    /// Frozen 16-bit base weights with trained low-rank adapters (Hu et al. 2021).
    Lora(LoraConfig),
    /// Frozen 4-bit base weights with trained low-rank adapters (Dettmers et al. 2023).
    Qlora(LoraConfig),
}

/// The choices that decide model-state memory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StateSetup {
    pub precision: Precision,
    pub optimizer: Optimizer,
    pub method: Method,
    pub sharding: Sharding,
    /// Data-parallel GPUs the states are sharded over.
    pub gpus: u32,
    /// Whether gradients, master weights and optimizer states live in CPU memory
    /// (ZeRO-Offload).
    pub offload_optimizer: bool,
    /// Whether the weights live in CPU memory too and are fetched layer by layer
    /// (DeepSpeed's `offload_param`, FSDP's `CPUOffload(offload_params=True)`). Takes
    /// effect only with ZeRO-3, and implies `offload_optimizer`.
    pub offload_parameters: bool,
}

/// Model-state bytes held by one GPU, and what was moved to CPU memory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ModelStates {
    /// Trained parameters (all of them, or the adapters').
    pub trainable_parameters: f64,
    pub weights: f64,
    pub gradients: f64,
    /// fp32 master copy of the trained weights (mixed precision only).
    pub master_weights: f64,
    pub optimizer_states: f64,
    /// Bytes of this GPU's gradients and optimizer shard kept in CPU memory instead.
    pub offloaded_to_cpu: f64,
}

impl ModelStates {
    /// Returns the model-state bytes on the GPU.
    pub fn gpu_bytes(&self) -> f64 {
        self.weights + self.gradients + self.master_weights + self.optimizer_states
    }
}

/// Computes the model states one GPU holds for `model` under `setup`.
pub fn model_states(model: &ModelSpec, setup: &StateSetup) -> ModelStates {
    let states = unsharded_states(model, setup);
    let sharded = shard(states, setup.sharding, setup.gpus);
    let offload_parameters = setup.offload_parameters && setup.sharding == Sharding::Zero3;
    if offload_parameters {
        offload_weights(offload(sharded))
    } else if setup.offload_optimizer {
        offload(sharded)
    } else {
        sharded
    }
}

/// Returns the bytes of weights, gradients and optimizer states for `params` parameters
/// in full training on one GPU, with the shape estimated from the count.
pub fn model_state_bytes(params: f64, precision: Precision, optimizer: Optimizer) -> f64 {
    let hidden = f64::from(super::presets::from_count(params).architecture.hidden);
    params * precision.model_state_bytes_per_param(optimizer, hidden)
}

/// Computes the states of one replica before sharding.
fn unsharded_states(model: &ModelSpec, setup: &StateSetup) -> ModelStates {
    let precision = setup.precision;
    let hidden = f64::from(model.architecture.hidden);
    let (trainable, frozen_bytes) = match setup.method {
        Method::Full => (model.parameters, 0.0),
        Method::Lora(config) => (
            lora_parameters(&model.architecture, config),
            model.parameters * precision.weight_bytes(),
        ),
        Method::Qlora(config) => (
            lora_parameters(&model.architecture, config),
            qlora_base_bytes(model),
        ),
    };
    ModelStates {
        trainable_parameters: trainable,
        weights: frozen_bytes + trainable * precision.weight_bytes(),
        gradients: trainable * precision.gradient_bytes(),
        master_weights: trainable * precision.master_weight_bytes(),
        optimizer_states: trainable * setup.optimizer.state_bytes_per_param(precision, hidden),
        offloaded_to_cpu: 0.0,
    }
}

/// Returns the bytes of a QLoRA base: the transformer layers' linear weights in 4 bits,
/// and the embeddings, norms and output layer left in 16 bits as bitsandbytes does.
fn qlora_base_bytes(model: &ModelSpec) -> f64 {
    let architecture = &model.architecture;
    let linear_fraction = architecture.block_linear_parameters() / architecture.parameter_count();
    let quantized = model.parameters * linear_fraction;
    quantized * QLORA_BITS_PER_PARAM / 8.0 + (model.parameters - quantized) * 2.0
}

/// Returns the trainable parameters of LoRA adapters: rank × (input + output width)
/// for each adapted matrix (Hu et al. 2021).
pub fn lora_parameters(architecture: &Architecture, config: LoraConfig) -> f64 {
    let rank = f64::from(config.rank);
    let hidden = f64::from(architecture.hidden);
    let (query, kv) = (architecture.query_width(), architecture.kv_width());
    let query_value = rank * (hidden + query) + rank * (hidden + kv);
    let attention = query_value + rank * (hidden + kv) + rank * (query + hidden);
    let mlp_matrices = match architecture.mlp {
        Mlp::Plain => 2.0,
        Mlp::Gated => 3.0,
    };
    let mlp = mlp_matrices * rank * (hidden + f64::from(architecture.ffn));
    let (per_attention, per_mlp) = match config.targets {
        LoraTargets::QueryValue => (query_value, 0.0),
        LoraTargets::Attention => (attention, 0.0),
        LoraTargets::AllLinear => (attention, mlp),
    };
    let stacks = f64::from(architecture.layers) + f64::from(architecture.decoder_layers);
    let cross_attention = f64::from(architecture.decoder_layers) * per_attention;
    stacks * (per_attention + per_mlp) + cross_attention
}

/// Divides the sharded components by the number of GPUs.
fn shard(states: ModelStates, sharding: Sharding, gpus: u32) -> ModelStates {
    let gpus = f64::from(gpus.max(1));
    let (optimizer, gradients, weights) = match sharding {
        Sharding::None => (1.0, 1.0, 1.0),
        Sharding::Zero1 => (gpus, 1.0, 1.0),
        Sharding::Zero2 => (gpus, gpus, 1.0),
        Sharding::Zero3 => (gpus, gpus, gpus),
    };
    ModelStates {
        weights: states.weights / weights,
        gradients: states.gradients / gradients,
        master_weights: states.master_weights / optimizer,
        optimizer_states: states.optimizer_states / optimizer,
        ..states
    }
}

/// Moves the gradients, master weights and optimizer states to CPU memory, where
/// ZeRO-Offload runs the optimizer step, so that the GPU keeps only the 16-bit weights
/// (Ren et al. 2021, "ZeRO-Offload", section 4: 2 bytes per parameter on the GPU, which
/// lets a 13B model train on one 32 GB V100). The backward pass streams each gradient
/// bucket to the CPU as it is reduced; DeepSpeed's `estimate_zero2_model_states_mem_needs`
/// likewise counts 2 bytes per parameter on the GPU with `offload_optimizer`.
fn offload(states: ModelStates) -> ModelStates {
    ModelStates {
        offloaded_to_cpu: states.gradients + states.master_weights + states.optimizer_states,
        gradients: 0.0,
        master_weights: 0.0,
        optimizer_states: 0.0,
        ..states
    }
}

/// Moves this GPU's shard of the weights to CPU memory. The GPU then keeps only the
/// layer it gathers, which `memory` counts apart, as DeepSpeed's ZeRO-3 estimator
/// does with `offload_param`.
fn offload_weights(states: ModelStates) -> ModelStates {
    ModelStates {
        offloaded_to_cpu: states.offloaded_to_cpu + states.weights,
        weights: 0.0,
        ..states
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::presets::{from_count, preset};

    fn setup(precision: Precision, sharding: Sharding, gpus: u32) -> StateSetup {
        StateSetup {
            precision,
            optimizer: Optimizer::AdamW,
            method: Method::Full,
            sharding,
            gpus,
            offload_optimizer: false,
            offload_parameters: false,
        }
    }

    fn gpu_gb(model: &ModelSpec, setup: &StateSetup) -> f64 {
        model_states(model, setup).gpu_bytes() / 1e9
    }

    #[test]
    fn three_billion_adamw_is_48_gb() {
        let model = from_count(3e9);
        for precision in [Precision::Fp32, Precision::Mixed] {
            assert_eq!(gpu_gb(&model, &setup(precision, Sharding::None, 1)), 48.0);
            assert_eq!(model_state_bytes(3e9, precision, Optimizer::AdamW), 48e9);
        }
    }

    #[test]
    fn zero_paper_7_5b_on_64_gpus() {
        let model = from_count(7.5e9);
        let gb = |sharding| gpu_gb(&model, &setup(Precision::Mixed, sharding, 64));
        assert_eq!(gb(Sharding::None), 120.0);
        assert_eq!((gb(Sharding::Zero1) * 10.0).round() / 10.0, 31.4);
        assert_eq!((gb(Sharding::Zero2) * 10.0).round() / 10.0, 16.6);
        assert_eq!((gb(Sharding::Zero3) * 10.0).round() / 10.0, 1.9);
    }

    #[test]
    fn offload_leaves_16_bit_weights() {
        let model = from_count(3e9);
        let offloaded = StateSetup {
            offload_optimizer: true,
            ..setup(Precision::Mixed, Sharding::None, 1)
        };
        let states = model_states(&model, &offloaded);
        assert_eq!(states.gpu_bytes(), 6e9);
        assert_eq!(states.gradients, 0.0);
        assert_eq!(states.offloaded_to_cpu, 42e9);
    }

    #[test]
    fn parameter_offload_needs_zero3() {
        let model = from_count(3e9);
        let offload_all = |sharding| StateSetup {
            offload_parameters: true,
            ..setup(Precision::Mixed, sharding, 4)
        };
        let sharded = model_states(&model, &offload_all(Sharding::Zero3));
        assert_eq!(sharded.gpu_bytes(), 0.0);
        assert_eq!(sharded.offloaded_to_cpu, 48e9 / 4.0);
        let unsharded = model_states(&model, &offload_all(Sharding::None));
        assert_eq!(unsharded.gpu_bytes(), 48e9);
    }

    #[test]
    fn lora_qv_rank8_llama_7b() {
        let model = preset("llama-7b").unwrap();
        let config = LoraConfig {
            rank: 8,
            targets: LoraTargets::QueryValue,
        };
        assert_eq!(lora_parameters(&model.architecture, config), 4_194_304.0);
    }

    #[test]
    fn lora_keeps_a_16_bit_base() {
        let model = preset("llama-7b").unwrap();
        let config = LoraConfig {
            rank: 8,
            targets: LoraTargets::QueryValue,
        };
        let lora = StateSetup {
            method: Method::Lora(config),
            ..setup(Precision::Mixed, Sharding::None, 1)
        };
        let states = model_states(&model, &lora);
        assert_eq!(states.trainable_parameters, 4_194_304.0);
        assert_eq!(states.gradients, 4_194_304.0 * 2.0);
        assert!((states.weights - model.parameters * 2.0 - 4_194_304.0 * 2.0).abs() < 1.0);
    }

    #[test]
    fn qlora_base_is_about_half_a_byte() {
        let model = preset("llama-7b").unwrap();
        let config = LoraConfig {
            rank: 16,
            targets: LoraTargets::AllLinear,
        };
        let qlora = StateSetup {
            method: Method::Qlora(config),
            ..setup(Precision::Mixed, Sharding::None, 1)
        };
        let states = model_states(&model, &qlora);
        // 6.48B linear weights at 4.127 bits and 0.26B embedding/output weights at 16 bits.
        let base_gb = (states.weights - states.trainable_parameters * 2.0) / 1e9;
        assert!((3.8..4.0).contains(&base_gb), "{base_gb}");
    }
}
