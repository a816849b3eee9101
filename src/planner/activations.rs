//! Activation memory of a transformer for one micro-batch, with or without
//! recomputation (gradient checkpointing).
//!
//! Source: Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
//! Transformer Models". With 16-bit activations, a layer stores
//! `s·b·h·(34 + 5·a·s/h)` bytes for sequence length s, micro-batch b, hidden size h
//! and a heads. The 34 is 16 values per token in 16 bits (attention 5h, MLP 9h, the
//! two layer-norm inputs 2h) plus two 1-byte dropout masks. The `5·a·s²·b` term is
//! the softmax output, its dropout mask and the dropout output. Here the same count
//! is taken per stored tensor, so that it also covers fp32 activations, models without
//! dropout, grouped-query attention, an MLP width other than 4h and gated MLPs.
//! Selective recomputation drops the `a·s²` term, and so does
//! FlashAttention, which keeps only a row statistic per head and token. Full
//! recomputation stores each layer's input and rebuilds one layer at a time.

use serde::Serialize;

use super::architecture::{Architecture, Head, Mlp};
use super::precision::Precision;

/// How much of each layer's activations is recomputed in the backward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recompute {
    /// Every activation is stored.
    None,
    /// The attention softmax and dropout are recomputed (Korthikanti et al. 2022).
    Selective,
    /// Only each layer's input is stored (gradient checkpointing of every layer).
    Full,
}

impl Recompute {
    /// Returns the name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Recompute::None => "no recomputation",
            Recompute::Selective => "selective recomputation",
            Recompute::Full => "full activation checkpointing",
        }
    }
}

/// The choices that decide activation memory.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ActivationSetup {
    /// Tokens per sequence.
    pub seq_len: u32,
    /// Sequences per micro-batch on one GPU.
    pub micro_batch: u32,
    pub precision: Precision,
    pub recompute: Recompute,
    /// Whether attention runs as a fused FlashAttention kernel.
    pub flash_attention: bool,
}

/// Computes the activation bytes one GPU stores for a micro-batch.
pub fn activation_bytes(architecture: &Architecture, setup: &ActivationSetup) -> f64 {
    let layers = f64::from(architecture.layers) + f64::from(architecture.decoder_layers);
    let encoder_layer = layer_bytes(architecture, setup, false);
    let decoder_layer = layer_bytes(architecture, setup, true);
    let tokens = tokens(setup);

    let stored_layers = match setup.recompute {
        Recompute::None | Recompute::Selective => {
            f64::from(architecture.layers) * encoder_layer
                + f64::from(architecture.decoder_layers) * decoder_layer
        }
        Recompute::Full => {
            layers * tokens * f64::from(architecture.hidden) * setup.precision.activation_bytes()
                + recomputed_layer_bytes(architecture, setup)
        }
    };
    stored_layers + embedding_and_head_bytes(architecture, setup)
}

/// Returns the bytes of the one layer that full recomputation rebuilds at a time,
/// which stores all its activations, attention scores included.
fn recomputed_layer_bytes(architecture: &Architecture, setup: &ActivationSetup) -> f64 {
    let stored = ActivationSetup {
        recompute: Recompute::None,
        ..*setup
    };
    layer_bytes(architecture, &stored, architecture.decoder_layers > 0)
}

/// Returns the tokens in one micro-batch.
fn tokens(setup: &ActivationSetup) -> f64 {
    f64::from(setup.seq_len) * f64::from(setup.micro_batch)
}

/// Returns the bytes one layer stores without recomputation of its inner tensors;
/// a decoder layer of an encoder-decoder adds a cross-attention block.
fn layer_bytes(architecture: &Architecture, setup: &ActivationSetup, cross_attention: bool) -> f64 {
    let element = setup.precision.activation_bytes();
    let hidden = f64::from(architecture.hidden);
    let (query, kv) = (architecture.query_width(), architecture.kv_width());
    let ffn = f64::from(architecture.ffn);
    let mask = if architecture.dropout { 1.0 } else { 0.0 };

    // Per token: the projection input, Q, K, V and the output-projection input, then
    // a dropout mask after the output projection.
    let attention = element * (hidden + 2.0 * query + 2.0 * kv) + mask * hidden;
    // Per token: the MLP input, the activation input(s) and the down-projection input.
    let mlp_values = match architecture.mlp {
        Mlp::Plain => hidden + 2.0 * ffn,
        Mlp::Gated => hidden + 3.0 * ffn,
    };
    let mlp = element * mlp_values + mask * hidden;
    let norms = element * 2.0 * hidden;
    let blocks = if cross_attention { 2.0 } else { 1.0 };
    let cross_norm = if cross_attention {
        element * hidden
    } else {
        0.0
    };

    let per_token = blocks * attention + mlp + norms + cross_norm;
    tokens(setup) * per_token + blocks * attention_score_bytes(architecture, setup)
}

