//! Phrase checks. A group of phrases is found when one of them matches a sentence that
//! asserts it: not negated, dismissed or reported to be rejected. The check is shown
//! when enough of its groups are found.

use regex_automata::meta::Regex;

mod needles;

use super::negation::{
    answers_yes, denial, dismissal_in_later_clause, dismissal_opening, endorses_quote, is_whole_quotation, rejection_mark, rejection_opening,
    retraction_of, Denial,
};
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
        let first = *found.iter().min().expect("at least one group matched");
        if let Some(reversal) = reversal_after(rule, text, literals, first) {
            let sentence = text.sentence(reversal).original.trim();
            return PhraseResult { shown: false, evidence: Some(format!("reversed later: {sentence}")) };
        }
        return PhraseResult { shown: true, evidence: Some(quote_sentences(text, &found)) };
    }
    PhraseResult { shown: false, evidence: explain_absence(rule, &matches, text) }
}

/// Returns the first sentence after sentence `first` that asserts one of the rule's
/// reversals, outside a block quote.
fn reversal_after(rule: &PhraseRule, text: &AnswerText, literals: &FoundLiterals, first: usize) -> Option<usize> {
    let asserted = |&(index, start, end): &(usize, usize, usize)| {
        index > first && !text.sentence(index).in_quote && denial(text.sentence(index).normalized, start, end).is_none()
    };
    let matches = |regex: &LazyRegex| match literals.candidates(regex) {
        Candidates::Sentences(sentences) => matches_in(regex, text, sentences.iter().filter(|index| *index > first)),
        Candidates::Anywhere => matches_anywhere(regex, text),
    };
    rule.reversed_by.iter().filter_map(|regex| matches(regex).into_iter().find(asserted)).map(|(index, _, _)| index).min()
}

/// Finds the earliest sentence where one of the group's phrases is asserted, or else the
/// earliest where one is denied.
fn find_group(rule: &PhraseRule, group: &PhraseGroup, text: &AnswerText, literals: &FoundLiterals) -> GroupMatch {
    let mut search = GroupSearch { rule, text, literals, asserted: None, denied: None };
    for phrase in &group.phrases {
        search.judge_phrase(phrase);
    }
    for set in &group.together {
        for (index, start, end) in together_matches(set, text, literals, search.end()) {
            search.judge(index, start, end);
        }
    }

    match (search.asserted, search.denied) {
        (Some(index), _) => GroupMatch::Asserted(index),
        (None, Some((index, reason))) => GroupMatch::Denied(index, reason),
        (None, None) => GroupMatch::Absent,
    }
}

/// The search for one group's matches, in the order of its phrases, then its `together`
/// sets, and within each in text order.
struct GroupSearch<'a> {
    rule: &'a PhraseRule,
    text: &'a AnswerText<'a>,
    literals: &'a FoundLiterals<'a>,
    /// The earliest sentence with an asserted match so far.
    asserted: Option<usize>,
    /// The earliest sentence with a denied match so far, and the first reason found
    /// there.
    denied: Option<(usize, Denial)>,
}

