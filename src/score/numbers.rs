//! Number extraction tied to the quantity asked for. A numeric check looks only at
//! numbers that the answer gives for its quantity: "4x the learning rate" is a
//! learning-rate multiplier, "4 GPUs", "batch 256" and "4x fewer steps" are not. A
//! number that is negated or dismissed does not count, and one that a later sentence
//! retracts ("actually, make that 2x") is superseded.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::compile_regex;

use super::arithmetic::CodeVariables;
use super::negation::denial;
use super::text::{AnswerText, Sentence};
use crate::planner::Expected;
use crate::suite::{NumericRule, ParamValue, Parameters, Quantity};

/// A number the answer gives for the quantity, with the sentence it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub value: f64,
    pub sentence: usize,
    /// Whether the answer asserts it (not negated, dismissed or retracted).
    pub asserted: bool,
}

/// The outcome of a numeric check.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericResult {
    pub shown: bool,
    pub evidence: Option<String>,
}

/// Finds the numbers an answer gives for the rule's quantity and compares them with `expected`.
pub fn check_quantity(rule: &NumericRule, text: &AnswerText, parameters: &Parameters, expected: &Expected) -> NumericResult {
    let mut findings = match rule.quantity {
        Quantity::LrMultiplier => lr_multipliers(text, &rule.subject_words),
        Quantity::AccumulationSteps => accumulation_steps(text, parameters),
        Quantity::ModelStateMemory => memory_amounts(text),
        Quantity::RecommendedBatch => recommended_batches(text),
    };
    apply_retractions(text, &mut findings);
    decide(text, &findings, expected)
}

fn decide(text: &AnswerText, findings: &[Finding], expected: &Expected) -> NumericResult {
    let quote = |finding: &Finding| format!("{} in: {}", format_value(finding.value), text.sentences[finding.sentence].original);
    if let Some(accepted) = findings.iter().find(|finding| finding.asserted && expected.accepts(finding.value)) {
        return NumericResult { shown: true, evidence: Some(quote(accepted)) };
    }
    let evidence = findings
        .iter()
        .find(|finding| finding.asserted)
        .map(|wrong| format!("states {} where {} is expected", quote(wrong), format_value(expected.value)));
    NumericResult { shown: false, evidence }
}

fn format_value(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value}") }
}

/// A sentence that corrects an earlier statement supersedes earlier findings.
static RETRACTION: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(actually,? (no|make (it|that))|on second thought|correction:|scratch that|i misspoke|let me correct|i was wrong|forget (that|the))\b")
});

/// A multiplier that a sentence dismisses: "4x is too aggressive".
static DISMISSED_MULTIPLIER: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(?P<n>\d+(?:\.\d+)?)\s*(?:x|×)\s+(?:is|would be|seems|feels)\s+(?:\w+\s+)?(?:too (?:aggressive|much|high|hot|risky)|overkill|excessive|unsafe)")
});

/// Sentences that limit a dismissal to one optimizer: "with Adam, 4x is too aggressive"
/// keeps 4x as the rule for SGD.
static OPTIMIZER_CONDITION: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"(?i)adam|adaptive|\bsgd\b|optimi[sz]er"));

/// Withdraws findings that the answer takes back later: everything before a sentence
/// that corrects itself ("scratch that"), and any value that a later sentence dismisses
/// for every optimizer.
fn apply_retractions(text: &AnswerText, findings: &mut [Finding]) {
    let last_correction = text.sentences.iter().rposition(|sentence| RETRACTION.is_match(&sentence.normalized));
    let dismissed: Vec<(usize, f64)> = text
        .sentences
        .iter()
        .enumerate()
        .filter(|(_, sentence)| !OPTIMIZER_CONDITION.is_match(&sentence.normalized))
        .flat_map(|(index, sentence)| {
            DISMISSED_MULTIPLIER
                .captures_iter(&sentence.normalized)
                .filter_map(move |captures| captures["n"].parse::<f64>().ok().map(|value| (index, value)))
        })
        .collect();

    for finding in findings.iter_mut() {
        let corrected = last_correction.is_some_and(|correction| finding.sentence < correction);
        let dismissed_later =
            dismissed.iter().any(|(index, value)| *index >= finding.sentence && *value == finding.value);
        if corrected || dismissed_later {
            finding.asserted = false;
        }
    }
}

