//! Published figures from papers and framework documentation, each compared with the
//! planner's value for the same setup. `docs/planner-cases.md` lists the same rows.
//!
//! Every row states the ratio band `planner / published` that it accepts and why. Rows
//! where the planner agrees get a band as wide as the rounding of the published figure.
//! Rows where the source counts something the planner leaves out, or the other way
//! round, get a band around the known gap, so that a change to either side fails.

use super::accumulation::{AccumulationRequest, plan_accumulation};
use super::activations::{ActivationSetup, Recompute, activation_bytes};
use super::architecture::Architecture;
use super::lr::{
    LrRequest, REFERENCE_BATCH, REFERENCE_LR, ScalingRule, global_batch, lr_multiplier, plan_lr,
};
use super::memory::{Overhead, TrainingPlan, training_memory};
use super::precision::{Optimizer, Precision};
use super::presets::{ModelSpec, from_count, preset};
use super::states::{
    LoraConfig, LoraTargets, Method, Sharding, StateSetup, lora_parameters, model_states,
};
use super::tradeoff::tradeoff;
use super::units::{BYTES_PER_GB, BYTES_PER_GIB};

/// One published figure and the planner's value for the same setup.
struct Case {
    name: &'static str,
    published: f64,
    planner: f64,
    /// Lowest and highest accepted `planner / published`.
    band: (f64, f64),
}

/// Returns a band of `tolerance` either side of exact agreement.
fn within(tolerance: f64) -> (f64, f64) {
    (1.0 - tolerance, 1.0 + tolerance)
}

fn model(name: &str) -> ModelSpec {
    preset(name).unwrap_or_else(|| panic!("no preset {name}"))
}

fn full(precision: Precision, optimizer: Optimizer) -> StateSetup {
    StateSetup {
        precision,
        optimizer,
        method: Method::Full,
        sharding: Sharding::None,
        gpus: 1,
        offload_optimizer: false,
        offload_parameters: false,
    }
}

/// Returns the model-state bytes per parameter on one GPU.
fn bytes_per_param(model: &ModelSpec, setup: &StateSetup) -> f64 {
    model_states(model, setup).gpu_bytes() / model.parameters
}

/// Returns the optimizer-state bytes per parameter on one GPU.
fn optimizer_bytes_per_param(model: &ModelSpec, setup: &StateSetup) -> f64 {
    model_states(model, setup).optimizer_states / model.parameters
}

fn plan(model: ModelSpec, states: StateSetup, seq_len: u32, recompute: Recompute) -> TrainingPlan {
    TrainingPlan {
        model,
        states,
        seq_len,
        micro_batch: 1,
        recompute,
        flash_attention: false,
        overhead: Overhead::default(),
    }
}

