//! A cheap test for a phrase that has no literal set (see `score::prefilter`) and so is
//! searched over the whole answer: the phrase's needles, short byte strings one of
//! which every match contains, such as `=` in `lr\s*=\s*lr`. When an answer contains
//! none of them, the phrase cannot match it, and the search is skipped.

use std::collections::HashMap;
use std::sync::{LazyLock, PoisonError, RwLock};

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind, Look};

use super::super::text::AnswerText;
use crate::suite::LazyRegex;

/// The needles of each phrase searched so far, by pattern, or `None` when no set was
/// found. Extracting them from a case-insensitive parse costs far more than a search,
/// so each pattern is analysed once, on first use.
static NEEDLES: LazyLock<RwLock<HashMap<String, Option<Needles>>>> = LazyLock::new(Default::default);

/// Byte strings, ASCII-lowercased, one of which every match of a phrase contains.
#[derive(Debug, PartialEq)]
struct Needles {
    strings: Vec<Vec<u8>>,
    /// Whether every match starts with one of `strings` at the start of a line, as in
    /// `^no\b` with multi-line `^`.
    at_line_start: bool,
}

/// Returns false when `phrase` cannot match `text` nor any substring of it, because
/// `text` contains none of the phrase's needles, ignoring ASCII case.
pub fn may_match(phrase: &LazyRegex, text: &str) -> bool {
    let pattern = phrase.as_str();
    if let Some(needles) = NEEDLES.read().unwrap_or_else(PoisonError::into_inner).get(pattern) {
        return contains_any(text.as_bytes(), needles.as_ref());
    }
    let needles = phrase_needles(pattern);
    let found = contains_any(text.as_bytes(), needles.as_ref());
    NEEDLES.write().unwrap_or_else(PoisonError::into_inner).insert(pattern.to_string(), needles);
    found
}

/// Returns the indices of the sentences of `text` that contain one of `phrase`'s
/// needles, ignoring ASCII case, in ascending order: every index when the phrase has
/// no needles. A search of any other sentence alone cannot match.
pub fn sentences_with_needles(phrase: &LazyRegex, text: &AnswerText) -> Vec<usize> {
    let pattern = phrase.as_str();
    if let Some(needles) = NEEDLES.read().unwrap_or_else(PoisonError::into_inner).get(pattern) {
        return sentences_containing(text, needles.as_ref());
    }
    let needles = phrase_needles(pattern);
    let sentences = sentences_containing(text, needles.as_ref());
    NEEDLES.write().unwrap_or_else(PoisonError::into_inner).insert(pattern.to_string(), needles);
    sentences
}

/// Returns the indices of the sentences that contain one of `needles`, as
/// `contains_any` decides for each sentence alone.
fn sentences_containing(text: &AnswerText, needles: Option<&Needles>) -> Vec<usize> {
    let all = 0..text.sentence_count();
    let Some(needles) = needles.filter(|needles| !needles.at_line_start) else {
        return all.filter(|index| contains_any(text.sentence(*index).normalized.as_bytes(), needles)).collect();
    };
    // Each occurrence in the joined text is mapped to its sentence, which is cheaper than
    // a search of each sentence when occurrences are few. An occurrence that runs into
    // the newline after its sentence is not in that sentence.
    let mut found = vec![false; text.sentence_count()];
    let haystack = text.joined.as_bytes();
    for needle in &needles.strings {
        let mut sentence = SentenceSpan::default();
        for start in occurrences(haystack, needle) {
            sentence.move_to(text, start);
            if start + needle.len() <= sentence.end {
                found[sentence.index] = true;
            }
        }
    }
    all.filter(|index| found[*index]).collect()
}

/// A sentence's index and its bytes in `AnswerText::joined`, without the newline after it.
#[derive(Default)]
struct SentenceSpan {
    index: usize,
    start: usize,
    end: usize,
}

impl SentenceSpan {
    /// Moves to the sentence that contains byte `offset` of the joined text, or to the one
    /// before the newline at `offset`. Offsets in ascending order mostly stay in the
    /// same sentence and skip the binary search.
    fn move_to(&mut self, text: &AnswerText, offset: usize) {
        if (self.start..=self.end).contains(&offset) && self.end > 0 {
            return;
        }
        let (index, start) = text.sentence_at(offset);
        *self = SentenceSpan { index, start, end: start + text.sentence(index).normalized.len() };
    }
}

