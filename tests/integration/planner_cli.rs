//! `skilleval plan` from parsed flags to written output: the six scenarios' questions,
//! published numbers, JSON for programs and errors for bad flags.

use clap::Parser;
use serde_json::Value;
use skilleval::cli::plan::{PlanArgs, PlanError, run};

/// A stand-in for the top-level command line, holding only `plan`'s arguments.
#[derive(Debug, Parser)]
#[command(name = "skilleval-plan")]
struct TestCli {
    #[command(flatten)]
    plan: PlanArgs,
}

/// Parses `flags` as `skilleval plan` would.
fn parse(flags: &[&str]) -> Result<PlanArgs, clap::Error> {
    let argv = std::iter::once("skilleval-plan").chain(flags.iter().copied());
    TestCli::try_parse_from(argv).map(|cli| cli.plan)
}

/// Runs `skilleval plan` with `flags` and returns its output or error.
fn try_plan(flags: &[&str]) -> Result<String, PlanError> {
    let args =
        parse(flags).unwrap_or_else(|error| panic!("flags {flags:?} did not parse: {error}"));
    let mut out = Vec::new();
    run(&args, &mut out)?;
    Ok(String::from_utf8(out).expect("plan output is UTF-8"))
}

/// Runs `skilleval plan` with `flags`, which must succeed.
fn plan(flags: &[&str]) -> String {
    try_plan(flags).unwrap_or_else(|error| panic!("plan {flags:?} failed: {error}"))
}

/// Runs `skilleval plan` with `flags` and `--format json`, and parses the output.
fn plan_json(flags: &[&str]) -> Value {
    let mut with_json = flags.to_vec();
    with_json.extend(["--format", "json"]);
    serde_json::from_str(&plan(&with_json)).expect("plan output is JSON")
}

const MEMORY_3B: &[&str] = &[
    "memory",
    "--model",
    "3b",
    "--optimizer",
    "adamw",
    "--precision",
    "mixed",
    "--batch",
    "32",
    "--seq-len",
    "512",
    "--gpu-memory",
    "24GB",
];

#[test]
fn memory_3b_table() {
    insta::assert_snapshot!(plan(MEMORY_3B));
}

#[test]
fn memory_3b_json() {
    insta::assert_json_snapshot!(plan_json(MEMORY_3B));
}

#[test]
fn memory_3b_states_48_gb_never_fits() {
    for precision in ["fp32", "mixed"] {
        let mut flags = MEMORY_3B.to_vec();
        flags[6] = precision;
        let report = plan_json(&flags);
        let breakdown = &report["breakdown"];
        let states: u64 = ["weights", "gradients", "master_weights", "optimizer_states"]
            .iter()
            .map(|component| breakdown[component].as_u64().unwrap())
            .sum();
        assert_eq!(states, 48_000_000_000, "{precision}");
        assert_eq!(report["fits"], Value::Bool(false), "{precision}");
        assert_eq!(report["max_micro_batch"], 0, "{precision}");
        assert!(
            !report["ways_to_fit"].as_array().unwrap().is_empty(),
            "{precision}"
        );
    }
}

#[test]
fn zero_paper_7_5b_on_64_gpus() {
    let per_gpu_gb = |sharding: &str| {
        let report = plan_json(&[
            "memory",
            "--model",
            "7.5b",
            "--gpus",
            "64",
            "--sharding",
            sharding,
        ]);
        let breakdown = &report["breakdown"];
        let states: u64 = ["weights", "gradients", "master_weights", "optimizer_states"]
            .iter()
            .map(|component| breakdown[component].as_u64().unwrap())
            .sum();
        (states as f64 / 1e8).round() / 10.0
    };
    assert_eq!(per_gpu_gb("none"), 120.0);
    assert_eq!(per_gpu_gb("zero1"), 31.4);
    assert_eq!(per_gpu_gb("zero2"), 16.6);
    assert_eq!(per_gpu_gb("zero3"), 1.9);
    assert_eq!(per_gpu_gb("fsdp"), 1.9);
}

