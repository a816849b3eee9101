//! Learning-rate scaling for a change of batch size.

/// How the learning rate follows the batch size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalingRule {
    /// Multiply the LR by the batch ratio (Goyal et al. 2017, "Accurate, Large
    /// Minibatch SGD", section 2.1), with gradual warmup.
    Linear,
    /// Multiply the LR by the square root of the batch ratio, the usual starting
    /// point for Adam-type optimizers (Hoffer et al. 2017; Malladi et al. 2022).
    SquareRoot,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_64_to_256() {
        assert_eq!(lr_multiplier(64.0, 256.0, ScalingRule::Linear), 4.0);
        assert_eq!(lr_multiplier(64.0, 256.0, ScalingRule::SquareRoot), 2.0);
    }
}
