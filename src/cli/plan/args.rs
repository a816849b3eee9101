//! Flags of `skilleval plan` as clap parses them: raw values, checked only for their
//! own syntax. `resolve.rs` turns them into planner inputs.

use clap::{Args, Subcommand, ValueEnum};

use crate::planner::{PRESET_NAMES, parse_count, parse_size, preset};

/// Arguments of `skilleval plan`.
#[derive(Debug, Clone, Args)]
#[command(
    about = "Compute training memory, learning rate, accumulation and batch size without running an eval",
    long_about = "Compute training memory, learning rate, gradient accumulation and batch-size \
                  trade-offs with the same reference planner that scores numeric checks.\n\n\
                  Sizes: GB and MB are decimal (10^9 and 10^6 bytes); GiB, MiB and a bare g or m \
                  are binary; a plain number is GB. Reports give decimal GB. Exit code 2 means a \
                  flag was invalid."
)]
pub struct PlanArgs {
    #[command(subcommand)]
    pub command: PlanCommand,
}

/// The questions `skilleval plan` computes answers to.
#[derive(Debug, Clone, Subcommand)]
pub enum PlanCommand {
    /// Break down training memory per GPU, check it against a GPU and list what would make it fit.
    Memory(MemoryArgs),
    /// Scale the learning rate for a new batch size (linear or square-root rule, with warmup).
    Lr(LrArgs),
    /// Plan gradient accumulation for a target effective batch.
    Accumulate(AccumulateArgs),
    /// Recommend a batch size from published recipes and show the largest that fits a GPU.
    Batch(BatchArgs),
    /// Show how steps and examples trade off as the batch grows (McCandlish et al. 2018).
    Tradeoff(TradeoffArgs),
}

/// Output format shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format: a table for people or JSON for programs.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// The model to plan for: a preset, a parameter count, or an architecture by its numbers.
#[derive(Debug, Clone, Args)]
pub struct ModelArgs {
    /// Model: a preset (bert-base, bert-large, roberta-base, gpt2, gpt2-medium, gpt2-large,
    /// gpt2-xl, t5-small … t5-11b, llama-1b, llama-3b, llama-7b, llama-13b, llama-33b,
    /// llama-65b, llama-70b) or a parameter count (3b, 350m, 7e9).
    #[arg(long, value_name = "NAME|COUNT", value_parser = parse_model)]
    pub model: Option<ModelChoice>,
    /// Transformer layers, to give an architecture by its numbers (with --hidden and --heads).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub layers: Option<u32>,
    /// Hidden size (d_model).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub hidden: Option<u32>,
    /// Attention heads.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub heads: Option<u32>,
    /// Key/value heads under grouped-query attention [default: --heads].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub kv_heads: Option<u32>,
    /// Inner size of the MLP [default: 4 × hidden].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub ffn: Option<u32>,
    /// Vocabulary size [default: 50257].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub vocab: Option<u32>,
    /// MLP kind: plain (GELU, two matrices) or gated (SwiGLU, three matrices). A custom
    /// architecture with a gated MLP also gets Llama's RMSNorm and no biases.
    #[arg(long, value_enum)]
    pub mlp: Option<MlpArg>,
    /// Output head: lm (logits over the vocabulary) or classifier.
    #[arg(long, value_enum)]
    pub head: Option<HeadArg>,
}

/// A `--model` value: a preset name or a parameter count.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelChoice {
    Preset(String),
    Count(f64),
}

/// Parses a `--model` value.
fn parse_model(text: &str) -> Result<ModelChoice, String> {
    if preset(text).is_some() {
        return Ok(ModelChoice::Preset(text.to_string()));
    }
    parse_count(text).map(ModelChoice::Count).map_err(|_| {
        format!(
            "unknown model; use a preset ({}) or a parameter count such as 3b, 350m or 7e9",
            PRESET_NAMES.join(", ")
        )
    })
}

