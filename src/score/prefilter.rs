//! A literal prefilter that gives the scorer the sentences a rubric regex can match in.
//!
//! For each regex, `required_literals` finds a set of literals such that every match of
//! the regex contains at least one of them. One pass over `AnswerText::joined`, with a
//! trie of those literals (`LiteralTrie`), finds every occurrence of the literals of the answer's rubric
//! and the sentence it starts in. A search of one sentence alone can then match only if
//! one of the regex's literals occurs in that sentence, so the scorer searches just
//! those sentences, or skips the regex when there are none.
//! A regex without such a set (its pattern starts and ends with wide classes such as
//! `\d+`, or its literals are shorter than `MIN_LITERAL_BYTES`) is searched as before.
//!
//! Skipping never changes an outcome: the regex would have found nothing there.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};

use super::text::AnswerText;
use crate::suite::{CheckRule, LazyRegex, PhraseRule, Rubric};

mod trie;

use trie::LiteralTrie;

/// The shortest literal worth searching for. Shorter ones ("x", "lr") occur in almost
/// every answer, and each occurrence costs a walk down `LiteralTrie`.
const MIN_LITERAL_BYTES: usize = 3;

// `LiteralTrie` looks up the first three bytes of every literal.
const _: () = assert!(MIN_LITERAL_BYTES >= 3);

/// The prefilters of a suite's rubrics. Each is built on the first answer scored
/// against one of its rubrics, so a run pays only for the rubrics it scores. Rubrics
/// with the same regexes, such as a scenario's pressure variants, share one.
#[derive(Debug)]
pub struct RubricPrefilters {
    /// Index in `prefilters` by the address of a rubric. The scorer borrows the suite
    /// that owns the rubrics for as long as it keeps this map.
    index_of_rubric: HashMap<usize, usize>,
    prefilters: Vec<LazyPrefilter>,
}

/// The regexes of one or more rubrics, and their prefilter once built.
#[derive(Debug)]
struct LazyPrefilter {
    regexes: Vec<LazyRegex>,
    built: OnceLock<Prefilter>,
}

impl RubricPrefilters {
    /// Groups `rubrics` by their set of regexes, without building any prefilter.
    pub fn new<'a>(rubrics: impl IntoIterator<Item = &'a Rubric>) -> Self {
        let mut index_of_rubric = HashMap::new();
        let mut index_of_set: HashMap<Vec<usize>, usize> = HashMap::new();
        let mut prefilters = Vec::new();
        for rubric in rubrics {
            let regexes: Vec<LazyRegex> = rubric_regexes(rubric).cloned().collect();
            let mut set: Vec<usize> = regexes.iter().map(LazyRegex::identity).collect();
            set.sort_unstable();
            set.dedup();
            let index = *index_of_set.entry(set).or_insert_with(|| {
                prefilters.push(LazyPrefilter { regexes, built: OnceLock::new() });
                prefilters.len() - 1
            });
            index_of_rubric.insert(std::ptr::from_ref(rubric) as usize, index);
        }
        RubricPrefilters { index_of_rubric, prefilters }
    }

    /// Finds the literals of `rubric`'s regexes in an answer, building the rubric's
    /// prefilter on first use. For a rubric that `new` was not given, every regex is
    /// searched everywhere.
    pub fn scan(&self, rubric: &Rubric, text: &AnswerText) -> FoundLiterals<'_> {
        let Some(&index) = self.index_of_rubric.get(&(std::ptr::from_ref(rubric) as usize)) else {
            return FoundLiterals::everywhere();
        };
        let lazy = &self.prefilters[index];
        lazy.built.get_or_init(|| Prefilter::new(&lazy.regexes)).scan(text)
    }
}