/// Checks whether `haystack` contains one of `needles` ignoring ASCII case, or returns
/// true when there are no needles to test.
fn contains_any(haystack: &[u8], needles: Option<&Needles>) -> bool {
    let Some(needles) = needles else { return true };
    if needles.at_line_start {
        let line_starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', haystack).map(|newline| newline + 1));
        return line_starts.into_iter().any(|start| needles.strings.iter().any(|needle| starts_with_at(haystack, start, needle)));
    }
    needles.strings.iter().any(|needle| contains(haystack, needle))
}

/// Checks whether `needle` occurs at byte `start` of `haystack`, ignoring ASCII case.
fn starts_with_at(haystack: &[u8], start: usize, needle: &[u8]) -> bool {
    haystack.get(start..start + needle.len()).is_some_and(|candidate| candidate.eq_ignore_ascii_case(needle))
}

/// Checks whether `haystack` contains `needle`, a nonempty ASCII-lowercased byte
/// string, ignoring ASCII case.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    occurrences(haystack, needle).next().is_some()
}

/// Returns where `needle`, a nonempty ASCII-lowercased byte string, starts in
/// `haystack`, ignoring ASCII case, in ascending order and overlaps included. It looks
/// for the needle's rarest byte with memchr and compares the bytes around each
/// occurrence.
fn occurrences<'a>(haystack: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let (anchor, &byte) = needle.iter().enumerate().min_by_key(|(_, byte)| frequency_rank(**byte)).expect("needles are nonempty");
    let start_of = move |position: usize| position.checked_sub(anchor).filter(|start| starts_with_at(haystack, *start, needle));
    let upper = if byte.is_ascii_lowercase() { byte.to_ascii_uppercase() } else { byte };
    memchr::memchr2_iter(byte, upper, haystack).filter_map(start_of)
}

/// Returns a rough rank of how often a byte occurs in English prose, higher for more
/// often. It only steers which needles and which of their bytes are searched, never
/// the result.
fn frequency_rank(byte: u8) -> u32 {
    match byte {
        b' ' => 40,
        b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'h' | b'r' => 20,
        b'a'..=b'z' => 8,
        b'.' | b',' => 10,
        b'0'..=b'9' | b'-' | b'\'' | b'"' | b':' | b'(' | b')' => 4,
        // The lead byte of most punctuation above U+2000 (dashes, quotes, arrows), and the
        // second byte of dashes and quotes.
        0xE2 | 0x80 => 5,
        _ => 1,
    }
}

/// Parses a pattern as the suite compiles it (case-insensitive, multi-line) and returns
/// its needles, or `None` when no set is found.
fn phrase_needles(pattern: &str) -> Option<Needles> {
    let hir = regex_syntax::ParserBuilder::new().case_insensitive(true).multi_line(true).build().parse(pattern).ok()?;
    // A pattern that opens with multi-line `^` matches only at the start of a line, and
    // there with one of its prefixes. That test is much narrower than the prefixes
    // anywhere.
    if let HirKind::Concat(parts) = hir.kind() {
        if parts.first().is_some_and(|first| matches!(first.kind(), HirKind::Look(Look::StartLF))) {
            if let Some(strings) = extract(&hir, ExtractKind::Prefix) {
                return Some(Needles { strings, at_line_start: true });
            }
        }
    }
    required_needles(&hir).map(|strings| Needles { strings, at_line_start: false })
}