impl GroupSearch<'_> {
    /// Returns the first sentence index whose matches can no longer change the outcome.
    /// A match there or later is skipped, because an assertion at least as early is
    /// already found, and a denial matters only while nothing is asserted. So the
    /// search may stop at this index without changing the result.
    fn end(&self) -> usize {
        self.asserted.unwrap_or(usize::MAX)
    }

    /// Judges every match of a phrase in the sentences before `end`.
    fn judge_phrase(&mut self, phrase: &LazyRegex) {
        let literals = self.literals;
        match literals.candidates(phrase) {
            Candidates::Sentences(sentences) => {
                for index in sentences.iter() {
                    if index >= self.end() {
                        break;
                    }
                    self.judge_sentence(phrase, index);
                }
            }
            Candidates::Anywhere => {
                for (index, start, end) in matches_anywhere(phrase, self.text) {
                    self.judge(index, start, end);
                }
            }
        }
    }

    /// Judges the matches of a phrase in one sentence, up to the first asserted one:
    /// later matches in the same sentence are then at `end` and would be skipped.
    fn judge_sentence(&mut self, phrase: &Regex, index: usize) {
        for found in phrase.find_iter(self.text.sentence(index).normalized) {
            self.judge(index, found.start(), found.end());
            if self.end() <= index {
                return;
            }
        }
    }

    /// Returns the dismissal that sets aside a match ending at `end` of `sentence`
    /// after its clause. A failure that an anti check looks for is set aside only by a
    /// next sentence that rejects it outright ("Please don't do that here.").
    fn set_aside_later(&self, sentence: &str, end: usize, next: Option<&str>) -> Option<Denial> {
        if !self.rule.makes_point {
            return next.and_then(rejection_opening);
        }
        dismissal_in_later_clause(sentence, end).or_else(|| next.and_then(dismissal_opening))
    }

    /// Checks whether the first sentence after the block quote holding sentence `index`
    /// accepts the quotation.
    fn quote_endorsed_after(&self, index: usize) -> bool {
        let after_quote = self.text.sentences().skip(index + 1).find(|sentence| !sentence.in_quote);
        after_quote.is_some_and(|sentence| endorses_quote(sentence.normalized))
    }

    /// Records the match at `start..end` of sentence `index` as asserted or denied,
    /// unless an exclusion matches its sentence or it comes at or after `end`.
    fn judge(&mut self, index: usize, start: usize, end: usize) {
        if index >= self.end() {
            return;
        }
        let sentence = self.text.sentence(index).normalized;
        let literals = self.literals;
        let excluded = |exclude: &LazyRegex| {
            literals.may_match_in(exclude, index) && exclude.find_iter(sentence).any(|found| !negated_just_before(sentence, found.start()))
        };
        if self.rule.exclude.iter().any(excluded) {
            return;
        }
        let next = self.text.get(index + 1).map(|next| next.normalized);
        let original = self.text.sentence(index).original;
        let in_quote = self.text.sentence(index).in_quote;
        // A sentence that is only a quotation of a failure gives someone else's words, as a
        // block quote does: `⚠️ **"The memory math is overkill."**`. A quoted point is
        // more often the answer's own slogan.
        let quotes_failure = !self.rule.makes_point && is_whole_quotation(sentence);
        let mark = if self.text.sentence(index).in_table { None } else { rejection_mark(sentence) };
        let judged = if (in_quote || quotes_failure) && !self.quote_endorsed_after(index) {
            Some(Denial::Reported(if in_quote { "a block quote".to_string() } else { sentence.to_string() }))
        } else if let Some(mark) = mark {
            Some(Denial::Negated(mark.to_string()))
        } else if self.rule.makes_point && is_topic_heading(original) {
            Some(Denial::Titled(original.to_string()))
        } else {
            match denial(sentence, start, end) {
                Some(Denial::Asked(_)) if next.is_some_and(answers_yes) => None,
                judged => judged.or_else(|| retraction_of(sentence, end, next)).or_else(|| self.set_aside_later(sentence, end, next)),
            }
        };
        match judged {
            Some(reason) if !self.rule.count_negated || matches!(reason, Denial::Reported(_) | Denial::Retracted(_) | Denial::Asked(_) | Denial::Titled(_)) => {
                if self.denied.as_ref().is_none_or(|(earliest, _)| index < *earliest) {
                    self.denied = Some((index, reason));
                }
            }
            _ => self.asserted = Some(index),
        }
    }
}

/// The maximum number of words in a heading that only names a point ("## Memory per
/// sample", "### When to use it"). A longer heading can make the point itself.
const SHORT_HEADING_WORDS: usize = 5;

/// First words of a heading that gives an instruction ("### Update the schedule"), and
/// so makes its point.
const INSTRUCTING_HEADING_STARTS: [&str; 24] = [
    "add", "adjust", "always", "avoid", "change", "check", "convert", "divide", "don't", "double", "increase", "keep",
    "lower", "measure", "multiply", "never", "raise", "reduce", "retune", "scale", "set", "switch", "update", "use",
];

/// Checks whether a sentence, as the answer wrote it, is a markdown heading of at most
/// `SHORT_HEADING_WORDS` words that names a topic: one with no colon and no instruction.
fn is_topic_heading(original: &str) -> bool {
    let Some(title) = original.strip_prefix('#') else {
        return false;
    };
    let title = title.trim_start_matches('#');
    let instructs = title.split_whitespace().next().is_some_and(|first| {
        let first = first.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
        INSTRUCTING_HEADING_STARTS.iter().any(|start| first.eq_ignore_ascii_case(start))
    });
    title.starts_with(' ') && !title.contains(':') && !instructs && title.split_whitespace().count() <= SHORT_HEADING_WORDS
}

