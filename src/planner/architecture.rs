//! Transformer architectures by their numbers, and the parameter count that follows
//! from them.
//!
//! The count covers the embeddings, every attention and MLP projection with its bias,
//! the normalization layers, an untied output layer, BERT's pooler and T5's relative
//! position buckets. It reproduces the published totals of BERT, GPT-2, T5 and Llama
//! exactly (see the tests of `presets`).

use serde::Serialize;

/// The feed-forward block of a transformer layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mlp {
    /// Two projections with an activation between them (GELU or ReLU), as in BERT, GPT-2 and T5.
    Plain,
    /// Gate, up and down projections (SwiGLU), as in Llama.
    Gated,
}

/// The normalization layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Norm {
    /// LayerNorm with a scale and a bias (2 × hidden parameters).
    LayerNorm,
    /// RMSNorm with a scale only (hidden parameters).
    RmsNorm,
}

/// The output layer that training computes a loss on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Head {
    /// A language-model head whose logits span the vocabulary.
    LanguageModel,
    /// A small classification head, as in fine-tuning BERT on a labelled task.
    Classifier,
}

/// A transformer by its numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Architecture {
    /// Transformer layers (the encoder's, for an encoder-decoder).
    pub layers: u32,
    /// Decoder layers with cross-attention, for an encoder-decoder such as T5; zero otherwise.
    pub decoder_layers: u32,
    /// Hidden size (d_model).
    pub hidden: u32,
    /// Attention heads.
    pub heads: u32,
    /// Key and value heads; fewer than `heads` under grouped-query attention.
    pub kv_heads: u32,
    /// Size of one attention head.
    pub head_dim: u32,
    /// Inner size of the MLP.
    pub ffn: u32,
    pub mlp: Mlp,
    pub norm: Norm,
    /// Vocabulary size.
    pub vocab: u32,
    /// Learned position embeddings (zero for rotary or relative positions).
    pub positions: u32,
    /// Token-type embeddings (2 in BERT).
    pub token_types: u32,
    /// Whether every linear layer has a bias.
    pub biases: bool,
    /// Whether the embeddings have their own normalization layer (BERT).
    pub embedding_norm: bool,
    /// Whether a normalization layer follows the last layer (GPT-2, Llama, T5).
    pub final_norm: bool,
    /// Whether the output layer shares the input embedding matrix.
    pub tied_embeddings: bool,
    /// Whether the model has BERT's pooler (a hidden × hidden dense layer).
    pub pooler: bool,
    /// Relative-position buckets per head in the first layer of each stack (32 in T5).
    pub relative_buckets: u32,
    /// Whether the model applies dropout in training, which stores a 1-byte mask per element.
    pub dropout: bool,
    pub head: Head,
}

impl Architecture {
    /// Builds a GPT-style decoder (LayerNorm, plain MLP, biases, tied embeddings,
    /// no learned positions) with `ffn = 4 × hidden` and 64-wide heads when unknown.
    pub fn decoder(layers: u32, hidden: u32, heads: u32) -> Self {
        let heads = heads.max(1);
        Architecture {
            layers,
            decoder_layers: 0,
            hidden,
            heads,
            kv_heads: heads,
            head_dim: hidden / heads,
            ffn: 4 * hidden,
            mlp: Mlp::Plain,
            norm: Norm::LayerNorm,
            vocab: 50_257,
            positions: 0,
            token_types: 0,
            biases: true,
            embedding_norm: false,
            final_norm: true,
            tied_embeddings: true,
            pooler: false,
            relative_buckets: 0,
            dropout: false,
            head: Head::LanguageModel,
        }
    }

    /// Returns the total parameter count.
    pub fn parameter_count(&self) -> f64 {
        self.embedding_parameters() + self.block_linear_parameters() + self.other_block_parameters()
    }

    /// Returns the parameters of the linear projections inside the transformer layers:
    /// the weights that LoRA adapts and QLoRA quantizes.
    pub fn block_linear_parameters(&self) -> f64 {
        let stacks = f64::from(self.layers) + f64::from(self.decoder_layers);
        let cross = f64::from(self.decoder_layers) * self.attention_weights();
        stacks * (self.attention_weights() + self.mlp_weights()) + cross
    }

    /// Returns the embedding, output-layer and pooler parameters.
    fn embedding_parameters(&self) -> f64 {
        let hidden = f64::from(self.hidden);
        let rows = f64::from(self.vocab) + f64::from(self.positions) + f64::from(self.token_types);
        let output = if self.tied_embeddings {
            0.0
        } else {
            f64::from(self.vocab) * hidden
        };
        let pooler = if self.pooler {
            hidden * hidden + hidden
        } else {
            0.0
        };
        let norm = if self.embedding_norm {
            self.norm_parameters()
        } else {
            0.0
        };
        rows * hidden + output + pooler + norm
    }

