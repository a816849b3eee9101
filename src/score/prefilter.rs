//! A literal prefilter that gives the scorer the sentences a rubric regex can match in.
//!
//! For each regex, `required_literals` finds a set of literals such that every match of
//! the regex contains at least one of them. One Aho–Corasick pass over
//! `AnswerText::joined` finds every occurrence of every literal and the sentence it
//! starts in. A search of one sentence alone can then match only if one of the regex's
//! literals occurs in that sentence, so the scorer searches just those sentences, or
//! skips the regex when there are none.
//! A regex without such a set (its pattern starts and ends with wide classes such as
//! `\d+`, or its literals are shorter than `MIN_LITERAL_BYTES`) is searched as before.
//!
//! Skipping never changes an outcome: the regex would have found nothing there.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};

use super::text::AnswerText;
use crate::suite::LazyRegex;

/// The shortest literal worth searching for. Shorter ones ("x", "lr") occur in almost
/// every answer, and each occurrence costs a report in the overlapping search.
const MIN_LITERAL_BYTES: usize = 3;

/// Literals of the rubric regexes, and which literals each regex needs.
#[derive(Debug)]
pub struct Prefilter {
    /// Every distinct literal, ASCII-lowercased, matched ASCII-case-insensitively. A
    /// contiguous NFA, because a DFA for the whole suite's literals executed fewer
    /// instructions but scored slower in wall time (`cargo bench --bench scoring`).
    automaton: AhoCorasick,
    /// Literal ids by the key of each regex given to `new`. The scorer borrows the suite
    /// that owns those regexes for as long as it keeps this map, so no other regex can
    /// take such a key. A regex that is missing has no usable literal set and is
    /// searched everywhere.
    required: HashMap<usize, Box<[u32]>>,
}

/// A regex as the prefilter indexes it: its pattern, and a key that no other live regex
/// shares.
pub trait IndexedRegex {
    fn pattern(&self) -> &str;
    fn key(&self) -> usize;
}

impl IndexedRegex for Regex {
    fn pattern(&self) -> &str {
        self.as_str()
    }

    /// Returns the regex's address, which is cheaper to hash than its pattern.
    fn key(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }
}

/// Suite regexes are indexed without compiling them, so that the prefilter keeps lazy
/// compilation lazy.
impl IndexedRegex for LazyRegex {
    fn pattern(&self) -> &str {
        self.as_str()
    }

    fn key(&self) -> usize {
        self.identity()
    }
}

impl Prefilter {
    /// Builds the prefilter for `regexes`, each compiled as `suite::load` compiles
    /// rubric regexes (see `parse_like_rubric_regex`).
    pub fn new<'a, R: IndexedRegex + 'a>(regexes: impl IntoIterator<Item = &'a R>) -> Self {
        let mut literal_ids: HashMap<Vec<u8>, u32> = HashMap::new();
        // Variants share patterns, so each distinct pattern is analysed once.
        let mut ids_by_pattern: HashMap<&str, Option<Box<[u32]>>> = HashMap::new();
        let mut required = HashMap::new();
        for regex in regexes {
            let pattern = regex.pattern();
            let ids = ids_by_pattern.entry(pattern).or_insert_with(|| {
                let literals = usable_literals(pattern)?;
                let ids = literals.into_iter().map(|literal| {
                    let next = u32::try_from(literal_ids.len()).expect("fewer than 2^32 literals");
                    *literal_ids.entry(literal).or_insert(next)
                });
                Some(ids.collect())
            });
            if let Some(ids) = ids {
                required.insert(regex.key(), ids.clone());
            }
        }

        let mut literals: Vec<(Vec<u8>, u32)> = literal_ids.into_iter().collect();
        literals.sort_unstable_by_key(|(_, id)| *id);
        let automaton = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .ascii_case_insensitive(true)
            .build(literals.iter().map(|(literal, _)| literal))
            .expect("the rubric literals fit an Aho–Corasick contiguous NFA");
        Prefilter { automaton, required }
    }

