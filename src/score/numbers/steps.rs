//! Gradient-accumulation step counts: `8 micro-batches`, `accumulate over 8`,
//! `accumulate 8 times`, `8 batches of 64`, `8 × 64 = 512`, `512 // 64 = 8`, and
//! `accum_steps = target // micro` in code or `gradient_accumulation_steps=8` in prose.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::pattern_set::{PatternSet, SentenceMatches};
use super::{finding_at, quantity_patterns, Finding, FIRST_QUANTITY_PATTERN, RATIO};
use crate::score::arithmetic::CodeVariables;
use crate::score::compile_regex;
use crate::score::text::AnswerText;
use crate::suite::{ParamValue, Parameters};

/// Accumulation counts: `8 steps`, `8 micro-batches`, `accumulate over 8`, `accumulate 8
/// times`, `8 × 64 = 512`.
static STEPS: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(?P<n>\d+)\s*(?:gradient\s+)?(?:accumulation\s+)?(?:steps?|micro[- ]?batch(?:es)?|mini[- ]?batch(?:es)?|sub[- ]?batch(?:es)?|chunks|forward(?:/| and |-| )backward|(?:forward |backward )?passes)\b|accumulat\w*(?:\s+\w+){0,3}?\s+(?:over|for|across|of|every|to)\s+(?P<m>\d+)\b|accumulat(?:e|ing)(?:\s+\w+){0,2}?\s+(?P<t>\d+)\s+times(?:[^\w\s]|\s+(?:to|before|per|and|then|so|for|in|over)\b)|%\s*(?P<k>\d+)\s*==\s*0|(?:flag|setting|option)\b[^.]{0,60}\bset it to (?P<f>\d+)\b")
});

/// `8 batches of 64`, a count only when the size is the micro-batch.
static BATCHES_OF: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b(?P<n>\d+)\s+batches\s+of\s+(?P<size>\d+)\b"));

/// A worked ratio of symbols, `k = B/b = 8`. It gives a count only in a sentence about
/// micro-batches or accumulation.
static SYMBOLIC_RATIO: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b[a-z_]\w*\s*/{1,2}\s*[a-z_]\w*\s*=\s*(?P<n>\d+)\b"));

static ACCUMULATION_CONTEXT: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"(?i)micro|accumul"));

static PRODUCT: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?P<a>\d+)\s*(?:×|x|\*)\s*(?P<b>\d+)\s*=\s*(?P<t>\d+)"));

/// Words for devices that share a batch, which make a product such as `8 × 64 = 512`
/// a count of devices rather than of accumulation steps.
static DEVICES: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"(?i)\b(gpus?|devices|ddp|nodes|ranks|data[- ]parallel)\b"));

/// A count of devices: "8 GPUs", "8 devices".
static DEVICE_COUNT: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"(?i)\b(?P<n>\d+)\s*(gpus?|devices|nodes|ranks)\b"));

/// Checks whether a sentence counts `value` devices: "512 / 64 = 8, so spread the batch
/// over 8 GPUs" splits the batch across devices rather than accumulating it.
fn counts_devices(sentence: &str, value: f64) -> bool {
    DEVICE_COUNT.captures_iter(sentence).any(|captures| captures["n"].parse::<f64>() == Ok(value))
}

/// The per-sentence tests of `accumulation_steps`, in the order of its `matches`.
pub(super) static PATTERNS: LazyLock<PatternSet> = LazyLock::new(|| {
    quantity_patterns(&[&STEPS, &BATCHES_OF, &PRODUCT, &RATIO, &ACCUMULATION_ASSIGNMENT, &ACCUMULATION_CONTEXT])
});

static ACCUMULATION_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(?P<name>\w*accum\w*|\w*accumulation\w*)\s*[=:]\s*(?P<expr>[^#,\n)]+)")
});

