//! `skilleval plan memory`: the per-GPU breakdown, the verdict against a GPU, and the
//! cheapest changes that would make the plan fit.

use serde::Serialize;

use super::table::Table;
use crate::planner::{
    Lever, MemoryBreakdown, Method, Mitigation, ModelSpec, Optimizer, Precision, Recompute,
    ShapeSource, Sharding, TrainingPlan, format_count, format_gb, max_micro_batch, mitigations,
    training_memory,
};

/// Maximum number of ways to fit that a report lists.
const MITIGATION_LIMIT: usize = 5;

/// Everything `plan memory` reports, in bytes.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MemoryReport {
    pub model: ModelSummary,
    pub training: TrainingSummary,
    pub breakdown: BreakdownBytes,
    /// Activation bytes each further sequence of the micro-batch adds.
    pub activation_bytes_per_sequence: u64,
    pub gpu_memory_bytes: Option<u64>,
    pub fits: Option<bool>,
    /// Largest micro-batch that fits; zero when none does.
    pub max_micro_batch: Option<u32>,
    /// Cheapest changes that make the plan fit, when it does not.
    pub ways_to_fit: Vec<WayToFit>,
}

/// The model as planned.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ModelSummary {
    pub name: String,
    pub parameters: u64,
    pub trainable_parameters: u64,
    pub shape: ShapeSource,
    pub layers: u32,
    pub decoder_layers: u32,
    pub hidden: u32,
    pub heads: u32,
    pub kv_heads: u32,
    pub ffn: u32,
    pub vocab: u32,
}

/// The training choices as planned.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TrainingSummary {
    pub precision: Precision,
    pub optimizer: Optimizer,
    pub method: Method,
    pub sharding: Sharding,
    pub gpus: u32,
    pub offload_optimizer: bool,
    pub offload_parameters: bool,
    pub seq_len: u32,
    pub micro_batch: u32,
    pub recompute: Recompute,
    pub flash_attention: bool,
}

/// One GPU's memory by component, in bytes.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BreakdownBytes {
    pub weights: u64,
    pub gradients: u64,
    pub master_weights: u64,
    pub optimizer_states: u64,
    /// Largest layer's full weights and gradients, gathered under ZeRO-3.
    pub gathered_layer: u64,
    pub activations: u64,
    pub cuda_context: u64,
    pub fragmentation: u64,
    pub total: u64,
    /// Gradients, master weights and optimizer states kept in CPU memory instead (not
    /// in `total`).
    pub offloaded_to_cpu: u64,
}

/// A set of changes that makes the plan fit.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WayToFit {
    pub changes: Vec<String>,
    pub levers: Vec<Lever>,
    pub micro_batch: u32,
    pub accumulation_steps: u32,
    pub total_bytes: u64,
}

/// Computes the report for `plan`, with a verdict when `gpu_memory` is given.
pub(crate) fn memory_report(plan: &TrainingPlan, gpu_memory: Option<f64>) -> MemoryReport {
    let memory = training_memory(plan);
    let next = training_memory(&plan.with_micro_batch(plan.micro_batch + 1));
    let fits = gpu_memory.map(|limit| memory.total <= limit);
    let ways_to_fit = match (gpu_memory, fits) {
        (Some(limit), Some(false)) => mitigations(plan, limit, MITIGATION_LIMIT)
            .iter()
            .map(way_to_fit)
            .collect(),
        _ => Vec::new(),
    };
    MemoryReport {
        model: model_summary(&plan.model, memory.states.trainable_parameters),
        training: training_summary(plan),
        breakdown: breakdown_bytes(&memory),
        activation_bytes_per_sequence: bytes(next.activations - memory.activations),
        gpu_memory_bytes: gpu_memory.map(bytes),
        fits,
        max_micro_batch: gpu_memory.map(|limit| max_micro_batch(plan, limit)),
        ways_to_fit,
    }
}

/// Rounds a byte count for the report.
fn bytes(value: f64) -> u64 {
    value.max(0.0).round() as u64
}

/// Summarizes the model.
fn model_summary(model: &ModelSpec, trainable: f64) -> ModelSummary {
    let architecture = &model.architecture;
    ModelSummary {
        name: model.name.clone(),
        parameters: bytes(model.parameters),
        trainable_parameters: bytes(trainable),
        shape: model.shape,
        layers: architecture.layers,
        decoder_layers: architecture.decoder_layers,
        hidden: architecture.hidden,
        heads: architecture.heads,
        kv_heads: architecture.kv_heads,
        ffn: architecture.ffn,
        vocab: architecture.vocab,
    }
}