/// Checks whether the words right before `start` negate what follows ("don't keep the LR
/// fixed", "rather than keeping the LR"), so that an exclusion matched there does not
/// apply.
fn negated_just_before(sentence: &str, start: usize) -> bool {
    let before = sentence[..start].trim_end().to_ascii_lowercase();
    ["don't", "do not", "never", "not", "shouldn't", "should not", "no need to", "rather than", "instead of"]
        .iter()
        .any(|negator| before.strip_suffix(negator).is_some_and(|rest| rest.is_empty() || rest.ends_with(|c: char| !c.is_alphanumeric())))
}

/// Returns the matches of a `together` set before sentence `end`: in each sentence
/// where every regex of the set matches, the first regex's match, as (sentence index,
/// start, end).
///
/// Only a regex with text anchors (see `LazyRegex::has_text_anchors`) must also match
/// the joined text. For the others a sentence match implies one in the joined text,
/// so that test could only end the search early, and it costs a scan of the whole
/// answer. A sentence where one of the regexes has none of its literals is skipped.
fn together_matches(set: &[LazyRegex], text: &AnswerText, literals: &FoundLiterals, end: usize) -> Vec<(usize, usize, usize)> {
    let joined_matches = |regex: &LazyRegex| !regex.has_text_anchors() || regex.is_match(&text.joined);
    if !set.iter().all(|regex| literals.may_match(regex)) || !set.iter().all(joined_matches) {
        return Vec::new();
    }
    let candidates: Vec<Candidates> = set.iter().map(|regex| literals.candidates(regex)).collect();
    let (head, rest) = set.split_first().expect("a together set has at least two regexes");
    let may_match_all = |index: &usize| candidates.iter().all(|candidates| may_match_in(candidates, *index));
    let first_with_literals = candidates.iter().find_map(|candidates| match candidates {
        Candidates::Sentences(sentences) => Some(sentences),
        Candidates::Anywhere => None,
    });
    let head_matches = match first_with_literals {
        Some(sentences) => matches_in(head, text, sentences.iter().take_while(|index| *index < end).filter(may_match_all)),
        None => matches_anywhere(head, text),
    };

    // Several matches of the head can share a sentence, which is judged once.
    let mut judged: Option<(usize, bool)> = None;
    let mut rest_match = |index: usize| match judged {
        Some((judged_index, verdict)) if judged_index == index => verdict,
        _ => {
            let sentence = text.sentence(index).normalized;
            let verdict = may_match_all(&index) && rest.iter().all(|regex| regex.is_match(sentence));
            judged = Some((index, verdict));
            verdict
        }
    };
    head_matches.into_iter().filter(|(index, _, _)| rest_match(*index)).collect()
}

/// Returns false when a regex with these candidates cannot match sentence `index`.
fn may_match_in(candidates: &Candidates, index: usize) -> bool {
    match candidates {
        Candidates::Sentences(sentences) => sentences.contains(index),
        Candidates::Anywhere => true,
    }
}

/// Returns every match of a phrase without a literal set as (sentence index, start,
/// end) within its sentence: the matches of a search of each sentence alone, in order.
/// Only the sentences that contain one of the phrase's needles (see
/// `needles::sentences_with_needles`) are searched, because no other can match.
///
/// A phrase with text anchors (`\A`, `\z`) is searched in the joined text instead, as
/// `matches_in_joined` describes.
fn matches_anywhere(phrase: &LazyRegex, text: &AnswerText) -> Vec<(usize, usize, usize)> {
    if phrase.has_text_anchors() {
        return matches_in_joined(phrase, text);
    }
    matches_in(phrase, text, needles::sentences_with_needles(phrase, text))
}

