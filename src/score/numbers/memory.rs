//! Memory estimates: `48 GB`, `~44.7 GiB`, `4.8e10 B`, or a bare figure in a code
//! comment, leaving out amounts that name a GPU's capacity.

use std::sync::LazyLock;

use regex::Regex;

use super::pattern_set::{PatternSet, SentenceMatches};
use super::{finding_at, quantity_patterns, Finding, FIRST_QUANTITY_PATTERN};
use crate::score::compile_regex;
use crate::score::text::AnswerText;
use crate::suite::{ParamValue, Parameters};

/// Memory amounts: `48 GB`, `~44.7 GiB`, `48,000 MB`.
static MEMORY: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(?P<n>\d+(?:\.\d+)?(?:e\d+)?)\s*(?P<unit>gb|gib|gigabytes?|g|tb|tib|mb|mib|billion bytes|bytes|b)\b")
});

/// The per-sentence tests of `memory_amounts`.
pub(super) static PATTERNS: LazyLock<PatternSet> = LazyLock::new(|| quantity_patterns(&[&MEMORY]));

/// Words around an amount that make it a GPU's capacity rather than an estimate.
static GPU_CAPACITY: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b(gpus?|cards?|vram|a100|a6000|h100|a10g?|l4|l40s?|rtx|3090|4090|v100|device)\b"));

/// Words right after an amount that make it the activations' share, not the model
/// state: "batch 32 needs around 45 GB of activations".
static ACTIVATIONS_AFTER: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)^\W{0,3}(of|for|in|on) (the )?activation"));

/// Words right before an amount that make it the activations' share: "a rough estimate
/// puts activations at 48 GB or more".
static ACTIVATIONS_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\bactivations?( memory)?( alone)? (at|take|takes|need|needs|cost|costs|come to|comes to|are|is|would be|will be|add|adds)( (about|around|roughly|another|an extra|at least))?\s*[~≈]?\s*$")
});

/// How many bytes before an amount `ACTIVATIONS_BEFORE` looks at.
const ACTIVATIONS_BEFORE_REACH: usize = 40;

/// A bare number in a code comment, such as `# 48.0`.
static CODE_COMMENT_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"#\s*(?:=|≈|~|->|→)?\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>gb|gib)?\s*$"));

/// Words beside an amount that make it a model-state estimate: "16 GB of model state",
/// "Model state | 16 | ~16 GB".
static MODEL_STATE: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b(model[- ]state|training state|bytes ?(/|per) ?param\w*)\b"));

/// Finds memory amounts in GB. The scenario's own GPU size (`gpu_memory_gb`) is what
/// the user has, not an estimate, so amounts equal to it are left out unless
/// model-state words stand beside them, because an estimate can equal the card's size
/// (1B parameters × 16 bytes on a 16 GB card).
pub(super) fn memory_amounts(text: &AnswerText, matches: &SentenceMatches, parameters: &Parameters) -> Vec<Finding> {
    let gpu_memory = parameters.get("gpu_memory_gb").and_then(ParamValue::as_f64);
    let mut findings = Vec::new();
    let has_amount = matches.pattern(FIRST_QUANTITY_PATTERN);
    for (index, sentence) in text.sentences().enumerate() {
        let normalized = sentence.normalized;
        let amounts = has_amount[index].then(|| MEMORY.find_iter(normalized)).into_iter().flatten();
        for whole in amounts {
            if is_gpu_capacity(normalized, whole.start(), whole.end()) || is_activations_share(normalized, whole.start(), whole.end()) {
                continue;
            }
            let (number, unit) = split_amount(whole.as_str());
            let Ok(value) = number.parse::<f64>() else { continue };
            // "3B parameters" is a count, not three bytes: a byte figure is an estimate
            // only when it is at least a gigabyte.
            let in_bytes = matches!(unit.to_ascii_lowercase().as_str(), "b" | "bytes");
            if in_bytes && value < 1e9 {
                continue;
            }
            let gigabytes = value * unit_in_gigabytes(unit);
            if Some(gigabytes) != gpu_memory || names_model_state(normalized, whole.start(), whole.end()) {
                findings.push(finding_at(index, gigabytes, whole));
            }
        }
        if sentence.in_code {
            if let Some(captures) = CODE_COMMENT_NUMBER.captures(normalized) {
                if let Ok(value) = captures["n"].parse() {
                    findings.push(finding_at(index, value, captures.get(0).unwrap()));
                }
            }
        }
    }
    findings
}