/// Parameter counts that follow from the released architectures.
fn parameter_count_cases() -> Vec<Case> {
    let count = |name: &str| model(name).parameters;
    vec![
        // Hugging Face model cards of openai-community/gpt2, gpt2-medium and gpt2-large
        // (124M, 355M, 774M) and OpenAI's 1.5B release of GPT-2 XL. The published
        // figures are rounded to three significant digits, XL's to two.
        Case {
            name: "GPT-2 small parameters",
            published: 124e6,
            planner: count("gpt2"),
            band: within(0.005),
        },
        Case {
            name: "GPT-2 medium parameters",
            published: 355e6,
            planner: count("gpt2-medium"),
            band: within(0.005),
        },
        Case {
            name: "GPT-2 large parameters",
            published: 774e6,
            planner: count("gpt2-large"),
            band: within(0.005),
        },
        Case {
            name: "GPT-2 XL parameters",
            published: 1.5e9,
            planner: count("gpt2-xl"),
            band: within(0.05),
        },

        // Devlin et al. 2019, "BERT", section 3: 110M and 340M, rounded to ten million.
        Case {
            name: "BERT-base parameters",
            published: 110e6,
            planner: count("bert-base"),
            band: within(0.02),
        },
        Case {
            name: "BERT-large parameters",
            published: 340e6,
            planner: count("bert-large"),
            band: within(0.02),
        },

        // Raffel et al. 2020, "T5", and the t5-* model cards on Hugging Face: 60M, 220M,
        // 770M, 3B and 11B. These are size labels, because the released checkpoints have
        // 60.5M, 222.9M, 737.7M, 2.85B and 11.3B, so the band is 6%.
        Case {
            name: "T5-small parameters",
            published: 60e6,
            planner: count("t5-small"),
            band: within(0.06),
        },
        Case {
            name: "T5-base parameters",
            published: 220e6,
            planner: count("t5-base"),
            band: within(0.06),
        },
        Case {
            name: "T5-large parameters",
            published: 770e6,
            planner: count("t5-large"),
            band: within(0.06),
        },
        Case {
            name: "T5-3B parameters",
            published: 3e9,
            planner: count("t5-3b"),
            band: within(0.06),
        },
        Case {
            name: "T5-11B parameters",
            published: 11e9,
            planner: count("t5-11b"),
            band: within(0.06),
        },

        // Touvron et al. 2023, "LLaMA", table 2: 6.7B, 13.0B, 32.5B and 65.2B, to three
        // significant digits.
        Case {
            name: "LLaMA 7B parameters",
            published: 6.7e9,
            planner: count("llama-7b"),
            band: within(0.01),
        },
        Case {
            name: "LLaMA 13B parameters",
            published: 13.0e9,
            planner: count("llama-13b"),
            band: within(0.005),
        },
        Case {
            name: "LLaMA 33B parameters",
            published: 32.5e9,
            planner: count("llama-33b"),
            band: within(0.005),
        },
        Case {
            name: "LLaMA 65B parameters",
            published: 65.2e9,
            planner: count("llama-65b"),
            band: within(0.005),
        },

        // Hugging Face model card of meta-llama/Llama-2-7b-hf (6.74B) and Meta's Llama
        // 3.2 model card (1.23B and 3.21B).
        Case {
            name: "Llama 2 7B parameters",
            published: 6.74e9,
            planner: count("llama-2-7b"),
            band: within(0.001),
        },
        Case {
            name: "Llama 3.2 1B parameters",
            published: 1.23e9,
            planner: count("llama-3.2-1b"),
            band: within(0.005),
        },
        Case {
            name: "Llama 3.2 3B parameters",
            published: 3.21e9,
            planner: count("llama-3.2-3b"),
            band: within(0.005),
        },
    ]
}

/// Bytes per parameter of weights, gradients and optimizer states.
fn bytes_per_param_cases() -> Vec<Case> {
    let t5_3b = model("t5-3b");
    vec![
        // Hugging Face Transformers docs, "Anatomy of Model's Memory": fp32 AdamW keeps
        // 4 bytes of weights, 4 of gradients and 8 of optimizer states.
        Case {
            name: "fp32 AdamW bytes per parameter",
            published: 16.0,
            planner: bytes_per_param(&t5_3b, &full(Precision::Fp32, Optimizer::AdamW)),
            band: within(1e-9),
        },

        // The same page: 18 bytes in mixed precision, because PyTorch autocast keeps 6
        // bytes of weights (fp32 plus a cached 16-bit copy) and 4 of fp32 gradients.
        // That is the planner's `amp` precision.
        Case {
            name: "AMP AdamW bytes per parameter",
            published: 18.0,
            planner: bytes_per_param(&t5_3b, &full(Precision::Amp, Optimizer::AdamW)),
            band: within(1e-9),
        },

        // The planner's `mixed` precision follows ZeRO's 2 + 2 + 12 = 16 instead, as
        // DeepSpeed does, so it is 2 bytes (11%) below the same figure.
        Case {
            name: "ZeRO mixed AdamW vs Transformers' 18",
            published: 18.0,
            planner: bytes_per_param(&t5_3b, &full(Precision::Mixed, Optimizer::AdamW)),
            band: (16.0 / 18.0 - 1e-9, 16.0 / 18.0 + 1e-9),
        },

        // The same page: 2 bytes of optimizer states for bitsandbytes' 8-bit AdamW. The
        // planner adds the fp32 scale of each 2,048-value block (0.2%).
        Case {
            name: "8-bit AdamW state bytes per parameter",
            published: 2.0,
            planner: optimizer_bytes_per_param(
                &t5_3b,
                &full(Precision::Mixed, Optimizer::Adam8bit),
            ),
            band: within(0.005),
        },

        // The same page: 4 bytes of optimizer states for SGD with momentum.
        Case {
            name: "SGD momentum state bytes per parameter",
            published: 4.0,
            planner: optimizer_bytes_per_param(
                &t5_3b,
                &full(Precision::Mixed, Optimizer::Momentum),
            ),
            band: within(1e-9),
        },

        // The same page: 4 bytes of optimizer states for AdamW with bf16 states
        // (AnyPrecisionAdamW), the planner's pure bf16.
        Case {
            name: "bf16 AdamW state bytes per parameter",
            published: 4.0,
            planner: optimizer_bytes_per_param(
                &t5_3b,
                &full(Precision::PureBf16, Optimizer::AdamW),
            ),
            band: within(1e-9),
        },

        // Hugging Face Transformers docs, "Methods and tools for efficient training on a
        // single GPU": for t5-3b, AdamW states take 24 GB, Adafactor "more than 12GB"
        // (slightly more than 4 bytes per parameter) and 8-bit AdamW 6 GB. The page
        // counts 3B parameters; t5-3b has 2.85B, hence the 5% band. Its Adafactor
        // figure keeps a first moment, so it is compared with `adafactor-momentum`.
        Case {
            name: "t5-3b AdamW states GB",
            published: 24.0,
            planner: model_states(&t5_3b, &full(Precision::Mixed, Optimizer::AdamW))
                .optimizer_states
                / BYTES_PER_GB,
            band: (0.94, 0.96),
        },
        Case {
            name: "t5-3b Adafactor states GB",
            published: 12.0,
            planner: model_states(
                &t5_3b,
                &full(Precision::Mixed, Optimizer::AdafactorMomentum),
            )
            .optimizer_states
                / BYTES_PER_GB,
            band: (0.94, 0.96),
        },
        Case {
            name: "t5-3b 8-bit AdamW states GB",
            published: 6.0,
            planner: model_states(&t5_3b, &full(Precision::Mixed, Optimizer::Adam8bit))
                .optimizer_states
                / BYTES_PER_GB,
            band: (0.94, 0.96),
        },
    ]
}

