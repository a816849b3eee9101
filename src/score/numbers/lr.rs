//! Learning-rate multipliers: `4x the LR`, `0.1 → 0.4`, `η_256 = 4 η_64`, and factors
//! computed in code, kept only when the nearest subject word is the learning rate.

use std::cell::RefCell;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::pattern_set::{PatternSet, SentenceMatches};
use super::{finding_at, quantity_patterns, Finding, FIRST_QUANTITY_PATTERN, RATIO};
use crate::score::arithmetic::CodeVariables;
use crate::score::compile_regex;
use crate::score::text::{AnswerText, Sentence};
use crate::suite::build_regex;

/// What a number in a sentence is about, judged by the nearest subject word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    LearningRate,
    Other,
}

/// Words that name the learning rate; "linear scaling rule" is about it too, and so is
/// "rate" after a word that picks one out ("your current rate", "the paper's rate").
static LR_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)learning[- ]rates?|\blrs?\b|η|\beta\b|step[- ]size|\w*_lr\b|\blr_\w*|linear[- ]scaling|\b(your|current|old|base|starting|paper's) rates?\b")
});


static OTHER_SUBJECT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\bbatch(es)?\b|\bbatch[_ ]size\b|\bsteps?\b|\bupdates?\b|\biterations?\b|\bepochs?\b|\bnoise\b|\bvariance\b|\bgpus?\b|\bdevices?\b|\btime\b|\bthroughput\b|\bmemory\b|\bhours?\b|\bsamples?\b|\bexamples?\b")
});

/// Distance in bytes within which another subject's word claims a number, in a sentence
/// that names no learning-rate word itself.
const NEAR_OTHER_SUBJECT: usize = 20;

/// Picks the subject whose word lies nearest to `start..end`; learning-rate words, and
/// the rubric's extra words for it, win ties. In a sentence that names no learning-rate
/// word but follows one that does (`lr_from_previous`, see `follows_lr_sentence`), the
/// number is about the learning rate unless another subject's word is right beside
/// it: "**LR.** Scale it 4x with warmup, otherwise the larger batch ..." gives 4x.
fn subject_of(sentence: &str, start: usize, end: usize, extra_words: &[&Regex], lr_from_previous: bool) -> Subject {
    let distance = |found: regex::Match| {
        if found.end() <= start { start - found.end() } else if found.start() >= end { found.start() - end } else { 0 }
    };
    let nearest_lr = std::iter::once(&*LR_WORDS)
        .chain(extra_words.iter().copied())
        .flat_map(|words| words.find_iter(sentence))
        .map(distance)
        .min();
    let nearest_other = OTHER_SUBJECT_WORDS.find_iter(sentence).map(distance).min();
    match (nearest_lr, nearest_other) {
        (Some(lr), Some(other)) if lr <= other => Subject::LearningRate,
        (Some(_), Some(_)) if LR_SCALED_BY.is_match(&sentence[..start]) => Subject::LearningRate,
        (Some(_), None) => Subject::LearningRate,
        (None, None) if lr_from_previous => Subject::LearningRate,
        (None, Some(other)) if lr_from_previous && other > NEAR_OTHER_SUBJECT => Subject::LearningRate,
        _ => Subject::Other,
    }
}

/// The learning rate as the subject of a scaling verb right before a number: "the
/// learning rate should be multiplied by 4 to match the batch" scales the rate, though
/// "batch" lies nearer to the 4.
static LR_SCALED_BY: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(learning[- ]rates?|\blrs?|η|step[- ]size)\s+(?:(?:should|must|needs? to|has to|have to|will|would|can|could|to|gets?)\s+)?(?:(?:be|get|been)\s+)?(?:multiplied|scaled(?:\s+up)?|increased|raised|bumped(?:\s+up)?|boosted|grown|grows?|goes\s+up|go\s+up)\s+(?:by\s+)?(?:(?:a factor of|about|roughly|approximately|~)\s*)?$")
});

/// Multipliers: `4x`, `×4`, `4 times`, `by 4`, `4-fold`, `4 η`.
static MULTIPLIER: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(?P<pre>√|sqrt\(?|square root of )?\b(?P<n>\d+(?:\.\d+)?)\s*(?:x|×|\*|times|-fold)(?:\b|\s|$|[,;:.!?)])|(?:×|\*|\bx)\s*(?P<m>\d+(?:\.\d+)?)\b|\bby (?:a factor of |about |roughly |~)?(?P<b>\d+(?:\.\d+)?)\b(?:\s*(?:x|×))?|\bfactor of (?P<f>\d+(?:\.\d+)?)\b|(?P<c>\d+(?:\.\d+)?)\s*(?:η|lr\b|base[_ ]lr)")
});