/// MLP kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MlpArg {
    Plain,
    #[value(alias = "swiglu")]
    Gated,
}

/// Output heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HeadArg {
    Lm,
    Classifier,
}

/// Training choices: precision, optimizer, sharding, adapters, recomputation.
#[derive(Debug, Clone, Args)]
pub struct TrainingArgs {
    /// Precision: fp32, mixed (fp16 or bf16 with fp32 master weights, as DeepSpeed does;
    /// also fp16, bf16), amp (PyTorch autocast: fp32 weights and gradients plus a cached
    /// 16-bit copy) or pure-bf16 (everything in bf16; also bf16-true).
    #[arg(long, value_enum, default_value_t = PrecisionArg::Mixed)]
    pub precision: PrecisionArg,
    /// Optimizer: sgd, momentum, adamw (also adam), adam8bit, adafactor (factored second
    /// moment only) or adafactor-momentum (with a first moment, beta1 set).
    #[arg(long, value_enum, default_value_t = OptimizerArg::Adamw)]
    pub optimizer: OptimizerArg,
    /// Tokens per sequence.
    #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u32).range(1..))]
    pub seq_len: u32,
    /// Data-parallel GPUs.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub gpus: u32,
    /// Sharding of model states over --gpus: none, zero1, zero2, zero3 or fsdp (= zero3).
    #[arg(long, value_enum, default_value_t = ShardingArg::None)]
    pub sharding: ShardingArg,
    /// Keep gradients, master weights and optimizer states in CPU memory, where the
    /// optimizer step runs (ZeRO-Offload).
    #[arg(long)]
    pub offload_optimizer: bool,
    /// Keep the weights in CPU memory too and fetch them layer by layer (DeepSpeed
    /// offload_param, FSDP CPUOffload). Needs --sharding zero3 or fsdp; implies
    /// --offload-optimizer.
    #[arg(long)]
    pub offload_params: bool,
    /// Training method: full (all weights), lora (adapters on a 16-bit base) or qlora
    /// (adapters on a 4-bit base).
    #[arg(long, value_enum, default_value_t = MethodArg::Full)]
    pub method: MethodArg,
    /// LoRA rank, with --method lora or qlora.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..))]
    pub lora_rank: u32,
    /// Layers LoRA adapts: qv (query and value), attention (all four projections) or all-linear.
    #[arg(long, value_enum, default_value_t = LoraTargetsArg::AllLinear)]
    pub lora_targets: LoraTargetsArg,
    /// Activation recomputation: none, selective (attention scores only) or full
    /// (gradient checkpointing of every layer).
    #[arg(long, value_enum, default_value_t = RecomputeArg::None)]
    pub recompute: RecomputeArg,
    /// Attention runs as FlashAttention (or PyTorch SDPA with its flash or memory-efficient
    /// kernel), which stores no attention scores.
    #[arg(long)]
    pub flash_attention: bool,
    /// Memory taken by the CUDA context and library workspaces (an estimate).
    #[arg(long, value_name = "SIZE", default_value = "0.5GB", value_parser = parse_size_flag)]
    pub cuda_context: f64,
    /// Margin for allocator fragmentation, in percent of model states and activations.
    #[arg(long, value_name = "PERCENT", default_value_t = 10.0, value_parser = parse_percent)]
    pub fragmentation: f64,
}

/// Parses a size flag into bytes.
pub(crate) fn parse_size_flag(text: &str) -> Result<f64, String> {
    parse_size(text).map_err(|error| error.to_string())
}

/// Parses a percentage between 0 and 100.
fn parse_percent(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim_end_matches('%')
        .parse()
        .map_err(|_| "expected a percentage such as 10".to_string())?;
    if (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err("expected a percentage from 0 to 100".into())
    }
}

/// Precisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrecisionArg {
    Fp32,
    #[value(aliases = ["fp16", "bf16", "fp16-mixed", "bf16-mixed"])]
    Mixed,
    #[value(aliases = ["autocast", "torch-amp"])]
    Amp,
    #[value(aliases = ["bf16-true", "bf16-pure"])]
    PureBf16,
}

