//! Learning-rate scaling for a change of batch size: the linear rule with gradual
//! warmup for SGD, the square-root rule for adaptive optimizers, and the global batch
//! under data parallelism.

use serde::Serialize;

use super::precision::Optimizer;

/// Reference learning rate of the linear rule: 0.1 for a batch of 256 (Goyal et al.
/// 2017, "Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour").
pub const REFERENCE_LR: f64 = 0.1;

/// Batch size at which `REFERENCE_LR` applies.
pub const REFERENCE_BATCH: f64 = 256.0;

/// Epochs of gradual warmup, from the small-batch LR up to the scaled LR (Goyal et al.
/// 2017).
pub const WARMUP_EPOCHS: f64 = 5.0;

/// Largest batch at which Goyal et al. 2017 found that the linear rule kept ResNet-50
/// accuracy on ImageNet (8k; larger batches lost accuracy).
pub const LINEAR_RULE_VALIDATED_UP_TO: f64 = 8192.0;

/// How the learning rate follows the batch size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScalingRule {
    /// Multiply the LR by the batch ratio (Goyal et al. 2017), with gradual warmup.
    Linear,
    /// Multiply the LR by the square root of the batch ratio, the usual starting point
    /// for Adam-type optimizers (Hoffer et al. 2017; Malladi et al. 2022, "On the SDEs
    /// and Scaling Rules for Adaptive Gradient Algorithms").
    SquareRoot,
}

impl ScalingRule {
    /// Returns the rule's usual choice for `optimizer`: square root for adaptive
    /// optimizers, linear otherwise (and when the optimizer is unknown).
    pub fn for_optimizer(optimizer: Option<Optimizer>) -> Self {
        match optimizer {
            Some(optimizer) if optimizer.is_adaptive() => ScalingRule::SquareRoot,
            _ => ScalingRule::Linear,
        }
    }

    /// Returns the name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            ScalingRule::Linear => "linear",
            ScalingRule::SquareRoot => "square root",
        }
    }
}

/// Returns the factor by which the learning rate changes when the batch goes from
/// `old_batch` to `new_batch`.
pub fn lr_multiplier(old_batch: f64, new_batch: f64, rule: ScalingRule) -> f64 {
    let ratio = new_batch / old_batch;
    match rule {
        ScalingRule::Linear => ratio,
        ScalingRule::SquareRoot => ratio.sqrt(),
    }
}

/// Returns the global batch of one optimizer step: examples per device per pass ×
/// devices × accumulated passes.
pub fn global_batch(per_device_batch: u32, devices: u32, accumulation_steps: u32) -> u64 {
    u64::from(per_device_batch) * u64::from(devices) * u64::from(accumulation_steps)
}

/// A batch-size change to plan the learning rate for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LrRequest {
    /// Global batch the current LR was tuned for.
    pub old_batch: f64,
    /// Global batch to train with.
    pub new_batch: f64,
    /// The LR tuned for `old_batch`, if known.
    pub base_lr: Option<f64>,
    pub rule: ScalingRule,
    /// Training examples per epoch, to give warmup and schedules in steps.
    pub dataset_size: Option<f64>,
}

/// The learning rate for a new batch size, with warmup and schedule changes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LrPlan {
    pub old_batch: f64,
    pub new_batch: f64,
    pub rule: ScalingRule,
    /// Factor under `rule`.
    pub multiplier: f64,
    /// Factor under the linear rule.
    pub linear_multiplier: f64,
    /// Factor under the square-root rule.
    pub square_root_multiplier: f64,
    pub base_lr: Option<f64>,
    /// `base_lr × multiplier`.
    pub new_lr: Option<f64>,
    /// Gradual warmup, needed when the LR grows.
    pub warmup: Option<Warmup>,
    /// Factor for schedule milestones counted in steps (decay steps, total steps):
    /// old_batch / new_batch, since an epoch has that many times as many steps.
    pub step_milestone_factor: f64,
    /// Optimizer steps per epoch before and after, when the dataset size is known.
    pub steps_per_epoch: Option<(f64, f64)>,
    /// Whether the linear rule is applied beyond the batch where it was validated.
    pub beyond_validated_batch: bool,
}