/// Words after a multiplier that make it a reduction or a different quantity.
static NOT_AN_LR_INCREASE: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)^\s*(fewer|less|lower|smaller|slower|faster|more (steps|updates|iterations|memory|compute)|the batch|batch|gpus?|steps|updates)\b")
});

/// Learning-rate values before and after: `0.1 → 0.4`, `1e-3 to 4e-3`, `at 0.1, go to 0.4`,
/// `at 0.05 you'd move to 0.2`, `0.1 at batch 64 → 0.4`, `was 0.05, the target is 0.2`,
/// `at 0.05 now, go to 0.2`, `if you had 1e-3, the new one is 4e-3`, `at 0.025 it becomes 0.1`,
/// `0.1 at 128, target 0.4`, `at lr=0.05, go to lr=0.2`.
/// A chain gives the factor between its ends: `0.05 → 0.1 → 0.2` is 4×.
/// NOTE: a warmup ramp written as a chain (`0.1 → 0.2 → 0.4 → 0.8`) also reads as a factor, 8×.
static LR_CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(?P<a>\d*\.?\d+(?:e-?\d+)?)(?:\s+(?:with|at|for|on)\s+[^.;,→]{1,30}?|\s+now)?\s*(?:→|->|=>|⇒|⟶|\bto\b|\bbecomes\b|,?\s*(?:(?:you'?d|you would|you'll|i'?d|we'?d|then)\s+)?(?:(?:go|move|switch|jump|raise it|bump it|increase it|set it) to|try|use|target)\b|,?\s*the\s+(?:target|new\s+(?:lr|rate|value|one|learning\s+rate))\s+(?:is|becomes)\b|\s+it\s+becomes\b)\s*(?:(?:lr|learning[_ ]rate)\s*=\s*)?(?:\d*\.?\d+(?:e-?\d+)?\s*(?:→|->|=>)\s*)*(?P<b>\d*\.?\d+(?:e-?\d+)?)")
});

/// The learning rate as the object of "by", earlier in the clause: in "multiply the
/// learning rate by the same factor as the batch, i.e. by 4", the 4 restates that factor.
static LR_BY_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)(learning[- ]rate|\blr|η|step[- ]size)\s+by\b(?:[^.;:]|\b(?:i\.e|e\.g)\.)*$"));

/// A scaling verb with "it" as its object, right before a factor: "Scale it by 4×",
/// "multiply it by".
static IT_SCALED_BY_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b(?:scale|multiply|raise|increase|bump|grow)\w*\s+it\s+(?:up\s+)?(?:by\s+)?$"));

/// "it" scaled with the batch right before a factor, in a sentence whose learning rate
/// comes from the sentence before: "**Learning rate.** Scale it with the batch: 4× here".
static IT_WITH_BATCH_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(?:scale|grow|move|raise|increase|multiply)\w*\s+it\s+(?:with|along with|in proportion to|by the same factor as)\s+the\s+batch(?:\s+size)?\s*[:,—–-]\s*$")
});

/// A learning rate with the value it replaces: `lr: 4.0e-3  # was 1.0e-3`.
static LR_WAS: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(?P<b>\d*\.?\d+(?:e-?\d+)?)\s*(?:#|\(|,)\s*(?:was|from|up from|previously) (?P<a>\d*\.?\d+(?:e-?\d+)?)")
});