/// Model states under ZeRO sharding and CPU offload.
fn zero_cases() -> Vec<Case> {
    let states_gb = |model: &ModelSpec, setup: &StateSetup| {
        model_states(model, setup).gpu_bytes() / BYTES_PER_GB
    };
    let mixed = full(Precision::Mixed, Optimizer::AdamW);
    let zero = |sharding, gpus| StateSetup {
        sharding,
        gpus,
        ..mixed
    };
    let offloaded = |sharding, gpus| StateSetup {
        sharding,
        gpus,
        offload_optimizer: true,
        ..mixed
    };
    let gpt2_1_5b = from_count(1.5e9);
    let zero_7_5b = from_count(7.5e9);
    // DeepSpeed's estimator prints bigscience/T0_3B as 2783M parameters. T0_3B is a
    // T5 v1.1 XL: d_model 2048, 32 heads, d_ff 5120, a 32,128-token vocabulary.
    let t0_3b = ModelSpec {
        architecture: Architecture {
            vocab: 32_128,
            ffn: 5120,
            ..Architecture::decoder(24, 2048, 32)
        },
        ..from_count(2.783e9)
    };
    // Returns the model states and the gathered largest layer, the two parts of
    // DeepSpeed's ZeRO-3 estimate, in GiB.
    let zero3_gib = |model: &ModelSpec, states: StateSetup| {
        let memory = training_memory(&plan(model.clone(), states, 512, Recompute::None));
        (memory.model_states() + memory.gathered_layer) / BYTES_PER_GIB
    };
    vec![
        // Rajbhandari et al. 2020, "ZeRO", section 3.1: mixed-precision Adam needs
        // 16 bytes per parameter, at least 24 GB for the 1.5B GPT-2.
        Case {
            name: "ZeRO: GPT-2 1.5B model states GB",
            published: 24.0,
            planner: states_gb(&gpt2_1_5b, &mixed),
            band: within(1e-9),
        },

        // The same paper, figure 1: 7.5B parameters on 64 GPUs take 120 GB per GPU
        // unsharded, 31.4 GB with stage 1, 16.6 GB with stage 2 and 1.9 GB with stage 3,
        // rounded to a tenth of a GB.
        Case {
            name: "ZeRO: 7.5B on 64 GPUs, no sharding GB",
            published: 120.0,
            planner: states_gb(&zero_7_5b, &zero(Sharding::None, 64)),
            band: within(1e-9),
        },
        Case {
            name: "ZeRO: 7.5B on 64 GPUs, stage 1 GB",
            published: 31.4,
            planner: states_gb(&zero_7_5b, &zero(Sharding::Zero1, 64)),
            band: within(0.002),
        },
        Case {
            name: "ZeRO: 7.5B on 64 GPUs, stage 2 GB",
            published: 16.6,
            planner: states_gb(&zero_7_5b, &zero(Sharding::Zero2, 64)),
            band: within(0.003),
        },
        Case {
            name: "ZeRO: 7.5B on 64 GPUs, stage 3 GB",
            published: 1.9,
            planner: states_gb(&zero_7_5b, &zero(Sharding::Zero3, 64)),
            band: within(0.03),
        },

        // Hugging Face Transformers docs, "DeepSpeed", memory requirements: the output of
        // DeepSpeed's estimate_zero3_model_states_mem_needs_all_live for
        // bigscience/T0_3B (2783M parameters, 65M in the largest layer) on one GPU, in
        // GiB. With the optimizer offloaded it prints 5.43 GiB: 2 bytes per parameter
        // plus 4 bytes per parameter of the largest layer, as the planner counts.
        Case {
            name: "DeepSpeed: T0_3B ZeRO-3 offload, 1 GPU GiB",
            published: 5.43,
            planner: zero3_gib(&t0_3b, offloaded(Sharding::Zero3, 1)),
            band: within(0.005),
        },

        // With the weights offloaded too it prints 0.25 GiB: only the gathered largest
        // layer stays on the GPU.
        Case {
            name: "DeepSpeed: T0_3B ZeRO-3 offload all, 1 GPU GiB",
            published: 0.25,
            planner: zero3_gib(
                &t0_3b,
                StateSetup {
                    offload_parameters: true,
                    ..offloaded(Sharding::Zero3, 1)
                },
            ),
            band: within(0.03),
        },

        // Without offload it prints 46.91 GiB: DeepSpeed counts 18 bytes per parameter,
        // an fp32 gradient partition on top of ZeRO's 16, so the planner is 11% lower.
        Case {
            name: "DeepSpeed: T0_3B ZeRO-3, 1 GPU GiB",
            published: 46.91,
            planner: zero3_gib(&t0_3b, zero(Sharding::Zero3, 1)),
            band: (0.88, 0.90),
        },

        // Ren et al. 2021, "ZeRO-Offload", section 4.1: the GPU keeps only the
        // 16-bit weights, 2 bytes per parameter, so 13B parameters take 26 GB of a
        // 32 GB V100.
        Case {
            name: "ZeRO-Offload: 13B GPU model states GB",
            published: 26.0,
            planner: states_gb(&from_count(13e9), &offloaded(Sharding::None, 1)),
            band: within(1e-9),
        },
    ]
}