/// Lists every regex of a rubric's phrase checks: phrases, `together` sets,
/// exclusions and reversals.
fn rubric_regexes(rubric: &Rubric) -> impl Iterator<Item = &LazyRegex> {
    let rules = rubric.checks.iter().filter_map(|check| match &check.rule {
        CheckRule::Phrase(rule) => Some(rule),
        CheckRule::Numeric(_) => None,
    });
    rules.flat_map(phrase_rule_regexes)
}

fn phrase_rule_regexes(rule: &PhraseRule) -> impl Iterator<Item = &LazyRegex> {
    let groups = rule.groups.iter().flat_map(|group| group.phrases.iter().chain(group.together.iter().flatten()));
    groups.chain(&rule.exclude).chain(&rule.reversed_by)
}

/// The literals of a set of regexes, and which regexes need each literal.
#[derive(Debug)]
pub struct Prefilter {
    /// Every distinct literal, ASCII-lowercased, numbered by literal id.
    literals: LiteralTrie,
    /// (regex key, slot) for each regex with a usable literal set, sorted by key. A
    /// slot numbers a distinct pattern. The owner of the prefilter borrows the regexes
    /// for as long as it keeps it, so no other regex can take such a key. A regex that
    /// is missing is searched everywhere.
    slot_of_key: Box<[(usize, u32)]>,
    /// (regex key, slot) at the `IndexedRegex::dense_index` of each regex that has one
    /// and is in `slot_of_key`, and (0, 0), which is no regex's key, elsewhere. An array
    /// index is cheaper than the binary search in `slot_of_key`, and the phrase checks
    /// look up about 87 regexes per answer (labelled fixtures). Two regexes can share a
    /// dense index, so the key is compared, and on a mismatch `slot_of_key` decides.
    slot_of_dense_index: Box<[(usize, u32)]>,
    /// The slots of the patterns whose literal set contains literal `id` are
    /// `literal_slots[literal_slots_start[id]..literal_slots_start[id + 1]]`. One flat
    /// array keeps them in fewer cache lines than a vector per literal.
    literal_slots: Box<[u32]>,
    literal_slots_start: Box<[u32]>,
    slot_count: usize,
}

/// A regex as the prefilter indexes it: its pattern, and a key that no other live regex
/// shares.
pub trait IndexedRegex {
    fn pattern(&self) -> &str;
    fn key(&self) -> usize;

    /// Returns a small number for a table index, if the regex has one. Unlike `key`, it
    /// may be shared with another live regex.
    fn dense_index(&self) -> Option<u32> {
        None
    }
}

impl IndexedRegex for Regex {
    fn pattern(&self) -> &str {
        self.as_str()
    }

    /// Returns the regex's address, which is cheaper to compare than its pattern.
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

    fn dense_index(&self) -> Option<u32> {
        self.interned_index()
    }
}

