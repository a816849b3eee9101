//! Gradient accumulation: micro-batches per optimizer step for a target effective
//! batch, what it costs in time, and where it differs from a true large batch.

use serde::Serialize;

/// Returns the micro-batches to accumulate per optimizer step for an effective batch of
/// `target_batch`, rounding up when `micro_batch` does not divide it.
pub fn accumulation_steps(target_batch: f64, micro_batch: f64) -> u64 {
    (target_batch / micro_batch).ceil() as u64
}

/// A target effective batch reached by accumulation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AccumulationRequest {
    /// Examples per optimizer step wanted, over all GPUs.
    pub target_batch: u32,
    /// Examples per forward and backward pass on one GPU.
    pub micro_batch: u32,
    /// Data-parallel GPUs.
    pub gpus: u32,
    /// Seconds for one forward and backward pass of a micro-batch, if measured.
    pub micro_step_seconds: Option<f64>,
    /// Whether the model normalizes with BatchNorm.
    pub batchnorm: bool,
}

/// How to reach the target batch by accumulation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AccumulationPlan {
    pub target_batch: u32,
    pub micro_batch: u32,
    pub gpus: u32,
    /// Micro-batches each GPU runs before one optimizer step.
    pub steps: u32,
    /// Examples per optimizer step as run: steps × micro-batch × GPUs.
    pub effective_batch: u32,
    /// Whether `effective_batch` equals `target_batch`.
    pub exact: bool,
    /// Seconds per optimizer step: `steps` sequential passes, when the pass time is known.
    pub seconds_per_optimizer_step: Option<f64>,
    /// Whether BatchNorm statistics cover only a micro-batch, so results differ from a
    /// true batch of `effective_batch` (SyncBatchNorm, GroupNorm or LayerNorm avoid it).
    pub batchnorm_caveat: bool,
    /// Examples over which BatchNorm computes its statistics: one micro-batch on one GPU.
    pub normalization_batch: u32,
}

/// Plans accumulation for a target effective batch.
pub fn plan_accumulation(request: &AccumulationRequest) -> AccumulationPlan {
    let per_pass = request.micro_batch.max(1) * request.gpus.max(1);
    let steps = request.target_batch.div_ceil(per_pass).max(1);
    let effective_batch = steps * per_pass;
    AccumulationPlan {
        target_batch: request.target_batch,
        micro_batch: request.micro_batch,
        gpus: request.gpus,
        steps,
        effective_batch,
        exact: effective_batch == request.target_batch,
        seconds_per_optimizer_step: request
            .micro_step_seconds
            .map(|seconds| seconds * f64::from(steps)),
        batchnorm_caveat: request.batchnorm && request.micro_batch < effective_batch,
        normalization_batch: request.micro_batch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target_batch: u32, micro_batch: u32, gpus: u32) -> AccumulationRequest {
        AccumulationRequest {
            target_batch,
            micro_batch,
            gpus,
            micro_step_seconds: None,
            batchnorm: false,
        }
    }

    #[test]
    fn accumulation_512_over_64() {
        assert_eq!(accumulation_steps(512.0, 64.0), 8);
        assert_eq!(accumulation_steps(500.0, 64.0), 8);
        let plan = plan_accumulation(&request(512, 64, 1));
        assert_eq!(plan.steps, 8);
        assert!(plan.exact);
    }

    #[test]
    fn gpus_share_the_steps() {
        let plan = plan_accumulation(&request(512, 16, 4));
        assert_eq!(plan.steps, 8);
        assert_eq!(plan.effective_batch, 512);
    }

    #[test]
    fn uneven_target_rounds_up() {
        let plan = plan_accumulation(&request(500, 64, 1));
        assert_eq!(plan.steps, 8);
        assert_eq!(plan.effective_batch, 512);
        assert!(!plan.exact);
    }

    #[test]
    fn time_and_batchnorm() {
        let plan = plan_accumulation(&AccumulationRequest {
            micro_step_seconds: Some(0.25),
            batchnorm: true,
            ..request(512, 64, 1)
        });
        assert_eq!(plan.seconds_per_optimizer_step, Some(2.0));
        assert!(plan.batchnorm_caveat);
        assert_eq!(plan.normalization_batch, 64);
    }
}
