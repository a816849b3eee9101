//! Named model presets (BERT, RoBERTa, GPT-2, T5, Llama) with the architectures their
//! papers and released configurations give, and an estimated shape for a model known
//! only by its parameter count.

use serde::Serialize;

use super::architecture::{Architecture, Head, Mlp, Norm};

/// A model to plan for: its parameter count and the shape used for activations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSpec {
    /// Preset name, or the count as given.
    pub name: String,
    /// Total parameters.
    pub parameters: f64,
    pub architecture: Architecture,
    pub shape: ShapeSource,
}

/// Source of the shape of a `ModelSpec`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShapeSource {
    /// A named preset; the parameter count follows from it.
    Preset,
    /// Layers, hidden size and heads given by the user.
    Given,
    /// Only a count was given, so the shape is the nearest row of the GPT-3 size table.
    Estimated,
}

/// Every preset name, for help text and error messages.
pub const PRESET_NAMES: &[&str] = &[
    "bert-base",
    "bert-large",
    "bert-base-cased",
    "bert-large-cased",
    "roberta-base",
    "roberta-large",
    "gpt2",
    "gpt2-medium",
    "gpt2-large",
    "gpt2-xl",
    "t5-small",
    "t5-base",
    "t5-large",
    "t5-3b",
    "t5-11b",
    "llama-1b",
    "llama-3b",
    "llama-7b",
    "llama-13b",
    "llama-33b",
    "llama-65b",
    "llama-70b",
];

/// Looks up a preset by name, ignoring case, `_` for `-` and an `-uncased` suffix.
pub fn preset(name: &str) -> Option<ModelSpec> {
    let key = name.trim().to_ascii_lowercase().replace('_', "-");
    let key = key.strip_suffix("-uncased").unwrap_or(&key);
    let canonical = match key {
        "bert" => "bert-base",
        "gpt2-small" | "gpt-2" => "gpt2",
        "llama-3.2-1b" | "llama3.2-1b" => "llama-1b",
        "llama-3.2-3b" | "llama3.2-3b" => "llama-3b",
        "llama-2-7b" | "llama2-7b" => "llama-7b",
        "llama-2-13b" | "llama2-13b" => "llama-13b",
        "llama-2-70b" | "llama2-70b" => "llama-70b",
        "llama-30b" | "llama-1-33b" | "llama1-33b" => "llama-33b",
        "llama-1-65b" | "llama1-65b" => "llama-65b",
        other => other,
    };
    let architecture = preset_architecture(canonical)?;
    Some(ModelSpec {
        name: canonical.to_string(),
        parameters: architecture.parameter_count(),
        architecture,
        shape: ShapeSource::Preset,
    })
}

/// Returns the architecture of a canonical preset name.
fn preset_architecture(name: &str) -> Option<Architecture> {
    let architecture = match name {
        "bert-base" => bert(12, 768, 12, 30_522),
        "bert-large" => bert(24, 1024, 16, 30_522),
        "bert-base-cased" => bert(12, 768, 12, 28_996),
        "bert-large-cased" => bert(24, 1024, 16, 28_996),
        "roberta-base" => roberta(12, 768, 12),
        "roberta-large" => roberta(24, 1024, 16),
        "gpt2" => gpt2(12, 768, 12),
        "gpt2-medium" => gpt2(24, 1024, 16),
        "gpt2-large" => gpt2(36, 1280, 20),
        "gpt2-xl" => gpt2(48, 1600, 25),
        "t5-small" => t5(6, 512, 8, 64, 2048),
        "t5-base" => t5(12, 768, 12, 64, 3072),
        "t5-large" => t5(24, 1024, 16, 64, 4096),
        "t5-3b" => t5(24, 1024, 32, 128, 16_384),
        "t5-11b" => t5(24, 1024, 128, 128, 65_536),
        "llama-1b" => llama(LlamaShape {
            layers: 16,
            hidden: 2048,
            heads: 32,
            kv_heads: 8,
            ffn: 8192,
            vocab: 128_256,
            tied: true,
        }),
        "llama-3b" => llama(LlamaShape {
            layers: 28,
            hidden: 3072,
            heads: 24,
            kv_heads: 8,
            ffn: 8192,
            vocab: 128_256,
            tied: true,
        }),
        "llama-7b" => llama(LlamaShape {
            layers: 32,
            hidden: 4096,
            heads: 32,
            kv_heads: 32,
            ffn: 11_008,
            vocab: 32_000,
            tied: false,
        }),
        "llama-13b" => llama(LlamaShape {
            layers: 40,
            hidden: 5120,
            heads: 40,
            kv_heads: 40,
            ffn: 13_824,
            vocab: 32_000,
            tied: false,
        }),
        "llama-33b" => llama(LlamaShape {
            layers: 60,
            hidden: 6656,
            heads: 52,
            kv_heads: 52,
            ffn: 17_920,
            vocab: 32_000,
            tied: false,
        }),
        "llama-65b" => llama(LlamaShape {
            layers: 80,
            hidden: 8192,
            heads: 64,
            kv_heads: 64,
            ffn: 22_016,
            vocab: 32_000,
            tied: false,
        }),
        "llama-70b" => llama(LlamaShape {
            layers: 80,
            hidden: 8192,
            heads: 64,
            kv_heads: 8,
            ffn: 28_672,
            vocab: 32_000,
            tied: false,
        }),
        _ => return None,
    };
    Some(architecture)
}