impl Prefilter {
    /// Builds the prefilter for `regexes`, each compiled as `suite::load` compiles
    /// rubric regexes (see `parse_like_rubric_regex`).
    pub fn new<'a, R: IndexedRegex + 'a>(regexes: impl IntoIterator<Item = &'a R>) -> Self {
        let mut literal_ids: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut slots_of_literal: Vec<Vec<u32>> = Vec::new();
        // Identical patterns share a slot, so each distinct pattern is analysed once.
        let mut slot_of_pattern: HashMap<&str, Option<u32>> = HashMap::new();
        let mut slot_of_key = Vec::new();
        let mut slot_of_dense_index = Vec::new();
        let mut slot_count = 0;
        for regex in regexes {
            let pattern = regex.pattern();
            let slot = *slot_of_pattern.entry(pattern).or_insert_with(|| {
                let literals = usable_literals(pattern)?;
                let slot = u32::try_from(slot_count).expect("fewer than 2^32 patterns");
                slot_count += 1;
                for literal in literals {
                    let next = u32::try_from(literal_ids.len()).expect("fewer than 2^32 literals");
                    let id = *literal_ids.entry(literal).or_insert(next);
                    if id == next {
                        slots_of_literal.push(Vec::new());
                    }
                    slots_of_literal[id as usize].push(slot);
                }
                Some(slot)
            });
            if let Some(slot) = slot {
                slot_of_key.push((regex.key(), slot));
                if let Some(index) = regex.dense_index() {
                    let index = index as usize;
                    if slot_of_dense_index.len() <= index {
                        slot_of_dense_index.resize(index + 1, (0, 0));
                    }
                    slot_of_dense_index[index] = (regex.key(), slot);
                }
            }
        }
        slot_of_key.sort_unstable();
        slot_of_key.dedup();

        let mut literals: Vec<(Vec<u8>, u32)> = literal_ids.into_iter().collect();
        literals.sort_unstable_by_key(|(_, id)| *id);
        let mut literal_slots_start = vec![0];
        literal_slots_start.extend(slots_of_literal.iter().scan(0, |end, slots| {
            *end += u32::try_from(slots.len()).expect("fewer than 2^32 literal slots");
            Some(*end)
        }));
        Prefilter {
            literals: LiteralTrie::new(literals.iter().map(|(literal, _)| literal.as_slice())),
            slot_of_key: slot_of_key.into_boxed_slice(),
            slot_of_dense_index: slot_of_dense_index.into_boxed_slice(),
            literal_slots: slots_of_literal.concat().into_boxed_slice(),
            literal_slots_start: literal_slots_start.into_boxed_slice(),
            slot_count,
        }
    }

    /// Finds every occurrence of every literal in an answer, and marks its sentence for
    /// each pattern that needs the literal.
    pub fn scan(&self, text: &AnswerText) -> FoundLiterals<'_> {
        // `is_ascii` first, because it is much cheaper than the search for two chars.
        // Each char is searched on its own: a search for one char looks for its last
        // UTF-8 byte with memchr, while a search for a set of chars decodes every char.
        let folds_to_ascii = || FOLDS_TO_ASCII.iter().any(|c| text.joined.contains(*c));
        if !text.joined.is_ascii() && folds_to_ascii() {
            return FoundLiterals::everywhere();
        }
        let words = text.sentence_count().div_ceil(64);
        let mut sentences = vec![0u64; self.slot_count * words];
        let mut cursor = SentenceCursor::new(text);
        self.literals.for_each_occurrence(text.joined.as_bytes(), |start, literal| {
            let sentence = cursor.sentence_at(start);
            let (word, bit) = (sentence / 64, 1u64 << (sentence % 64));
            let slots = self.literal_slots_start[literal as usize]..self.literal_slots_start[literal as usize + 1];
            for &slot in &self.literal_slots[slots.start as usize..slots.end as usize] {
                sentences[slot as usize * words + word] |= bit;
            }
        });
        FoundLiterals { prefilter: Some(self), words, sentences }
    }

    fn slot_of(&self, regex: &impl IndexedRegex) -> Option<usize> {
        let key = regex.key();
        let by_index = regex.dense_index().and_then(|index| self.slot_of_dense_index.get(index as usize));
        if let Some(&(indexed_key, slot)) = by_index {
            if indexed_key == key {
                return Some(slot as usize);
            }
        }
        let position = self.slot_of_key.binary_search_by_key(&key, |(key, _)| *key).ok()?;
        Some(self.slot_of_key[position].1 as usize)
    }
}

/// A cursor that maps bytes of `AnswerText::joined` to sentences. Occurrences come in
/// text order of their starts, so most starts fall in the sentence of the previous one,
/// and only the others need `sentence_at`'s binary search.
struct SentenceCursor<'a> {
    text: &'a AnswerText<'a>,
    index: usize,
    /// The bytes of sentence `index` in `joined`, with the newline after it.
    span: std::ops::Range<usize>,
}

impl<'a> SentenceCursor<'a> {
    fn new(text: &'a AnswerText<'a>) -> Self {
        SentenceCursor { text, index: 0, span: 0..0 }
    }