    /// Finds every occurrence of every literal in an answer.
    pub fn scan(&self, text: &AnswerText) -> FoundLiterals<'_> {
        // `joined` contains each normalized sentence followed by a newline, so this maps
        // each of its bytes to the sentence it belongs to.
        let mut sentence_of_byte: Vec<u32> = Vec::with_capacity(text.joined.len());
        for (index, sentence) in text.sentences.iter().enumerate() {
            let index = u32::try_from(index).expect("fewer than 2^32 sentences");
            sentence_of_byte.resize(sentence_of_byte.len() + sentence.normalized.len() + 1, index);
        }
        debug_assert_eq!(sentence_of_byte.len(), text.joined.len());

        // The search reports each literal's occurrences in text order, so comparing
        // with the literal's last sentence drops most repeats before the sort.
        let mut last_sentence = vec![u32::MAX; self.automaton.patterns_len()];
        let mut occurrences: Vec<(u32, u32)> = Vec::new();
        for occurrence in self.automaton.find_overlapping_iter(&text.joined) {
            let literal = occurrence.pattern().as_u32();
            let sentence = sentence_of_byte[occurrence.start()];
            if last_sentence[literal as usize] != sentence {
                last_sentence[literal as usize] = sentence;
                occurrences.push((literal, sentence));
            }
        }
        occurrences.sort_unstable();
        occurrences.dedup();
        let everywhere = text.joined.contains(FOLDS_TO_ASCII);
        FoundLiterals { prefilter: self, occurrences, everywhere }
    }
}

/// Where the prefilter's literals occur in one answer.
#[derive(Debug)]
pub struct FoundLiterals<'a> {
    prefilter: &'a Prefilter,
    /// (literal id, index of the sentence where an occurrence starts), sorted, without
    /// repeats.
    occurrences: Vec<(u32, u32)>,
    /// Whether the answer contains a character of `FOLDS_TO_ASCII`, which the literals
    /// of ASCII patterns do not cover, so that every regex is searched everywhere.
    everywhere: bool,
}

/// The sentences a regex can match in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidates {
    /// The regex has no literal set: any sentence, and the joined text, may match.
    Anywhere,
    /// Sentence indices in ascending order. A search of any other sentence alone finds
    /// nothing. Empty when none of the regex's literals occur.
    Sentences(Vec<usize>),
}

impl FoundLiterals<'_> {
    /// Returns the literal ids of `regex`, or `None` when it is searched everywhere.
    fn required_ids(&self, regex: &impl IndexedRegex) -> Option<&[u32]> {
        if self.everywhere {
            return None;
        }
        self.prefilter.required.get(&regex.key()).map(|ids| &ids[..])
    }

    /// Returns the sentences where `regex` can match.
    pub fn candidates(&self, regex: &impl IndexedRegex) -> Candidates {
        let Some(ids) = self.required_ids(regex) else { return Candidates::Anywhere };
        let mut sentences = Vec::new();
        for id in ids.iter() {
            let first = self.occurrences.partition_point(|(literal, _)| literal < id);
            let with_id = self.occurrences[first..].iter().take_while(|(literal, _)| literal == id);
            sentences.extend(with_id.map(|(_, sentence)| *sentence as usize));
        }
        sentences.sort_unstable();
        sentences.dedup();
        Candidates::Sentences(sentences)
    }

    /// Returns false when `regex` cannot match the joined text nor any substring of it.
    pub fn may_match(&self, regex: &impl IndexedRegex) -> bool {
        match self.required_ids(regex) {
            Some(ids) => ids.iter().any(|id| {
                let first = self.occurrences.partition_point(|(literal, _)| literal < id);
                self.occurrences.get(first).is_some_and(|(literal, _)| literal == id)
            }),
            None => true,
        }
    }

    /// Returns false when `regex` cannot match sentence `index`.
    pub fn may_match_in(&self, regex: &impl IndexedRegex, index: usize) -> bool {
        match self.required_ids(regex) {
            Some(ids) => ids.iter().any(|id| self.occurrences.binary_search(&(*id, index as u32)).is_ok()),
            None => true,
        }
    }
}

/// Returns the literal set of a pattern, or `None` when it has none the scorer can use.
fn usable_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = parse_like_rubric_regex(pattern)?;
    // `\A` and `\z` match at a sentence's edges only when the sentence is searched
    // alone, so such a regex is always searched over the joined text.
    if hir.properties().look_set().contains_anchor_haystack() {
        return None;
    }
    required_literals(&hir)
}