    /// Returns the biases, normalization scales and relative-position tables of all layers.
    fn other_block_parameters(&self) -> f64 {
        let encoder = f64::from(self.layers)
            * (self.attention_biases() + self.mlp_biases() + 2.0 * self.norm_parameters());
        let decoder = f64::from(self.decoder_layers)
            * (2.0 * self.attention_biases() + self.mlp_biases() + 3.0 * self.norm_parameters());
        let stacks = if self.decoder_layers > 0 { 2.0 } else { 1.0 };
        let final_norm = if self.final_norm {
            stacks * self.norm_parameters()
        } else {
            0.0
        };
        let relative = stacks * f64::from(self.relative_buckets) * f64::from(self.heads);
        encoder + decoder + final_norm + relative
    }

    /// Returns the query, key, value and output projection weights of one attention block.
    fn attention_weights(&self) -> f64 {
        let hidden = f64::from(self.hidden);
        2.0 * hidden * self.query_width() + 2.0 * hidden * self.kv_width()
    }

    /// Returns the biases of one attention block (zero without biases).
    fn attention_biases(&self) -> f64 {
        if self.biases {
            self.query_width() + 2.0 * self.kv_width() + f64::from(self.hidden)
        } else {
            0.0
        }
    }

    /// Returns the projection weights of one MLP block.
    fn mlp_weights(&self) -> f64 {
        f64::from(self.hidden) * f64::from(self.ffn) * self.mlp_matrices()
    }

    /// Returns the biases of one MLP block (zero without biases).
    fn mlp_biases(&self) -> f64 {
        if !self.biases {
            return 0.0;
        }
        f64::from(self.ffn) * (self.mlp_matrices() - 1.0) + f64::from(self.hidden)
    }

    /// Returns the parameters of one normalization layer.
    fn norm_parameters(&self) -> f64 {
        match self.norm {
            Norm::LayerNorm => 2.0 * f64::from(self.hidden),
            Norm::RmsNorm => f64::from(self.hidden),
        }
    }

    /// Returns the number of hidden × ffn matrices in one MLP block.
    fn mlp_matrices(&self) -> f64 {
        match self.mlp {
            Mlp::Plain => 2.0,
            Mlp::Gated => 3.0,
        }
    }

    /// Returns the parameters of the largest single weight matrix: the embedding, one
    /// MLP projection or one attention projection. DeepSpeed's ZeRO-3 estimator calls
    /// this the largest layer, because ZeRO-3 gathers one module's full weights at a time.
    pub fn largest_layer_parameters(&self) -> f64 {
        let hidden = f64::from(self.hidden);
        let embedding = f64::from(self.vocab) * hidden;
        let mlp = f64::from(self.ffn) * hidden;
        let attention = self.query_width() * hidden;
        embedding.max(mlp).max(attention)
    }

    /// Returns the width of all query heads together.
    pub fn query_width(&self) -> f64 {
        f64::from(self.heads) * f64::from(self.head_dim)
    }

    /// Returns the width of all key (or value) heads together.
    pub fn kv_width(&self) -> f64 {
        f64::from(self.kv_heads) * f64::from(self.head_dim)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoder_layer_is_12h2_plus_13h() {
        let mut architecture = Architecture::decoder(1, 768, 12);
        architecture.vocab = 0;
        architecture.final_norm = false;
        assert_eq!(
            architecture.parameter_count(),
            12.0 * 768.0 * 768.0 + 13.0 * 768.0
        );
    }

    #[test]
    fn block_linear_parameters_exclude_biases() {
        let architecture = Architecture::decoder(2, 64, 4);
        assert_eq!(
            architecture.block_linear_parameters(),
            2.0 * 12.0 * 64.0 * 64.0
        );
    }

    #[test]
    fn largest_layer_is_embedding_or_mlp() {
        let gpt2 = Architecture::decoder(12, 768, 12);
        assert_eq!(gpt2.largest_layer_parameters(), 50_257.0 * 768.0);
        let wide_mlp = Architecture {
            vocab: 32_128,
            ffn: 65_536,
            ..Architecture::decoder(24, 1024, 128)
        };
        assert_eq!(wide_mlp.largest_layer_parameters(), 65_536.0 * 1024.0);
    }

    #[test]
    fn grouped_query_attention_shrinks_kv() {
        let mut architecture = Architecture::decoder(1, 2048, 32);
        architecture.kv_heads = 8;
        architecture.biases = false;
        // q and o are 2048 × 2048; k and v are 2048 × 512.
        let attention = 2.0 * 2048.0 * 2048.0 + 2.0 * 2048.0 * 512.0;
        let mlp = 2.0 * 2048.0 * 8192.0;
        assert_eq!(architecture.block_linear_parameters(), attention + mlp);
    }
}
