//! Property tests over random plans: activations are linear in the micro-batch and
//! model states do not depend on it, sharding never adds memory, and the largest
//! micro-batch that fits does fit while one more does not.

use proptest::prelude::*;

use super::{
    LoraConfig, LoraTargets, Method, Optimizer, Overhead, PRESET_NAMES, Precision, Recompute,
    Sharding, StateSetup, TrainingPlan, fits, max_micro_batch, model_states, preset,
    training_memory,
};

/// Builds a random training plan on one of the presets.
fn plan_strategy() -> impl Strategy<Value = TrainingPlan> {
    let choices = (
        0..PRESET_NAMES.len(),
        prop::sample::select(vec![
            Precision::Fp32,
            Precision::Mixed,
            Precision::Amp,
            Precision::PureBf16,
        ]),
        prop::sample::select(vec![
            Optimizer::Sgd,
            Optimizer::Momentum,
            Optimizer::AdamW,
            Optimizer::Adam8bit,
            Optimizer::Adafactor,
            Optimizer::AdafactorMomentum,
        ]),
        0..3usize,
        prop::sample::select(vec![Recompute::None, Recompute::Selective, Recompute::Full]),
        any::<bool>(),
        1u32..4096,
        1u32..256,
    );
    choices.prop_map(
        |(
            model,
            precision,
            optimizer,
            method,
            recompute,
            flash_attention,
            seq_len,
            micro_batch,
        )| {
            let lora = LoraConfig {
                rank: 16,
                targets: LoraTargets::AllLinear,
            };
            TrainingPlan {
                model: preset(PRESET_NAMES[model]).expect("listed preset"),
                states: StateSetup {
                    precision,
                    optimizer,
                    method: [Method::Full, Method::Lora(lora), Method::Qlora(lora)][method],
                    sharding: Sharding::None,
                    gpus: 1,
                    offload_optimizer: false,
                    offload_parameters: false,
                },
                seq_len,
                micro_batch,
                recompute,
                flash_attention,
                overhead: Overhead::default(),
            }
        },
    )
}

/// Returns whether two byte counts agree within a relative 1e-9.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #[test]
    fn activations_linear_states_constant(plan in plan_strategy(), factor in 2u32..16) {
        let single = training_memory(&plan.with_micro_batch(1));
        let scaled = training_memory(&plan.with_micro_batch(factor));
        prop_assert!(close(scaled.activations, f64::from(factor) * single.activations), "{} vs {} × {}", scaled.activations, factor, single.activations);
        prop_assert_eq!(scaled.states, single.states);
    }

    #[test]
    fn sharding_never_adds_memory(plan in plan_strategy(), gpus in 1u32..256, offload in any::<bool>(), offload_parameters in any::<bool>()) {
        let stages = [Sharding::None, Sharding::Zero1, Sharding::Zero2, Sharding::Zero3];
        let per_gpu = |sharding: Sharding, gpus: u32| {
            let setup = StateSetup { sharding, gpus, offload_optimizer: offload, offload_parameters, ..plan.states };
            model_states(&plan.model, &setup).gpu_bytes()
        };
        for pair in stages.windows(2) {
            prop_assert!(per_gpu(pair[1], gpus) <= per_gpu(pair[0], gpus));
        }
        for sharding in stages {
            prop_assert!(per_gpu(sharding, gpus + 1) <= per_gpu(sharding, gpus));
            prop_assert!(per_gpu(sharding, gpus) <= per_gpu(Sharding::None, 1));
        }
    }

    #[test]
    fn largest_fitting_batch_is_tight(plan in plan_strategy(), gpu_gb in 1.0f64..200.0) {
        let gpu_memory = gpu_gb * 1e9;
        let largest = max_micro_batch(&plan, gpu_memory);
        if largest == 0 {
            prop_assert!(!fits(&plan.with_micro_batch(1), gpu_memory));
        } else {
            prop_assert!(fits(&plan.with_micro_batch(largest), gpu_memory));
            prop_assert!(!fits(&plan.with_micro_batch(largest + 1), gpu_memory));
        }
    }
}
