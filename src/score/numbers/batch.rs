//! Recommended batch sizes: integers in sentences that recommend something, leaving
//! out sequence lengths, other units, sweeps and what merely fits.

use std::sync::LazyLock;

use regex::Regex;

use super::pattern_set::{PatternSet, SentenceMatches};
use super::{finding_at, quantity_patterns, Finding, FIRST_QUANTITY_PATTERN};
use crate::score::compile_regex;
use crate::score::text::AnswerText;

/// Sentences that recommend something, or name the fine-tuning setting.
static RECOMMENDATION: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(use|start|try|go with|recommend\w*|pick|choose|stick with|default|standard|sweet spot|aim for|begin|suggest\w*|i'd run|what i'd run|settle on|fine[- ]tun\w*|per_device_train_batch_size|probably|starting point|i'd (go|pick|use|start)|i'd (actually )?run|actually run)\b")
});

/// A training recipe: a batch size followed by a learning-rate value, as in "Batch 32,
/// LR 2e-5, fp16", "**32**, LR 2e-5" or "batch 32, AdamW at 2e-5". Such a line
/// recommends the batch even without a verb.
static RECIPE: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(\bbatch( size)?\s*(of|=|:)?\s*\d+|^\W*\d+\s*,)[^.]{0,60}\b(lr|learning rate|adamw?)\s*(of|=|:|at)?\s*~?\d")
});

/// A label that introduces advice, such as "What I'd do:" or "**Recommendation.**": the
/// sentence after it recommends.
static ADVICE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)^\W*(what i'?d do|what i would do|my (recommendation|suggestion|advice|pick)|recommendation|in short|bottom line|tl;? ?dr)\W*$")
});

/// A label that opens a sentence with the answer after a colon: "Short version: batch
/// size 32", "TL;DR: 32".
static LABELLED_ADVICE: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)^\W*(short (version|answer)|in short|bottom line|tl;? ?dr|my (recommendation|pick|suggestion|answer)|recommendation)\W*:")
});

/// A settings line that gives the batch as a value: "Batch size: 32 at sequence length
/// 512", "- batch = 16", "- batch 32, max_len 256", "- Batch size 16 at seq_len 512",
/// or per sequence length, "seq_len 512: batch size 32". Such a line recommends the
/// batch even without a verb.
static BATCH_SETTING: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)^\W*((per[- ]device |train(ing)? |recommended |suggested )?batch( size)?\W{0,3}(:|=)\W{0,3}\d|batch( size)?\s+\d+\W{0,3}([,;.(]|$|(at|for|with|on) )|(seq(uence)?[_ ]?len(gth)?|max[_ ]?len(gth)?)\W{0,3}\d+\W{0,3}:\W{0,3}batch( size)?\W{0,3}\d)")
});

/// A sweep over several sizes names candidates, not a recommendation.
static SWEEP: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\bsweep|\bgrid search|until[^.]{0,40}(oom|out of memory|crash)"));


/// Words that, shortly before a number, make it what fits rather than what to use.
static CAPACITY: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b(max|maximum|fits?|largest|biggest|oom|ceiling|upper bound|limit)\b"));

/// Whether a capacity word stands in the 40 characters before a number.
fn describes_capacity(before: &str) -> bool {
    let start = before.char_indices().rev().nth(39).map_or(0, |(index, _)| index);
    CAPACITY.is_match(&before[start..])
}

static BATCH_CONTEXT: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)batch|sequences per step|examples per step"));

/// The per-sentence tests of `unjudged_recommended_batches`. `SWEEP` is searched
/// sentence by sentence too: "until" in one sentence and "OOM" in the next do not make
/// a sweep, and a sweep in one sentence leaves the others' numbers alone.
pub(super) static PATTERNS: LazyLock<PatternSet> = LazyLock::new(|| quantity_patterns(&[&RECOMMENDATION, &SWEEP, &BATCH_CONTEXT]));

static INTEGER: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"\b\d+\b"));

