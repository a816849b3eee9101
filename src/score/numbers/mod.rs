//! Number extraction tied to the quantity asked for. A numeric check looks only at
//! numbers that the answer gives for its quantity: "4x the learning rate" is a
//! learning-rate multiplier, "4 GPUs", "batch 256" and "4x fewer steps" are not. A
//! number that is negated or dismissed does not count, and one that a later sentence
//! retracts ("actually, make that 2x") is superseded. One file per quantity.

mod batch;
mod lr;
mod memory;
mod pattern_set;
mod steps;

use std::sync::LazyLock;

use regex::Regex;
use regex_automata::meta;
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::Input;
use regex_syntax::hir::{Capture, Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Repetition};

use super::{compile_regex, compile_regex_without_prefilter};
use super::negation::{denial, rejection_mark, CORRECTION_LABEL, CORRECTION_WORDS};
use super::text::AnswerText;
use pattern_set::{PatternSet, SentenceMatches};
use crate::planner::Expected;
use crate::suite::{NumericRule, Parameters, Quantity};

/// A number the answer gives for the quantity, with the sentence it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub value: f64,
    pub sentence: usize,
    /// Byte offset of the number's match in the sentence's normalized text.
    pub start: usize,
    /// Byte offset where the number's match ends in the sentence's normalized text.
    pub end: usize,
    /// Whether the answer asserts it (not negated, dismissed or retracted). Until
    /// `judge` has run, only a retraction can have cleared it.
    pub asserted: bool,
    /// Whether `judge` has checked the negations and dismissals of its own sentence.
    judged: bool,
}

/// The outcome of a numeric check.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericResult {
    pub shown: bool,
    pub evidence: Option<String>,
}

/// Finds the numbers an answer gives for the rule's quantity and compares them with `expected`.
pub fn check_quantity(rule: &NumericRule, text: &AnswerText, parameters: &Parameters, expected: &Expected) -> NumericResult {
    let patterns = match rule.quantity {
        Quantity::LrMultiplier => &*lr::PATTERNS,
        Quantity::AccumulationSteps => &*steps::PATTERNS,
        Quantity::ModelStateMemory => &*memory::PATTERNS,
        Quantity::RecommendedBatch => &*batch::PATTERNS,
    };
    let matches = patterns.sentences(text);
    let mut findings = match rule.quantity {
        Quantity::LrMultiplier => lr::lr_multipliers(text, &matches, &rule.subject_words),
        Quantity::AccumulationSteps => steps::accumulation_steps(text, &matches, parameters),
        Quantity::ModelStateMemory => memory::memory_amounts(text, &matches, parameters),
        Quantity::RecommendedBatch => batch::unjudged_recommended_batches(text, &matches),
    };
    apply_retractions(text, &MarkerWords::from_matches(&matches), &mut findings);
    decide(text, &mut findings, expected)
}

/// Compares the findings with `expected`. Only the findings it reaches are judged,
/// because the negation checks cost more than the rest of a finding's work.
fn decide(text: &AnswerText, findings: &mut [Finding], expected: &Expected) -> NumericResult {
    let quote = |finding: &Finding| format!("{} in: {}", format_value(finding.value), text.sentence(finding.sentence).original);
    if let Some(accepted) = findings.iter_mut().position(|finding| expected.accepts(finding.value) && judge(text, finding)) {
        return NumericResult { shown: true, evidence: Some(quote(&findings[accepted])) };
    }
    let evidence = findings
        .iter_mut()
        .position(|finding| judge(text, finding))
        .map(|wrong| format!("states {} where {} is expected", quote(&findings[wrong]), format_value(expected.value)));
    NumericResult { shown: false, evidence }
}

/// Clears `asserted` if the finding's own sentence negates or dismisses it, once, and
/// returns `asserted`.
fn judge(text: &AnswerText, finding: &mut Finding) -> bool {
    if finding.asserted && !finding.judged {
        // The words of a correction ("no wait, 4x") do not negate the number it gives.
        let sentence = text.sentence(finding.sentence);
        let normalized = sentence.normalized;
        let from = RETRACTION.find_iter(&normalized[..finding.start]).last().map_or(0, |marker| marker.end());
        let graded_wrong = !sentence.in_table && rejection_mark(normalized).is_some();
        finding.asserted = !sentence.in_quote && !graded_wrong && denial(&normalized[from..], finding.start - from, finding.end - from).is_none();
    }
    finding.judged = true;
    finding.asserted
}

