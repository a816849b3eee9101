//! Memory of model states (weights, gradients, optimizer states) for full training.

/// Bytes in a decimal gigabyte.
pub const BYTES_PER_GB: f64 = 1e9;

/// Numeric precision of training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// Everything in fp32.
    Fp32,
    /// fp16 or bf16 weights and gradients with fp32 master weights.
    Mixed,
}

impl Precision {
    /// Parses `fp32`, `mixed`, `fp16` or `bf16` (both mixed precision).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "fp32" | "float32" => Some(Precision::Fp32),
            "mixed" | "fp16" | "bf16" | "amp" => Some(Precision::Mixed),
            _ => None,
        }
    }

    /// Bytes per parameter for weights, gradients and optimizer states together.
    ///
    /// fp32: 4 (weights) + 4 (gradients) + optimizer states in fp32.
    /// Mixed: 2 (fp16 weights) + 2 (fp16 gradients) + 4 (fp32 master weights) +
    /// optimizer states in fp32; with Adam that is 16 (Rajbhandari et al. 2020,
    /// "ZeRO", section 3.1).
    pub fn model_state_bytes_per_param(self, optimizer: Optimizer) -> f64 {
        let states = optimizer.state_bytes_per_param();
        match self {
            Precision::Fp32 => 4.0 + 4.0 + states,
            Precision::Mixed => 2.0 + 2.0 + 4.0 + states,
        }
    }
}

/// Optimizer, by the fp32 state it keeps per parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Optimizer {
    Sgd,
    Momentum,
    AdamW,
}

impl Optimizer {
    /// Parses an optimizer name (`sgd`, `momentum`, `adam`, `adamw`).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "sgd" => Some(Optimizer::Sgd),
            "momentum" | "sgd-momentum" => Some(Optimizer::Momentum),
            "adam" | "adamw" => Some(Optimizer::AdamW),
            _ => None,
        }
    }

    /// Returns the name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Optimizer::Sgd => "SGD",
            Optimizer::Momentum => "SGD-momentum",
            Optimizer::AdamW => "AdamW",
        }
    }

    /// fp32 optimizer-state bytes per parameter: none for SGD, one buffer for momentum,
    /// two moments for Adam.
    fn state_bytes_per_param(self) -> f64 {
        match self {
            Optimizer::Sgd => 0.0,
            Optimizer::Momentum => 4.0,
            Optimizer::AdamW => 8.0,
        }
    }
}

/// Returns the bytes of weights, gradients and optimizer states for `params` parameters.
pub fn model_state_bytes(params: f64, precision: Precision, optimizer: Optimizer) -> f64 {
    params * precision.model_state_bytes_per_param(optimizer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_billion_adamw_is_48_gb() {
        for precision in [Precision::Fp32, Precision::Mixed] {
            let bytes = model_state_bytes(3.0e9, precision, Optimizer::AdamW);
            assert_eq!(bytes / BYTES_PER_GB, 48.0);
        }
    }
}