/// Gradual warmup from the old LR to the new one (Goyal et al. 2017).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Warmup {
    pub epochs: f64,
    /// Warmup length in optimizer steps at the new batch, when the dataset size is known.
    pub steps: Option<f64>,
}

/// Plans the learning rate for a batch-size change.
pub fn plan_lr(request: &LrRequest) -> LrPlan {
    let multiplier = lr_multiplier(request.old_batch, request.new_batch, request.rule);
    let steps_per_epoch = request.dataset_size.map(|examples| {
        (
            (examples / request.old_batch).ceil(),
            (examples / request.new_batch).ceil(),
        )
    });
    let warmup = (multiplier > 1.0).then(|| Warmup {
        epochs: WARMUP_EPOCHS,
        steps: steps_per_epoch.map(|(_, new_steps)| WARMUP_EPOCHS * new_steps),
    });
    LrPlan {
        old_batch: request.old_batch,
        new_batch: request.new_batch,
        rule: request.rule,
        multiplier,
        linear_multiplier: lr_multiplier(request.old_batch, request.new_batch, ScalingRule::Linear),
        square_root_multiplier: lr_multiplier(
            request.old_batch,
            request.new_batch,
            ScalingRule::SquareRoot,
        ),
        base_lr: request.base_lr,
        new_lr: request.base_lr.map(|lr| lr * multiplier),
        warmup,
        step_milestone_factor: request.old_batch / request.new_batch,
        steps_per_epoch,
        beyond_validated_batch: request.rule == ScalingRule::Linear
            && request.new_batch > LINEAR_RULE_VALIDATED_UP_TO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(
        old_batch: f64,
        new_batch: f64,
        base_lr: Option<f64>,
        rule: ScalingRule,
    ) -> LrRequest {
        LrRequest {
            old_batch,
            new_batch,
            base_lr,
            rule,
            dataset_size: None,
        }
    }

    #[test]
    fn batch_64_to_256() {
        assert_eq!(lr_multiplier(64.0, 256.0, ScalingRule::Linear), 4.0);
        assert_eq!(lr_multiplier(64.0, 256.0, ScalingRule::SquareRoot), 2.0);
    }

    #[test]
    fn goyal_batch_8192_gives_3_2() {
        let plan = plan_lr(&request(
            REFERENCE_BATCH,
            8192.0,
            Some(REFERENCE_LR),
            ScalingRule::Linear,
        ));
        assert_eq!(plan.multiplier, 32.0);
        assert!((plan.new_lr.unwrap() - 3.2).abs() < 1e-12);
        assert!(!plan.beyond_validated_batch);
        assert_eq!(plan.warmup.unwrap().epochs, 5.0);
    }

    #[test]
    fn warmup_steps_from_dataset_size() {
        let imagenet = LrRequest {
            dataset_size: Some(1_281_167.0),
            ..request(256.0, 8192.0, None, ScalingRule::Linear)
        };
        let plan = plan_lr(&imagenet);
        assert_eq!(plan.steps_per_epoch, Some((5005.0, 157.0)));
        assert_eq!(plan.warmup.unwrap().steps, Some(785.0));
    }

    #[test]
    fn smaller_batch_needs_no_warmup() {
        let plan = plan_lr(&request(256.0, 64.0, Some(0.1), ScalingRule::Linear));
        assert_eq!(plan.multiplier, 0.25);
        assert!(plan.warmup.is_none());
        assert_eq!(plan.step_milestone_factor, 4.0);
    }

    #[test]
    fn rule_follows_optimizer() {
        assert_eq!(
            ScalingRule::for_optimizer(Some(Optimizer::AdamW)),
            ScalingRule::SquareRoot
        );
        assert_eq!(
            ScalingRule::for_optimizer(Some(Optimizer::Momentum)),
            ScalingRule::Linear
        );
        assert_eq!(ScalingRule::for_optimizer(None), ScalingRule::Linear);
    }

    #[test]
    fn global_batch_multiplies_out() {
        assert_eq!(global_batch(32, 8, 2), 512);
    }
}