/// Optimizers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerArg {
    Sgd,
    #[value(alias = "sgd-momentum")]
    Momentum,
    #[value(alias = "adam")]
    Adamw,
    #[value(aliases = ["adamw8bit", "adam-8bit", "adamw-8bit"])]
    Adam8bit,
    Adafactor,
    #[value(alias = "adafactor-beta1")]
    AdafactorMomentum,
}

/// Sharding strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShardingArg {
    #[value(alias = "ddp")]
    None,
    Zero1,
    Zero2,
    Zero3,
    Fsdp,
}

/// Training methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MethodArg {
    Full,
    Lora,
    Qlora,
}

/// LoRA target sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LoraTargetsArg {
    Qv,
    Attention,
    AllLinear,
}

/// Recomputation modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RecomputeArg {
    None,
    Selective,
    #[value(alias = "checkpointing")]
    Full,
}

/// Flags of `plan memory`.
#[derive(Debug, Clone, Args)]
pub struct MemoryArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub training: TrainingArgs,
    /// Micro-batch: sequences per GPU per forward and backward pass.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: u32,
    /// Memory of one GPU (24GB, 24GiB, 80g); without it there is no verdict.
    #[arg(long, value_name = "SIZE", value_parser = parse_size_flag)]
    pub gpu_memory: Option<f64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Flags of `plan lr`.
#[derive(Debug, Clone, Args)]
pub struct LrArgs {
    /// Global batch the current learning rate was tuned for [default: 256, with --lr 0.1,
    /// the ResNet-50 reference of Goyal et al. 2017].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub from_batch: Option<u32>,
    /// New global batch (examples per optimizer step over all GPUs).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), required_unless_present = "per_device_batch")]
    pub to_batch: Option<u32>,
    /// New batch per GPU per pass; with --gpus and --accumulation it gives the global batch.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "to_batch")]
    pub per_device_batch: Option<u32>,
    /// Data-parallel GPUs, with --per-device-batch.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..), requires = "per_device_batch")]
    pub gpus: u32,
    /// Accumulation steps, with --per-device-batch.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..), requires = "per_device_batch")]
    pub accumulation: u32,
    /// Learning rate tuned for --from-batch.
    #[arg(long)]
    pub lr: Option<f64>,
    /// Optimizer, which picks the rule: linear for sgd and momentum, square root for adaptive ones.
    #[arg(long, value_enum)]
    pub optimizer: Option<OptimizerArg>,
    /// Scaling rule, overriding the optimizer's: linear or sqrt.
    #[arg(long, value_enum)]
    pub rule: Option<RuleArg>,
    /// Training examples per epoch, to give warmup and steps per epoch in steps.
    #[arg(long, value_name = "COUNT", value_parser = parse_count_flag)]
    pub dataset_size: Option<f64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Parses a count flag.
fn parse_count_flag(text: &str) -> Result<f64, String> {
    parse_count(text).map_err(|error| error.to_string())
}

/// Scaling rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleArg {
    Linear,
    #[value(alias = "square-root")]
    Sqrt,
}