/// Formats a value for evidence, rounded to six decimals, so that a ratio such as
/// 0.15 / 0.1 reads "1.5" and not "1.4999999999999998".
fn format_value(value: f64) -> String {
    let value = (value * 1e6).round() / 1e6;
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value}") }
}

/// A correction of an earlier statement. It supersedes the findings before it, including
/// those earlier in its own sentence ("4x — no wait, 2x").
static RETRACTION: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(&format!(r"(?i)\b(actually,? (no|make (it|that)|(that|this) (over|under)counts)|(forget|scratch) (that|the)|{CORRECTION_WORDS})\b|{CORRECTION_LABEL}")));

/// A multiplier that a sentence dismisses: "4x is too aggressive", "a 4x increase in
/// learning rate would almost certainly make training unstable".
static DISMISSED_MULTIPLIER: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(concat!(
        r"(?i)\b(?P<n>\d+(?:\.\d+)?)\s*(?:x|×)\s+(?:",
        r"(?:the (?:lr|learning rate)\s+)?(?:is|would be|seems|feels)\s+(?:\w+\s+)?(?:too (?:aggressive|much|high|hot|risky)|aggressive|risky|overkill|excessive|unsafe)",
        r"|(?:increase|jump|bump|multiplier)(?:\s+(?:in|of|to)\s+(?:the\s+)?(?:lr|learning rate))?\s+(?:would|will|could|might)\s+(?:\w+\s+){0,2}(?:make (?:training|it|things|the run) (?:unstable|diverge)|destabili[sz]e|blow up|diverge)",
        // "a 4× jump in LR is a common cause of divergence", "Going 4× is asking for divergence"
        r"|(?:(?:increase|jump|bump|multiplier)(?:\s+(?:in|of|to)\s+(?:the\s+)?(?:lr|learning rate))?\s+)?is\s+(?:a\s+(?:common|frequent|classic|known)\s+cause\s+of\s+(?:divergence|instability)|asking for (?:trouble|divergence|instability|a blow-?up))",
        r")",
    ))
});

/// A sentence that dismisses the multiplier of the sentence before it: "One camp
/// multiplies the LR by 4. In my experience that is too aggressive.", "In practice I'd
/// be more careful than that." Its literals start with "it", "that" and "I", so it is
/// compiled without the prefilter.
static DISMISSED_BEFORE: LazyLock<meta::Regex> = LazyLock::new(|| {
    let pattern = concat!(
        r"(?i)(?:\b(that|this|it)(?:'s|\s+is|\s+would be|\s+seems|\s+feels)|\b(?:find|consider|call)\s+(?:that|this|it))\s+(?:\w+\s+)?(?:too (?:aggressive|much|high|hot|risky)|aggressive|risky|overkill|excessive|unsafe)",
        r"|\b(?:i'?d|i would|we'?d|we would) be (?:\w+\s+)?more (?:careful|cautious|conservative) than (?:that|this)\b",
        // "In practice I wouldn't go that far.", "I would not go all the way."
        r"|\bi (?:wouldn't|would not) (?:actually )?(?:go (?:that far|all the way)|do that)\b",
    );
    // `sentences_matching` searches it.
    debug_assert!(!has_anchor(pattern), "anchored pattern: {pattern}");
    compile_regex_without_prefilter(pattern)
});

/// Sentences that limit a dismissal to one optimizer: "with Adam, 4x is too aggressive"
/// keeps 4x as the rule for SGD.
static OPTIMIZER_CONDITION: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"(?i)adam|adaptive|\bsgd\b|optimi[sz]er"));

/// Words that every match of `RETRACTION`, `DISMISSED_MULTIPLIER` or `DISMISSED_BEFORE`
/// contains: the first alternatives are `RETRACTION`'s without its `\b` and optional
/// words, the others are the dismissal words both dismissal patterns end with. Only
/// `MarkerWords::find` searches it, as the reference for `MarkerWords::from_matches`.
#[cfg(test)]
static RETRACTION_OR_DISMISSAL_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(&format!(
        r"(?i)actually,? (no|make|th(at|is) (over|under)counts)|(forget|scratch) th(at|e)|{CORRECTION_WORDS}|correction|{DISMISSAL_WORD_PATTERN}"
    ))
});