/// Parses a pattern for literal extraction. `suite::load` compiles rubric regexes
/// case-insensitively and multi-line, but an ASCII pattern is parsed here
/// case-sensitively: the case-insensitive parse gives every letter its case variants,
/// and extracting from it took about 6 million instructions per pattern, most of a
/// run's start-up. The search ignores ASCII case anyway, so the case-sensitive literals
/// are enough. Only two non-ASCII characters case-fold to ASCII letters
/// (`FOLDS_TO_ASCII`), and in an answer that contains one of them `Prefilter::scan`
/// searches every regex everywhere. A pattern with non-ASCII characters keeps the
/// case-insensitive parse, whose literals carry their own case variants.
///
/// NOTE: a builder flag that changes how a pattern parses, such as
/// `ignore_whitespace`, would make this parse wrong. Add it here if the loader ever
/// sets one. Flags written in the pattern itself (`(?i)`, `(?x)`) are fine.
fn parse_like_rubric_regex(pattern: &str) -> Option<Hir> {
    let case_insensitive = !pattern.is_ascii();
    regex_syntax::ParserBuilder::new().case_insensitive(case_insensitive).multi_line(true).build().parse(pattern).ok()
}

/// The characters outside ASCII that Unicode simple case folding maps to an ASCII
/// letter: the Kelvin sign (`k`) and the long s (`s`).
const FOLDS_TO_ASCII: [char; 2] = ['\u{212A}', '\u{017F}'];