/// Summarizes the training choices.
fn training_summary(plan: &TrainingPlan) -> TrainingSummary {
    let states = &plan.states;
    TrainingSummary {
        precision: states.precision,
        optimizer: states.optimizer,
        method: states.method,
        sharding: states.sharding,
        gpus: states.gpus,
        offload_optimizer: states.offload_optimizer,
        offload_parameters: states.offload_parameters,
        seq_len: plan.seq_len,
        micro_batch: plan.micro_batch,
        recompute: plan.recompute,
        flash_attention: plan.flash_attention,
    }
}

/// Converts a breakdown to whole bytes.
fn breakdown_bytes(memory: &MemoryBreakdown) -> BreakdownBytes {
    let states = &memory.states;
    BreakdownBytes {
        weights: bytes(states.weights),
        gradients: bytes(states.gradients),
        master_weights: bytes(states.master_weights),
        optimizer_states: bytes(states.optimizer_states),
        gathered_layer: bytes(memory.gathered_layer),
        activations: bytes(memory.activations),
        cuda_context: bytes(memory.cuda_context),
        fragmentation: bytes(memory.fragmentation),
        total: bytes(memory.total),
        offloaded_to_cpu: bytes(states.offloaded_to_cpu),
    }
}

/// Converts a planner mitigation for the report.
fn way_to_fit(mitigation: &Mitigation) -> WayToFit {
    WayToFit {
        changes: mitigation.changes.clone(),
        levers: mitigation.levers.clone(),
        micro_batch: mitigation.micro_batch,
        accumulation_steps: mitigation.accumulation_steps,
        total_bytes: bytes(mitigation.total),
    }
}

/// Renders the report as text.
pub(crate) fn render_memory(report: &MemoryReport) -> String {
    let mut text = render_heading(report);
    text.push('\n');
    text.push_str(&render_breakdown(report).render());
    text.push('\n');
    text.push_str(&format!(
        "Each further sequence adds {} of activations; model states do not grow with the batch.\n",
        format_gb(report.activation_bytes_per_sequence as f64)
    ));
    if let Some(verdict) = render_verdict(report) {
        text.push('\n');
        text.push_str(&verdict);
    }
    text.push_str(&render_ways_to_fit(&report.ways_to_fit));
    text
}

/// Renders the model and setup lines above the table.
fn render_heading(report: &MemoryReport) -> String {
    let model = &report.model;
    let training = &report.training;
    let shape = match model.shape {
        ShapeSource::Preset => format!(
            "{} layers, hidden {}, {} heads",
            model.layers + model.decoder_layers,
            model.hidden,
            model.heads
        ),
        ShapeSource::Given => format!(
            "given shape: {} layers, hidden {}, {} heads",
            model.layers, model.hidden, model.heads
        ),
        ShapeSource::Estimated => format!(
            "shape estimated from the count: {} layers, hidden {}, {} heads; set it with --layers, --hidden and --heads",
            model.layers, model.hidden, model.heads
        ),
    };
    let mut text = format!(
        "Training memory per GPU: {} ({} parameters; {shape})\n",
        model.name,
        format_count(model.parameters as f64)
    );
    text.push_str(&format!("  {}\n", describe_training(training, model)));
    text.push_str(&format!(
        "  micro-batch {} × {} tokens, {}{}\n",
        training.micro_batch,
        training.seq_len,
        training.recompute.name(),
        if training.flash_attention {
            ", FlashAttention"
        } else {
            ""
        }
    ));
    text
}

/// Describes method, optimizer, precision and parallelism in one line.
fn describe_training(training: &TrainingSummary, model: &ModelSummary) -> String {
    let method = match training.method {
        Method::Full => "full training".to_string(),
        Method::Lora(config) | Method::Qlora(config) => {
            let kind = if matches!(training.method, Method::Lora(_)) {
                "LoRA"
            } else {
                "QLoRA"
            };
            let share = 100.0 * model.trainable_parameters as f64 / model.parameters as f64;
            format!(
                "{kind} rank {} ({} trainable parameters, {share:.2}%)",
                config.rank,
                format_count(model.trainable_parameters as f64)
            )
        }
    };
    let gpus = if training.gpus == 1 {
        "1 GPU".to_string()
    } else {
        format!("{} GPUs", training.gpus)
    };
    let offload = if training.offload_parameters {
        ", weights, optimizer and gradients offloaded to CPU"
    } else if training.offload_optimizer {
        ", optimizer and gradients offloaded to CPU"
    } else {
        ""
    };
    format!(
        "{method}, {}, {}, {gpus}, {}{offload}",
        training.optimizer.name(),
        training.precision.name(),
        training.sharding.name()
    )
}