/// The words that `DISMISSED_MULTIPLIER` and `DISMISSED_BEFORE` end with.
const DISMISSAL_WORD_PATTERN: &str =
    "too (much|high|hot)|aggressive|risky|overkill|excessive|unsafe|unstable|destabili|blow up|diverge|(careful|cautious|conservative) than|asking for|cause of instability|(wouldn't|would not) (actually )?(go (that far|all the way)|do that)";

static DISMISSAL_WORDS: LazyLock<Regex> = LazyLock::new(|| compile_regex(&format!("(?i){DISMISSAL_WORD_PATTERN}")));

/// The words of `RETRACTION_OR_DISMISSAL_WORDS` that are not dismissal words.
static CORRECTION_MARKERS: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(&format!(r"(?i)actually,? (no|make|th(at|is) (over|under)counts)|(forget|scratch) th(at|e)|{CORRECTION_WORDS}|correction")));

/// The index of `CORRECTION_MARKERS` in every quantity's `PatternSet`.
const CORRECTION_PATTERN: usize = 0;
/// The index of `DISMISSAL_WORDS` in every quantity's `PatternSet`.
const DISMISSAL_PATTERN: usize = 1;
/// The index of a quantity's first own pattern in its `PatternSet`.
const FIRST_QUANTITY_PATTERN: usize = 2;

/// Builds the `PatternSet` of a quantity: the marker words that `apply_retractions`
/// needs, then `patterns` from index `FIRST_QUANTITY_PATTERN` on.
fn quantity_patterns(patterns: &[&Regex]) -> PatternSet {
    let markers: [&Regex; 2] = [&CORRECTION_MARKERS, &DISMISSAL_WORDS];
    PatternSet::new(&markers.into_iter().chain(patterns.iter().copied()).collect::<Vec<_>>())
}

/// Where an answer may hold a correction or a dismissal, from one search of
/// `RETRACTION_OR_DISMISSAL_WORDS` over `AnswerText::joined`.
#[derive(Debug, PartialEq)]
struct MarkerWords {
    /// Per sentence, whether it contains a word of a correction. A sentence without one
    /// cannot match `RETRACTION`, in whole or in part.
    correction: Vec<bool>,
    /// Per sentence, whether it contains a dismissal word. Every match of
    /// `DISMISSED_MULTIPLIER` contains one, so a sentence without one cannot match it
    /// alone, and an answer without one cannot match either dismissal pattern.
    dismissal: Vec<bool>,
}

impl MarkerWords {
    /// Reads the marker words from a quantity's `PatternSet` matches. No correction word
    /// starts where a dismissal word starts, and no correction word contains a dismissal
    /// word. So the sentences of `CORRECTION_MARKERS` are those where `find` finds a
    /// correction, and `DISMISSAL_WORDS` matches wherever `find` finds a dismissal.
    fn from_matches(matches: &SentenceMatches) -> Self {
        MarkerWords {
            correction: matches.pattern(CORRECTION_PATTERN).to_vec(),
            dismissal: matches.pattern(DISMISSAL_PATTERN).to_vec(),
        }
    }

    /// Finds the marker words with `RETRACTION_OR_DISMISSAL_WORDS`, the reference for
    /// `from_matches`.
    #[cfg(test)]
    fn find(text: &AnswerText) -> Self {
        let mut markers = MarkerWords { correction: vec![false; text.sentence_count()], dismissal: vec![false; text.sentence_count()] };
        let mut from = 0;
        // The search restarts one character after each match's start instead of at its
        // end, so a word that overlaps an earlier match is found too.
        while let Some(found) = RETRACTION_OR_DISMISSAL_WORDS.find_at(&text.joined, from) {
            let sentence = text.sentence_at(found.start()).0;
            if DISMISSAL_WORDS.is_match(found.as_str()) {
                markers.dismissal[sentence] = true;
            } else {
                markers.correction[sentence] = true;
            }
            from = found.start() + found.as_str().chars().next().map_or(1, char::len_utf8);
        }
        markers
    }
}