pub(super) fn lr_multipliers(text: &AnswerText, matches: &SentenceMatches, extra_words: &[Regex]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut variables = CodeVariables::default();
    // Each sentence is judged once: code lines look at every other line of their block.
    let mut names_lr_word = matches.pattern(FIRST_QUANTITY_PATTERN).to_vec();
    let extra_words = ExtraWords::find(extra_words, text);
    for (index, sentence) in text.sentences().enumerate() {
        names_lr_word[index] = names_lr_word[index] || extra_words.match_in(index, sentence.normalized);
    }
    let names_lr = |index: usize| names_lr_word[index];
    let block_names_lr = code_blocks_naming_lr(text, names_lr);
    let bare_reply = is_bare_reply(text, &names_lr_word);
    let opening_factor = opens_with_bare_factor(text, &names_lr_word);
    let answer_names_lr = names_lr_word.contains(&true);
    let mut diff = DiffedLearningRates::default();
    for (index, sentence) in text.sentences().enumerate() {
        let normalized = sentence.normalized;
        if sentence.in_code {
            if let Some(finding) = code_lr_multiplier(sentence, index, &variables) {
                findings.push(finding);
            }
            variables.read_assignment(normalized);
            findings.extend(diff.read(normalized, index));
        }
        let names_lr_itself = names_lr(index);
        let lr_from_previous =
            !names_lr_itself && (bare_reply || index == 0 && opening_factor || follows_lr_sentence(text, index, names_lr));
        let in_lr_context = names_lr_itself || lr_from_previous || block_names_lr[index];
        if !in_lr_context {
            // Values that look like learning rates may follow a sentence about the
            // rate: "η_new = η_old · 256/64. So if you were at 0.1, go to 0.4."
            if answer_names_lr || index > 0 && names_lr(index - 1) {
                findings.extend(lr_changes(sentence, index));
            }
            continue;
        }
        // Every finding parses a number as an `f64`, which needs ASCII digits, so a
        // sentence without one skips the searches.
        if !normalized.bytes().any(|byte| byte.is_ascii_digit()) {
            continue;
        }
        let sentence_words = extra_words.in_sentence(index);
        for captures in MULTIPLIER.captures_iter(normalized) {
            if let Some(finding) = multiplier_finding(sentence, index, &captures, sentence_words, lr_from_previous) {
                findings.push(finding);
            }
        }
        // `LR_WAS` gives a finding only for an old value that looks like a learning rate.
        let was_candidates = if learning_rate_marks(normalized) >= 1 { LR_WAS.captures_iter(normalized).collect() } else { Vec::new() };
        for captures in was_candidates {
            let (Ok(after), Ok(before)) = (captures["b"].parse::<f64>(), captures["a"].parse::<f64>()) else { continue };
            if before > 0.0 && looks_like_learning_rate(&captures["a"], before) {
                findings.push(finding_at(index, after / before, captures.get(0).unwrap()));
            }
        }
        findings.extend(lr_changes(sentence, index));
        // A match of `RATIO` contains a `/` or a `÷`, and an `=`.
        static DIVISION_SIGN: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new("÷"));
        let bytes = normalized.as_bytes();
        let has_division = memchr::memchr(b'/', bytes).is_some() || DIVISION_SIGN.find(bytes).is_some();
        let ratio_candidates = if has_division && memchr::memchr(b'=', bytes).is_some() {
            RATIO.captures_iter(normalized).collect()
        } else {
            Vec::new()
        };
        for captures in ratio_candidates {
            let whole = captures.get(0).unwrap();
            let restates_lr_factor = LR_BY_BEFORE.is_match(&normalized[..whole.start()]);
            if restates_lr_factor || subject_of(normalized, whole.start(), whole.end(), sentence_words, lr_from_previous) == Subject::LearningRate {
                if let Ok(value) = captures["n"].parse() {
                    findings.push(finding_at(index, value, whole));
                }
            }
        }
    }
    withdraw_beside_kept_lr(matches.pattern(FIRST_QUANTITY_PATTERN + 1), &mut findings);
    findings
}

/// First-person advice to leave the learning rate as it is: "I'd leave the LR where it
/// is". A multiplier in the same sentence is an option the answer weighs and turns down
/// ("On second thought, I'd leave the LR where it is: 4x is a big jump").
static KEEPS_LR: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(i'd|i would|i'll|i will|let's|we'll|we will|better to|safer to|my (advice|recommendation) is to)\s+(just\s+)?(leave|keep)\s+(the\s+|your\s+)?(lr|learning rate)\s+(where it is|unchanged|as[- ]is|fixed|alone|the same|constant)\b")
});

/// The per-sentence tests of `lr_multipliers`: `LR_WORDS`, then `KEEPS_LR`.
pub(super) static PATTERNS: LazyLock<PatternSet> = LazyLock::new(|| quantity_patterns(&[&LR_WORDS, &KEEPS_LR]));

/// Withdraws the multipliers of sentences that advise keeping the learning rate.
fn withdraw_beside_kept_lr(keeps_lr: &[bool], findings: &mut [Finding]) {
    for finding in findings.iter_mut().filter(|finding| keeps_lr[finding.sentence]) {
        finding.asserted = false;
    }
}