/// Returns the bytes of one attention block's score tensors: softmax output, dropout
/// mask and dropout output per head and token pair, or FlashAttention's fp32
/// log-sum-exp per head and token.
fn attention_score_bytes(architecture: &Architecture, setup: &ActivationSetup) -> f64 {
    let heads = f64::from(architecture.heads);
    let seq_len = f64::from(setup.seq_len);
    let batch = f64::from(setup.micro_batch);
    if setup.flash_attention {
        return 4.0 * heads * seq_len * batch;
    }
    if setup.recompute != Recompute::None {
        return 0.0;
    }
    let element = setup.precision.activation_bytes();
    let per_pair = if architecture.dropout {
        2.0 * element + 1.0
    } else {
        element
    };
    per_pair * heads * seq_len * seq_len * batch
}

/// Returns the bytes outside the layers: the embedding dropout mask, and for a
/// language-model head the final-norm and output-layer inputs plus fp32 logits,
/// `4·s·b·h·(1 + v/h)` in 16 bits (Korthikanti et al. 2022, on the input and
/// output layers).
fn embedding_and_head_bytes(architecture: &Architecture, setup: &ActivationSetup) -> f64 {
    let hidden = f64::from(architecture.hidden);
    let mask = if architecture.dropout { hidden } else { 0.0 };
    let head = match architecture.head {
        Head::LanguageModel => {
            2.0 * setup.precision.activation_bytes() * hidden + 4.0 * f64::from(architecture.vocab)
        }
        Head::Classifier => 0.0,
    };
    tokens(setup) * (mask + head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(seq_len: u32, micro_batch: u32, recompute: Recompute) -> ActivationSetup {
        ActivationSetup {
            seq_len,
            micro_batch,
            precision: Precision::Mixed,
            recompute,
            flash_attention: false,
        }
    }

    /// Builds a GPT-style layer stack with dropout and a classifier head, which stores no logits.
    fn gpt_layers(layers: u32, hidden: u32, heads: u32) -> Architecture {
        Architecture {
            dropout: true,
            head: Head::Classifier,
            ..Architecture::decoder(layers, hidden, heads)
        }
    }

    #[test]
    fn layer_matches_korthikanti_formula() {
        let architecture = Architecture {
            dropout: false,
            ..gpt_layers(1, 1024, 16)
        };
        let with_dropout = gpt_layers(1, 1024, 16);
        let (s, b, h, a) = (2048.0, 4.0, 1024.0, 16.0);
        let expected = s * b * h * (34.0 + 5.0 * a * s / h);
        let bytes = activation_bytes(&with_dropout, &setup(2048, 4, Recompute::None));
        // The embedding dropout mask adds s·b·h bytes outside the layer.
        assert_eq!(bytes, expected + s * b * h);
        assert!(activation_bytes(&architecture, &setup(2048, 4, Recompute::None)) < expected);
    }

    #[test]
    fn selective_recompute_leaves_34_sbh() {
        let architecture = gpt_layers(24, 2048, 16);
        let (s, b, h) = (1024.0, 2.0, 2048.0);
        let bytes = activation_bytes(&architecture, &setup(1024, 2, Recompute::Selective));
        assert_eq!(bytes, 24.0 * s * b * h * 34.0 + s * b * h);
    }

    #[test]
    fn full_recompute_stores_layer_inputs() {
        let architecture = gpt_layers(24, 2048, 16);
        let none = activation_bytes(&architecture, &setup(1024, 2, Recompute::None));
        let full = activation_bytes(&architecture, &setup(1024, 2, Recompute::Full));
        let (s, b, h) = (1024.0, 2.0, 2048.0);
        assert_eq!(
            full,
            24.0 * 2.0 * s * b * h + none / 24.0 - s * b * h / 24.0 + s * b * h
        );
    }

    #[test]
    fn fp32_doubles_values_not_masks() {
        let architecture = Architecture {
            dropout: false,
            ..gpt_layers(2, 512, 8)
        };
        let half = activation_bytes(&architecture, &setup(128, 1, Recompute::None));
        let full = activation_bytes(
            &architecture,
            &ActivationSetup {
                precision: Precision::Fp32,
                ..setup(128, 1, Recompute::None)
            },
        );
        assert_eq!(full, 2.0 * half);
    }

    #[test]
    fn lm_head_stores_fp32_logits() {
        let architecture = Architecture {
            head: Head::LanguageModel,
            ..gpt_layers(1, 768, 12)
        };
        let classifier = gpt_layers(1, 768, 12);
        let extra = activation_bytes(&architecture, &setup(512, 1, Recompute::None))
            - activation_bytes(&classifier, &setup(512, 1, Recompute::None));
        assert_eq!(extra, 512.0 * (4.0 * 768.0 + 4.0 * 50_257.0));
    }
}