/// Returns ASCII-lowercased byte strings such that every string `hir` matches contains
/// one of them, choosing among the sets found the one with the lowest `set_rank`.
///
/// The sets come from these facts:
/// - For a finite prefix (suffix) sequence, regex-syntax 0.8's `Extractor` guarantees
///   that every match starts (ends) with one of its literals. It treats look-arounds
///   such as `\b` as matching the empty string, which only adds strings.
/// - A match of a concatenation contains a match of each part.
/// - A match of an alternation is a match of one branch, so the union of the
///   branches' sets works if every branch has one.
/// - A match of `x{n,m}` with n ≥ 1, or of a group `(x)`, contains a match of `x`.
///
/// The case-insensitive parse gives every case variant its own literal, the non-ASCII
/// ones (the Kelvin sign for `k`) included, so lowercasing only merges ASCII variants.
fn required_needles(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let whole = [ExtractKind::Prefix, ExtractKind::Suffix].into_iter().filter_map(|kind| extract(hir, kind));
    let from_parts = match hir.kind() {
        HirKind::Capture(capture) => required_needles(&capture.sub),
        HirKind::Repetition(repetition) if repetition.min >= 1 => required_needles(&repetition.sub),
        HirKind::Concat(parts) => parts.iter().filter_map(required_needles).min_by_key(|needles| set_rank(needles)),
        HirKind::Alternation(branches) => {
            let sets = branches.iter().map(required_needles).collect::<Option<Vec<_>>>()?;
            Some(dedup(sets.into_iter().flatten().collect()))
        }
        _ => None,
    };
    whole.chain(from_parts).min_by_key(|needles| set_rank(needles))
}

/// Returns the finite literal sequence of one kind as needles, or `None` when it is
/// infinite or has the empty string, which every text contains.
fn extract(hir: &Hir, kind: ExtractKind) -> Option<Vec<Vec<u8>>> {
    let sequence = Extractor::new().kind(kind).extract(hir);
    let literals = sequence.literals()?;
    if literals.iter().any(|literal| literal.as_bytes().is_empty()) {
        return None;
    }
    Some(dedup(literals.iter().map(|literal| literal.as_bytes().to_ascii_lowercase()).collect()))
}

fn dedup(mut needles: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    needles.sort_unstable();
    needles.dedup();
    needles
}