/// Withdraws findings that the answer takes back later: everything before the last
/// correction ("scratch that"), and any value that a later sentence dismisses for every
/// optimizer.
fn apply_retractions(text: &AnswerText, markers: &MarkerWords, findings: &mut [Finding]) {
    if findings.is_empty() {
        return;
    }
    // The last correction, as (sentence index, byte offset where its marker starts). A
    // `RETRACTION` match contains no newline, so searching each sentence alone finds the
    // same sentences as searching the joined text.
    let last_correction = text
        .sentences()
        .enumerate()
        .rev()
        .filter(|(index, _)| markers.correction[*index])
        .find_map(|(index, sentence)| RETRACTION.find_iter(sentence.normalized).last().map(|marker| (index, marker.start())));
    let any_dismissal = markers.dismissal.contains(&true);
    let dismisses_before = if any_dismissal { sentences_matching(&DISMISSED_BEFORE, text) } else { vec![false; text.sentence_count()] };
    // A dismissal counts only in a sentence that names no optimizer. `OPTIMIZER_CONDITION`
    // cannot match a newline, so a search of the sentence alone decides as
    // `sentences_matching` would, and only the few sentences with a dismissal need it.
    let names_optimizer = |index: usize| OPTIMIZER_CONDITION.is_match(text.sentence(index).normalized);
    let mut dismissed: Vec<(usize, f64)> = text
        .sentences()
        .enumerate()
        .filter(|(index, _)| markers.dismissal[*index])
        .flat_map(|(index, sentence)| {
            DISMISSED_MULTIPLIER
                .captures_iter(sentence.normalized)
                .filter_map(move |captures| captures["n"].parse::<f64>().ok().map(|value| (index, value)))
        })
        .collect();
    dismissed.retain(|(index, _)| !names_optimizer(*index));
    let dismissed_by_next = |index: usize| dismisses_before.get(index + 1).is_some_and(|dismisses| *dismisses && !names_optimizer(index + 1));

    let after_marker = |finding: &Finding, (sentence, marker): (usize, usize)| {
        finding.sentence > sentence || finding.sentence == sentence && finding.start > marker
    };
    // A correction followed by a new value replaces every earlier value. Without one, it
    // takes back only its own sentence and the one before, so correcting a time claim
    // keeps "8 steps" stated several sentences earlier.
    let replaced = last_correction.is_some_and(|correction| findings.iter().any(|finding| after_marker(finding, correction)));

    for finding in findings.iter_mut() {
        let corrected = last_correction.is_some_and(|(sentence, marker)| {
            let before = finding.sentence < sentence || finding.sentence == sentence && finding.start < marker;
            before && (replaced || finding.sentence + 1 >= sentence)
        });
        let dismissed_later =
            dismissed.iter().any(|(index, value)| *index >= finding.sentence && *value == finding.value);
        if corrected || dismissed_later || dismissed_by_next(finding.sentence) {
            finding.asserted = false;
        }
    }
}

/// Returns, for each sentence, whether a search of that sentence alone can match
/// `regex`, from one scan of `AnswerText::joined`. One scan costs far less than a call
/// into the regex engine per sentence, and most regexes match in few sentences.
///
/// A match in the joined text without a newline lies inside one sentence and matches
/// there alone too, because a sentence's neighbours in the joined text are newlines,
/// where `\b` behaves as at a string's ends. A match that spans a newline may have hidden
/// a sentence's own match, so then every sentence is a candidate. `^`, `$`, `\A` and `\z`
/// match at a sentence's edges only when it is searched alone, so patterns with them
/// must not come here (`has_anchor` checks a pattern).
pub(super) fn sentences_matching(regex: &meta::Regex, text: &AnswerText) -> Vec<bool> {
    let mut matching = vec![false; text.sentence_count()];
    for found in regex.find_iter(&text.joined) {
        if text.joined[found.range()].contains('\n') {
            return vec![true; text.sentence_count()];
        }
        matching[text.sentence_at(found.start()).0] = true;
    }
    matching
}

/// A pattern searched once over `AnswerText::joined` to find the sentences that it
/// matches on their own, for patterns that callers use as a per-sentence test.
///
/// A sentence's normalized text contains no newline (`AnswerText::parse` collapses
/// whitespace in prose, and code lines come from `str::lines`), so this compiles the
/// pattern with every newline taken out of its classes and literals. That changes no
/// match inside a sentence, and no match can then cross from one sentence into the
/// next. So the end of the earliest match after a sentence's start lies in the first
/// sentence from there on that matches alone, because a sentence's neighbours in the
/// joined text are newlines, where `\b` behaves as at a string's ends. Each matching
/// sentence costs one forward scan up to its first match end, with no reverse scan
/// for the match's start, and the search resumes at the next sentence. Unlike
/// `sentences_matching`, the result is exact even where a match of the original
/// pattern would span a newline.
pub(super) struct SentenceFinder {
    regex: meta::Regex,
}

