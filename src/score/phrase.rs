//! Phrase checks. A group of phrases is found when one of them matches a sentence that
//! asserts it: not negated, dismissed or reported to be rejected. The check is shown
//! when enough of its groups are found.

use regex::Regex;

use super::negation::{denial, Denial};
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

/// Evaluates a phrase rule over an answer.
pub fn check_phrases(rule: &PhraseRule, text: &AnswerText) -> PhraseResult {
    let matches: Vec<GroupMatch> = rule.groups.iter().map(|group| find_group(rule, group, text)).collect();
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
fn find_group(rule: &PhraseRule, group: &PhraseGroup, text: &AnswerText) -> GroupMatch {
    let mut asserted: Option<usize> = None;
    let mut denied: Option<(usize, Denial)> = None;
    let phrase_matches = group.phrases.iter().flat_map(|phrase| phrase_matches(phrase, text));
    let together_matches = group.together.iter().flat_map(|set| together_matches(set, text));

    for (index, start, end) in phrase_matches.chain(together_matches) {
        let sentence = &text.sentences[index].normalized;
        let excluded = rule.exclude.iter().any(|exclude| exclude.is_match(sentence));
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
fn together_matches(set: &[LazyRegex], text: &AnswerText) -> Vec<(usize, usize, usize)> {
    if !set.iter().all(|regex| regex.is_match(&text.joined)) {
        return Vec::new();
    }
    let (head, rest) = set.split_first().expect("a together set has at least two regexes");
    phrase_matches(head, text)
        .into_iter()
        .filter(|(index, _, _)| rest.iter().all(|regex| regex.is_match(&text.sentences[*index].normalized)))
        .collect()
}

/// Every match of a phrase as (sentence index, start, end) within its sentence. One scan
/// of the joined text finds them. A phrase whose match runs across a sentence break is
/// searched sentence by sentence instead, so no match is lost or invented.
fn phrase_matches(phrase: &Regex, text: &AnswerText) -> Vec<(usize, usize, usize)> {
    let mut matches = Vec::new();
    for found in phrase.find_iter(&text.joined) {
        if found.as_str().contains('\n') {
            return phrase_matches_by_sentence(phrase, text);
        }
        let (index, sentence_start) = text.sentence_at(found.start());
        matches.push((index, found.start() - sentence_start, found.end() - sentence_start));
    }
    matches
}

fn phrase_matches_by_sentence(phrase: &Regex, text: &AnswerText) -> Vec<(usize, usize, usize)> {
    let mut matches = Vec::new();
    for (index, sentence) in text.sentences.iter().enumerate() {
        matches.extend(phrase.find_iter(&sentence.normalized).map(|found| (index, found.start(), found.end())));
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