    /// Returns the index of the sentence that contains byte `offset`. A byte on the
    /// newline after a sentence belongs to that sentence, as `sentence_at` returns.
    fn sentence_at(&mut self, offset: usize) -> usize {
        if !self.span.contains(&offset) {
            let (index, start) = self.text.sentence_at(offset);
            self.index = index;
            self.span = start..start + self.text.sentence(index).normalized.len() + 1;
        }
        self.index
    }
}

/// Where the prefilter's literals occur in one answer.
#[derive(Debug)]
pub struct FoundLiterals<'a> {
    /// `None` when every regex is searched everywhere: the answer contains a character
    /// of `FOLDS_TO_ASCII`, which the literals of ASCII patterns do not cover.
    prefilter: Option<&'a Prefilter>,
    /// Length of one slot's bitset in 64-bit words.
    words: usize,
    /// For each slot, a bitset of the sentences where one of its literals starts: bit
    /// `i % 64` of word `i / 64` for sentence `i`.
    sentences: Vec<u64>,
}

/// The sentences a regex can match in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Candidates<'a> {
    /// The regex has no literal set: any sentence, and the joined text, may match.
    Anywhere,
    /// A search of any sentence outside this set alone finds nothing. Empty when none
    /// of the regex's literals occur.
    Sentences(SentenceSet<'a>),
}

/// A set of sentence indices, as a bitset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentenceSet<'a>(&'a [u64]);

impl SentenceSet<'_> {
    /// Returns the indices in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(word_index, &word)| SetBits(word).map(move |bit| word_index * 64 + bit))
    }

    pub fn contains(&self, index: usize) -> bool {
        self.0.get(index / 64).is_some_and(|word| word & (1 << (index % 64)) != 0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|word| *word == 0)
    }
}

/// The positions of the set bits of a word, lowest first.
struct SetBits(u64);

impl Iterator for SetBits {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.0 == 0 {
            return None;
        }
        let bit = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(bit)
    }
}

impl<'a> FoundLiterals<'a> {
    /// Returns found literals under which every regex is searched everywhere.
    fn everywhere() -> Self {
        FoundLiterals { prefilter: None, words: 0, sentences: Vec::new() }
    }