/// The rubric's extra learning-rate words, and the sentences that they may match.
struct ExtraWords<'a> {
    all: Vec<&'a Regex>,
    /// The words that may hold an anchor (`^`, `$`, `\A`, `\z`). A search of
    /// `AnswerText::joined` cannot stand in for searching each sentence alone with them.
    anchored: Vec<&'a Regex>,
    /// Per sentence, whether some word without an anchor matches it alone.
    unanchored_match: Vec<bool>,
}

impl<'a> ExtraWords<'a> {
    fn find(extra_words: &'a [Regex], text: &AnswerText) -> Self {
        let anchored: Vec<&Regex> = extra_words.iter().filter(|words| may_hold_anchor(words.as_str())).collect();
        let unanchored_match = if anchored.len() == extra_words.len() {
            vec![false; text.sentence_count()]
        } else {
            unanchored_word_sentences(extra_words, text)
        };
        ExtraWords { all: extra_words.iter().collect(), anchored, unanchored_match }
    }

    /// Returns the words to search in sentence `index`. Only words that cannot match
    /// there are left out.
    fn in_sentence(&self, index: usize) -> &[&'a Regex] {
        if self.unanchored_match[index] { &self.all } else { &self.anchored }
    }

    /// Checks whether some word matches sentence `index`, whose normalized text is
    /// `sentence`.
    fn match_in(&self, index: usize, sentence: &str) -> bool {
        self.unanchored_match[index] || self.anchored.iter().any(|words| words.is_match(sentence))
    }
}

fn may_hold_anchor(pattern: &str) -> bool {
    pattern.contains(['^', '$']) || pattern.contains(r"\A") || pattern.contains(r"\z")
}

/// The maximum number of word lists whose alternation `unanchored_word_sentences` keeps
/// per thread. A suite has one list per numeric check with `subject_words`, and
/// variants that share the patterns share the entry.
const MAX_CACHED_ALTERNATIONS: usize = 16;

/// A rubric's unanchored extra words, and their alternation (`None` if it failed to
/// compile).
type WordAlternation = (Vec<String>, Option<Regex>);

thread_local! {
    static WORD_ALTERNATIONS: RefCell<Vec<WordAlternation>> = const { RefCell::new(Vec::new()) };
}

/// Returns, for each sentence, whether some word of `extra_words` without an anchor
/// matches it alone, from one search of the words' alternation over
/// `AnswerText::joined`. In a callgrind probe over the labelled fixture responses, one
/// search of the alternation of the seven unanchored words of `linear-scaling-rule`
/// cost about a sixth of one search for each word (8.7k against 53k instructions).
///
/// As in `sentences_matching`, a match without a newline lies in one sentence, and
/// every sentence that a word matches alone contains a match of the alternation, because
/// a sentence's neighbours in the joined text are newlines, where `\b` behaves as at a
/// string's ends. Where a match spans a newline or lies past the last sentence, or the
/// alternation fails to compile, each sentence is searched with each word instead.
///
/// The alternation is compiled as the suite compiles its regexes (`build_regex`). For
/// words compiled with other flags it matches at least where they do, because a
/// case-insensitive or multi-line pattern matches everything its plain form matches.
fn unanchored_word_sentences(extra_words: &[Regex], text: &AnswerText) -> Vec<bool> {
    let unanchored = || extra_words.iter().map(Regex::as_str).filter(|pattern| !may_hold_anchor(pattern));
    // The search runs on the cached regex itself, because a clone of a `Regex` starts
    // with an empty match cache and would build its lazy DFA again.
    let found_sentences = WORD_ALTERNATIONS.with_borrow_mut(|alternations| {
        let cached = alternations.iter().position(|(patterns, _)| patterns.iter().map(String::as_str).eq(unanchored()));
        let index = cached.unwrap_or_else(|| {
            if alternations.len() == MAX_CACHED_ALTERNATIONS {
                alternations.clear();
            }
            let alternation = unanchored().map(|pattern| format!("(?:{pattern})")).collect::<Vec<_>>().join("|");
            alternations.push((unanchored().map(str::to_string).collect(), build_regex(&alternation).ok()));
            alternations.len() - 1
        });
        let alternation = alternations[index].1.as_ref()?;
        let mut matching = vec![false; text.sentence_count()];
        for found in alternation.find_iter(&text.joined) {
            if found.as_str().contains('\n') || found.start() == text.joined.len() {
                return None;
            }
            matching[text.sentence_at(found.start()).0] = true;
        }
        Some(matching)
    });
    found_sentences.unwrap_or_else(|| {
        let words = extra_words.iter().filter(|words| !may_hold_anchor(words.as_str()));
        text.sentences().map(|sentence| words.clone().any(|words| words.is_match(sentence.normalized))).collect()
    })
}