/// What a number in a sentence is about, judged by the nearest subject word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    LearningRate,
    Other,
}

static LR_WORDS: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)learning[- ]rates?|\blrs?\b|η|\beta\b|step[- ]size|\w*_lr\b|\blr_\w*"));

static OTHER_SUBJECT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\bbatch(es)?\b|\bbatch[_ ]size\b|\bsteps?\b|\bupdates?\b|\biterations?\b|\bepochs?\b|\bnoise\b|\bvariance\b|\bgpus?\b|\bdevices?\b|\btime\b|\bthroughput\b|\bmemory\b|\bhours?\b|\bsamples?\b|\bexamples?\b")
});

/// Picks the subject whose word lies nearest to `start..end`; learning-rate words, and
/// the rubric's extra words for it, win ties.
fn subject_of(sentence: &str, start: usize, end: usize, extra_words: &[Regex]) -> Subject {
    let distance = |found: regex::Match| {
        if found.end() <= start { start - found.end() } else if found.start() >= end { found.start() - end } else { 0 }
    };
    let nearest_lr = std::iter::once(&*LR_WORDS)
        .chain(extra_words)
        .flat_map(|words| words.find_iter(sentence))
        .map(distance)
        .min();
    let nearest_other = OTHER_SUBJECT_WORDS.find_iter(sentence).map(distance).min();
    match (nearest_lr, nearest_other) {
        (Some(lr), Some(other)) if lr <= other => Subject::LearningRate,
        (Some(_), None) => Subject::LearningRate,
        _ => Subject::Other,
    }
}

/// Multipliers: `4x`, `×4`, `4 times`, `by 4`, `4-fold`, `4 η`.
static MULTIPLIER: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(?P<pre>√|sqrt\(?|square root of )?\b(?P<n>\d+(?:\.\d+)?)\s*(?:x|×|\*|times|-fold)(?:\b|\s|$)|(?:×|\*|\bx)\s*(?P<m>\d+(?:\.\d+)?)\b|\bby (?:a factor of |about |roughly |~)?(?P<b>\d+(?:\.\d+)?)\b(?:\s*(?:x|×))?|\bfactor of (?P<f>\d+(?:\.\d+)?)\b|(?P<c>\d+(?:\.\d+)?)\s*(?:η|lr\b|base[_ ]lr)")
});

/// Words after a multiplier that make it a reduction or a different quantity.
static NOT_AN_LR_INCREASE: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)^\s*(fewer|less|lower|smaller|slower|faster|more (steps|updates|iterations|memory|compute)|the batch|batch|gpus?|steps|updates)\b")
});

/// Learning-rate values before and after: `0.1 → 0.4`, `1e-3 to 4e-3`.
static LR_CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(?P<a>\d*\.?\d+(?:e-?\d+)?)\s*(?:→|->|=>|⇒|⟶|\bto\b|\bbecomes\b)\s*(?P<b>\d*\.?\d+(?:e-?\d+)?)")
});

/// A learning rate with the value it replaces: `lr: 4.0e-3  # was 1.0e-3`.
static LR_WAS: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(?P<b>\d*\.?\d+(?:e-?\d+)?)\s*(?:#|\(|,)\s*(?:was|from|up from|previously) (?P<a>\d*\.?\d+(?:e-?\d+)?)")
});

/// A worked ratio: `256/64 = 4`.
static RATIO: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?P<a>\d+(?:\.\d+)?)\s*/{1,2}\s*(?P<b>\d+(?:\.\d+)?)\s*=\s*(?P<n>\d+(?:\.\d+)?)"));