/// Returns the matches of a phrase in one scan of the joined text, each as (sentence
/// index, start, end) within its sentence. A match found there that runs across a
/// sentence break means that a search sentence by sentence may differ, so the phrase is
/// then searched sentence by sentence instead. Without such a match the two searches
/// agree for `\b`, `^` and `$` (multi-line), because a sentence's neighbours in the
/// joined text are newlines. `\A` and `\z` match only at the ends of the joined text.
///
/// A phrase whose needles (see `needles::may_match`) the answer lacks is not searched.
fn matches_in_joined(phrase: &LazyRegex, text: &AnswerText) -> Vec<(usize, usize, usize)> {
    let mut matches = Vec::new();
    if !needles::may_match(phrase, &text.joined) {
        return matches;
    }
    for found in phrase.find_iter(&text.joined) {
        if text.joined[found.range()].contains('\n') {
            return matches_in(phrase, text, 0..text.sentence_count());
        }
        let (index, sentence_start) = text.sentence_at(found.start());
        matches.push((index, found.start() - sentence_start, found.end() - sentence_start));
    }
    matches
}

fn matches_in(phrase: &Regex, text: &AnswerText, indices: impl IntoIterator<Item = usize>) -> Vec<(usize, usize, usize)> {
    let mut matches = Vec::new();
    for index in indices {
        let sentence = text.sentence(index).normalized;
        matches.extend(phrase.find_iter(sentence).map(|found| (index, found.start(), found.end())));
    }
    matches
}

fn quote_sentences(text: &AnswerText, indices: &[usize]) -> String {
    let mut unique = indices.to_vec();
    unique.sort_unstable();
    unique.dedup();
    unique.iter().map(|index| text.sentence(*index).original).collect::<Vec<_>>().join(" … ")
}

