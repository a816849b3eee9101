//! Batch-size arithmetic: gradient accumulation and recommended ranges.

/// Returns the micro-batches to accumulate per optimizer step for an effective batch of
/// `target_batch`, rounding up when `micro_batch` does not divide it.
pub fn accumulation_steps(target_batch: f64, micro_batch: f64) -> u64 {
    (target_batch / micro_batch).ceil() as u64
}

/// A recommended batch range and the wider range a scorer accepts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchRange {
    pub recommended_low: f64,
    pub recommended_high: f64,
    pub accepted_low: f64,
    pub accepted_high: f64,
}

/// Returns the batch range for fine-tuning a BERT model: 16 or 32 recommended
/// (Devlin et al. 2019, "BERT", appendix A.3), 8 to 64 accepted.
pub fn bert_finetune_batch_range(model: &str, task: &str) -> Option<BatchRange> {
    let is_bert = model.to_ascii_lowercase().starts_with("bert");
    let is_finetuning = matches!(task, "fine-tuning" | "finetuning" | "fine-tune");
    (is_bert && is_finetuning).then_some(BatchRange {
        recommended_low: 16.0,
        recommended_high: 32.0,
        accepted_low: 8.0,
        accepted_high: 64.0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accumulation_512_over_64() {
        assert_eq!(accumulation_steps(512.0, 64.0), 8);
        assert_eq!(accumulation_steps(500.0, 64.0), 8);
    }

    #[test]
    fn bert_range_only_for_finetuning() {
        assert!(bert_finetune_batch_range("bert-base", "fine-tuning").is_some());
        assert!(bert_finetune_batch_range("bert-base", "pretraining").is_none());
    }
}