/// Training memory of whole setups that practitioners report as fitting a GPU.
fn fitting_cases() -> Vec<Case> {
    let mixed = full(Precision::Mixed, Optimizer::AdamW);
    let offloaded = StateSetup {
        offload_optimizer: true,
        ..mixed
    };

    // Ren et al. 2021, "ZeRO-Offload": a 13B GPT-2-like model trains on one 32 GB
    // V100 with activation checkpointing. The planner's total at micro-batch 1 with
    // 1,024-token sequences, default CUDA context and 10% fragmentation margin must
    // stay under the card's 32 GiB.
    let zero_offload = plan(from_count(13e9), offloaded, 1024, Recompute::Full);

    // Dettmers et al. 2023, "QLoRA", abstract: a 65B model fine-tunes on one 48 GB GPU
    // with rank-64 adapters on every linear layer, gradient checkpointing and bf16
    // adapters. QLoRA keeps 32-bit paged AdamW states for the bf16 adapters, 12 bytes
    // per adapter parameter. That lies between the planner's pure bf16 (8) and mixed
    // precision (16), so pure bf16 with 512-token sequences must fit under 48 GB.
    let qlora_65b = plan(
        model("llama-65b"),
        StateSetup {
            precision: Precision::PureBf16,
            method: Method::Qlora(LoraConfig {
                rank: 64,
                targets: LoraTargets::AllLinear,
            }),
            ..mixed
        },
        512,
        Recompute::Full,
    );

    // The same paper, introduction: 16-bit full fine-tuning of the 65B model needs more
    // than 780 GB, which is 12 bytes per parameter. The planner's mixed precision counts
    // 16 bytes (1,045 GB).
    let full_65b = model_states(&model("llama-65b"), &mixed).gpu_bytes() / BYTES_PER_GB;
    vec![
        Case {
            name: "ZeRO-Offload: 13B fits a 32 GB V100 (GiB)",
            published: 32.0,
            planner: training_memory(&zero_offload).total / BYTES_PER_GIB,
            band: (0.8, 1.0),
        },
        Case {
            name: "QLoRA: 65B fits a 48 GB GPU (GB)",
            published: 48.0,
            planner: training_memory(&qlora_65b).total / BYTES_PER_GB,
            band: (0.85, 1.0),
        },
        Case {
            name: "QLoRA: 65B full 16-bit fine-tuning GB",
            published: 780.0,
            planner: full_65b,
            band: (1.0, 1.4),
        },
    ]
}