/// Factors from learning-rate values before and after, such as `0.1 → 0.4`.
fn lr_changes(sentence: Sentence, index: usize) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Both values must look like learning rates, and each contains its own mark.
    if learning_rate_marks(sentence.normalized) < 2 {
        return findings;
    }
    for captures in LR_CHANGE.captures_iter(sentence.normalized) {
        let (Ok(before), Ok(after)) = (captures["a"].parse::<f64>(), captures["b"].parse::<f64>()) else { continue };
        if looks_like_learning_rate(&captures["a"], before) && looks_like_learning_rate(&captures["b"], after) && before > 0.0 {
            findings.push(finding_at(index, after / before, captures.get(0).unwrap()));
        }
    }
    findings
}

/// A learning-rate assignment in code, `new_lr = old_lr * new_bs / old_bs`: the factor
/// is the expression's value with every learning-rate name set to 1.
static CODE_LR_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"^\s*(?P<target>\w*lr\w*|\w*learning_rate\w*)\s*=\s*(?P<expr>[^#]*\b(?:\w*lr\w*|\w*learning_rate\w*)\b[^#]*?)\s*(?:#.*)?$")
});

/// A learning-rate setting on a line of a diff: `- lr: 0.1` removed, `+ lr: 0.4` added.
/// The setting may be anywhere on the line, as a YAML or JSON key, a keyword argument or
/// a command-line flag: `+ opt = SGD(params, lr=0.4)`, `+ "lr": 0.4,`,
/// `+ --learning-rate 0.4`. A file header (`--- a/train.py`) is not one.
static DIFF_LR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r#"^(?P<sign>[-+])(?:[^-+].*?)?(?:^|[^\w])(?P<key>\w*lr\w*|\w*learning[_-]rate\w*)["']?\s*(?:[:=]\s*|\s+)(?P<value>\d*\.?\d+(?:e-?\d+)?)\b"#)
});

/// The learning rates that lines of a diff remove, by setting name, so that the line
/// adding a new value for the same setting gives the factor between them.
#[derive(Default)]
struct DiffedLearningRates {
    removed: Vec<(String, f64)>,
}

impl DiffedLearningRates {
    /// Reads a code line, and returns the factor when it adds a value for a setting that
    /// an earlier line removed.
    fn read(&mut self, line: &str, index: usize) -> Option<Finding> {
        if !line.starts_with(['-', '+']) {
            return None;
        }
        let captures = DIFF_LR_LINE.captures(line)?;
        let value: f64 = captures["value"].parse().ok()?;
        let key = &captures["key"];
        if &captures["sign"] == "-" {
            self.removed.push((key.to_string(), value));
            return None;
        }
        let (_, old) = self.removed.iter().rev().find(|(removed, _)| removed == key)?;
        (*old > 0.0).then(|| finding_at(index, value / old, captures.name("value").unwrap()))
    }
}

fn code_lr_multiplier(sentence: Sentence, index: usize, variables: &CodeVariables) -> Option<Finding> {
    // The pattern needs an `=` and a learning-rate name, on both sides of the `=`.
    let normalized = sentence.normalized;
    if !normalized.contains('=') || !(normalized.contains("lr") || normalized.contains("learning_rate")) {
        return None;
    }
    let captures = CODE_LR_ASSIGNMENT.captures(sentence.normalized)?;
    let value = variables.evaluate_with_unit_names(&captures["expr"], |name| name.contains("lr") || name.contains("learning_rate"))?;
    (value > 1.0).then(|| finding_at(index, value, captures.name("expr").unwrap()))
}

/// Checks whether sentence `index` continues a sentence that names the learning rate: after a
/// short label ("**LR.** Scale by 512/128 = 4"), as a short sentence of its own
/// ("Multiply the LR by the batch ratio. For you that's 4x."), or as one that opens by
/// scaling "it" ("Keep the old LR and you'll converge slower. Scale it 4x, ramp it in
/// with a warmup.").
fn follows_lr_sentence(text: &AnswerText, index: usize, names_lr: impl Fn(usize) -> bool) -> bool {
    let Some(mut previous) = index.checked_sub(1) else { return false };
    // A bare "Yes." between a question about the rate and the advice that answers it:
    // "Do I need to touch the learning rate? Yes. Scale it by 4."
    if previous > 0 && is_bare_yes_or_no(text.sentence(previous).normalized) {
        previous -= 1;
    }
    // Counting words costs far more than `names_lr`, so it comes second, and stops at
    // the first word past the limit.
    let has_at_most_words = |index: usize, limit: usize| text.sentence(index).normalized.split_whitespace().nth(limit).is_none();
    names_lr(previous) && (has_at_most_words(previous, 3) || has_at_most_words(index, 8) || opens_by_scaling_it(text.sentence(index).normalized))
}