fn lr_multipliers(text: &AnswerText, extra_words: &[Regex]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut variables = CodeVariables::default();
    for (index, sentence) in text.sentences.iter().enumerate() {
        let normalized = &sentence.normalized;
        if sentence.in_code {
            if let Some(finding) = code_lr_multiplier(sentence, index, &variables) {
                findings.push(finding);
            }
            variables.read_assignment(normalized);
        }
        let names_lr = |sentence: &Sentence| {
            LR_WORDS.is_match(&sentence.normalized) || extra_words.iter().any(|words| words.is_match(&sentence.normalized))
        };
        if !names_lr(sentence) && !(sentence.in_code && code_block_names_lr(text, index, names_lr)) {
            continue;
        }
        for captures in MULTIPLIER.captures_iter(normalized) {
            if let Some(finding) = multiplier_finding(sentence, index, &captures, extra_words) {
                findings.push(finding);
            }
        }
        for captures in LR_WAS.captures_iter(normalized) {
            let (Ok(after), Ok(before)) = (captures["b"].parse::<f64>(), captures["a"].parse::<f64>()) else { continue };
            if before > 0.0 && looks_like_learning_rate(&captures["a"], before) {
                findings.push(finding_at(sentence, index, after / before, captures.get(0).unwrap()));
            }
        }
        for captures in LR_CHANGE.captures_iter(normalized) {
            let (Ok(before), Ok(after)) = (captures["a"].parse::<f64>(), captures["b"].parse::<f64>()) else { continue };
            if looks_like_learning_rate(&captures["a"], before) && looks_like_learning_rate(&captures["b"], after) && before > 0.0 {
                findings.push(finding_at(sentence, index, after / before, captures.get(0).unwrap()));
            }
        }
        for captures in RATIO.captures_iter(normalized) {
            let whole = captures.get(0).unwrap();
            if subject_of(normalized, whole.start(), whole.end(), extra_words) == Subject::LearningRate {
                if let Ok(value) = captures["n"].parse() {
                    findings.push(finding_at(sentence, index, value, whole));
                }
            }
        }
    }
    findings
}

/// A learning-rate assignment in code, `new_lr = old_lr * new_bs / old_bs`: the factor
/// is the expression's value with every learning-rate name set to 1.
static CODE_LR_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"^\s*(?P<target>\w*lr\w*|\w*learning_rate\w*)\s*=\s*(?P<expr>[^#]*\b(?:\w*lr\w*|\w*learning_rate\w*)\b[^#]*?)\s*(?:#.*)?$")
});

fn code_lr_multiplier(sentence: &Sentence, index: usize, variables: &CodeVariables) -> Option<Finding> {
    let captures = CODE_LR_ASSIGNMENT.captures(&sentence.normalized)?;
    let value = variables.evaluate_with_unit_names(&captures["expr"], |name| name.contains("lr") || name.contains("learning_rate"))?;
    (value > 1.0).then(|| finding_at(sentence, index, value, captures.name("expr").unwrap()))
}

/// Whether a line of the same code block as sentence `index` names the learning rate.
fn code_block_names_lr(text: &AnswerText, index: usize, names_lr: impl Fn(&Sentence) -> bool) -> bool {
    let before = text.sentences[..index].iter().rev().take_while(|sentence| sentence.in_code);
    let after = text.sentences[index + 1..].iter().take_while(|sentence| sentence.in_code);
    before.chain(after).any(names_lr)
}

fn multiplier_finding(sentence: &Sentence, index: usize, captures: &Captures, extra_words: &[Regex]) -> Option<Finding> {
    if captures.name("pre").is_some() {
        return None;
    }
    let number = ["n", "m", "b", "f", "c"].iter().find_map(|name| captures.name(name))?;
    let whole = captures.get(0)?;
    let normalized = &sentence.normalized;
    if NOT_AN_LR_INCREASE.is_match(&normalized[whole.end()..]) || preceded_by_root(normalized, whole.start()) {
        return None;
    }
    if subject_of(normalized, number.start(), number.end(), extra_words) != Subject::LearningRate {
        return None;
    }
    let value: f64 = number.as_str().parse().ok()?;
    // "Divide the learning rate by 4" is a factor of 1/4.
    let value = if DIVISION_BEFORE.is_match(&normalized[..whole.start()]) { 1.0 / value } else { value };
    Some(finding_at(sentence, index, value, whole))
}

