//! Numeric precision and optimizers, as the bytes they keep per parameter and per
//! activation element.
//!
//! Mixed precision follows the accounting of Rajbhandari et al. 2020, "ZeRO: Memory
//! Optimizations Toward Training Trillion Parameter Models", section 3.1: 16-bit
//! weights and gradients, plus an fp32 master copy of the weights and fp32 optimizer
//! states, so that Adam costs 2 + 2 + 12 = 16 bytes per parameter, as in DeepSpeed and
//! Megatron-LM. PyTorch AMP (`torch.autocast`) keeps fp32 weights and gradients
//! instead, and the 16-bit copies of the weights that autocast caches in the forward
//! pass stay alive for the backward pass, so Adam costs 4 + 2 + 4 + 8 = 18 bytes per
//! parameter, the figure of the Transformers docs ("Anatomy of Model's Memory").

use serde::Serialize;

/// Numeric precision of training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    /// Everything in fp32.
    Fp32,
    /// fp16 or bf16 weights, gradients and activations with fp32 master weights and
    /// fp32 optimizer states (`--fp16` or `--bf16` in most trainers).
    Mixed,
    /// PyTorch automatic mixed precision: fp32 weights, gradients and optimizer states,
    /// 16-bit activations, and a 16-bit copy of each weight cached by `torch.autocast`.
    Amp,
    /// Weights, gradients, optimizer states and activations all in bf16, with no fp32 copy.
    PureBf16,
}

impl Precision {
    /// Parses `fp32`, `mixed` (also `fp16`, `bf16`, `fp16-mixed`, `bf16-mixed`), `amp`
    /// (also `autocast`, `torch-amp`) or `pure-bf16` (also `bf16-true`, `bf16-pure`).
    /// Plain `bf16` and `fp16` mean mixed precision as DeepSpeed counts it. The
    /// Trainer's `--bf16` without DeepSpeed runs PyTorch autocast, which is `amp`.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "fp32" | "float32" | "32" => Some(Precision::Fp32),
            "mixed" | "fp16" | "bf16" | "fp16-mixed" | "bf16-mixed" | "16-mixed" => {
                Some(Precision::Mixed)
            }
            "amp" | "autocast" | "torch-amp" => Some(Precision::Amp),
            "pure-bf16" | "bf16-true" | "bf16-pure" => Some(Precision::PureBf16),
            _ => None,
        }
    }

    /// Returns the name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Fp32 => "fp32",
            Precision::Mixed => "mixed precision",
            Precision::Amp => "PyTorch AMP",
            Precision::PureBf16 => "pure bf16",
        }
    }

    /// Bytes of one weight as training stores it, with AMP's cached 16-bit copy.
    pub fn weight_bytes(self) -> f64 {
        match self {
            Precision::Fp32 => 4.0,
            Precision::Mixed | Precision::PureBf16 => 2.0,
            Precision::Amp => 4.0 + 2.0,
        }
    }

    /// Bytes of one gradient element.
    pub fn gradient_bytes(self) -> f64 {
        match self {
            Precision::Fp32 | Precision::Amp => 4.0,
            Precision::Mixed | Precision::PureBf16 => 2.0,
        }
    }

    /// Bytes of the fp32 master copy of one weight (mixed precision only).
    pub fn master_weight_bytes(self) -> f64 {
        match self {
            Precision::Mixed => 4.0,
            Precision::Fp32 | Precision::Amp | Precision::PureBf16 => 0.0,
        }
    }

    /// Bytes of one stored activation element.
    pub fn activation_bytes(self) -> f64 {
        match self {
            Precision::Fp32 => 4.0,
            Precision::Mixed | Precision::Amp | Precision::PureBf16 => 2.0,
        }
    }

    /// Bytes of one full-precision optimizer-state element.
    fn state_element_bytes(self) -> f64 {
        match self {
            Precision::Fp32 | Precision::Mixed | Precision::Amp => 4.0,
            Precision::PureBf16 => 2.0,
        }
    }

    /// Bytes per parameter for weights, gradients, master weights and optimizer states
    /// together, for a model of hidden size `hidden` (which only Adafactor needs).
    pub fn model_state_bytes_per_param(self, optimizer: Optimizer, hidden: f64) -> f64 {
        self.weight_bytes()
            + self.gradient_bytes()
            + self.master_weight_bytes()
            + optimizer.state_bytes_per_param(self, hidden)
    }
}

/// Optimizer, by the state it keeps per parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Optimizer {
    /// Plain SGD: no state.
    Sgd,
    /// SGD with momentum: one buffer.
    Momentum,
    /// Adam or AdamW: first and second moments.
    #[serde(rename = "adamw")]
    AdamW,
    /// Adam with both moments stored in 8 bits, block-wise quantized (Dettmers et al.
    /// 2022, "8-bit Optimizers via Block-wise Quantization").
    #[serde(rename = "adam8bit")]
    Adam8bit,
    /// Adafactor without momentum: a factored second moment of one row and one column
    /// vector per weight matrix (Shazeer and Stern 2018). This is the default of
    /// `transformers.optimization.Adafactor` (`beta1=None`) and what
    /// `torch.optim.Adafactor` (PyTorch 2.5) implements.
    Adafactor,
    /// Adafactor with a first moment (`beta1` set), which adds one full-size buffer to
    /// the factored second moment.
    #[serde(rename = "adafactor-momentum")]
    AdafactorMomentum,
}