/// Says why a check is not shown: the denied mention, or the groups that are missing.
fn explain_absence(rule: &PhraseRule, matches: &[GroupMatch], text: &AnswerText) -> Option<String> {
    if rule.groups.len() == 1 {
        return match &matches[0] {
            GroupMatch::Denied(index, reason) => Some(format!("{}: {}", describe(reason), text.sentence(*index).original)),
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
        Denial::Retracted(words) => format!("taken back (\"{words}\")"),
        Denial::Asked(question) => format!("only asked (\"{question}\")"),
        Denial::Titled(heading) => format!("only a heading (\"{heading}\")"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::prefilter::Prefilter;

    fn rule(phrases: &[&str], exclude: &[&str]) -> PhraseRule {
        let group = PhraseGroup {
            name: "schedule".to_string(),
            phrases: phrases.iter().map(|pattern| LazyRegex::for_test(pattern)).collect(),
            together: Vec::new(),
        };
        PhraseRule {
            groups: vec![group],
            min_groups: 1,
            exclude: exclude.iter().map(|pattern| LazyRegex::for_test(pattern)).collect(),
            reversed_by: Vec::new(),
            count_negated: false,
            makes_point: true,
        }
    }

    fn check(rule: &PhraseRule, answer: &str) -> PhraseResult {
        let regexes = rule.groups.iter().flat_map(|group| &group.phrases).chain(&rule.exclude);
        let prefilter = Prefilter::new(regexes);
        let text = AnswerText::parse(answer);
        check_phrases(rule, &text, &prefilter.scan(&text))
    }

    #[test]
    fn negated_exclusion_does_not_apply() {
        let rule = rule(&["rescale"], &["keep the lr"]);
        assert!(check(&rule, "Don't keep the LR fixed; rescale it with the batch.").shown);
        assert!(!check(&rule, "Keep the LR, or rescale it later.").shown);
    }

    #[test]
    fn retracted_match_is_not_shown() {
        let rule = rule(&["multiply it by 2"], &[]);
        let next_sentence = check(&rule, "Multiply it by 2. Actually, let me correct that: use 4x.");
        assert!(!next_sentence.shown);
        assert_eq!(next_sentence.evidence.as_deref(), Some("taken back (\"let me correct that\"): Multiply it by 2."));
        assert!(!check(&rule, "Multiply it by 2, no wait, by 4.").shown);
        assert!(check(&rule, "Multiply it by 2. Then add warmup.").shown);
    }

    #[test]
    fn short_question_needs_a_yes() {
        let rule = rule(&["warm ?up"], &[]);
        assert!(!check(&rule, "**Warmup?** Not for a change this small.").shown);
        assert!(check(&rule, "**Warmup?** Yes, over the first 5 epochs.").shown);
    }

    #[test]
    fn topic_heading_does_not_show() {
        let rule = rule(&["memory per sample", "update the schedule", "when to use it"], &[]);
        let heading_only = check(&rule, "## Memory per sample\nThe card is not the constraint here.");
        assert!(!heading_only.shown);
        assert_eq!(heading_only.evidence.as_deref(), Some("only a heading (\"## Memory per sample\"): ## Memory per sample"));
        assert!(!check(&rule, "### When to use it").shown);
        assert!(check(&rule, "### Update the schedule").shown);
        assert!(check(&rule, "## Memory: when to use it").shown);
        assert!(check(&rule, "Memory per sample grows with the sequence length.").shown);
    }

    #[test]
    fn rejected_failure_is_not_committed() {
        let mut rule = rule(&["train at the largest batch that fits"], &[]);
        rule.makes_point = false;
        assert!(!check(&rule, "Tutorials say to train at the largest batch that fits. Please don't do that here.").shown);
        assert!(check(&rule, "You could train at the largest batch that fits. It is what most people do.").shown);
    }

    #[test]
    fn later_reversal_cancels_point() {
        let mut rule = rule(&["doesn't fit"], &[]);
        rule.reversed_by = vec![LazyRegex::for_test(r"\byes, you can train it\b")];
        let reversed = check(&rule, "In fp32 it doesn't fit. So yes, you can train it on 24 GB with bf16.");
        assert!(!reversed.shown);
        assert_eq!(reversed.evidence.as_deref(), Some("reversed later: So yes, you can train it on 24 GB with bf16."));
        assert!(check(&rule, "You might say yes, you can train it. But it doesn't fit.").shown);
        assert!(check(&rule, "It doesn't fit. You may think that yes, you can train it with bf16, but you can't.").shown);
    }

    #[test]
    fn block_quote_counts_only_when_accepted() {
        let mut rule = rule(&["train at the biggest value"], &[]);
        rule.makes_point = false;
        let quote = "A rule of thumb from the forums:\n\n> \"Search up to the OOM point and train at the biggest value that survives.\"\n\n";
        assert!(!check(&rule, &format!("{quote}It costs you accuracy.")).shown);
        assert!(check(&rule, &format!("{quote}For your case I think that's the right approach.")).shown);
    }

    #[test]
    fn heading_can_commit_failure() {
        let mut rule = rule(&["go with the max"], &[]);
        rule.makes_point = false;
        assert!(check(&rule, "## Go with the max").shown);
    }

    #[test]
    fn later_phrase_finds_earlier_sentence() {
        // The first phrase is asserted in sentence 1, so the second is still searched in
        // sentence 0.
        let rule = rule(&["warm ?up", "cosine decay"], &[]);
        let result = check(&rule, "Use cosine decay. Add a warmup.");
        assert_eq!(result.evidence.as_deref(), Some("Use cosine decay."));
    }

    #[test]
    fn denial_before_assertion_is_overruled() {
        let rule = rule(&["warm ?up", "cosine decay"], &[]);
        let result = check(&rule, "Don't add cosine decay. Add a warmup. Use cosine decay too.");
        assert!(result.shown);
        assert_eq!(result.evidence.as_deref(), Some("Add a warmup."));
    }

    #[test]
    fn earliest_denial_explains_absence() {
        let rule = rule(&["warm ?up", "cosine decay"], &[]);
        let result = check(&rule, "Cosine decay is overkill. You don't need warmup.");
        assert!(!result.shown);
        assert_eq!(result.evidence.as_deref(), Some("dismissed as \"overkill\": Cosine decay is overkill."));
    }

    #[test]
    fn second_match_in_sentence_is_judged() {
        // The first match is negated, the second is asserted: the search of a sentence
        // stops only after an assertion.
        let rule = rule(&["warm ?up"], &[]);
        let result = check(&rule, "Skip the warmup at first; then add a warmup.");
        assert!(result.shown, "{result:?}");
    }

    #[test]
    fn excluded_sentence_does_not_count() {
        let rule = rule(&["warm ?up"], &["warmup tokens"]);
        let result = check(&rule, "Count the warmup tokens. Then add a warm up.");
        assert_eq!(result.evidence.as_deref(), Some("Then add a warm up."));
    }

    #[test]
    fn phrase_without_literal_set_is_found() {
        let rule = rule(&[r"\d+x"], &[]);
        let result = check(&rule, "Keep it. Raise the LR 4x.");
        assert_eq!(result.evidence.as_deref(), Some("Raise the LR 4x."));
    }
}