/// Returns where the spaces and then the word after byte `from` of `sentence` end: the
/// end of a match of `\s*\S*` there, because `char::is_whitespace` and the regex's `\s`
/// both follow Unicode's White_Space property.
fn end_of_word_after(sentence: &str, from: usize) -> usize {
    let rest = &sentence[from..];
    let word = rest.trim_start();
    let word_length = word.find(char::is_whitespace).unwrap_or(word.len());
    from + (rest.len() - word.len()) + word_length
}

/// Units after an integer that make it something other than a batch size.
static NOT_A_BATCH: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)^(\s*|-)(tokens?|gb|gib|mb|layers?|heads?|epochs?|%|m\b|b\b|params|parameters|hidden|e-|x\b|×|seconds?|minutes?|hours?|steps?|bit)")
});

/// An exponent marker just before an integer: the `5` of `2e-5` is not a batch size.
static EXPONENT_BEFORE: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"(?i)\de[-+]?$"));

static SEQUENCE_LENGTH_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)(seq(uence)?[ _]?(len(gth)?)?|max_len\w*|length|tokens?)\s*(≤|<=|<|of|=|:|at)?\s*~?$"));

fn is_bare_number(sentence: &str) -> bool {
    let digits = sentence.trim_end_matches(['.', '!']).trim();
    !digits.is_empty() && digits.len() <= 4 && digits.bytes().all(|byte| byte.is_ascii_digit())
}

/// Checks whether a number is where a change starts, as in "from 32" or "2e-5 at 32 → 8e-5 at
/// 128": the old batch, not the one recommended.
fn is_starting_point(sentence: &str, number: regex::Match) -> bool {
    let after = sentence[number.end()..].trim_start();
    let before = sentence[..number.start()].trim_end().to_ascii_lowercase();
    let clause = &sentence[sentence[..number.start()].rfind([',', ';']).map_or(0, |comma| comma + 1)..number.start()];
    after.starts_with('→')
        || after.starts_with("->")
        || before.ends_with(" from")
        || before == "from"
        || PAST_CONDITION.is_match(clause)
}

/// A condition about the past in the number's clause: "if your recipe was 2e-5 at batch
/// 32, use 8e-5 at 128" or "if your reference recipe is 2e-5 at batch 32" names the
/// batch the recipe was tuned at, not the one to use.
static PAST_CONDITION: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b(if|when)\b.*\b(was|were|used|tuned|trained|reference|baseline)\b"));

/// Returns the recommended batches with every finding judged.
#[cfg(test)]
fn recommended_batches(text: &AnswerText) -> Vec<Finding> {
    let mut findings = unjudged_recommended_batches(text, &PATTERNS.sentences(text));
    findings.iter_mut().for_each(|finding| {
        super::judge(text, finding);
    });
    findings
}