impl SentenceFinder {
    /// Compiles the pattern of `regex`, which must come from `compile_regex`. Panics on
    /// a pattern with a line or text anchor, because those match at a sentence's edges
    /// only when it is searched alone.
    pub(super) fn new(regex: &Regex) -> Self {
        // `regex` was built with the default syntax options, which `Parser::new` has too.
        let pattern = regex.as_str();
        let hir = regex_syntax::Parser::new().parse(pattern).expect("the scorer's own patterns are valid");
        assert!(!hir.properties().look_set().contains_anchor(), "anchored pattern: {pattern}");
        let config = meta::Config::new().which_captures(WhichCaptures::Implicit);
        let regex = meta::Builder::new()
            .configure(config)
            .build_from_hir(&without_newline(&hir))
            .expect("the scorer's own patterns compile");
        SentenceFinder { regex }
    }

    /// Returns, for each sentence, whether a search of that sentence alone matches.
    pub(super) fn sentences(&self, text: &AnswerText) -> Vec<bool> {
        let mut matching = vec![false; text.sentence_count()];
        let mut from = 0;
        while from < text.joined.len() {
            let input = Input::new(&text.joined).range(from..).earliest(true);
            let Some(found) = self.regex.search_half(&input) else { break };
            let (index, start) = text.sentence_at(found.offset());
            let end = start + text.sentence(index).normalized.len();
            // Only an empty match after the final newline lies past its sentence's end.
            if found.offset() > end {
                break;
            }
            matching[index] = true;
            from = end + 1;
        }
        matching
    }
}

/// Returns `hir` with the newline removed from every class. A literal that contains a
/// newline can no longer match.
pub(super) fn without_newline(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => hir.clone(),
        HirKind::Literal(literal) if literal.0.contains(&b'\n') => Hir::fail(),
        HirKind::Literal(_) => hir.clone(),
        HirKind::Class(Class::Unicode(class)) => {
            let mut class = class.clone();
            class.difference(&ClassUnicode::new([ClassUnicodeRange::new('\n', '\n')]));
            Hir::class(Class::Unicode(class))
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut class = class.clone();
            class.difference(&ClassBytes::new([ClassBytesRange::new(b'\n', b'\n')]));
            Hir::class(Class::Bytes(class))
        }
        HirKind::Repetition(repetition) => {
            Hir::repetition(Repetition { sub: Box::new(without_newline(&repetition.sub)), ..repetition.clone() })
        }
        HirKind::Capture(capture) => Hir::capture(Capture { sub: Box::new(without_newline(&capture.sub)), ..capture.clone() }),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(without_newline).collect()),
        HirKind::Alternation(branches) => Hir::alternation(branches.iter().map(without_newline).collect()),
    }
}

/// Checks whether a pattern contains a line or text anchor. An unparsable pattern counts
/// as anchored.
fn has_anchor(pattern: &str) -> bool {
    regex_syntax::parse(pattern).map_or(true, |hir| hir.properties().look_set().contains_anchor())
}

/// A worked ratio: `256/64 = 4`, `512 ÷ 64 = 8`.
pub(super) static RATIO: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?P<a>\d+(?:\.\d+)?)\s*(?:/{1,2}|÷)\s*(?P<b>\d+(?:\.\d+)?)\s*=\s*(?P<n>\d+(?:\.\d+)?)"));