/// Checks whether a sentence is only "Yes" or "No", with any punctuation or markup.
fn is_bare_yes_or_no(sentence: &str) -> bool {
    let word = sentence.trim_matches(|c: char| !c.is_alphanumeric());
    ["yes", "no", "yep", "nope"].iter().any(|reply| word.eq_ignore_ascii_case(reply))
}

/// The maximum number of words in a reply that gives only numbers: "4× — e.g. 1e-3 →
/// 4e-3."
const BARE_REPLY_WORDS: usize = 10;

/// Checks whether the answer is a bare reply of at most `BARE_REPLY_WORDS` words that
/// names no subject at all, so that its numbers answer the question asked.
fn is_bare_reply(text: &AnswerText, names_lr_word: &[bool]) -> bool {
    let mut words = text.sentences().flat_map(|sentence| sentence.normalized.split_whitespace());
    words.nth(BARE_REPLY_WORDS).is_none()
        && !names_lr_word.contains(&true)
        && text.sentences().all(|sentence| !OTHER_SUBJECT_WORDS.is_match(sentence.normalized))
}

/// A factor that opens an answer on its own, before a colon, a comma, a dash or a full
/// stop: "4×: e.g. 0.1 → 0.4, reached through a linear warmup".
static OPENING_FACTOR: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)^\W{0,4}\d+(?:\.\d+)?\s*(?:x|×)\s*(?:[:.,—–]|\s-\s|$)"));

/// Checks whether an answer that names no learning-rate word opens with a bare factor,
/// which then answers the question asked, as a bare reply does. A factor followed by
/// words for another quantity ("4x: fewer steps per epoch") does not count.
fn opens_with_bare_factor(text: &AnswerText, names_lr_word: &[bool]) -> bool {
    if names_lr_word.contains(&true) {
        return false;
    }
    let Some(first) = text.get(0) else { return false };
    OPENING_FACTOR.find(first.normalized).is_some_and(|factor| !NOT_AN_LR_INCREASE.is_match(&first.normalized[factor.end()..]))
}

/// The verbs that open a sentence scaling the rate named before it: "Scale it 4x".
const SCALING_VERBS: [&str; 8] = ["scale", "multiply", "raise", "bump", "increase", "boost", "grow", "quadruple"];

/// Checks whether a sentence opens with a scaling verb whose object is "it" or "that".
fn opens_by_scaling_it(sentence: &str) -> bool {
    let mut words = sentence.split_whitespace().map(|word| word.trim_matches(|c: char| !c.is_alphanumeric()));
    let (Some(verb), Some(object)) = (words.next(), words.next()) else { return false };
    SCALING_VERBS.iter().any(|scaling| verb.eq_ignore_ascii_case(scaling)) && (object.eq_ignore_ascii_case("it") || object.eq_ignore_ascii_case("that"))
}

/// Returns, for each sentence, whether it is a code line in a block where some line
/// names the learning rate.
fn code_blocks_naming_lr(text: &AnswerText, names_lr: impl Fn(usize) -> bool) -> Vec<bool> {
    let mut in_block_naming_lr = vec![false; text.sentence_count()];
    let mut start = 0;
    while start < text.sentence_count() {
        let end = (start..text.sentence_count()).find(|index| !text.sentence(*index).in_code).unwrap_or(text.sentence_count());
        if end > start && (start..end).any(&names_lr) {
            in_block_naming_lr[start..end].fill(true);
        }
        start = end + 1;
    }
    in_block_naming_lr
}