/// Trainable parameters of LoRA adapters.
fn lora_cases() -> Vec<Case> {
    let adapters = |architecture: &Architecture, rank: u32, targets: LoraTargets| {
        lora_parameters(architecture, LoraConfig { rank, targets })
    };
    let gpt3 = Architecture::decoder(96, 12_288, 96);
    vec![
        // Hugging Face PEFT README: bigscience/mt0-large with LoRA r=8 on the query and
        // value projections prints 2,359,296 trainable parameters. mt0-large has the
        // attention shape of t5-large: 24 + 24 layers, d_model 1024, 16 heads of 64.
        Case {
            name: "PEFT: mt0-large LoRA r=8 q,v",
            published: 2_359_296.0,
            planner: adapters(&model("t5-large").architecture, 8, LoraTargets::QueryValue),
            band: within(1e-9),
        },

        // PEFT's print_trainable_parameters for meta-llama/Llama-2-7b-hf with LoRA r=8 on
        // q_proj and v_proj: 4,194,304.
        Case {
            name: "PEFT: Llama 2 7B LoRA r=8 q,v",
            published: 4_194_304.0,
            planner: adapters(&model("llama-7b").architecture, 8, LoraTargets::QueryValue),
            band: within(1e-9),
        },

        // Hu et al. 2021, "LoRA", table 5: a budget of 18M parameters on GPT-3 175B
        // is rank 4 on the query and value projections (18.9M; the paper rounds down).
        Case {
            name: "LoRA: GPT-3 r=4 q,v parameters",
            published: 18e6,
            planner: adapters(&gpt3, 4, LoraTargets::QueryValue),
            band: (1.0, 1.06),
        },

        // The same paper: LoRA cuts GPT-3 175B training memory to 350 GB,
        // which is the 16-bit frozen base. The planner adds the adapters' states.
        Case {
            name: "LoRA: GPT-3 175B training memory GB",
            published: 350.0,
            planner: {
                let gpt3_175b = ModelSpec {
                    architecture: gpt3.clone(),
                    ..from_count(175e9)
                };
                let lora = StateSetup {
                    method: Method::Lora(LoraConfig {
                        rank: 4,
                        targets: LoraTargets::QueryValue,
                    }),
                    ..full(Precision::Mixed, Optimizer::AdamW)
                };
                model_states(&gpt3_175b, &lora).gpu_bytes() / BYTES_PER_GB
            },
            band: (1.0, 1.01),
        },
    ]
}

/// Activation memory.
fn activation_cases() -> Vec<Case> {
    // Korthikanti et al. 2022: one layer stores s·b·h·(34 + 5as/h) bytes, and with
    // GPT-3 175B's shape (96 heads, hidden 12,288, 2,048-token sequences) the
    // attention term 5as/h is 80. The formula assumes dropout, so the
    // planner's layer has dropout, and a classifier head so that no logits are stored.
    let gpt3_layer = Architecture {
        dropout: true,
        head: super::architecture::Head::Classifier,
        ..Architecture::decoder(1, 12_288, 96)
    };
    let setup = ActivationSetup {
        seq_len: 2048,
        micro_batch: 1,
        precision: Precision::Mixed,
        recompute: Recompute::None,
        flash_attention: false,
    };
    let tokens_hidden = 2048.0 * 12_288.0;
    // The embedding dropout mask adds one byte per token and hidden unit.
    let per_layer = (activation_bytes(&gpt3_layer, &setup) - tokens_hidden) / tokens_hidden;

    // Rajbhandari et al. 2020, "ZeRO", section 3.2: GPT-2 1.5B with 1K-token sequences
    // and batch 32 needs about 60 GB of activations, from 12 16-bit values per token,
    // hidden unit and layer. Korthikanti et al. count 34 bytes (17 values) per token
    // and hidden unit even without the attention scores, so the planner's selective
    // recomputation is about 1.5 times ZeRO's figure, and storing the scores too is
    // several times more.
    let gpt2_xl = ActivationSetup {
        seq_len: 1024,
        micro_batch: 32,
        recompute: Recompute::Selective,
        ..setup
    };
    let zero_gb = activation_bytes(&model("gpt2-xl").architecture, &gpt2_xl) / BYTES_PER_GB;
    vec![
        Case {
            name: "Korthikanti: GPT-3 layer bytes per s·b·h",
            published: 34.0 + 80.0,
            planner: per_layer,
            band: within(1e-9),
        },
        Case {
            name: "ZeRO: GPT-2 1.5B activations GB",
            published: 60.0,
            planner: zero_gb,
            band: (1.4, 1.7),
        },
    ]
}