/// BERT (Devlin et al. 2019): post-LN encoder with learned positions (512), two
/// token types, an embedding LayerNorm and a pooler; fine-tuned with a classifier head.
fn bert(layers: u32, hidden: u32, heads: u32, vocab: u32) -> Architecture {
    Architecture {
        vocab,
        positions: 512,
        token_types: 2,
        embedding_norm: true,
        final_norm: false,
        pooler: true,
        dropout: true,
        head: Head::Classifier,
        ..Architecture::decoder(layers, hidden, heads)
    }
}

/// RoBERTa (Liu et al. 2019): BERT's shape with a 50,265-token vocabulary, 514
/// position rows and one token type.
fn roberta(layers: u32, hidden: u32, heads: u32) -> Architecture {
    Architecture {
        vocab: 50_265,
        positions: 514,
        token_types: 1,
        ..bert(layers, hidden, heads, 0)
    }
}

/// GPT-2 (Radford et al. 2019): pre-LN decoder, 1,024 learned positions, 50,257
/// tokens, output layer tied to the embeddings.
fn gpt2(layers: u32, hidden: u32, heads: u32) -> Architecture {
    Architecture {
        positions: 1024,
        dropout: true,
        ..Architecture::decoder(layers, hidden, heads)
    }
}

/// T5 v1.0 (Raffel et al. 2020): encoder-decoder without biases, scale-only layer
/// norms, 32 relative-position buckets, ReLU MLP, 32,128 tokens, tied output layer.
fn t5(layers: u32, hidden: u32, heads: u32, head_dim: u32, ffn: u32) -> Architecture {
    Architecture {
        decoder_layers: layers,
        head_dim,
        ffn,
        norm: Norm::RmsNorm,
        vocab: 32_128,
        biases: false,
        relative_buckets: 32,
        dropout: true,
        ..Architecture::decoder(layers, hidden, heads)
    }
}

/// The numbers that tell Llama sizes apart.
struct LlamaShape {
    layers: u32,
    hidden: u32,
    heads: u32,
    kv_heads: u32,
    ffn: u32,
    vocab: u32,
    tied: bool,
}

/// LLaMA and Llama 2 (Touvron et al. 2023) and Llama 3.2 (released configurations):
/// RMSNorm, SwiGLU MLP, rotary positions, no biases, no dropout. The 7B and 13B shapes
/// are the same in LLaMA and Llama 2; 33B and 65B exist only in LLaMA, the base models
/// of the QLoRA paper.
fn llama(shape: LlamaShape) -> Architecture {
    Architecture {
        kv_heads: shape.kv_heads,
        ffn: shape.ffn,
        mlp: Mlp::Gated,
        norm: Norm::RmsNorm,
        vocab: shape.vocab,
        biases: false,
        tied_embeddings: shape.tied,
        ..Architecture::decoder(shape.layers, shape.hidden, shape.heads)
    }
}