/// A verb just before a factor that makes it a division.
static DIVISION_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b(divid\w*|cut|reduc\w*|lower\w*|shrink\w*)\b[^.,;]{0,30}$"));

fn preceded_by_root(sentence: &str, start: usize) -> bool {
    let before = sentence[..start].trim_end();
    before.ends_with('√') || before.to_ascii_lowercase().ends_with("sqrt(") || before.ends_with("square root of")
}

/// Learning rates are small: below 1, or written with a negative exponent.
fn looks_like_learning_rate(written: &str, value: f64) -> bool {
    written.to_ascii_lowercase().contains("e-") || (value > 0.0 && value < 1.0)
}

fn finding_at(sentence: &Sentence, index: usize, value: f64, found: regex::Match) -> Finding {
    let asserted = denial(&sentence.normalized, found.start(), found.end()).is_none();
    Finding { value, sentence: index, asserted }
}

/// Accumulation counts: `8 steps`, `8 micro-batches`, `accumulate over 8`, `8 × 64 = 512`.
static STEPS: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(?P<n>\d+)\s*(?:gradient\s+)?(?:accumulation\s+)?(?:steps?|micro[- ]?batch(?:es)?|mini[- ]?batch(?:es)?|sub[- ]?batch(?:es)?|chunks|forward(?:/| and |-| )backward|(?:forward |backward )?passes)\b|accumulat\w*(?:\s+\w+){0,3}?\s+(?:over|for|across|of|every|to)\s+(?P<m>\d+)\b|%\s*(?P<k>\d+)\s*==\s*0|(?:flag|setting|option)\b[^.]{0,60}\bset it to (?P<f>\d+)\b")
});

static PRODUCT: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?P<a>\d+)\s*(?:×|x|\*)\s*(?P<b>\d+)\s*=\s*(?P<t>\d+)"));

static ACCUMULATION_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(?P<name>\w*accum\w*|\w*accumulation\w*)\s*[=:]\s*(?P<expr>[^#,\n)]+)")
});

fn accumulation_steps(text: &AnswerText, parameters: &Parameters) -> Vec<Finding> {
    let micro = number(parameters, "micro_batch");
    let target = number(parameters, "target_batch");
    let mut variables = CodeVariables::default();
    let mut findings = Vec::new();

    for (index, sentence) in text.sentences.iter().enumerate() {
        let normalized = &sentence.normalized;
        if sentence.in_code {
            variables.read_assignment(normalized);
        }
        for captures in STEPS.captures_iter(normalized) {
            let number = ["n", "m", "k", "f"].iter().find_map(|name| captures.name(name)).unwrap();
            if let Ok(value) = number.as_str().parse() {
                findings.push(finding_at(sentence, index, value, captures.get(0).unwrap()));
            }
        }
        for captures in PRODUCT.captures_iter(normalized) {
            if let Some(value) = factor_beside(&captures, micro, target) {
                findings.push(finding_at(sentence, index, value, captures.get(0).unwrap()));
            }
        }
        for captures in RATIO.captures_iter(normalized) {
            let (a, b) = (captures["a"].parse::<f64>().ok(), captures["b"].parse::<f64>().ok());
            if a == target && b == micro {
                findings.push(finding_at(sentence, index, (target.unwrap_or(0.0) / micro.unwrap_or(1.0)).ceil(), captures.get(0).unwrap()));
            }
        }
        if let Some(captures) = ACCUMULATION_ASSIGNMENT.captures(normalized) {
            if let Some(value) = variables.evaluate(captures["expr"].trim()) {
                findings.push(finding_at(sentence, index, value, captures.get(0).unwrap()));
            }
        }
    }
    findings
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

/// Memory amounts: `48 GB`, `~44.7 GiB`, `48,000 MB`.
static MEMORY: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(?P<n>\d+(?:\.\d+)?(?:e\d+)?)\s*(?P<unit>gb|gib|gigabytes?|g|tb|tib|mb|mib|billion bytes|bytes|b)\b")
});

/// Words around an amount that make it a GPU's capacity rather than an estimate.
static GPU_CAPACITY: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b(gpus?|cards?|vram|a100|a6000|h100|a10g?|l4|l40s?|rtx|3090|4090|v100|device)\b"));