/// Returns ASCII-lowercased literals, each at least `MIN_LITERAL_BYTES` long, such that
/// every string `hir` matches contains one of them; `None` when no such set is found.
///
/// The set comes from these facts, each applied where it gives the longest literals:
/// - For a finite prefix (suffix) sequence, regex-syntax 0.8's `Extractor` guarantees
///   that every match starts (ends) with one of its literals. It treats look-arounds
///   such as `\b` as matching the empty string, which only adds strings.
/// - A match of a concatenation contains a match of each part, so any part's set works.
/// - A match of an alternation is a match of one branch, so the union of the branches'
///   sets works if every branch has one.
/// - A match of `x{n,m}` with n ≥ 1, or of a group `(x)`, contains a match of `x`.
///
/// Lowercasing changes only the bytes `A`–`Z`, which in UTF-8 are always whole ASCII
/// characters, so a literal that occurs in a text also occurs, ignoring ASCII case, as
/// its lowercased form. Non-ASCII case variants that `(?i)` adds (the Kelvin sign `K`
/// for `k`) stay literals of their own.
fn required_literals(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let whole = [ExtractKind::Prefix, ExtractKind::Suffix].into_iter().filter_map(|kind| extract(hir, kind));
    let from_parts = match hir.kind() {
        HirKind::Capture(capture) => required_literals(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min >= 1 => required_literals(&repetition.sub),
        HirKind::Concat(parts) => parts.iter().filter_map(required_literals).reduce(better),
        HirKind::Alternation(branches) => branches.iter().map(required_literals).collect::<Option<Vec<_>>>().map(union),
        _ => None,
    };
    whole.chain(from_parts).reduce(better)
}

/// Returns the prefix or suffix literals of `hir`, lowercased, if the sequence is
/// finite and each literal is long enough to be worth searching for.
fn extract(hir: &Hir, kind: ExtractKind) -> Option<Vec<Vec<u8>>> {
    let sequence = Extractor::new().kind(kind).extract(hir);
    let literals = sequence.literals()?;
    if literals.iter().any(|literal| literal.len() < MIN_LITERAL_BYTES) {
        return None;
    }
    let mut lowercased: Vec<Vec<u8>> = literals.iter().map(|literal| literal.as_bytes().to_ascii_lowercase()).collect();
    lowercased.sort_unstable();
    lowercased.dedup();
    Some(lowercased)
}

fn union(sets: Vec<Vec<Vec<u8>>>) -> Vec<Vec<u8>> {
    let mut all: Vec<Vec<u8>> = sets.into_iter().flatten().collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// Prefers the set whose shortest literal is longer (fewer chance occurrences), then
/// the smaller set.
fn better(first: Vec<Vec<u8>>, second: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let rank = |set: &Vec<Vec<u8>>| (set.iter().map(Vec::len).min().unwrap_or(0), std::cmp::Reverse(set.len()));
    if rank(&second) > rank(&first) { second } else { first }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literals_of(pattern: &str) -> Option<Vec<String>> {
        let hir = parse_like_rubric_regex(pattern).expect("valid pattern");
        required_literals(&hir).map(|set| set.into_iter().map(|literal| String::from_utf8(literal).unwrap()).collect())
    }

    #[test]
    fn literal_word_is_required() {
        assert_eq!(literals_of("warmup"), Some(vec!["warmup".to_string()]));
    }

    #[test]
    fn inner_literal_after_wide_class() {
        let literals = literals_of(r"(\d+|several) (small|smaller) steps").unwrap();
        // The long s, U+017F, which `(?i)s` also matches, is left to `FOLDS_TO_ASCII`.
        assert_eq!(literals, vec![" small steps".to_string(), " smaller steps".to_string()]);
    }

    #[test]
    fn optional_part_is_not_required() {
        assert_eq!(literals_of(r"(adam)?\d+x"), None);
    }

    #[test]
    fn alternation_needs_every_branch() {
        assert_eq!(literals_of(r"\d+|warmup"), None);
        let literals = literals_of(r"cosine|warm(ed|ing)? up").unwrap();
        assert!(literals.iter().any(|literal| literal.starts_with("cosi")), "{literals:?}");
        assert!(literals.iter().any(|literal| literal.starts_with("warm")), "{literals:?}");
    }

    #[test]
    fn short_literals_are_not_used() {
        assert_eq!(literals_of(r"\bx\b"), None);
    }

    #[test]
    fn non_ascii_pattern_keeps_case_variants() {
        let literals = literals_of("kit\u{e9}").unwrap();
        assert!(literals.contains(&"kit\u{e9}".to_string()), "{literals:?}");
        assert!(literals.contains(&"\u{212A}it\u{e9}".to_string()), "{literals:?}");
        assert!(literals.contains(&"kit\u{c9}".to_string()), "{literals:?}");
    }

    #[test]
    fn kelvin_sign_searches_everywhere() {
        let regex = Regex::new("(?i)kit").unwrap();
        let prefilter = Prefilter::new([&regex]);
        assert!(!prefilter.scan(&AnswerText::parse("No match here.")).may_match(&regex));
        let found = prefilter.scan(&AnswerText::parse("A \u{212A}it here."));
        assert!(found.may_match(&regex));
        assert!(regex.is_match("A \u{212A}it here."), "the regex matches what the literals miss");
        assert_eq!(found.candidates(&regex), Candidates::Anywhere);
    }

    #[test]
    fn skips_only_absent_literals() {
        let present = Regex::new("(?i)warm(ed|ing)? up").unwrap();
        let absent = Regex::new("(?i)cosine decay").unwrap();
        let wide = Regex::new(r"\d+x").unwrap();
        let prefilter = Prefilter::new([&present, &absent, &wide]);
        let found = prefilter.scan(&AnswerText::parse("Add a WARMING UP phase of 2x."));
        assert!(found.may_match(&present));
        assert!(!found.may_match(&absent));
        assert!(found.may_match(&wide));
    }

    #[test]
    fn candidates_are_sentences_with_literals() {
        let regex = Regex::new("(?i)cosine decay").unwrap();
        let prefilter = Prefilter::new([&regex]);
        let found = prefilter.scan(&AnswerText::parse("Cosine decay helps. Warm up first. Keep the cosine decay."));
        assert_eq!(found.candidates(&regex), Candidates::Sentences(vec![0, 2]));
        assert!(found.may_match_in(&regex, 2));
        assert!(!found.may_match_in(&regex, 1));
    }

    #[test]
    fn haystack_anchors_search_anywhere() {
        let regex = Regex::new(r"(?i)warmup\z").unwrap();
        let prefilter = Prefilter::new([&regex]);
        let found = prefilter.scan(&AnswerText::parse("No hint here."));
        assert_eq!(found.candidates(&regex), Candidates::Anywhere);
    }
}