impl Optimizer {
    /// Parses an optimizer name: `sgd`, `momentum`, `adam`, `adamw`, `adam8bit` (also
    /// `adamw-8bit`, `8bit-adam`), `adafactor` or `adafactor-momentum`.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "sgd" => Some(Optimizer::Sgd),
            "momentum" | "sgd-momentum" => Some(Optimizer::Momentum),
            "adam" | "adamw" => Some(Optimizer::AdamW),
            "adam8bit" | "adamw8bit" | "adam-8bit" | "adamw-8bit" | "8bit-adam" | "8bit-adamw" => {
                Some(Optimizer::Adam8bit)
            }
            "adafactor" => Some(Optimizer::Adafactor),
            "adafactor-momentum" | "adafactor-beta1" => Some(Optimizer::AdafactorMomentum),
            _ => None,
        }
    }

    /// Returns the name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Optimizer::Sgd => "SGD",
            Optimizer::Momentum => "SGD with momentum",
            Optimizer::AdamW => "AdamW",
            Optimizer::Adam8bit => "8-bit AdamW",
            Optimizer::Adafactor => "Adafactor",
            Optimizer::AdafactorMomentum => "Adafactor with momentum",
        }
    }

    /// Returns whether the optimizer adapts a per-parameter step size, which makes the
    /// square-root learning-rate rule its usual starting point.
    pub fn is_adaptive(self) -> bool {
        matches!(
            self,
            Optimizer::AdamW
                | Optimizer::Adam8bit
                | Optimizer::Adafactor
                | Optimizer::AdafactorMomentum
        )
    }

    /// Optimizer-state bytes per parameter under `precision`, for a model of hidden
    /// size `hidden`.
    pub fn state_bytes_per_param(self, precision: Precision, hidden: f64) -> f64 {
        let element = precision.state_element_bytes();
        match self {
            Optimizer::Sgd => 0.0,
            Optimizer::Momentum => element,
            Optimizer::AdamW => 2.0 * element,
            // Two 1-byte moments; the fp32 scale of each 2,048-element block adds 0.004.
            Optimizer::Adam8bit => 2.0 + 2.0 * 4.0 / 2048.0,
            // A hidden × hidden matrix keeps 2 × hidden fp32 values, which is 8 / hidden
            // bytes per parameter. Wider MLP matrices keep less, so this is an upper estimate.
            Optimizer::Adafactor => 8.0 / hidden.max(1.0),
            Optimizer::AdafactorMomentum => element + 8.0 / hidden.max(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adam_is_16_bytes_in_fp32_and_mixed() {
        assert_eq!(
            Precision::Fp32.model_state_bytes_per_param(Optimizer::AdamW, 768.0),
            16.0
        );
        assert_eq!(
            Precision::Mixed.model_state_bytes_per_param(Optimizer::AdamW, 768.0),
            16.0
        );
    }

    #[test]
    fn amp_adam_is_18_bytes() {
        assert_eq!(
            Precision::Amp.model_state_bytes_per_param(Optimizer::AdamW, 768.0),
            18.0
        );
        assert_eq!(Precision::Amp.activation_bytes(), 2.0);
    }

    #[test]
    fn pure_bf16_adam_is_8_bytes() {
        assert_eq!(
            Precision::PureBf16.model_state_bytes_per_param(Optimizer::AdamW, 768.0),
            8.0
        );
    }

    #[test]
    fn sgd_and_momentum_bytes() {
        assert_eq!(
            Precision::Fp32.model_state_bytes_per_param(Optimizer::Sgd, 768.0),
            8.0
        );
        assert_eq!(
            Precision::Mixed.model_state_bytes_per_param(Optimizer::Sgd, 768.0),
            8.0
        );
        assert_eq!(
            Precision::Mixed.model_state_bytes_per_param(Optimizer::Momentum, 768.0),
            12.0
        );
    }

    #[test]
    fn eight_bit_adam_saves_six_bytes() {
        let bytes = Precision::Mixed.model_state_bytes_per_param(Optimizer::Adam8bit, 768.0);
        assert!((bytes - 10.0).abs() < 0.01, "{bytes}");
    }

    #[test]
    fn adafactor_momentum_adds_one_buffer() {
        let factored = Optimizer::Adafactor.state_bytes_per_param(Precision::Mixed, 1024.0);
        let with_momentum =
            Optimizer::AdafactorMomentum.state_bytes_per_param(Precision::Mixed, 1024.0);
        assert_eq!(factored, 8.0 / 1024.0);
        assert_eq!(with_momentum, 4.0 + 8.0 / 1024.0);
    }

    #[test]
    fn names_parse() {
        assert_eq!(Precision::parse("bf16"), Some(Precision::Mixed));
        assert_eq!(Precision::parse("bf16-true"), Some(Precision::PureBf16));
        assert_eq!(Precision::parse("amp"), Some(Precision::Amp));
        assert_eq!(Optimizer::parse("AdamW_8bit"), Some(Optimizer::Adam8bit));
        assert_eq!(
            Optimizer::parse("adafactor_momentum"),
            Some(Optimizer::AdafactorMomentum)
        );
        assert_eq!(Optimizer::parse("lion"), None);
    }
}