/// Returns a finding for `found` in sentence `index`, not yet judged (see `judge`).
pub(super) fn finding_at(index: usize, value: f64, found: regex::Match) -> Finding {
    Finding { value, sentence: index, start: found.start(), end: found.end(), asserted: true, judged: false }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::Unit;
    use crate::suite::ParamValue;
    use crate::suite::build_regex;

    fn exact(value: f64) -> Expected {
        Expected { value, low: value, high: value, unit: Unit::Factor, derivation: String::new() }
    }

    fn rule(quantity: Quantity) -> NumericRule {
        NumericRule { quantity, subject_words: Vec::new() }
    }

    #[test]
    fn evidence_values_are_rounded() {
        assert_eq!(format_value(0.15 / 0.1), "1.5");
        assert_eq!(format_value(4.0), "4");
        assert_eq!(format_value(44.7), "44.7");
    }

    fn lr_shown(answer: &str) -> bool {
        check_quantity(&rule(Quantity::LrMultiplier), &AnswerText::parse(answer), &Parameters::new(), &exact(4.0)).shown
    }

    #[test]
    fn it_with_batch_needs_subject_words() {
        let answer = AnswerText::parse("Short answer: scale it by the same factor as the batch, **4×**, and add a warmup.");
        assert!(!check_quantity(&rule(Quantity::LrMultiplier), &answer, &Parameters::new(), &exact(4.0)).shown);
        // The learning-rate rubric lists "scale it" among its subject words.
        let words = NumericRule { quantity: Quantity::LrMultiplier, subject_words: vec![build_regex(r"\bscale it\b").unwrap()] };
        assert!(check_quantity(&words, &answer, &Parameters::new(), &exact(4.0)).shown);
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
            "**LR.** Scale it **4×** with warmup, otherwise the larger batch will look slower.",
            "The rule scales the learning rate with the batch. So if you were at 0.1, go to 0.4.",
            "Multiply the LR by the batch ratio. For you that's **4×** (64 → 256).",
            "If your current LR is 0.05, try 0.2.",
            "Grow the learning rate by the same k. Here k = 256 / 64 = 4, so at 0.05 you'd move to 0.2.",
            "The rule multiplies the learning rate by the same factor as the batch, i.e. by 4, with warmup.",
            "Keep the ratio of learning rate to batch constant. If you were at 0.1 with 64 examples per step, use 0.4 with 256.",
            "Multiply the learning rate by the ratio of the batch sizes, which here is 256/64 = 4.",
            "The learning rate should be multiplied by four to match the batch (512/128).",
            "Keep the old LR and you'll converge slower. Scale it 4×, ramp it in with a warmup.",
            "4× — e.g. 1e-3 → 4e-3.",
            "Start from the linear rule. If your LR was 0.05, the target is 0.2.",
            "1. **Learning rate.** The usual rule is to scale it with the batch: 4× here (with SGD).",
            "**Learning rate:** scale it with the batch, 4× (e.g. `SGD(learning_rate=0.1)` → `0.4`), and warm up into it.",
            "Raise the learning rate by 300%, with a warmup.",
            "The learning rate has to come up with the batch: if you're at 0.05 now, go to 0.2.",
            "4×: e.g. 0.1 → 0.4, reached through a linear warmup over the first 5 epochs rather than from step one.",
            "**4×**, e.g. 0.1 → 0.4, reached through a linear warmup over the first few epochs.",
            "New LR = old LR × k. If you had 1e-3, the new one is 4e-3.",
            "Scale the learning rate with the batch. For SGD at 0.025 it becomes 0.1.",
            "Double the learning rate twice as well (0.05 → 0.1 → 0.2), with a linear warmup.",
            "**Learning rate.** Scale it by 4× (the batch ratio, 512 / 128), with a warmup.",
            "**Do I need to touch the learning rate?** Yes. Scale it by 4 (512/128).",
            "```diff\n- batch_size: 64\n- lr: 0.1\n+ batch_size: 256\n+ lr: 0.4\n```",
            "```diff\n- opt = SGD(model.parameters(), lr=0.1, momentum=0.9)\n+ opt = SGD(model.parameters(), lr=0.4, momentum=0.9)\n```",
            "```diff\n-  \"learning_rate\": 0.1,\n+  \"learning_rate\": 0.4,\n```",
            "```diff\n--- a/run.sh\n+++ b/run.sh\n-  --lr 0.1 \\\n+  --lr 0.4 \\\n```",
            "Ramp the learning rate linearly from 1x to 4x the old value over 5 epochs.",
            "| Optimizer | LR | Fits? |\n|---|---|---|\n| SGD | 4x the old LR | ✗ on one GPU |",
            "Four times the batch, four times the learning rate.",
            "**Learning rate:** the rate has to rise with the batch. If yours is 0.1 at 64, target 0.4 at 256.",
            "**Learning rate.** If you are on SGD at lr=0.05, go to lr=0.2, warmed up over 5 epochs.",
            "If your current rate was tuned at 64, scale it 4× (256 / 64).",
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
            "**LR.** Expect 4x fewer optimizer steps per epoch.",
            "Multiply the LR by the batch ratio. You also take 4x fewer steps.",
            "Keep the learning rate by itself; the batch grows by 4.",
            "Keep the learning rate; the batch should be multiplied by 4.",
            "lr = 3e-4 * 1.5   # was tuned for batch 64",
            "4x fewer steps.",
            "4x: fewer steps per epoch, and each one sees more data.",
            "Raise the learning rate somewhere between 2× and 4×.",
            "Anything from about 2× to 4× can work for the learning rate.",
        ] {
            assert!(!lr_shown(answer), "wrongly found in: {answer}");
        }
    }

    #[test]
    fn negated_and_retracted_multipliers_do_not_count() {
        assert!(!lr_shown("Don't multiply the learning rate by 4."));
        assert!(!lr_shown("Scale the LR by 4x. Actually, make that 2x on the LR instead."));
        assert!(!lr_shown("Scale it by 4x — no wait, you're on Adam, so raise the LR by 2x."));
        assert!(lr_shown("Raise the LR by 2x — no wait, by 4x, since you're on SGD."));
        assert!(!lr_shown("A 4x increase in learning rate would almost certainly make training unstable."));
        assert!(!lr_shown("The textbook answer: the LR grows 4x too. In practice I find that too aggressive, so multiply by 2."));
        assert!(!lr_shown("The textbook rule: multiply the LR by 4. Honestly, I'd just 2x it; 4x is too aggressive."));
        assert!(!lr_shown("Multiply the LR by 4. Quadrupling the LR is aggressive, so use 2x."));
        assert!(!lr_shown("One camp multiplies the learning rate by 4. In my experience that is too aggressive."));
        assert!(lr_shown("Multiply the learning rate by 4. With Adam that is too aggressive, so start at 2x there."));
        assert!(!lr_shown("My first guess: scale the LR by 4. But let me revise that: use 2x."));
        assert!(!lr_shown("The textbook move is 4x. On second thought, I'd leave the LR where it is: 4x is a big jump."));
        assert!(lr_shown("I wouldn't leave the LR where it is: 4x is the linear rule."));
        assert!(!lr_shown("The textbook answer is the linear rule: learning rate ×4. In practice I'd be more careful than that."));
        assert!(!lr_shown("The textbook answer is the linear scaling rule: batch ×4, so learning rate ×4. In practice I wouldn't go that far."));
        assert!(!lr_shown("The rule says the learning rate grows by 4. In practice I would not go all the way."));
        assert!(!lr_shown("Bump the LR up a bit, about 1.5×. Going 4× is asking for divergence."));
        assert!(lr_shown("Multiply the LR by 4, and warm up, since 4× is a big jump."));
        assert!(!lr_shown("Multiply the LR by 2. I wouldn't go further, because a 4× jump in LR is a common cause of divergence."));
        assert!(!lr_shown("The linear scaling rule would say raise the learning rate 4× to compensate. I'd leave the LR alone."));
        assert!(!lr_shown("The textbook move is to multiply the LR by 4 to match. On reflection, though, I wouldn't touch it."));
        assert!(!lr_shown("Some papers push the linear rule (multiply the LR by the full 4x), but in practice that tends to diverge."));
        assert!(!lr_shown("Scale the LR by 4. Correction, though: with Adam use 2x the LR."));
        assert!(!lr_shown("Scale the LR by 4. Add warmup. Then cosine decay. Scratch that, use 2x the LR."));
        assert!(lr_shown("Scale the LR by 4. Add warmup. Then cosine decay. It's 8x slower per epoch, no, let me correct that, it isn't."));
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
        assert!(!steps_shown("If you can get 8 GPUs, run DDP with 64 per GPU: 8 × 64 = 512."));
        assert!(steps_shown("**Steps = what you want ÷ what fits.** Here 512 ÷ 64 = 8."));
        assert!(steps_shown("```python\naccum_steps = 512 // 64\n```"));
        assert!(steps_shown("```python\ntarget = 512\nmicro = 64\naccum_steps = target // micro\n```"));
        assert!(!steps_shown("Use DDP over 8 GPUs."));
        assert!(steps_shown("Run 8 batches of 64 before each optimizer step."));
        assert!(!steps_shown("Run 8 batches of 128 on 8 GPUs."));
        assert!(!steps_shown("512 / 64 = 8, so spread the batch over **8 GPUs** with DistributedDataParallel."));
        assert!(steps_shown("512 / 64 = 8 accumulation steps on your 1 GPU."));
        assert!(steps_shown("Most frameworks support it (e.g. `gradient_accumulation_steps=8` in the Trainer)."));
        assert!(steps_shown("With micro-batch b = 64 and target B = 512, set k = B/b = 8."));
        assert!(!steps_shown("The ratio n = N/B = 8 here."));
        assert!(steps_shown("With 64 per step you'd accumulate 8 times to get 512."));
        assert!(!steps_shown("Accumulated gradients are 8 times smaller if you forget to average."));
    }

    #[test]
    fn marker_words_match_reference_search() {
        let sets = [&*lr::PATTERNS, &*steps::PATTERNS, &*memory::PATTERNS, &*batch::PATTERNS];
        let mut answers = lr::tests::labelled_answers();
        answers.push("4x is too aggressive. Actually, no: scratch that, correction: use 2x.".to_string());
        answers.push("On second thought, overkill. I was wrong\n\nabout it. Too hot, unsafe.".to_string());
        for answer in answers {
            let text = AnswerText::parse(&answer);
            for set in sets {
                assert_eq!(MarkerWords::from_matches(&set.sentences(&text)), MarkerWords::find(&text), "in: {answer}");
            }
        }
    }

    #[test]
    fn sentences_matching_marks_each_sentence() {
        let text = AnswerText::parse("Use 8 steps. Nothing here. Then 4 steps.");
        let steps = compile_regex_without_prefilter(r"\d+ steps");
        assert_eq!(sentences_matching(&steps, &text), [true, false, true]);
    }

    #[test]
    fn match_across_sentences_keeps_all() {
        let text = AnswerText::parse("Accumulate 8\n\nsteps later. Other text.");
        let across = compile_regex_without_prefilter(r"\d+\s+steps");
        assert_eq!(sentences_matching(&across, &text), [true, true, true]);
    }

    #[test]
    fn finder_marks_sentences_matching_alone() {
        let text = AnswerText::parse("Use 8 steps. Nothing here. Then 4 steps and 2 steps.");
        let finder = SentenceFinder::new(&compile_regex(r"\d+ steps"));
        assert_eq!(finder.sentences(&text), [true, false, true]);
    }

    #[test]
    fn finder_ignores_match_across_sentences() {
        let text = AnswerText::parse("Accumulate 8\n\nsteps later. Other text.");
        let finder = SentenceFinder::new(&compile_regex(r"\d+\s+steps|\bother\b[^x]*"));
        assert_eq!(finder.sentences(&text), [false, false, false]);
        let finder = SentenceFinder::new(&compile_regex(r"(?i)\d+\s+steps|\bother\b[^x]*"));
        assert_eq!(finder.sentences(&text), [false, false, true]);
    }

    #[test]
    fn anchored_patterns_are_detected() {
        assert!(has_anchor(r"^\s*lr"));
        assert!(has_anchor(r"lr$"));
        assert!(!has_anchor(r"[^.]{0,40}lr"));
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
        assert!(memory_shown("That is 4.8e10 B of model state."));
        assert!(!memory_shown("A 3B model at 4 bytes is 12 GB."));
        assert!(memory_shown("That's 48 GB: twice the card, before activations."));
        assert!(memory_shown("3B × 16 B ≈ **48 GB** — double your card before a single activation."));
        assert!(!memory_shown("Get a 48 GB card: it fits."));
        assert!(!memory_shown("At batch 32 that is around 45 GB of activations."));
        assert!(!memory_shown("At 2,048 tokens a rough estimate puts activations at 48 GB or more on their own."));
        assert!(memory_shown("Model state before activations: 48 GB."));
        assert!(!memory_shown("A common rule gives 48 GB. Actually, that overcounts: 12 bytes per parameter gives about 36 GB."));
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
        assert!(!batch_shown("My first instinct is batch 32. But let me revise that: go with 128."));
        assert!(batch_shown("- **Batch size: 32** at sequence length 512."));
        assert!(batch_shown("For BERT-base:\n- **seq_len 512:** batch size 32 (fits with fp16)"));
        assert!(!batch_shown("For BERT-base:\n- seq_len 512 fits about 32 in fp32."));
        assert!(!batch_shown("If your recipe was 2e-5 at batch 32, use about 8e-5 at 128."));
        // "until" in one sentence and "crash" in the next make no sweep.
        assert!(batch_shown("Keep going until it plateaus\nA crash course aside, use batch 32."));
    }
}