fn multiplier_finding(sentence: Sentence, index: usize, captures: &Captures, extra_words: &[&Regex], lr_from_previous: bool) -> Option<Finding> {
    if captures.name("pre").is_some() {
        return None;
    }
    let number = ["n", "m", "b", "f", "c"].iter().find_map(|name| captures.name(name))?;
    let whole = captures.get(0)?;
    let normalized = sentence.normalized;
    let exponent = normalized[..whole.start()].ends_with('*') || whole.as_str().starts_with("**") || ends_inside_number(&normalized[..number.start()]);
    if exponent || NOT_AN_LR_INCREASE.is_match(&normalized[whole.end()..]) || preceded_by_root(normalized, whole.start()) {
        return None;
    }
    // "somewhere between 2× and 4×" gives a range, not a factor, but "ramp it from 1× to
    // 4×" gives the factor it reaches.
    let range = RANGE_OPENED_BEFORE.captures(&normalized[..whole.start()]);
    if range.is_some_and(|range| range.name("from").is_none()) {
        return None;
    }
    let restates_lr_factor = captures.name("b").is_some() && LR_BY_BEFORE.is_match(&normalized[..whole.start()]);
    // "**Learning rate:** scale it with the batch, 4×": "it" is the rate named before it
    // in the sentence or in the sentence before. It is also the rate when the rubric's
    // subject words match before it ("scale it by the same factor as the batch, 4×").
    let before = &normalized[..whole.start()];
    let scales_it_with_batch = IT_WITH_BATCH_BEFORE.is_match(before)
        && (lr_from_previous || LR_WORDS.is_match(before) || extra_words.iter().any(|words| words.is_match(before)));
    // "**Learning rate.** Scale it by 4× (the batch ratio)": the factor is the object of
    // scaling "it", the rate of the sentence before, however near "batch" is.
    let scales_it_by = lr_from_previous && IT_SCALED_BY_BEFORE.is_match(before);
    // A factor right before "the learning rate" multiplies the rate, however near "batch"
    // is: "Four times the batch, four times the learning rate".
    let multiplies_lr = LR_AFTER_FACTOR.is_match(&normalized[whole.end()..]);
    if !restates_lr_factor && !scales_it_with_batch && !scales_it_by && !multiplies_lr && subject_of(normalized, number.start(), number.end(), extra_words, lr_from_previous) != Subject::LearningRate {
        return None;
    }
    let value: f64 = number.as_str().parse().ok()?;
    let divides = DIVISION_BEFORE.is_match(&normalized[..whole.start()]);
    // "Raise it by 300%" is a factor of 4, and "cut it by 50%" one of 1/2.
    let percent = captures.name("b").is_some() && normalized[number.end()..].starts_with('%');
    let value = match (percent, divides) {
        (true, false) => 1.0 + value / 100.0,
        (true, true) => 1.0 - value / 100.0,
        // "Divide the learning rate by 4" is a factor of 1/4.
        (false, true) => 1.0 / value,
        (false, false) => value,
    };
    Some(finding_at(index, value, whole))
}

/// The learning rate right after a factor, as what it multiplies: "4x the learning rate".
static LR_AFTER_FACTOR: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"(?i)^\s*(the |your )?(learning[- ]rate|lr)\b"));

/// The lower end of a range, just before a factor that is then its upper end: "between
/// 2× and 4×", "2x–4x".
static RANGE_OPENED_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)(\bbetween\s+\d+(\.\d+)?\s*(x|×)?\s+and|(?P<from>\bfrom\s+)?\b\d+(\.\d+)?\s*(x|×)\s*(–|-|to))\s*$"));

/// A verb just before a factor that makes it a division.
static DIVISION_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b(divid\w*|cut|reduc\w*|lower\w*|shrink\w*)\b[^.,;]{0,30}$"));

/// Checks whether text ending here leaves a number unfinished, so that digits after it
/// are its exponent or fraction: "3e-4 * 1.5" contains no factor of 4.
fn ends_inside_number(before: &str) -> bool {
    let bytes = before.as_bytes();
    let digit_or_point = |index: usize| bytes.get(index).is_some_and(|byte| byte.is_ascii_digit() || *byte == b'.');
    match bytes {
        [.., b'e' | b'E', b'-' | b'+'] => digit_or_point(bytes.len().wrapping_sub(3)),
        [.., b'e' | b'E'] | [.., b'.'] => digit_or_point(bytes.len().wrapping_sub(2)),
        _ => false,
    }
}

fn preceded_by_root(sentence: &str, start: usize) -> bool {
    let before = sentence[..start].trim_end();
    before.ends_with('√') || before.to_ascii_lowercase().ends_with("sqrt(") || before.ends_with("square root of")
}

