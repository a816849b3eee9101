//! Turns parsed flags into validated planner inputs before anything is computed.

use super::PlanError;
use super::args::{
    HeadArg, LoraTargetsArg, MethodArg, MlpArg, ModelArgs, ModelChoice, OptimizerArg, PrecisionArg,
    RecomputeArg, ShardingArg, TrainingArgs,
};
use crate::planner::{
    Architecture, Head, LoraConfig, LoraTargets, Method, Mlp, ModelSpec, Norm, Optimizer, Overhead,
    PRESET_NAMES, Precision, Recompute, ShapeSource, Sharding, StateSetup, TrainingPlan,
    from_count, preset,
};

/// Resolves the model flags into a model spec.
pub(crate) fn model_spec(args: &ModelArgs) -> Result<ModelSpec, PlanError> {
    let shape = shape_flags(args)?;
    let mut spec = match (&args.model, shape) {
        (Some(ModelChoice::Preset(name)), _) => preset(name).ok_or_else(|| unknown_preset(name))?,
        (Some(ModelChoice::Count(count)), None) => from_count(*count),
        (Some(ModelChoice::Count(count)), Some((layers, hidden, heads))) => ModelSpec {
            name: crate::planner::format_count(*count),
            parameters: *count,
            architecture: Architecture::decoder(layers, hidden, heads),
            shape: ShapeSource::Given,
        },
        (None, Some((layers, hidden, heads))) => ModelSpec {
            name: format!("custom ({layers} layers, hidden {hidden}, {heads} heads)"),
            parameters: 0.0,
            architecture: Architecture::decoder(layers, hidden, heads),
            shape: ShapeSource::Given,
        },
        (None, None) => {
            return Err(PlanError::MissingModel {
                presets: PRESET_NAMES.join(", "),
            });
        }
    };
    apply_overrides(&mut spec, args)?;
    Ok(spec)
}

/// Returns layers, hidden size and heads when all three are given, and an error naming
/// the missing ones when only some are.
fn shape_flags(args: &ModelArgs) -> Result<Option<(u32, u32, u32)>, PlanError> {
    match (args.layers, args.hidden, args.heads) {
        (Some(layers), Some(hidden), Some(heads)) => Ok(Some((layers, hidden, heads))),
        (None, None, None) => Ok(None),
        (layers, hidden, heads) => {
            let missing: Vec<&str> = [
                ("--layers", layers),
                ("--hidden", hidden),
                ("--heads", heads),
            ]
            .into_iter()
            .filter(|(_, value)| value.is_none())
            .map(|(flag, _)| flag)
            .collect();
            Err(PlanError::InvalidFlag {
                flag: "--layers/--hidden/--heads",
                message: format!(
                    "an architecture needs all three; missing {}",
                    missing.join(" and ")
                ),
            })
        }
    }
}

/// Applies the optional architecture flags and recomputes the parameter count of a
/// preset or a custom architecture (a count given with --model stays as given).
fn apply_overrides(spec: &mut ModelSpec, args: &ModelArgs) -> Result<(), PlanError> {
    let architecture = &mut spec.architecture;
    if let Some(ffn) = args.ffn {
        architecture.ffn = ffn;
    }
    if let Some(vocab) = args.vocab {
        architecture.vocab = vocab;
    }
    if let Some(mlp) = args.mlp {
        architecture.mlp = match mlp {
            MlpArg::Plain => Mlp::Plain,
            MlpArg::Gated => Mlp::Gated,
        };
        if mlp == MlpArg::Gated && args.model.is_none() {
            architecture.norm = Norm::RmsNorm;
            architecture.biases = false;
        }
    }
    if let Some(head) = args.head {
        architecture.head = match head {
            HeadArg::Lm => Head::LanguageModel,
            HeadArg::Classifier => Head::Classifier,
        };
    }
    if let Some(kv_heads) = args.kv_heads {
        if architecture.heads % kv_heads != 0 {
            return Err(PlanError::InvalidFlag {
                flag: "--kv-heads",
                message: format!(
                    "{kv_heads} does not divide the {} attention heads",
                    architecture.heads
                ),
            });
        }
        architecture.kv_heads = kv_heads;
    }
    if !matches!(args.model, Some(ModelChoice::Count(_))) {
        spec.parameters = spec.architecture.parameter_count();
    }
    Ok(())
}