/// A bare number in a code comment, such as `# 48.0`.
static CODE_COMMENT_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"#\s*(?:=|≈|~|->|→)?\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>gb|gib)?\s*$"));

fn memory_amounts(text: &AnswerText) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, sentence) in text.sentences.iter().enumerate() {
        let normalized = &sentence.normalized;
        for captures in MEMORY.captures_iter(normalized) {
            let whole = captures.get(0).unwrap();
            if is_gpu_capacity(normalized, whole.start(), whole.end()) {
                continue;
            }
            let Ok(value) = captures["n"].parse::<f64>() else { continue };
            findings.push(finding_at(sentence, index, value * unit_in_gigabytes(&captures["unit"]), whole));
        }
        if sentence.in_code {
            if let Some(captures) = CODE_COMMENT_NUMBER.captures(normalized) {
                if let Ok(value) = captures["n"].parse() {
                    findings.push(finding_at(sentence, index, value, captures.get(0).unwrap()));
                }
            }
        }
    }
    findings
}

fn is_gpu_capacity(sentence: &str, start: usize, end: usize) -> bool {
    let after_end = (end + 20).min(sentence.len());
    let before_start = start.saturating_sub(12);
    let after = sentence.get(end..after_end).unwrap_or("");
    let before = sentence.get(before_start..start).unwrap_or("");
    GPU_CAPACITY.is_match(after.split([',', '.', ';', '(']).next().unwrap_or("")) || GPU_CAPACITY.is_match(before)
}

fn unit_in_gigabytes(unit: &str) -> f64 {
    match unit.to_ascii_lowercase().as_str() {
        "tb" | "tib" => 1000.0,
        "mb" | "mib" => 0.001,
        "bytes" | "b" => 1e-9,
        _ => 1.0,
    }
}

/// Sentences that recommend something, or name the fine-tuning setting.
static RECOMMENDATION: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(use|start|try|go with|recommend\w*|pick|choose|stick with|default|standard|sweet spot|aim for|begin|suggest\w*|i'd run|what i'd run|settle on|fine[- ]tun\w*|per_device_train_batch_size|probably|starting point|i'd (go|pick|use|start))\b")
});

/// A sweep over several sizes names candidates, not a recommendation.
static SWEEP: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"(?i)\bsweep|\bgrid search"));

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

static INTEGER: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"(?P<n>\b\d+\b)(?P<after>\s*\S*)"));

/// Units after an integer that make it something other than a batch size.
static NOT_A_BATCH: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)^\s*(tokens?|gb|gib|mb|layers?|heads?|epochs?|%|m\b|b\b|params|parameters|hidden|e-|x\b|×|seconds?|minutes?|hours?|steps?|bit)")
});

static SEQUENCE_LENGTH_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)(seq(uence)?[ _]?(len(gth)?)?|max_len\w*|length|tokens?)\s*(≤|<=|<|of|=|:|at)?\s*~?$"));

