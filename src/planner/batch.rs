//! Recommended batch sizes from the papers that introduced each model family.
//!
//! A recommendation is the batch its authors trained with. The accepted range, which
//! the scorer uses, runs from half the lowest to twice the highest recommended value:
//! a factor of two either way rarely changes results once the learning rate follows
//! the batch.

use serde::Serialize;

/// A recommended batch range and the wider range a scorer accepts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BatchRange {
    pub recommended_low: f64,
    pub recommended_high: f64,
    pub accepted_low: f64,
    pub accepted_high: f64,
}

impl BatchRange {
    /// Builds a range from the recommended values, with the accepted range around them.
    fn recommended(low: f64, high: f64) -> Self {
        BatchRange {
            recommended_low: low,
            recommended_high: high,
            accepted_low: low / 2.0,
            accepted_high: high * 2.0,
        }
    }
}

/// Training task of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Task {
    FineTuning,
    Pretraining,
}

impl Task {
    /// Parses `fine-tuning` (also `finetuning`, `fine-tune`, `finetune`) or
    /// `pretraining` (also `pre-training`).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().replace('_', "-").as_str() {
            "fine-tuning" | "finetuning" | "fine-tune" | "finetune" => Some(Task::FineTuning),
            "pretraining" | "pre-training" | "pretrain" => Some(Task::Pretraining),
            _ => None,
        }
    }

    /// Returns the name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Task::FineTuning => "fine-tuning",
            Task::Pretraining => "pretraining",
        }
    }
}

/// A published batch size for a model family and task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRecommendation {
    pub range: BatchRange,
    /// Source of the recommended values: paper and section.
    pub source: &'static str,
}

/// Returns the published batch size for `model` and `task`, if there is one.
pub fn recommended_batch(model: &str, task: Task) -> Option<BatchRecommendation> {
    let model = model.to_ascii_lowercase();
    let family = ["bert", "roberta", "t5"]
        .into_iter()
        .find(|family| model.starts_with(family))?;
    let (range, source) = match (family, task) {
        ("bert", Task::FineTuning) => (
            BatchRange::recommended(16.0, 32.0),
            "Devlin et al. 2019, \"BERT\", appendix A.3: batch 16 or 32",
        ),
        ("roberta", Task::FineTuning) => (
            BatchRange::recommended(16.0, 32.0),
            "Liu et al. 2019, \"RoBERTa\", GLUE fine-tuning: batch 16 or 32",
        ),
        ("bert", Task::Pretraining) => (
            BatchRange::recommended(256.0, 256.0),
            "Devlin et al. 2019, \"BERT\", appendix A.2: 256 sequences of 512 tokens",
        ),
        ("t5", _) => (
            BatchRange::recommended(128.0, 128.0),
            "Raffel et al. 2020, \"T5\": 128 sequences of 512 tokens in pre-training and fine-tuning",
        ),
        _ => return None,
    };
    Some(BatchRecommendation { range, source })
}

/// Returns the batch range for fine-tuning a BERT model: 16 or 32 recommended
/// (Devlin et al. 2019, "BERT", appendix A.3), 8 to 64 accepted.
pub fn bert_finetune_batch_range(model: &str, task: &str) -> Option<BatchRange> {
    let is_bert = model.to_ascii_lowercase().starts_with("bert");
    let is_finetuning = Task::parse(task) == Some(Task::FineTuning);
    (is_bert && is_finetuning).then_some(BatchRange::recommended(16.0, 32.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bert_range_only_for_finetuning() {
        let range = bert_finetune_batch_range("bert-base", "fine-tuning").unwrap();
        assert_eq!(
            (range.recommended_low, range.recommended_high),
            (16.0, 32.0)
        );
        assert_eq!((range.accepted_low, range.accepted_high), (8.0, 64.0));
        assert!(bert_finetune_batch_range("bert-base", "pretraining").is_none());
    }

    #[test]
    fn families_and_tasks() {
        assert!(recommended_batch("roberta-large", Task::FineTuning).is_some());
        assert_eq!(
            recommended_batch("bert-large", Task::Pretraining)
                .unwrap()
                .range
                .recommended_low,
            256.0
        );
        assert_eq!(
            recommended_batch("t5-base", Task::FineTuning)
                .unwrap()
                .range
                .recommended_high,
            128.0
        );
        assert!(recommended_batch("llama-7b", Task::FineTuning).is_none());
    }
}