/// Returns the error for a preset name that the flag parser accepted but lookup did not.
fn unknown_preset(name: &str) -> PlanError {
    PlanError::InvalidFlag {
        flag: "--model",
        message: format!("unknown preset \"{name}\""),
    }
}

/// Resolves the training flags into the model-state choices.
pub(crate) fn state_setup(args: &TrainingArgs) -> StateSetup {
    let lora = LoraConfig {
        rank: args.lora_rank,
        targets: match args.lora_targets {
            LoraTargetsArg::Qv => LoraTargets::QueryValue,
            LoraTargetsArg::Attention => LoraTargets::Attention,
            LoraTargetsArg::AllLinear => LoraTargets::AllLinear,
        },
    };
    StateSetup {
        precision: precision(args.precision),
        optimizer: optimizer(args.optimizer),
        method: match args.method {
            MethodArg::Full => Method::Full,
            MethodArg::Lora => Method::Lora(lora),
            MethodArg::Qlora => Method::Qlora(lora),
        },
        sharding: match args.sharding {
            ShardingArg::None => Sharding::None,
            ShardingArg::Zero1 => Sharding::Zero1,
            ShardingArg::Zero2 => Sharding::Zero2,
            ShardingArg::Zero3 | ShardingArg::Fsdp => Sharding::Zero3,
        },
        gpus: args.gpus,
        offload_optimizer: args.offload_optimizer || args.offload_params,
        offload_parameters: args.offload_params,
    }
}

/// Resolves the model and training flags into a training plan at `micro_batch`.
pub(crate) fn training_plan(
    model: &ModelArgs,
    training: &TrainingArgs,
    micro_batch: u32,
) -> Result<TrainingPlan, PlanError> {
    let zero3 = matches!(training.sharding, ShardingArg::Zero3 | ShardingArg::Fsdp);
    if training.offload_params && !zero3 {
        return Err(PlanError::InvalidFlag {
            flag: "--offload-params",
            message: "parameter offload needs ZeRO-3 sharding, so add --sharding zero3 or fsdp"
                .into(),
        });
    }
    Ok(TrainingPlan {
        model: model_spec(model)?,
        states: state_setup(training),
        seq_len: training.seq_len,
        micro_batch,
        recompute: match training.recompute {
            RecomputeArg::None => Recompute::None,
            RecomputeArg::Selective => Recompute::Selective,
            RecomputeArg::Full => Recompute::Full,
        },
        flash_attention: training.flash_attention,
        overhead: Overhead {
            cuda_context: training.cuda_context,
            fragmentation: training.fragmentation / 100.0,
        },
    })
}

/// Maps the precision flag.
pub(crate) fn precision(arg: PrecisionArg) -> Precision {
    match arg {
        PrecisionArg::Fp32 => Precision::Fp32,
        PrecisionArg::Mixed => Precision::Mixed,
        PrecisionArg::Amp => Precision::Amp,
        PrecisionArg::PureBf16 => Precision::PureBf16,
    }
}

/// Maps the optimizer flag.
pub(crate) fn optimizer(arg: OptimizerArg) -> Optimizer {
    match arg {
        OptimizerArg::Sgd => Optimizer::Sgd,
        OptimizerArg::Momentum => Optimizer::Momentum,
        OptimizerArg::Adamw => Optimizer::AdamW,
        OptimizerArg::Adam8bit => Optimizer::Adam8bit,
        OptimizerArg::Adafactor => Optimizer::Adafactor,
        OptimizerArg::AdafactorMomentum => Optimizer::AdafactorMomentum,
    }
}

/// Returns whether any model flag was given, so that a command can add memory figures.
pub(crate) fn has_model(args: &ModelArgs) -> bool {
    args.model.is_some() || args.layers.is_some() || args.hidden.is_some() || args.heads.is_some()
}