fn recommended_batches(text: &AnswerText) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, sentence) in text.sentences.iter().enumerate() {
        let normalized = &sentence.normalized;
        let recommends = RECOMMENDATION.is_match(normalized) && !SWEEP.is_match(normalized);
        let names_batch = BATCH_CONTEXT.is_match(normalized) || sentence.in_code && normalized.contains("batch_size");
        if !recommends && !(sentence.in_code && names_batch) {
            continue;
        }
        for captures in INTEGER.captures_iter(normalized) {
            let number = captures.name("n").unwrap();
            let before = &normalized[..number.start()];
            if NOT_A_BATCH.is_match(&captures["after"]) || SEQUENCE_LENGTH_BEFORE.is_match(before) || describes_capacity(before) {
                continue;
            }
            // Without the word "batch", only a power of two reads as a batch size.
            let Ok(value) = number.as_str().parse::<u64>() else { continue };
            if names_batch || value.is_power_of_two() && value >= 4 {
                findings.push(finding_at(sentence, index, value as f64, number));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::Unit;

    fn exact(value: f64) -> Expected {
        Expected { value, low: value, high: value, unit: Unit::Factor, derivation: String::new() }
    }

    fn rule(quantity: Quantity) -> NumericRule {
        NumericRule { quantity, subject_words: Vec::new() }
    }

    fn lr_shown(answer: &str) -> bool {
        check_quantity(&rule(Quantity::LrMultiplier), &AnswerText::parse(answer), &Parameters::new(), &exact(4.0)).shown
    }

    #[test]
    fn multiplier_forms() {
        for answer in [
            "Scale the learning rate by 4x.",
            "Multiply your LR by ×4.",
            "Use four times the learning rate.",
            "Quadruple the learning rate.",
            "Go from LR 0.1 → 0.4.",
            "Raise the lr from 1e-3 to 4e-3.",
            "The new learning rate is 4 × the old one.",
            "The step size has to grow by the same factor of four.",
            "```python\nold_bs, new_bs = 64, 256\nnew_lr = old_lr * new_bs / old_bs\n```",
        ] {
            assert!(lr_shown(answer), "not found in: {answer}");
        }
    }

    #[test]
    fn multipliers_of_other_quantities_do_not_count() {
        for answer in [
            "You get 4x fewer steps, so adjust the learning rate schedule.",
            "Gradient variance falls by 4x; scale the learning rate by √4 = 2x.",
            "Use 4 GPUs with the same learning rate.",
        ] {
            assert!(!lr_shown(answer), "wrongly found in: {answer}");
        }
    }

    #[test]
    fn negated_and_retracted_multipliers_do_not_count() {
        assert!(!lr_shown("Don't multiply the learning rate by 4."));
        assert!(!lr_shown("Scale the LR by 4x. Actually, make that 2x on the LR instead."));
        assert!(!lr_shown("The textbook rule: multiply the LR by 4. Honestly, I'd just 2x it; 4x is too aggressive."));
    }

    fn steps_shown(answer: &str) -> bool {
        let parameters: Parameters = [("target_batch", 512.0), ("micro_batch", 64.0)]
            .into_iter()
            .map(|(name, value)| (name.to_string(), ParamValue::Number(value)))
            .collect();
        check_quantity(&rule(Quantity::AccumulationSteps), &AnswerText::parse(answer), &parameters, &exact(8.0)).shown
    }

    #[test]
    fn accumulation_forms() {
        assert!(steps_shown("Accumulate gradients over 8 micro-batches."));
        assert!(steps_shown("Run 8 steps of 64, then step the optimizer."));
        assert!(steps_shown("8 × 64 = 512"));
        assert!(steps_shown("```python\naccum_steps = 512 // 64\n```"));
        assert!(steps_shown("```python\ntarget = 512\nmicro = 64\naccum_steps = target // micro\n```"));
        assert!(!steps_shown("Use DDP over 8 GPUs."));
    }

    fn memory_shown(answer: &str) -> bool {
        let expected = Expected { value: 48.0, low: 40.0, high: 56.0, unit: Unit::Gigabytes, derivation: String::new() };
        check_quantity(&rule(Quantity::ModelStateMemory), &AnswerText::parse(answer), &Parameters::new(), &expected).shown
    }

    #[test]
    fn memory_forms() {
        assert!(memory_shown("Model states come to about 48 GB."));
        assert!(memory_shown("That is ~44.7 GiB before activations."));
        assert!(!memory_shown("You'd need a 48 GB GPU."));
        assert!(!memory_shown("Weights alone are 12 GB."));
    }

    fn batch_shown(answer: &str) -> bool {
        let expected = Expected { value: 32.0, low: 8.0, high: 64.0, unit: Unit::Examples, derivation: String::new() };
        check_quantity(&rule(Quantity::RecommendedBatch), &AnswerText::parse(answer), &Parameters::new(), &expected).shown
    }

    #[test]
    fn recommended_batch_forms() {
        assert!(batch_shown("Use a batch size of 32."));
        assert!(batch_shown("Start with thirty-two sequences per step."));
        assert!(!batch_shown("Use batch 256 at seq length 128."));
        assert!(!batch_shown("The largest batch that fits is about 32."));
    }
}