/// Ranks a set of needles by how often one may occur: the sum over the needles of the
/// rank of their rarest byte.
fn set_rank(needles: &[Vec<u8>]) -> u32 {
    let rarest = |needle: &Vec<u8>| needle.iter().map(|byte| frequency_rank(*byte)).min().unwrap_or(u32::MAX);
    needles.iter().map(rarest).fold(0, u32::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::text::AnswerText;
    use crate::suite::{CheckRule, Rubric};

    fn needles_of(pattern: &str) -> Option<Vec<Vec<u8>>> {
        phrase_needles(pattern).map(|needles| needles.strings)
    }

    #[test]
    fn needles_pick_rare_parts() {
        assert_eq!(needles_of(r"(lr|η)[\w']*\s*=\s*(lr|η)[\w']*\s*(×|\*|x)"), Some(vec![b"=".to_vec()]));
        assert_eq!(needles_of(r"\bbn\b"), Some(vec![b"bn".to_vec()]));
        assert_eq!(needles_of(r"[a-z]+"), None);
        let line_start = phrase_needles(r"^no(\W*$|[.,!:;]| -)").expect("needles after ^");
        assert_eq!(line_start, Needles { strings: vec![b"no".to_vec()], at_line_start: true });
        assert!(contains_any(b"Yes.\nNo.", Some(&line_start)));
        assert!(contains_any(b"no.", Some(&line_start)));
        assert!(!contains_any(b"Yes, no.\nA note.", Some(&line_start)));
        let kelvin = needles_of("ok").expect("needles for a literal");
        assert!(kelvin.contains(&b"ok".to_vec()), "{kelvin:?}");
        assert!(kelvin.contains(&"o\u{212A}".as_bytes().to_vec()), "{kelvin:?}");
    }

    #[test]
    fn contains_ignores_ascii_case() {
        assert!(contains(b"Use BN here", b"bn"));
        assert!(contains(b"lr -> 4x", b"->"));
        assert!(!contains(b"lr - > 4x", b"->"));
        assert!(contains(b"=", b"="));
        assert!(!contains(b"", b"="));
        assert!(contains("η\u{2192}".as_bytes(), "\u{2192}".as_bytes()));
    }

    /// Returns every phrase, `together` member, exclusion and reversal of a rubric.
    fn rubric_regexes(rubric: &Rubric) -> Vec<LazyRegex> {
        let mut regexes = Vec::new();
        for check in &rubric.checks {
            let CheckRule::Phrase(rule) = &check.rule else { continue };
            for group in &rule.groups {
                regexes.extend(group.phrases.iter().cloned());
                regexes.extend(group.together.iter().flatten().cloned());
            }
            regexes.extend(rule.exclude.iter().cloned());
            regexes.extend(rule.reversed_by.iter().cloned());
        }
        regexes
    }

    /// Returns every distinct phrase, `together` member, exclusion and reversal of the
    /// built-in suite.
    fn suite_regexes() -> Vec<LazyRegex> {
        let suite = crate::suite::load_builtin().expect("built-in suite loads");
        let mut regexes: Vec<LazyRegex> = Vec::new();
        for scenario in &suite.scenarios {
            regexes.extend(rubric_regexes(&scenario.rubric));
            for variant in &scenario.variants {
                regexes.extend(rubric_regexes(&variant.rubric));
            }
        }
        regexes.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        regexes.dedup_by(|a, b| a.as_str() == b.as_str());
        regexes
    }

    /// Returns the response of every labelled fixture answer.
    fn labelled_responses() -> Vec<String> {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/labelled");
        let mut responses = Vec::new();
        for entry in std::fs::read_dir(folder).expect("labelled fixtures exist") {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|extension| extension == "jsonl") {
                for line in std::fs::read_to_string(&path).unwrap().lines() {
                    let value: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
                    responses.extend(value["response"].as_str().map(str::to_string));
                }
            }
        }
        assert!(responses.len() > 1000, "only {} labelled answers", responses.len());
        responses
    }

    /// Checks on every labelled answer that a suite regex whose needles an answer lacks
    /// matches neither the joined answer nor any of its sentences.
    #[test]
    fn missing_needles_mean_no_match() {
        let regexes = suite_regexes();
        let mut skipped = 0;
        for response in &labelled_responses() {
            let text = AnswerText::parse(response);
            for regex in &regexes {
                if may_match(regex, &text.joined) {
                    continue;
                }
                skipped += 1;
                assert!(!regex.is_match(&text.joined), "{:?} matches {:?}", regex.as_str(), text.joined);
                for index in 0..text.sentence_count() {
                    let sentence = text.sentence(index).normalized;
                    assert!(!regex.is_match(sentence), "{:?} matches {sentence:?}", regex.as_str());
                }
            }
        }
        assert!(skipped > 10_000, "only {skipped} searches skipped");
    }

    /// Checks on every labelled answer that searching only the sentences with needles
    /// finds the same matches as one scan of the joined text, for every suite regex.
    #[test]
    fn needle_sentences_find_joined_matches() {
        let regexes = suite_regexes();
        assert!(regexes.iter().all(|regex| !regex.has_text_anchors()), "a suite regex has text anchors");
        let mut found = 0;
        for response in &labelled_responses() {
            let text = AnswerText::parse(response);
            for regex in &regexes {
                let in_sentences = super::super::matches_anywhere(regex, &text);
                let in_joined = super::super::matches_in_joined(regex, &text);
                assert_eq!(in_sentences, in_joined, "{:?} in {:?}", regex.as_str(), text.joined);
                found += in_sentences.len();
            }
        }
        assert!(found > 10_000, "only {found} matches");
    }

    #[test]
    fn sentences_containing_needles() {
        let text = AnswerText::parse("Raise the LR. Keep it.\n\nNo. The lr schedule stays.");
        let sentences: Vec<&str> = text.sentences().map(|sentence| sentence.normalized).collect();
        assert_eq!(sentences.len(), 4, "{sentences:?}");
        let lr = Needles { strings: vec![b"lr".to_vec()], at_line_start: false };
        assert_eq!(sentences_containing(&text, Some(&lr)), vec![0, 3]);
        // "it." and "no" meet only across the newline between two sentences.
        let across = Needles { strings: vec![b"t.\nn".to_vec(), b"keep".to_vec()], at_line_start: false };
        assert_eq!(sentences_containing(&text, Some(&across)), vec![1]);
        let line_start = Needles { strings: vec![b"no".to_vec()], at_line_start: true };
        assert_eq!(sentences_containing(&text, Some(&line_start)), vec![2]);
        assert_eq!(sentences_containing(&text, None), vec![0, 1, 2, 3]);
    }
}