/// Builds the component table.
fn render_breakdown(report: &MemoryReport) -> Table {
    let breakdown = &report.breakdown;
    let training = &report.training;
    let (weight_element, gradient_element) = match training.precision {
        Precision::Fp32 => ("fp32", "fp32"),
        Precision::Amp => ("fp32 + 16-bit autocast copy", "fp32"),
        Precision::Mixed | Precision::PureBf16 => ("16-bit", "16-bit"),
    };
    let weights_label = match training.method {
        _ if training.offload_parameters => "weights (in CPU memory)".to_string(),
        Method::Full => format!("weights ({weight_element})"),
        Method::Lora(_) => format!("weights ({weight_element} frozen base + adapters)"),
        Method::Qlora(_) => "weights (4-bit base + adapters)".to_string(),
    };
    let gradients_label = match training.method {
        _ if training.offload_optimizer => "gradients (in CPU memory)".to_string(),
        Method::Full => format!("gradients ({gradient_element})"),
        Method::Lora(_) | Method::Qlora(_) => "gradients (adapters only)".to_string(),
    };
    let mut rows = vec![
        (weights_label, breakdown.weights),
        (gradients_label, breakdown.gradients),
    ];
    if breakdown.master_weights > 0 {
        rows.push(("master weights (fp32)".into(), breakdown.master_weights));
    }
    rows.push((
        format!("optimizer states ({})", training.optimizer.name()),
        breakdown.optimizer_states,
    ));
    if breakdown.gathered_layer > 0 {
        rows.push((
            "gathered largest layer (ZeRO-3)".into(),
            breakdown.gathered_layer,
        ));
    }
    rows.push(("activations".into(), breakdown.activations));
    rows.push(("CUDA context (estimate)".into(), breakdown.cuda_context));
    rows.push(("fragmentation margin".into(), breakdown.fragmentation));
    rows.push(("total".into(), breakdown.total));
    if training.offload_optimizer || training.offload_parameters {
        rows.push((
            "in CPU memory, not in total".into(),
            breakdown.offloaded_to_cpu,
        ));
    }

    let mut table = Table::new(&["component", "memory"], &[1]);
    for (label, value) in rows {
        table.row(vec![label, format_gb(value as f64)]);
    }
    table
}

/// Renders the verdict against the GPU, if one was given.
fn render_verdict(report: &MemoryReport) -> Option<String> {
    let limit = report.gpu_memory_bytes? as f64;
    let total = report.breakdown.total as f64;
    let largest = report.max_micro_batch.unwrap_or(0);
    let text = if report.fits == Some(true) {
        format!(
            "Verdict: fits in {} with {} to spare. The largest micro-batch that fits is {largest}: a memory limit, not a recommended batch.\n",
            format_gb(limit),
            format_gb(limit - total)
        )
    } else if largest > 0 {
        format!(
            "Verdict: does not fit in {} (needs {}). The largest micro-batch that fits is {largest}.\n",
            format_gb(limit),
            format_gb(total)
        )
    } else {
        let states = (report.breakdown.weights
            + report.breakdown.gradients
            + report.breakdown.master_weights
            + report.breakdown.optimizer_states) as f64;
        let reason = if states > limit {
            format!("model states alone take {}", format_gb(states))
        } else {
            "even a micro-batch of one sequence is too large".to_string()
        };
        format!(
            "Verdict: does not fit in {} at any micro-batch: {reason}.\n",
            format_gb(limit)
        )
    };
    Some(text)
}

/// Renders the ways to fit, cheapest first.
fn render_ways_to_fit(ways: &[WayToFit]) -> String {
    if ways.is_empty() {
        return String::new();
    }
    let mut text = String::from("\nWhat would make it fit, cheapest first:\n");
    for (index, way) in ways.iter().enumerate() {
        let changes = if way.changes.is_empty() {
            "keep the setup".to_string()
        } else {
            way.changes.join(" + ")
        };
        let batch = if way.accumulation_steps > 1 {
            format!(
                "micro-batch {} with {} accumulation steps",
                way.micro_batch, way.accumulation_steps
            )
        } else {
            format!("micro-batch {}", way.micro_batch)
        };
        text.push_str(&format!(
            "  {}. {changes}: {batch}, {}\n",
            index + 1,
            format_gb(way.total_bytes as f64)
        ));
    }
    text
}