    /// Returns the sentences where `regex` can match.
    pub fn candidates(&self, regex: &impl IndexedRegex) -> Candidates<'_> {
        let Some(slot) = self.prefilter.and_then(|prefilter| prefilter.slot_of(regex)) else {
            return Candidates::Anywhere;
        };
        Candidates::Sentences(SentenceSet(&self.sentences[slot * self.words..(slot + 1) * self.words]))
    }

    /// Returns false when `regex` cannot match the joined text nor any substring of it.
    pub fn may_match(&self, regex: &impl IndexedRegex) -> bool {
        match self.candidates(regex) {
            Candidates::Sentences(sentences) => !sentences.is_empty(),
            Candidates::Anywhere => true,
        }
    }

    /// Returns false when `regex` cannot match sentence `index`.
    pub fn may_match_in(&self, regex: &impl IndexedRegex, index: usize) -> bool {
        match self.candidates(regex) {
            Candidates::Sentences(sentences) => sentences.contains(index),
            Candidates::Anywhere => true,
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

    /// Returns every (start, literal id) of every literal in `haystack`, found by brute
    /// force.
    pub(super) fn occurrences_by_brute_force(literals: &[&[u8]], haystack: &[u8]) -> Vec<(usize, u32)> {
        let mut found = Vec::new();
        for start in 0..haystack.len() {
            for (id, literal) in literals.iter().enumerate() {
                if haystack[start..].starts_with(literal) {
                    found.push((start, id as u32));
                }
            }
        }
        found
    }

    #[test]
    fn trie_finds_every_overlapping_occurrence() {
        let literals: [&[u8]; 8] = [b"warmup", b"warm", b"arm", b"rmup", b"the batch", b"batch size", b"fit", b"a@b"];
        let trie = LiteralTrie::new(literals);
        let haystacks: [&[u8]; 12] = [
            b"warmup the batch size; warm armup",
            b"",
            b"wa",
            b"arm",
            b"fit",
            b"rmupwarmupwarmupthe batch sizes",
            b"WarmUp THE BATCH Size, fits; a FIT",
            b"a@b A@B a`b a@bfit",
            b"1234567fit",
            b"12345678fit",
            b"123456789fit",
            b"the batch size is 1234567 or 12345678, warm",
        ];
        for haystack in haystacks {
            let mut found = Vec::new();
            trie.find_occurrences(haystack, &mut found);
            assert!(found.windows(2).all(|pair| pair[0].0 <= pair[1].0), "starts ascend in {found:?}");
            found.sort_unstable();
            let expected = occurrences_by_brute_force(&literals, &haystack.to_ascii_lowercase());
            assert_eq!(found, expected, "in {:?}", String::from_utf8_lossy(haystack));
        }
    }

    /// Returns what `occurrences_by_brute_force` returns, faster for many literals: only
    /// the literals that start with the three bytes at a position are compared there.
    fn occurrences_by_first_bytes(literals: &[&[u8]], haystack: &[u8]) -> Vec<(usize, u32)> {
        let mut ids_by_first_bytes: HashMap<&[u8], Vec<u32>> = HashMap::new();
        for (id, literal) in literals.iter().enumerate() {
            ids_by_first_bytes.entry(&literal[..3]).or_default().push(id as u32);
        }
        let mut found = Vec::new();
        for start in 0..haystack.len().saturating_sub(2) {
            for &id in ids_by_first_bytes.get(&haystack[start..start + 3]).into_iter().flatten() {
                if haystack[start..].starts_with(literals[id as usize]) {
                    found.push((start, id));
                }
            }
        }
        found.sort_unstable();
        found
    }

    #[test]
    fn trie_matches_brute_force_on_fixtures() {
        let suite = crate::suite::load_builtin().unwrap();
        // Literal sets are kept by pattern, and tries by rubric and by literal set,
        // because extracting literals and building tries take most of this test's time.
        let mut literals_of_pattern: HashMap<&str, Option<Vec<Vec<u8>>>> = HashMap::new();
        let mut trie_of_rubric: HashMap<usize, usize> = HashMap::new();
        let mut trie_of_literals: HashMap<Vec<Vec<u8>>, usize> = HashMap::new();
        let mut tries: Vec<(Vec<Vec<u8>>, LiteralTrie)> = Vec::new();

        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/labelled");
        let mut files: Vec<_> = std::fs::read_dir(folder).unwrap().map(|entry| entry.unwrap().path()).collect();
        files.sort();
        let mut answers = 0;
        for file in files.iter().filter(|path| path.extension().is_some_and(|extension| extension == "jsonl")) {
            for line in std::fs::read_to_string(file).unwrap().lines() {
                let value: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
                let scenario = value["scenario"].as_str().expect("a scenario");
                let variant = value["variant"].as_str().unwrap_or(crate::suite::BASE_VARIANT);
                let response = value["response"].as_str().expect("a response");
                let Some(asked) = suite.scenario(scenario).and_then(|scenario| scenario.asked(variant)) else { continue };

                let index = *trie_of_rubric.entry(std::ptr::from_ref(asked.rubric) as usize).or_insert_with(|| {
                    let mut literals: Vec<Vec<u8>> = rubric_regexes(asked.rubric)
                        .filter_map(|regex| {
                            literals_of_pattern.entry(regex.as_str()).or_insert_with(|| usable_literals(regex.as_str())).clone()
                        })
                        .flatten()
                        .collect();
                    literals.sort_unstable();
                    literals.dedup();
                    *trie_of_literals.entry(literals.clone()).or_insert_with(|| {
                        let trie = LiteralTrie::new(literals.iter().map(Vec::as_slice));
                        tries.push((literals, trie));
                        tries.len() - 1
                    })
                });

                let (literals, trie) = &tries[index];
                let literals: Vec<&[u8]> = literals.iter().map(Vec::as_slice).collect();
                for haystack in [response.to_string(), AnswerText::parse(response).joined] {
                    let mut found = Vec::new();
                    trie.find_occurrences(haystack.as_bytes(), &mut found);
                    found.sort_unstable();
                    let expected = occurrences_by_first_bytes(&literals, &haystack.as_bytes().to_ascii_lowercase());
                    assert_eq!(found, expected, "in {} {scenario} {variant}", file.display());
                }
                answers += 1;
            }
        }

        assert!(answers > 1000, "only {answers} answers were checked");
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

    /// Returns the candidate sentences of `regex`, or `None` for `Candidates::Anywhere`.
    fn candidate_indices(found: &FoundLiterals, regex: &Regex) -> Option<Vec<usize>> {
        match found.candidates(regex) {
            Candidates::Sentences(sentences) => Some(sentences.iter().collect()),
            Candidates::Anywhere => None,
        }
    }

    #[test]
    fn candidates_are_sentences_with_literals() {
        let regex = Regex::new("(?i)cosine decay").unwrap();
        let prefilter = Prefilter::new([&regex]);
        let found = prefilter.scan(&AnswerText::parse("Cosine decay helps. Warm up first. Keep the cosine decay."));
        assert_eq!(candidate_indices(&found, &regex), Some(vec![0, 2]));
        assert!(found.may_match_in(&regex, 2));
        assert!(!found.may_match_in(&regex, 1));
    }

    #[test]
    fn candidates_cross_64_sentence_boundary() {
        let regex = Regex::new("(?i)cosine decay").unwrap();
        let other = Regex::new("(?i)warm ?up").unwrap();
        let prefilter = Prefilter::new([&other, &regex]);
        let with_literal = [3, 63, 64, 69];
        let sentences: Vec<String> = (0..70)
            .map(|index| if with_literal.contains(&index) { format!("Use cosine decay {index}.") } else { format!("Step {index}.") })
            .collect();
        let answer = sentences.join(" ");
        let text = AnswerText::parse(&answer);
        assert_eq!(text.sentence_count(), 70);
        let found = prefilter.scan(&text);
        assert_eq!(candidate_indices(&found, &regex), Some(with_literal.to_vec()));
        assert!(found.may_match_in(&regex, 64));
        assert!(!found.may_match_in(&regex, 65));
        assert!(!found.may_match_in(&regex, 128), "an index past the last sentence is not a candidate");
        assert_eq!(candidate_indices(&found, &other), Some(vec![]));
    }

    #[test]
    fn answer_without_sentences() {
        let regex = Regex::new("(?i)cosine decay").unwrap();
        let wide = Regex::new(r"\d+x").unwrap();
        let prefilter = Prefilter::new([&regex, &wide]);
        let found = prefilter.scan(&AnswerText::parse(""));
        assert_eq!(candidate_indices(&found, &regex), Some(vec![]));
        assert!(!found.may_match(&regex));
        assert_eq!(candidate_indices(&found, &wide), None);
    }

    #[test]
    fn regex_without_literal_set_searches_anywhere() {
        let wide = Regex::new(r"\d+x").unwrap();
        let prefilter = Prefilter::new([&wide]);
        let found = prefilter.scan(&AnswerText::parse("Scale it. Then 4x."));
        assert_eq!(candidate_indices(&found, &wide), None);
        assert!(found.may_match_in(&wide, 0));
    }

    #[test]
    fn unknown_regex_searches_anywhere() {
        let indexed = Regex::new("(?i)cosine decay").unwrap();
        let unknown = Regex::new("(?i)cosine decay").unwrap();
        let prefilter = Prefilter::new([&indexed]);
        let found = prefilter.scan(&AnswerText::parse("No hint here."));
        assert_eq!(candidate_indices(&found, &indexed), Some(vec![]));
        assert_eq!(candidate_indices(&found, &unknown), None);
    }

    #[test]
    fn regexes_sharing_dense_index_keep_own_slots() {
        // Regexes of two suites can have the same number.
        let cosine = LazyRegex::for_test_numbered("cosine decay", 0);
        let warmup = LazyRegex::for_test_numbered("warm ?up", 0);
        let unnumbered = LazyRegex::for_test("linear scaling");
        let prefilter = Prefilter::new([&cosine, &warmup, &unnumbered]);
        let found = prefilter.scan(&AnswerText::parse("Add warmup. Use cosine decay. Try linear scaling."));
        let indices = |regex: &LazyRegex| match found.candidates(regex) {
            Candidates::Sentences(sentences) => Some(sentences.iter().collect::<Vec<_>>()),
            Candidates::Anywhere => None,
        };
        assert_eq!(indices(&warmup), Some(vec![0]));
        assert_eq!(indices(&cosine), Some(vec![1]));
        assert_eq!(indices(&unnumbered), Some(vec![2]));
        assert_eq!(indices(&LazyRegex::for_test_numbered("cosine decay", 0)), None, "a regex the prefilter was not given");
    }

    #[test]
    fn long_s_searches_everywhere() {
        let regex = Regex::new("(?i)small steps").unwrap();
        let prefilter = Prefilter::new([&regex]);
        let answer = "Take \u{17F}mall \u{17F}teps.";
        assert!(regex.is_match(answer), "the regex matches what the literals miss");
        let found = prefilter.scan(&AnswerText::parse(answer));
        assert_eq!(candidate_indices(&found, &regex), None);
        assert!(found.may_match_in(&regex, 0));
    }

    #[test]
    fn rubrics_with_same_regexes_share_prefilter() {
        let suite = crate::suite::load_builtin().unwrap();
        let scenario = suite.scenarios.iter().find(|scenario| !scenario.variants.is_empty()).expect("a scenario with variants");
        let rubrics: Vec<&Rubric> =
            std::iter::once(&scenario.rubric).chain(scenario.variants.iter().map(|variant| &variant.rubric)).collect();
        let prefilters = RubricPrefilters::new(rubrics.iter().copied());
        let distinct_sets: std::collections::HashSet<Vec<usize>> = rubrics
            .iter()
            .map(|rubric| {
                let mut set: Vec<usize> = rubric_regexes(rubric).map(LazyRegex::identity).collect();
                set.sort_unstable();
                set.dedup();
                set
            })
            .collect();
        assert_eq!(prefilters.prefilters.len(), distinct_sets.len());
        assert!(prefilters.prefilters.len() < rubrics.len(), "pressure variants reuse the scenario's checks");
        assert!(prefilters.prefilters.iter().all(|lazy| lazy.built.get().is_none()), "nothing is built before scoring");
    }

    #[test]
    fn unknown_rubric_searches_everywhere() {
        let suite = crate::suite::load_builtin().unwrap();
        let prefilters = RubricPrefilters::new([&suite.scenarios[0].rubric]);
        let other = crate::suite::Rubric { checks: suite.scenarios[0].rubric.checks.clone() };
        let found = prefilters.scan(&other, &AnswerText::parse("No hint here."));
        assert!(found.prefilter.is_none());
    }

    #[test]
    fn haystack_anchors_search_anywhere() {
        let regex = Regex::new(r"(?i)warmup\z").unwrap();
        let prefilter = Prefilter::new([&regex]);
        let found = prefilter.scan(&AnswerText::parse("No hint here."));
        assert_eq!(found.candidates(&regex), Candidates::Anywhere);
    }
}