#[test]
fn bert_parameter_counts() {
    let parameters = |model: &str| {
        plan_json(&["memory", "--model", model])["model"]["parameters"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(parameters("bert-base"), 109_482_240);
    assert_eq!(parameters("bert-large"), 335_141_888);
}

#[test]
fn custom_architecture_by_numbers() {
    let report = plan_json(&[
        "memory", "--layers", "12", "--hidden", "768", "--heads", "12", "--vocab", "50257",
    ]);
    // GPT-2 small without its 1,024 learned position rows.
    assert_eq!(report["model"]["parameters"], 124_439_808 - 1024 * 768);
    assert_eq!(report["model"]["shape"], "given");
}

#[test]
fn max_batch_assumption_table() {
    insta::assert_snapshot!(plan(&[
        "batch",
        "--model",
        "bert-base",
        "--task",
        "fine-tuning",
        "--gpu-memory",
        "24GB",
        "--seq-len",
        "512"
    ]));
}

#[test]
fn max_batch_assumption_range() {
    let report = plan_json(&[
        "batch",
        "--model",
        "bert-base",
        "--gpu-memory",
        "24GB",
        "--seq-len",
        "512",
    ]);
    let range = &report["recommendation"]["range"];
    assert_eq!(range["recommended_low"], 16.0);
    assert_eq!(range["recommended_high"], 32.0);
    assert_eq!(range["accepted_low"], 8.0);
    assert_eq!(range["accepted_high"], 64.0);
    assert!(report["max_micro_batch"].as_u64().unwrap() > 32);
}

#[test]
fn linear_scaling_rule_table() {
    insta::assert_snapshot!(plan(&["lr", "--from-batch", "64", "--to-batch", "256"]));
}

#[test]
fn linear_and_square_root_multipliers() {
    let report = plan_json(&["lr", "--from-batch", "64", "--to-batch", "256"]);
    assert_eq!(report["multiplier"], 4.0);
    assert_eq!(report["linear_multiplier"], 4.0);
    assert_eq!(report["square_root_multiplier"], 2.0);
    let adaptive = plan_json(&[
        "lr",
        "--from-batch",
        "64",
        "--to-batch",
        "256",
        "--optimizer",
        "adamw",
    ]);
    assert_eq!(adaptive["rule"], "square-root");
    assert_eq!(adaptive["multiplier"], 2.0);
}

#[test]
fn goyal_batch_8192_gives_3_2() {
    let report = plan_json(&["lr", "--to-batch", "8192"]);
    assert!((report["new_lr"].as_f64().unwrap() - 3.2).abs() < 1e-12);
    assert_eq!(report["warmup"]["epochs"], 5.0);
}

#[test]
fn global_batch_from_devices() {
    let report = plan_json(&[
        "lr",
        "--from-batch",
        "256",
        "--per-device-batch",
        "32",
        "--gpus",
        "8",
        "--accumulation",
        "4",
    ]);
    assert_eq!(report["new_batch"], 1024.0);
    assert_eq!(report["multiplier"], 4.0);
}

#[test]
fn gradient_accumulation_table() {
    insta::assert_snapshot!(plan(&[
        "accumulate",
        "--target-batch",
        "512",
        "--micro-batch",
        "64",
        "--micro-step-time",
        "250ms",
        "--batchnorm"
    ]));
}

#[test]
fn gradient_accumulation_steps() {
    let report = plan_json(&["accumulate", "--target-batch", "512", "--micro-batch", "64"]);
    assert_eq!(report["steps"], 8);
    assert_eq!(report["effective_batch"], 512);
    assert_eq!(report["batchnorm_caveat"], false);
}

#[test]
fn accumulation_keeps_micro_batch_memory() {
    let report = plan_json(&[
        "accumulate",
        "--target-batch",
        "512",
        "--micro-batch",
        "64",
        "--model",
        "bert-base",
        "--seq-len",
        "128",
    ]);
    let memory = &report["memory"];
    let micro = memory["micro_batch_activations"].as_f64().unwrap();
    let full = memory["full_batch_activations"].as_f64().unwrap();
    assert!((full / micro - 8.0).abs() < 1e-6, "{full} / {micro}");
}

#[test]
fn time_pressure_tradeoff_table() {
    insta::assert_snapshot!(plan(&[
        "tradeoff",
        "--noise-scale",
        "1024",
        "--min-steps",
        "10000"
    ]));
}

#[test]
fn convergence_vs_speed_table() {
    insta::assert_snapshot!(plan(&["lr", "--from-batch", "128", "--to-batch", "512"]));
}

#[test]
fn convergence_vs_speed_tradeoff() {
    let report = plan_json(&["tradeoff", "--noise-scale", "1000", "--batch", "128,512"]);
    let points = report["points"].as_array().unwrap();
    let fewer_steps =
        points[0]["steps_ratio"].as_f64().unwrap() / points[1]["steps_ratio"].as_f64().unwrap();
    assert!(fewer_steps < 4.0, "{fewer_steps}");
}

#[test]
fn lora_and_qlora_shrink_states() {
    let total = |flags: &[&str]| {
        let mut all = vec!["memory", "--model", "llama-7b", "--batch", "1"];
        all.extend_from_slice(flags);
        plan_json(&all)["breakdown"]["total"].as_u64().unwrap()
    };
    let full = total(&[]);
    let lora = total(&["--method", "lora"]);
    let qlora = total(&["--method", "qlora"]);
    assert!(lora < full / 5, "{lora} vs {full}");
    assert!(qlora < lora / 2, "{qlora} vs {lora}");
}

#[test]
fn bad_size_names_flag_and_units() {
    let error = parse(&["memory", "--model", "3b", "--gpu-memory", "24XB"])
        .unwrap_err()
        .to_string();
    assert!(error.contains("--gpu-memory"), "{error}");
    assert!(error.contains("GiB"), "{error}");
}

#[test]
fn bad_choice_lists_accepted_values() {
    let error = parse(&["memory", "--model", "3b", "--optimizer", "lion"])
        .unwrap_err()
        .to_string();
    assert!(error.contains("--optimizer"), "{error}");
    assert!(error.contains("adamw"), "{error}");
    let error = parse(&["memory", "--model", "resnet-50"])
        .unwrap_err()
        .to_string();
    assert!(error.contains("--model"), "{error}");
    assert!(error.contains("bert-base"), "{error}");
}

#[test]
fn missing_model_exits_2() {
    let error = try_plan(&["memory", "--batch", "4"]).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(error.to_string().contains("--model"), "{error}");
}

#[test]
fn partial_architecture_names_missing_flags() {
    let error = try_plan(&["memory", "--layers", "12"]).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(
        error.to_string().contains("--hidden and --heads"),
        "{error}"
    );
}

/// Returns the model-state bytes on the GPU from a `plan memory` JSON report.
fn gpu_state_bytes(report: &Value) -> u64 {
    let breakdown = &report["breakdown"];
    ["weights", "gradients", "master_weights", "optimizer_states"]
        .iter()
        .map(|component| breakdown[component].as_u64().unwrap())
        .sum()
}

#[test]
fn zero_offload_13b_fits_v100() {
    // Ren et al. 2021, "ZeRO-Offload": 13B parameters train on one 32 GB V100, where
    // only the 16-bit weights stay on the GPU.
    let report = plan_json(&[
        "memory",
        "--model",
        "13b",
        "--offload-optimizer",
        "--recompute",
        "full",
        "--seq-len",
        "1024",
        "--gpu-memory",
        "32GiB",
    ]);
    assert_eq!(gpu_state_bytes(&report), 26_000_000_000);
    assert_eq!(report["breakdown"]["offloaded_to_cpu"], 182_000_000_000u64);
    assert_eq!(report["fits"], Value::Bool(true));
}

#[test]
fn qlora_65b_fits_48_gb() {
    // Dettmers et al. 2023, "QLoRA": a 65B LLaMA fine-tunes on one 48 GB GPU with
    // rank-64 adapters on every linear layer and gradient checkpointing.
    let report = plan_json(&[
        "memory",
        "--model",
        "llama-65b",
        "--method",
        "qlora",
        "--lora-rank",
        "64",
        "--precision",
        "pure-bf16",
        "--recompute",
        "full",
        "--gpu-memory",
        "48GB",
    ]);
    assert_eq!(report["model"]["trainable_parameters"], 799_539_200u64);
    assert_eq!(report["fits"], Value::Bool(true));
}

#[test]
fn amp_and_adafactor_momentum_bytes() {
    // The Transformers docs: 18 bytes per parameter for AdamW under PyTorch AMP, and a
    // little over 4 bytes of optimizer states for Adafactor with a first moment.
    let amp = plan_json(&["memory", "--model", "1b", "--precision", "amp"]);
    assert_eq!(gpu_state_bytes(&amp), 18_000_000_000);
    let adafactor = plan_json(&[
        "memory",
        "--model",
        "1b",
        "--optimizer",
        "adafactor-momentum",
    ]);
    let states = adafactor["breakdown"]["optimizer_states"].as_u64().unwrap();
    assert!(states > 4_000_000_000, "{states}");
    assert!(states < 4_010_000_000, "{states}");
}

#[test]
fn parameter_offload_keeps_gathered_layer() {
    // DeepSpeed's ZeRO-3 estimator, as printed in the Transformers docs: with weights and
    // optimizer offloaded, a GPU keeps only 4 bytes per parameter of the largest layer.
    let report = plan_json(&[
        "memory",
        "--model",
        "llama-7b",
        "--sharding",
        "zero3",
        "--offload-params",
    ]);
    assert_eq!(gpu_state_bytes(&report), 0);
    assert_eq!(report["breakdown"]["gathered_layer"], 4 * 32_000 * 4096);
    assert_eq!(report["training"]["offload_optimizer"], Value::Bool(true));
}

#[test]
fn parameter_offload_needs_zero3() {
    let error = try_plan(&["memory", "--model", "llama-7b", "--offload-params"]).unwrap_err();
    assert_eq!(error.exit_code(), 2);
    assert!(error.to_string().contains("--sharding zero3 or fsdp"), "{error}");
}