/// Finds the integers that sentences recommend as the batch size. Negations and
/// dismissals are left for `judge`.
pub(super) fn unjudged_recommended_batches(text: &AnswerText, matches: &SentenceMatches) -> Vec<Finding> {
    let mut findings = Vec::new();
    let [has_recommendation, has_sweep, has_batch_context] = [0, 1, 2].map(|pattern| matches.pattern(FIRST_QUANTITY_PATTERN + pattern));
    for (index, sentence) in text.sentences().enumerate() {
        let normalized = sentence.normalized;
        // RECIPE is anchored at the sentence's start, so it is searched sentence by sentence.
        // An answer that opens with a bare number ("**32.**") recommends it, and so does
        // a bare number that answers a question about the batch ("**What batch size
        // should I start with?** 32.").
        let answers_question = || index > 0 && has_batch_context[index - 1] && text.sentence(index - 1).normalized.trim_end().ends_with('?');
        let opens_with_number = || (index == 0 || answers_question()) && is_bare_number(normalized);
        let follows_advice_label = || index > 0 && ADVICE_LABEL.is_match(text.sentence(index - 1).normalized);
        let labelled = || LABELLED_ADVICE.is_match(normalized) || BATCH_SETTING.is_match(normalized);
        let recommends = !has_sweep[index]
            && (has_recommendation[index] || opens_with_number() || follows_advice_label() || labelled() || RECIPE.is_match(normalized));
        let names_batch = has_batch_context[index] || sentence.in_code && normalized.contains("batch_size");
        if !(recommends || sentence.in_code && names_batch) {
            continue;
        }
        // Each search resumes after the word that follows the previous number, so "32
        // 64" yields only 32, as it did when that word was part of the match.
        let mut from = 0;
        while let Some(number) = INTEGER.find_at(normalized, from) {
            from = end_of_word_after(normalized, number.end());
            let after = &normalized[number.end()..from];
            let before = &normalized[..number.start()];
            let not_a_batch = NOT_A_BATCH.is_match(after) || EXPONENT_BEFORE.is_match(before);
            if not_a_batch || SEQUENCE_LENGTH_BEFORE.is_match(before) || describes_capacity(before) || is_starting_point(normalized, number) {
                continue;
            }
            // Without the word "batch", only a power of two reads as a batch size.
            let Ok(value) = number.as_str().parse::<u64>() else { continue };
            if names_batch || value.is_power_of_two() && value >= 4 {
                findings.push(finding_at(index, value as f64, number));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches(answer: &str) -> Vec<f64> {
        recommended_batches(&AnswerText::parse(answer)).iter().filter(|finding| finding.asserted).map(|finding| finding.value).collect()
    }

    #[test]
    fn recipe_lines_recommend_their_batch() {
        assert_eq!(batches("**Run batch 32, LR 2e-5, ~10% warmup, bf16/fp16.**"), [32.0]);
        assert_eq!(batches("**What batch size should I start with?**\n32. That is the usual choice."), [32.0]);
        assert_eq!(batches("- **Batch 32** (or 16), AdamW, LR 2e-5 to 5e-5, ~10% warmup."), [32.0, 16.0]);
        assert_eq!(batches("**32**, LR 2e-5, 10% warmup."), [32.0]);
        assert_eq!(batches("So: **batch 32** on your 24GB card, AdamW at 2e-5 to 5e-5."), [32.0]);
    }

    #[test]
    fn opening_bare_number_is_recommended() {
        assert_eq!(batches("**32.**\n\nThat's the number."), [32.0]);
        assert!(batches("Some context first.\n\n32.").is_empty());
    }

    #[test]
    fn advice_label_recommends_next_sentence() {
        assert_eq!(batches("What I'd do:\n\n- **Batch size 32**, seq_len 512."), [32.0]);
        assert!(batches("Background:\n\n- Batch size 32 was in the paper's grid.").is_empty());
        assert_eq!(batches("Short version: **batch size 32** (sequence length 512, BERT-base)."), [32.0]);
    }

    #[test]
    fn settings_list_item_recommends_its_batch() {
        assert_eq!(batches("Use this:\n\n- batch 32, max_len 256 if your texts allow it, fp16 on"), [32.0]);
        assert!(batches("- batch 32 was in the paper's grid.").is_empty());
        assert_eq!(batches("- **Batch size 16** at seq_len 512, or 32 on a large dataset."), [16.0, 32.0]);
    }

    #[test]
    fn starting_points_are_not_batches() {
        assert_eq!(batches("I'd go with batch 128 and scale the LR (2e-5 at 32 → 8e-5 at 128)."), [128.0, 128.0]);
        assert_eq!(batches("Try moving from 32 to 64 if it is stable."), [64.0]);
        assert_eq!(batches("If your reference recipe is 2e-5 at batch 32, then at 128 use 8e-5."), [128.0]);
        assert!(batches("A fixed 64-step warmup is too short, so use 10% of the steps.").is_empty());
    }

    #[test]
    fn exponents_are_not_batches() {
        assert_eq!(batches("Use batch 32 with LR 2e-5."), [32.0]);
    }

    #[test]
    fn recipe_keeps_capacity_and_sequence_length_out() {
        assert!(batches("The largest batch that fits is about 48, with LR 2e-5.").is_empty());
        assert_eq!(batches("Batch 16 at seq 512, LR 2e-5."), [16.0]);
        assert!(batches("Batch 32 fits easily on 24GB.").is_empty());
    }
}