pub(super) fn accumulation_steps(text: &AnswerText, matches: &SentenceMatches, parameters: &Parameters) -> Vec<Finding> {
    let micro = number(parameters, "micro_batch");
    let target = number(parameters, "target_batch");
    let mut variables = CodeVariables::default();
    let mut findings = Vec::new();
    let [has_steps, has_batches_of, has_product, has_ratio, has_assignment, names_accumulation] =
        [0, 1, 2, 3, 4, 5].map(|pattern| matches.pattern(FIRST_QUANTITY_PATTERN + pattern));

    for (index, sentence) in text.sentences().enumerate() {
        let normalized = sentence.normalized;
        if sentence.in_code {
            variables.read_assignment(normalized);
        }
        let searched = |matching: &[bool]| matching[index].then_some(normalized).into_iter();
        for captures in searched(has_steps).flat_map(|normalized| STEPS.captures_iter(normalized)) {
            let number = ["n", "m", "t", "k", "f"].iter().find_map(|name| captures.name(name)).unwrap();
            if let Ok(value) = number.as_str().parse() {
                findings.push(finding_at(index, value, captures.get(0).unwrap()));
            }
        }
        for captures in searched(has_batches_of).flat_map(|normalized| BATCHES_OF.captures_iter(normalized)) {
            let (Ok(value), Ok(size)) = (captures["n"].parse::<f64>(), captures["size"].parse::<f64>()) else { continue };
            if Some(size) == micro {
                findings.push(finding_at(index, value, captures.get(0).unwrap()));
            }
        }
        if names_accumulation[index] {
            for captures in SYMBOLIC_RATIO.captures_iter(normalized) {
                if let Ok(value) = captures["n"].parse() {
                    findings.push(finding_at(index, value, captures.get(0).unwrap()));
                }
            }
        }
        for captures in searched(has_product).flat_map(|normalized| PRODUCT.captures_iter(normalized)) {
            // "8 GPUs with 64 per GPU: 8 × 64 = 512" multiplies devices, not steps.
            // NOTE: so does any product in a sentence that names a GPU, even "8 × 64 =
            // 512 on one GPU", which the other step forms then have to find.
            if DEVICES.is_match(normalized) {
                continue;
            }
            if let Some(value) = factor_beside(&captures, micro, target) {
                findings.push(finding_at(index, value, captures.get(0).unwrap()));
            }
        }
        for captures in searched(has_ratio).flat_map(|normalized| RATIO.captures_iter(normalized)) {
            let (a, b) = (captures["a"].parse::<f64>().ok(), captures["b"].parse::<f64>().ok());
            let steps = (target.unwrap_or(0.0) / micro.unwrap_or(1.0)).ceil();
            if a == target && b == micro && !counts_devices(text.sentence(index).normalized, steps) {
                findings.push(finding_at(index, steps, captures.get(0).unwrap()));
            }
        }
        if let Some(found) = searched(has_assignment).find_map(|normalized| ACCUMULATION_ASSIGNMENT.find(normalized)) {
            // In prose, words follow the value: "gradient_accumulation_steps=8 in the Trainer".
            let expression = assignment_expression(found.as_str()).trim();
            let leading_token = expression.split_whitespace().next().unwrap_or_default();
            if let Some(value) = variables.evaluate(expression).or_else(|| variables.evaluate(leading_token)) {
                findings.push(finding_at(index, value, found));
            }
        }
    }
    findings
}

/// Returns the `expr` group of a match of `ACCUMULATION_ASSIGNMENT`, read from the match
/// alone. A search for the whole match runs only the lazy DFA, while one for its groups
/// runs the bounded backtracker on top, which took about 3k instructions per answer of
/// `cargo bench --bench scoring` (callgrind).
///
/// The name is a run of word characters, and neither `\w` nor `\s` matches `=` or `:`,
/// so the first `=` or `:` is the operator. The greedy `\s*` after it takes every
/// following space, as `str::trim_start` does, because both follow Unicode's
/// White_Space property, but gives back the last character if the expression would be
/// empty. The expression then runs to the match's end.
fn assignment_expression(matched: &str) -> &str {
    let operator = matched.find(['=', ':']).expect("a match of ACCUMULATION_ASSIGNMENT contains = or :");
    let after = &matched[operator + 1..];
    let spaces = after.len() - after.trim_start().len();
    let last_char = after.char_indices().next_back().map_or(0, |(start, _)| start);
    &after[spaces.min(last_char)..]
}

/// In `a × b = t` with `t` the target batch, the factor beside the micro-batch.
fn factor_beside(captures: &Captures, micro: Option<f64>, target: Option<f64>) -> Option<f64> {
    let a: f64 = captures["a"].parse().ok()?;
    let b: f64 = captures["b"].parse().ok()?;
    let total: f64 = captures["t"].parse().ok()?;
    if Some(total) != target {
        return None;
    }
    if Some(b) == micro { Some(a) } else if Some(a) == micro { Some(b) } else { None }
}

fn number(parameters: &Parameters, name: &str) -> Option<f64> {
    parameters.get(name).and_then(ParamValue::as_f64)
}

#[cfg(test)]
mod tests {
    use super::super::lr::tests::labelled_answers;
    use super::*;

    /// Checks `assignment_expression` against the regex's own `expr` group.
    fn assert_expression_matches_group(haystack: &str) {
        for captures in ACCUMULATION_ASSIGNMENT.captures_iter(haystack) {
            let whole = captures.get(0).unwrap().as_str();
            assert_eq!(assignment_expression(whole), &captures["expr"], "in: {haystack:?}");
        }
    }

    #[test]
    fn expression_matches_group_in_edge_cases() {
        for haystack in [
            "accum_steps = 8",
            "grad_accum=target // micro  # steps",
            "accumulation_steps: 4, then step",
            "accum = ,",
            "accum =  )",
            "accum =\u{a0}\u{a0}#",
            "accum:\u{2003}",
            "accum = ",
            "accum=\n\n8",
            "accum\t: x\n",
            "naccumé = 4",
        ] {
            assert_expression_matches_group(haystack);
        }
    }

    #[test]
    fn expression_matches_group_in_labelled_answers() {
        let mut checked = 0;
        for answer in labelled_answers() {
            let text = AnswerText::parse(&answer);
            for sentence in text.sentences() {
                checked += ACCUMULATION_ASSIGNMENT.find_iter(sentence.normalized).count();
                assert_expression_matches_group(sentence.normalized);
            }
        }
        assert!(checked > 10, "only {checked} assignments in the labelled answers");
    }
}
