//! Phrase checks. A group of phrases is found when one of them matches a sentence that
//! asserts it: not negated, dismissed or reported to be rejected. The check is shown
//! when enough of its groups are found.

use regex::Regex;

use super::negation::{denial, Denial};
use super::prefilter::{Candidates, FoundLiterals};
use super::text::AnswerText;
use crate::suite::{LazyRegex, PhraseGroup, PhraseRule};

/// The outcome of a phrase check.
#[derive(Debug, Clone, PartialEq)]
pub struct PhraseResult {
    pub shown: bool,
    pub evidence: Option<String>,
}

/// The sentence where a group's phrase was found, asserted or denied, if any.
enum GroupMatch {
    Asserted(usize),
    Denied(usize, Denial),
    Absent,
}

/// Evaluates a phrase rule over an answer. A regex with a literal set is searched only
/// in the sentences where `literals` found one of its literals, because it cannot match
/// anywhere else.
pub fn check_phrases(rule: &PhraseRule, text: &AnswerText, literals: &FoundLiterals) -> PhraseResult {
    let matches: Vec<GroupMatch> = rule.groups.iter().map(|group| find_group(rule, group, text, literals)).collect();
    let found: Vec<usize> = matches
        .iter()
        .filter_map(|found| if let GroupMatch::Asserted(sentence) = found { Some(*sentence) } else { None })
        .collect();

    if found.len() >= rule.min_groups {
        return PhraseResult { shown: true, evidence: Some(quote_sentences(text, &found)) };
    }
    PhraseResult { shown: false, evidence: explain_absence(rule, &matches, text) }
}

/// Finds the earliest sentence where one of the group's phrases is asserted, or else the
/// earliest where one is denied.
fn find_group(rule: &PhraseRule, group: &PhraseGroup, text: &AnswerText, literals: &FoundLiterals) -> GroupMatch {
    let mut asserted: Option<usize> = None;
    let mut denied: Option<(usize, Denial)> = None;
    let phrase_matches = group.phrases.iter().flat_map(|phrase| phrase_matches(phrase, text, literals));
    let together_matches = group.together.iter().flat_map(|set| together_matches(set, text, literals));

    for (index, start, end) in phrase_matches.chain(together_matches) {
        let sentence = &text.sentences[index].normalized;
        let excluded = rule.exclude.iter().any(|exclude| literals.may_match_in(exclude, index) && exclude.is_match(sentence));
        if excluded || asserted.is_some_and(|earliest| earliest <= index) {
            continue;
        }
        match denial(sentence, start, end) {
            Some(reason) if !rule.count_negated || matches!(reason, Denial::Reported(_)) => {
                if denied.as_ref().is_none_or(|(earliest, _)| index < *earliest) {
                    denied = Some((index, reason));
                }
            }
            _ => asserted = Some(index),
        }
    }

    match (asserted, denied) {
        (Some(index), _) => GroupMatch::Asserted(index),
        (None, Some((index, reason))) => GroupMatch::Denied(index, reason),
        (None, None) => GroupMatch::Absent,
    }
}

/// Matches of a `together` set: in each sentence where every regex of the set matches,
/// the first regex's match, as (sentence index, start, end).
fn together_matches(set: &[LazyRegex], text: &AnswerText, literals: &FoundLiterals) -> Vec<(usize, usize, usize)> {
    if !set.iter().all(|regex| literals.may_match(regex) && regex.is_match(&text.joined)) {
        return Vec::new();
    }
    let (head, rest) = set.split_first().expect("a together set has at least two regexes");
    phrase_matches(head, text, literals)
        .into_iter()
        .filter(|(index, _, _)| {
            rest.iter().all(|regex| literals.may_match_in(regex, *index) && regex.is_match(&text.sentences[*index].normalized))
        })
        .collect()
}

/// Returns every match of a phrase as (sentence index, start, end) within its sentence:
/// the matches of a search of each sentence alone, in order.
///
/// A phrase with a literal set is searched only in the sentences that hold one of its
/// literals. Any other phrase is searched in one scan of the joined text. A match found
/// there that runs across a sentence break means that a search sentence by sentence may
/// differ, so the phrase is then searched sentence by sentence instead. Without such a
/// match the two searches agree, because a sentence's neighbours in the joined text are
/// newlines, where `\b`, `^` and `$` (multi-line) hold exactly as at a sentence's ends.
/// (`\A` and `\z` do not, so the prefilter gives phrases with them no literal set.)
fn phrase_matches(phrase: &LazyRegex, text: &AnswerText, literals: &FoundLiterals) -> Vec<(usize, usize, usize)> {
    if let Candidates::Sentences(indices) = literals.candidates(phrase) {
        return phrase_matches_in(phrase, text, indices);
    }
    let mut matches = Vec::new();
    for found in phrase.find_iter(&text.joined) {
        if found.as_str().contains('\n') {
            return phrase_matches_in(phrase, text, 0..text.sentences.len());
        }
        let (index, sentence_start) = text.sentence_at(found.start());
        matches.push((index, found.start() - sentence_start, found.end() - sentence_start));
    }
    matches
}

fn phrase_matches_in(phrase: &Regex, text: &AnswerText, indices: impl IntoIterator<Item = usize>) -> Vec<(usize, usize, usize)> {
    let mut matches = Vec::new();
    for index in indices {
        let sentence = &text.sentences[index].normalized;
        matches.extend(phrase.find_iter(sentence).map(|found| (index, found.start(), found.end())));
    }
    matches
}

fn quote_sentences(text: &AnswerText, indices: &[usize]) -> String {
    let mut unique = indices.to_vec();
    unique.sort_unstable();
    unique.dedup();
    unique.iter().map(|index| text.sentences[*index].original.as_str()).collect::<Vec<_>>().join(" … ")
}

/// Says why a check is not shown: the denied mention, or the groups that are missing.
fn explain_absence(rule: &PhraseRule, matches: &[GroupMatch], text: &AnswerText) -> Option<String> {
    if rule.groups.len() == 1 {
        return match &matches[0] {
            GroupMatch::Denied(index, reason) => Some(format!("{}: {}", describe(reason), text.sentences[*index].original)),
            _ => None,
        };
    }
    let (mut present, mut missing) = (Vec::new(), Vec::new());
    for (group, found) in rule.groups.iter().zip(matches) {
        match found {
            GroupMatch::Asserted(_) => present.push(group.name.as_str()),
            _ => missing.push(group.name.as_str()),
        }
    }
    if present.is_empty() {
        return None;
    }
    Some(format!(
        "found {} of {} needed ({}); missing {}",
        present.len(),
        rule.min_groups,
        present.join(", "),
        missing.join(", ")
    ))
}

fn describe(reason: &Denial) -> String {
    match reason {
        Denial::Negated(word) => format!("negated by \"{word}\""),
        Denial::Dismissed(words) => format!("dismissed as \"{words}\""),
        Denial::Reported(words) => format!("reported to be rejected (\"{words}\")"),
    }
}
