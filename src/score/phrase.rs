//! Phrase checks: a group of phrases is found when one of them matches a sentence that
//! asserts it, that is, not negated, dismissed or reported to be rejected; the check is
//! shown when enough of its groups are found.

use super::negation::{denial, Denial};
use super::text::AnswerText;
use crate::suite::{PhraseGroup, PhraseRule};

/// The outcome of a phrase check.
#[derive(Debug, Clone, PartialEq)]
pub struct PhraseResult {
    pub shown: bool,
    pub evidence: Option<String>,
}

/// Where a group's phrase was found, asserted or not.
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

fn find_group(rule: &PhraseRule, group: &PhraseGroup, text: &AnswerText) -> GroupMatch {
    let mut first_denied = None;
    for (index, sentence) in text.sentences.iter().enumerate() {
        let normalized = &sentence.normalized;
        if rule.exclude.iter().any(|exclude| exclude.is_match(normalized)) {
            continue;
        }
        for phrase in &group.phrases {
            for found in phrase.find_iter(normalized) {
                match denial(normalized, found.start(), found.end()) {
                    Some(reason) if !rule.count_negated => {
                        first_denied.get_or_insert((index, reason));
                    }
                    _ => return GroupMatch::Asserted(index),
                }
            }
        }
    }
    match first_denied {
        Some((index, reason)) => GroupMatch::Denied(index, reason),
        None => GroupMatch::Absent,
    }
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