/// Flags of `plan accumulate`.
#[derive(Debug, Clone, Args)]
pub struct AccumulateArgs {
    /// Effective batch wanted per optimizer step, over all GPUs.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub target_batch: u32,
    /// Batch that fits one GPU per forward and backward pass.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub micro_batch: u32,
    /// Time of one forward and backward pass of a micro-batch (0.25s, 250ms).
    #[arg(long, value_name = "DURATION", value_parser = parse_seconds)]
    pub micro_step_time: Option<f64>,
    /// The model normalizes with BatchNorm, whose statistics then cover only a micro-batch.
    #[arg(long)]
    pub batchnorm: bool,
    /// Model, to compare activation memory at the micro-batch and at the target batch.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Training choices; `--gpus` also divides the target batch between GPUs.
    #[command(flatten)]
    pub training: TrainingArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Parses a duration in seconds: `0.25`, `0.25s` or `250ms`.
fn parse_seconds(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.strip_suffix("ms") {
        Some(number) => (number, 1e-3),
        None => (text.strip_suffix('s').unwrap_or(text), 1.0),
    };
    match number.trim().parse::<f64>() {
        Ok(value) if value > 0.0 && value.is_finite() => Ok(value * scale),
        _ => Err("expected a positive duration such as 0.25s or 250ms".into()),
    }
}

/// Flags of `plan batch`.
#[derive(Debug, Clone, Args)]
pub struct BatchArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Task: fine-tuning or pretraining.
    #[arg(long, value_enum, default_value_t = TaskArg::FineTuning)]
    pub task: TaskArg,
    #[command(flatten)]
    pub training: TrainingArgs,
    /// Memory of one GPU, to show the largest micro-batch that fits (24GB, 24GiB, 80g).
    #[arg(long, value_name = "SIZE", value_parser = parse_size_flag)]
    pub gpu_memory: Option<f64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaskArg {
    #[value(aliases = ["finetuning", "fine-tune", "finetune"])]
    FineTuning,
    #[value(alias = "pre-training")]
    Pretraining,
}

/// Flags of `plan tradeoff`.
#[derive(Debug, Clone, Args)]
pub struct TradeoffArgs {
    /// Gradient noise scale B_noise, which approximates the critical batch.
    #[arg(long, value_name = "EXAMPLES", value_parser = parse_count_flag, required_unless_present = "grad_norm")]
    pub noise_scale: Option<f64>,
    /// A squared gradient norm measured at a batch, as BATCH:NORM² (give two, at different
    /// batches, to estimate the noise scale).
    #[arg(long, value_name = "BATCH:NORM²", value_parser = parse_norm_sample, num_args = 1, conflicts_with = "noise_scale")]
    pub grad_norm: Vec<(f64, f64)>,
    /// Batch sizes to tabulate, comma-separated [default: powers of two around the noise scale].
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..))]
    pub batch: Vec<u32>,
    /// Minimum number of optimizer steps S_min, to show absolute steps and examples.
    #[arg(long, value_name = "STEPS", value_parser = parse_count_flag)]
    pub min_steps: Option<f64>,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// Parses `BATCH:NORM²`.
fn parse_norm_sample(text: &str) -> Result<(f64, f64), String> {
    let (batch, norm) = text
        .split_once(':')
        .ok_or("expected BATCH:NORM², such as 64:0.52")?;
    let batch: f64 = batch
        .trim()
        .parse()
        .map_err(|_| format!("invalid batch \"{batch}\""))?;
    let norm: f64 = norm
        .trim()
        .parse()
        .map_err(|_| format!("invalid squared norm \"{norm}\""))?;
    if batch > 0.0 && norm > 0.0 {
        Ok((batch, norm))
    } else {
        Err("batch and squared norm must be positive".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_flag_takes_presets_and_counts() {
        assert_eq!(
            parse_model("bert-base"),
            Ok(ModelChoice::Preset("bert-base".into()))
        );
        assert_eq!(parse_model("3b"), Ok(ModelChoice::Count(3e9)));
        let error = parse_model("resnet").unwrap_err();
        assert!(error.contains("llama-7b"), "{error}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_seconds("250ms"), Ok(0.25));
        assert_eq!(parse_seconds("0.5s"), Ok(0.5));
        assert_eq!(parse_seconds("2"), Ok(2.0));
        assert!(parse_seconds("-1s").is_err());
    }

    #[test]
    fn percent_and_norm_samples() {
        assert_eq!(parse_percent("10%"), Ok(10.0));
        assert!(parse_percent("150").is_err());
        assert_eq!(parse_norm_sample("64:0.5"), Ok((64.0, 0.5)));
        assert!(parse_norm_sample("64").is_err());
    }
}
