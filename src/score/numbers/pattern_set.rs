//! One pass over an answer for several per-sentence tests. For each pattern of a set,
//! it finds the sentences that a search of that sentence alone matches, as
//! `SentenceFinder::sentences` does for one pattern.

use std::sync::OnceLock;

use regex::Regex;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::hybrid::LazyStateID;
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::Pool;
use regex_automata::{Input, MatchError, MatchKind};

use super::{without_newline, SentenceFinder};
use crate::score::text::AnswerText;

type CachePool = Pool<Cache, Box<dyn Fn() -> Cache + Send + Sync + std::panic::RefUnwindSafe + std::panic::UnwindSafe>>;

/// Patterns searched together in one overlapping scan of `AnswerText::joined` by a
/// lazy DFA that reports the end of every match of every pattern.
///
/// Each pattern is compiled with the newline taken out of its classes and literals, as
/// in `SentenceFinder`, so no match crosses from one sentence into the next. A match
/// that ends in a sentence, or on the newline after it, lies in that sentence.
/// A sentence's neighbours in the joined text are newlines, where `\b` behaves as at a
/// string's ends. So a pattern has a match end in a sentence exactly when a search of
/// that sentence alone matches. Under callgrind on the labelled answers, one scan for
/// the six patterns of accumulation steps cost about half of their six `SentenceFinder`
/// scans, but one scan for a single pattern costs more than its `SentenceFinder` scan.
pub(super) struct PatternSet {
    dfa: DFA,
    caches: CachePool,
    regexes: Vec<Regex>,
    /// One finder per pattern, built only if the lazy DFA ever fails a search.
    fallback: OnceLock<Vec<SentenceFinder>>,
}

/// For each pattern of a `PatternSet` and each sentence of an answer, whether a search
/// of that sentence alone matches the pattern.
pub(super) struct SentenceMatches {
    sentence_count: usize,
    /// Pattern by pattern, one flag per sentence.
    matching: Vec<bool>,
}

impl SentenceMatches {
    /// Returns, for each sentence, whether pattern `pattern` of the set matches it alone.
    pub(super) fn pattern(&self, pattern: usize) -> &[bool] {
        &self.matching[pattern * self.sentence_count..(pattern + 1) * self.sentence_count]
    }
}

impl PatternSet {
    /// Compiles the patterns of `regexes`, which must come from `compile_regex`. Panics
    /// on a pattern with a line or text anchor, as `SentenceFinder::new` does.
    pub(super) fn new(regexes: &[&Regex]) -> Self {
        let hirs: Vec<_> = regexes
            .iter()
            .map(|regex| {
                // `regex` was built with the default syntax options, which `Parser::new` has too.
                let pattern = regex.as_str();
                let hir = regex_syntax::Parser::new().parse(pattern).expect("the scorer's own patterns are valid");
                assert!(!hir.properties().look_set().contains_anchor(), "anchored pattern: {pattern}");
                // `scan` reports every match end, and an empty match could end inside a
                // UTF-8 sequence, where the regex engine reports none.
                assert!(hir.properties().minimum_len().is_some_and(|length| length > 0), "pattern may match empty: {pattern}");
                without_newline(&hir)
            })
            .collect();
        let nfa = thompson::Compiler::new()
            .configure(thompson::Config::new().which_captures(WhichCaptures::None))
            .build_many_from_hir(&hirs)
            .expect("the scorer's own patterns compile");
        let dfa = DFA::builder()
            .configure(DFA::config().match_kind(MatchKind::All))
            .build_from_nfa(nfa)
            .expect("the scorer's own patterns compile to a lazy DFA");
        let for_caches = dfa.clone();
        let caches: CachePool = Pool::new(Box::new(move || for_caches.create_cache()));
        let regexes = regexes.iter().map(|regex| (*regex).clone()).collect();
        PatternSet { dfa, caches, regexes, fallback: OnceLock::new() }
    }

    /// Returns, for each pattern and sentence, whether a search of the sentence alone
    /// matches the pattern.
    pub(super) fn sentences(&self, text: &AnswerText) -> SentenceMatches {
        let sentence_count = text.sentence_count();
        let mut matches = SentenceMatches { sentence_count, matching: vec![false; self.regexes.len() * sentence_count] };
        if self.scan(text, &mut matches).is_err() {
            // The lazy DFA gave up: each pattern gets a scan of its own instead.
            let finders = self.fallback.get_or_init(|| self.regexes.iter().map(SentenceFinder::new).collect());
            matches.matching = finders.iter().flat_map(|finder| finder.sentences(text)).collect();
        }
        matches
    }