/// Rows of the GPT-3 size table (Brown et al. 2020, "Language Models are Few-Shot
/// Learners", table 2.1): parameters, layers, hidden size, heads.
const GPT3_SIZES: &[(f64, u32, u32, u32)] = &[
    (125e6, 12, 768, 12),
    (350e6, 24, 1024, 16),
    (760e6, 24, 1536, 16),
    (1.3e9, 24, 2048, 24),
    (2.7e9, 32, 2560, 32),
    (6.7e9, 32, 4096, 32),
    (13e9, 40, 5140, 40),
    (175e9, 96, 12_288, 96),
];

/// Builds a model known only by its parameter count, shaped like the GPT-3 size whose
/// count is nearest on a log scale. The shape only serves the activation estimate.
pub fn from_count(parameters: f64) -> ModelSpec {
    let distance = |row: &(f64, u32, u32, u32)| (row.0.ln() - parameters.ln()).abs();
    let nearest = GPT3_SIZES
        .iter()
        .min_by(|a, b| distance(a).total_cmp(&distance(b)))
        .copied()
        .unwrap_or(GPT3_SIZES[0]);
    let (_, layers, hidden, heads) = nearest;
    ModelSpec {
        name: super::units::format_count(parameters),
        parameters,
        architecture: Architecture::decoder(layers, hidden, heads),
        shape: ShapeSource::Estimated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(name: &str) -> f64 {
        preset(name)
            .unwrap_or_else(|| panic!("no preset {name}"))
            .parameters
    }

    #[test]
    fn bert_counts_match_published() {
        assert_eq!(count("bert-base"), 109_482_240.0);
        assert_eq!(count("bert-large"), 335_141_888.0);
        assert_eq!(count("bert-base-uncased"), 109_482_240.0);
        assert_eq!(count("bert-base-cased"), 108_310_272.0);
    }

    #[test]
    fn roberta_counts_match_released() {
        assert_eq!(count("roberta-base"), 124_645_632.0);
        assert_eq!(count("roberta-large"), 355_359_744.0);
    }

    #[test]
    fn gpt2_counts_match_released() {
        assert_eq!(count("gpt2"), 124_439_808.0);
        assert_eq!(count("gpt2-medium"), 354_823_168.0);
        assert_eq!(count("gpt2-large"), 774_030_080.0);
        assert_eq!(count("gpt2-xl"), 1_557_611_200.0);
    }

    #[test]
    fn t5_counts_match_released() {
        assert_eq!(count("t5-small"), 60_506_624.0);
        assert_eq!(count("t5-base"), 222_903_552.0);
        assert_eq!(count("t5-large"), 737_668_096.0);
        assert_eq!(count("t5-3b"), 2_851_598_336.0);
        assert_eq!(count("t5-11b"), 11_307_321_344.0);
    }

    #[test]
    fn llama_counts_match_released() {
        assert_eq!(count("llama-1b"), 1_235_814_400.0);
        assert_eq!(count("llama-3b"), 3_212_749_824.0);
        assert_eq!(count("llama-7b"), 6_738_415_616.0);
        assert_eq!(count("llama-13b"), 13_015_864_320.0);
        assert_eq!(count("llama-33b"), 32_528_943_616.0);
        assert_eq!(count("llama-65b"), 65_285_660_672.0);
        assert_eq!(count("llama-70b"), 68_976_648_192.0);
    }

    #[test]
    fn every_listed_name_resolves() {
        for name in PRESET_NAMES {
            assert!(preset(name).is_some(), "{name}");
        }
        assert!(preset("BERT_Base").is_some());
        assert!(preset("resnet-50").is_none());
    }

    #[test]
    fn count_takes_nearest_gpt3_shape() {
        let model = from_count(3e9);
        assert_eq!(model.parameters, 3e9);
        assert_eq!(model.architecture.hidden, 2560);
        assert_eq!(model.shape, ShapeSource::Estimated);
    }
}