/// Learning rate, accumulation and the batch trade-off.
fn schedule_cases() -> Vec<Case> {
    // Goyal et al. 2017, "Accurate, Large Minibatch SGD": learning rate 0.1·kn/256, so
    // 3.2 at kn = 8192 (256 GPUs × 32 images), with 5 epochs of warmup.
    let goyal = plan_lr(&LrRequest {
        old_batch: REFERENCE_BATCH,
        new_batch: global_batch(32, 256, 1) as f64,
        base_lr: Some(REFERENCE_LR),
        rule: ScalingRule::Linear,
        dataset_size: Some(1_281_167.0),
    });

    // Krizhevsky 2014, "One weird trick for parallelizing convolutional neural
    // networks": multiplying the batch by k calls for multiplying the
    // learning rate by √k in theory.
    let square_root = lr_multiplier(128.0, 128.0 * 16.0, ScalingRule::SquareRoot);

    // Hugging Face Transformers docs, "Gradient accumulation": a per-device batch of 8
    // with 4 accumulation steps gives an effective batch of 32.
    let accumulation = plan_accumulation(&AccumulationRequest {
        target_batch: 32,
        micro_batch: 8,
        gpus: 1,
        micro_step_seconds: None,
        batchnorm: false,
    });

    // McCandlish et al. 2018, "An Empirical Model of Large-Batch Training": at a batch equal to the noise scale, training takes twice the minimum
    // steps and twice the minimum examples.
    let critical = tradeoff(1000.0, &[1000.0], None)[0];
    vec![
        Case {
            name: "Goyal: learning rate at batch 8192",
            published: 3.2,
            planner: goyal.new_lr.unwrap_or(f64::NAN),
            band: within(1e-9),
        },
        Case {
            name: "Goyal: warmup epochs",
            published: 5.0,
            planner: goyal.warmup.map_or(f64::NAN, |warmup| warmup.epochs),
            band: within(1e-9),
        },
        Case {
            name: "Krizhevsky: square-root rule for 16x batch",
            published: 4.0,
            planner: square_root,
            band: within(1e-9),
        },
        Case {
            name: "Hugging Face: accumulation 32 from 8",
            published: 4.0,
            planner: f64::from(accumulation.steps),
            band: within(1e-9),
        },
        Case {
            name: "McCandlish: steps at the noise scale",
            published: 2.0,
            planner: critical.steps_ratio,
            band: within(1e-9),
        },
        Case {
            name: "McCandlish: examples at the noise scale",
            published: 2.0,
            planner: critical.examples_ratio,
            band: within(1e-9),
        },
    ]
}

/// Asserts every case of a family, one assert per case.
fn check(cases: Vec<Case>) {
    for case in cases {
        let ratio = case.planner / case.published;
        let (low, high) = case.band;
        assert!(
            (low..=high).contains(&ratio),
            "{}: planner {} vs published {} (ratio {ratio:.4}, accepted {low}..{high})",
            case.name,
            case.planner,
            case.published
        );
    }
}

#[test]
fn parameter_counts() {
    check(parameter_count_cases());
}

#[test]
fn bytes_per_parameter() {
    check(bytes_per_param_cases());
}

#[test]
fn zero_and_offload() {
    check(zero_cases());
}

#[test]
fn setups_that_fit() {
    check(fitting_cases());
}

#[test]
fn lora_adapters() {
    check(lora_cases());
}

#[test]
fn activations() {
    check(activation_cases());
}

#[test]
fn schedules() {
    check(schedule_cases());
}

/// Prints every case as a Markdown row, for `docs/planner-cases.md`:
/// `cargo test --lib practitioner_cases::print_table -- --ignored --nocapture`.
#[test]
#[ignore = "prints the table for the docs"]
fn print_table() {
    let families = [
        parameter_count_cases(),
        bytes_per_param_cases(),
        zero_cases(),
        fitting_cases(),
        lora_cases(),
        activation_cases(),
        schedule_cases(),
    ];
    for case in families.into_iter().flatten() {
        println!(
            "| {} | {} | {:.6} | {:.4} |",
            case.name,
            case.published,
            case.planner,
            case.planner / case.published
        );
    }
}