    /// Runs the lazy DFA over the whole text by hand: the crate's overlapping search
    /// returns at every match and records its progress at every byte. Under callgrind
    /// on the labelled answers it cost about 1.4 times this loop.
    fn scan(&self, text: &AnswerText, matches: &mut SentenceMatches) -> Result<(), MatchError> {
        let mut cache = self.caches.get();
        let cache = &mut *cache;
        let bytes = text.joined.as_bytes();
        let mut state = self.dfa.start_state_forward(cache, &Input::new(bytes))?;
        let mut at = 0;
        while at < bytes.len() {
            // The fast path: a cached transition from an untagged state to another.
            if !state.is_tagged() {
                // SAFETY: `state` is an untagged state of `self.dfa` from `cache`, the
                // contract of `next_state_untagged_unchecked`.
                let next = unsafe { self.dfa.next_state_untagged_unchecked(cache, state, bytes[at]) };
                if !next.is_tagged() {
                    state = next;
                    at += 1;
                    continue;
                }
            }
            // The checked `next_state` computes unknown transitions.
            state = self.dfa.next_state(cache, state, bytes[at]).map_err(|_| MatchError::gave_up(at))?;
            if state.is_match() {
                // A DFA enters a match state one byte late, so the match ends at `at`.
                self.record(cache, state, at, text, matches);
            } else if state.is_quit() {
                return Err(MatchError::quit(bytes[at], at));
            } else if state.is_dead() {
                return Ok(());
            }
            at += 1;
        }
        state = self.dfa.next_eoi_state(cache, state).map_err(|_| MatchError::gave_up(bytes.len()))?;
        if state.is_match() {
            self.record(cache, state, bytes.len(), text, matches);
        }
        Ok(())
    }

    /// Marks the sentence of a match that ends at byte `end` for each pattern that
    /// match state `state` reports.
    fn record(&self, cache: &Cache, state: LazyStateID, end: usize, text: &AnswerText, matches: &mut SentenceMatches) {
        let (index, start) = text.sentence_at(end);
        // A match contains no newline, so none ends past the newline after a sentence.
        if end > start + text.sentence(index).normalized.len() {
            return;
        }
        for match_index in 0..self.dfa.match_len(cache, state) {
            let pattern = self.dfa.match_pattern(cache, state, match_index).as_usize();
            matches.matching[pattern * matches.sentence_count + index] = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lr::tests::labelled_answers;
    use super::*;
    use crate::score::compile_regex;

    /// Checks the set against one `SentenceFinder` per pattern on every labelled answer
    /// and on answers whose matches would cross sentences.
    #[test]
    fn set_matches_finder_per_pattern() {
        let patterns = [
            r"(?i)\b(?P<n>\d+)\s*(?:steps?|micro[- ]?batch(?:es)?)\b|accumulat\w*(?:\s+\w+){0,3}?\s+(?:over|for)\s+(?P<m>\d+)\b",
            r"(?i)\b(?P<name>\w*accum\w*)\s*[=:]\s*(?P<expr>[^#,\n)]+)",
            r"(?i)micro|accumul",
            r"(?P<a>\d+(?:\.\d+)?)\s*/{1,2}\s*(?P<b>\d+(?:\.\d+)?)\s*=\s*(?P<n>\d+(?:\.\d+)?)",
            r"(?i)learning[- ]rates?|\blrs?\b|η|\w*_lr\b",
            r"(?i)\d+\s+steps|\bother\b[^x]*",
            r"\d+\s*(gb|GiB)\b",
        ];
        let regexes: Vec<Regex> = patterns.iter().map(|pattern| compile_regex(pattern)).collect();
        let set = PatternSet::new(&regexes.iter().collect::<Vec<_>>());
        let finders: Vec<SentenceFinder> = regexes.iter().map(SentenceFinder::new).collect();
        let mut answers = labelled_answers();
        answers.push("Accumulate 8\n\nsteps later. Other text.\n\n```\naccum = 4\n```".to_string());
        for answer in answers {
            let text = AnswerText::parse(&answer);
            let matches = set.sentences(&text);
            for (pattern, finder) in finders.iter().enumerate() {
                assert_eq!(matches.pattern(pattern), finder.sentences(&text), "pattern {} in: {answer}", patterns[pattern]);
            }
        }
    }

    #[test]
    #[should_panic(expected = "may match empty")]
    fn set_rejects_empty_match() {
        PatternSet::new(&[&compile_regex(r"\d*")]);
    }
}