/// Counts the places in `text` where a digit follows `.` or `e-` (either case), up to
/// 2. A number that `looks_like_learning_rate` accepts contains one: it parses as an `f64`,
/// so its digits are ASCII, and a positive value below 1 needs a fraction or a negative
/// exponent. The count lets a sentence skip a search whose every finding needs such
/// numbers, at far less cost than the search.
fn learning_rate_marks(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digit_at = |index: usize| bytes.get(index).is_some_and(u8::is_ascii_digit);
    let mut count = 0;
    for position in memchr::memchr2_iter(b'.', b'-', bytes) {
        let marks = if bytes[position] == b'.' {
            digit_at(position + 1)
        } else {
            position > 0 && matches!(bytes[position - 1], b'e' | b'E') && digit_at(position + 1)
        };
        if marks {
            count += 1;
            if count == 2 {
                break;
            }
        }
    }
    count
}

/// Learning rates are small: below 1, or written with a negative exponent.
fn looks_like_learning_rate(written: &str, value: f64) -> bool {
    written.to_ascii_lowercase().contains("e-") || (value > 0.0 && value < 1.0)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::suite::{load_builtin, CheckRule, BASE_VARIANT};

    /// Returns every answer of every labelled fixture file.
    pub(in crate::score::numbers) fn labelled_answers() -> Vec<String> {
        let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/labelled");
        let mut answers = Vec::new();
        for entry in std::fs::read_dir(directory).expect("the labelled fixtures exist") {
            let path = entry.expect("a readable directory entry").path();
            if path.extension().is_some_and(|extension| extension == "jsonl") {
                for line in std::fs::read_to_string(&path).expect("a readable fixture").lines() {
                    let value: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
                    answers.push(value["response"].as_str().expect("a response").to_string());
                }
            }
        }
        answers
    }

    /// Returns the subject words of the built-in suite's numeric checks, and word lists
    /// with an anchored word and with words whose matches may cross sentences.
    fn word_lists() -> Vec<Vec<Regex>> {
        let suite = load_builtin().expect("the built-in suite loads");
        let mut lists: Vec<Vec<Regex>> = suite
            .scenarios
            .iter()
            .flat_map(|scenario| scenario.asked(BASE_VARIANT).expect("the base variant").rubric.checks.iter())
            .filter_map(|check| match &check.rule {
                CheckRule::Numeric(rule) if !rule.subject_words.is_empty() => Some(rule.subject_words.clone()),
                _ => None,
            })
            .collect();
        assert!(!lists.is_empty(), "the built-in suite has subject words");
        let build = |patterns: &[&str]| patterns.iter().map(|pattern| build_regex(pattern).unwrap()).collect();
        lists.push(build(&[r"\bthe\s+\w+", r"^\W*\d+x\W*$"]));
        lists.push(build(&[r"\.\s+[a-z]", r"\bscale\b"]));
        lists
    }

    #[test]
    fn extra_words_match_like_each_sentence() {
        for words in word_lists() {
            for answer in labelled_answers() {
                let text = AnswerText::parse(&answer);
                let extra_words = ExtraWords::find(&words, &text);
                for (index, sentence) in text.sentences().enumerate() {
                    let matching: Vec<&str> =
                        words.iter().filter(|words| words.is_match(sentence.normalized)).map(Regex::as_str).collect();
                    assert_eq!(extra_words.match_in(index, sentence.normalized), !matching.is_empty(), "in: {}", sentence.normalized);
                    let searched: Vec<&str> = extra_words.in_sentence(index).iter().map(|words| words.as_str()).collect();
                    assert!(matching.iter().all(|pattern| searched.contains(pattern)), "{matching:?} in: {}", sentence.normalized);
                }
            }
        }
    }

    #[test]
    fn words_without_anchor_use_alternation() {
        let words = vec![build_regex(r"\bscale it\b").unwrap(), build_regex(r"^\W*4x\W*$").unwrap()];
        let text = AnswerText::parse("Use more warmup. Then scale it by 4.\n\n**4x**");
        let extra_words = ExtraWords::find(&words, &text);
        assert_eq!(extra_words.unanchored_match, [false, true, false]);
        assert_eq!(extra_words.in_sentence(0).len(), 1);
        assert_eq!(extra_words.in_sentence(1).len(), 2);
        assert!(extra_words.match_in(2, text.sentence(2).normalized));
    }

    #[test]
    fn match_across_sentences_searches_each() {
        let words = vec![build_regex(r"\bthe\s+\w+").unwrap()];
        let text = AnswerText::parse("Scale the\n\nlearning rate. And the rate.");
        assert!(text.joined.contains("the\nlearning"));
        assert_eq!(ExtraWords::find(&words, &text).unanchored_match, [false, false, true]);
    }
}