/// Splits a match of `MEMORY` into its `n` and `unit` groups, which a capture search
/// finds at several times the cost of the match. The number ends with a digit, and
/// only letters and the whitespace of `\s*` follow it, so it ends at the last other
/// character.
fn split_amount(amount: &str) -> (&str, &str) {
    let number_end = amount
        .char_indices()
        .rev()
        .find(|(_, c)| !c.is_alphabetic() && !c.is_whitespace())
        .map_or(0, |(index, c)| index + c.len_utf8());
    (&amount[..number_end], amount[number_end..].trim_start())
}

/// Checks whether the words around an amount make it the activations' share.
fn is_activations_share(sentence: &str, start: usize, end: usize) -> bool {
    if ACTIVATIONS_AFTER.is_match(&sentence[end..]) {
        return true;
    }
    let from = (start.saturating_sub(ACTIVATIONS_BEFORE_REACH)..=start).find(|&at| sentence.is_char_boundary(at)).unwrap_or(start);
    ACTIVATIONS_BEFORE.is_match(&sentence[from..start])
}

/// Checks whether GPU words right after an amount (in its clause) or right before it
/// make it a GPU's capacity. The words after stop at the next amount, which they then
/// belong to: in "48 GB on a 24 GB card" the card is the 24 GB.
fn is_gpu_capacity(sentence: &str, start: usize, end: usize) -> bool {
    let after_end = (end + 20).min(sentence.len());
    let before_start = start.saturating_sub(12);
    let after = sentence.get(end..after_end).unwrap_or("");
    let before = sentence.get(before_start..start).unwrap_or("");
    let clause_after = after.split([',', '.', ';', ':', '(', '—', '–']).next().unwrap_or("");
    let words_after = MEMORY.find(clause_after).map_or(clause_after, |next_amount| &clause_after[..next_amount.start()]);
    GPU_CAPACITY.is_match(words_after) || GPU_CAPACITY.is_match(before)
}

/// Checks whether model-state words stand within 25 bytes before an amount, or after
/// it within its clause.
fn names_model_state(sentence: &str, start: usize, end: usize) -> bool {
    let before = sentence.get(start.saturating_sub(25)..start).unwrap_or("");
    let after = sentence.get(end..(end + 25).min(sentence.len())).unwrap_or("");
    MODEL_STATE.is_match(before) || MODEL_STATE.is_match(after.split([',', '.', ';', '(']).next().unwrap_or(""))
}

fn unit_in_gigabytes(unit: &str) -> f64 {
    match unit.to_ascii_lowercase().as_str() {
        "tb" | "tib" => 1000.0,
        "mb" | "mib" => 0.001,
        "bytes" | "b" => 1e-9,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amounts_on_16gb(answer: &str) -> Vec<f64> {
        let parameters: Parameters = [("gpu_memory_gb".to_string(), ParamValue::Number(16.0))].into_iter().collect();
        let text = AnswerText::parse(answer);
        memory_amounts(&text, &PATTERNS.sentences(&text), &parameters).iter().map(|finding| finding.value).collect()
    }

    #[test]
    fn amount_splits_like_capture_groups() {
        for sentence in ["48 GB", "~44.7GiB total", "4.8e10 B", "3 billion bytes", "12 gigabytes and 2 g", "1.5 Byteſ", "16\u{a0}TB"] {
            for captures in MEMORY.captures_iter(sentence) {
                assert_eq!(split_amount(&captures[0]), (&captures[1], &captures[2]), "in: {sentence}");
            }
        }
    }

    #[test]
    fn gpu_size_alone_is_not_estimate() {
        assert!(amounts_on_16gb("You have 16 GB, and the model state needs more.").is_empty());
        assert!(amounts_on_16gb("On a 16 GB card that is tight.").is_empty());
    }

    #[test]
    fn gpu_words_belong_to_nearer_amount() {
        assert_eq!(amounts_on_16gb("- **total ≈ 48 GB** on a 16 GB card, before any activations"), [48.0]);
        assert!(amounts_on_16gb("It needs an 80 GB A100.").is_empty());
        assert!(amounts_on_16gb("Get a 24 GB 4090.").is_empty());
    }

    #[test]
    fn model_state_equal_to_gpu_counts() {
        assert_eq!(amounts_on_16gb("16 GB of model state on a 16 GB card leaves nothing."), [16.0]);
        assert_eq!(amounts_on_16gb("| **Model state** | **16** | **~16 GB** |"), [16.0]);
    }
}
