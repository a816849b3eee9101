//! Dismissals after a point's clause that refer back to it with a pronoun: in a later
//! "but" clause, at the start of the next sentence ("Usually you'd pair that with
//! warmup. In your case, though, I'd skip it."), or as the whole next sentence ("I'd
//! steer you away from it."). The point is made and then set aside, so it is not
//! asserted.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use regex_automata::meta::Regex;

use super::{compile_short_regex, Denial};

/// A sentence that turns against the one before: a turn word ("though", "that said",
/// "in your case") in its opening words, then a dismissal whose object is a pronoun
/// for the point before ("skip it", "it won't matter", "you don't need it"), ending its
/// clause. The dismissal may follow at most 60 characters of its own clause, so "But it
/// doesn't matter which schedule you pick" (which does not end there) and a dismissal
/// past a colon or semicolon do not count.
static TURNED_BACK: LazyLock<Regex> = LazyLock::new(|| {
    compile_short_regex(concat!(
        r"(?i)^\W*(?:(?:that said|having said that|but|however|still|though|honestly|frankly|realistically|practically|in practice|in your case|in this case|here|for you|for (?:a|an|this|that|your|the) [^.,:;!?]{1,30}?)\W+)+",
        r"[^.:;!?]{0,60}?\b(?:",
        r"(?:i'd|i would|you can|you could|you may|we can|just|feel free to) (?:just |safely |probably |honestly )?(?:skip|drop|ignore|leave out|forget(?: about)?) (?:it|that|this|them|those)",
        r"|(?:it|that|this)(?: probably| really| honestly)? (?:won't|wouldn't|doesn't|does not|will not|would not)(?: really| much| actually)? matter",
        r"|(?:you|we) (?:don't|do not|won't|will not)(?: really| actually)? need (?:it|that|this|them|one)",
        r"|(?:it's|it is|that's|that is|they're|they are)(?: probably| really| usually| likely| generally)? (?:not (?:needed|necessary|required|worth it)|unnecessary|overkill)",
        r"|i wouldn't bother|i wouldn't overthink it|not worth (?:it|the (?:effort|hassle|bother|risk))",
        r"|(?:skip|stop|quit) worrying about (?:it|that|this|them)",
        r")\b",
        r"(?:\s+(?:here|much|now|either|at all|today|in (?:your|this) case|for [\w-]+(?: [\w-]+){0,3})){0,2}",
        r"\s*(?:[.,:;!)]|—|–| - |$)",
    ))
});

/// A short sentence that only rejects the one before it: "I'd steer you away from it.",
/// "Please don't do that here."
static REJECTS_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile_short_regex(concat!(
        r"(?i)^\W*(?:(?:i'd|i would|i'll|i will)\s+(?:(?:strongly|gently)\s+)?(?:steer (?:you )?(?:away from|clear of)|advise against|avoid|not do|not recommend|recommend against)",
        r"|(?:but\s+|please\s+)?(?:don't|do not)\s+do)",
        r"\s+(?:it|that|this)(?:\s+(?:here|again|in your case|for (?:this|your) (?:run|model|task)))?\W*$",
        // A verdict on a claim set out just before: "I expect this to be false.",
        // "That's a myth."
        r"|^\W*(?:i (?:expect|think|believe|bet) (?:this|that|it)(?: to be| is|'s| will turn out)|(?:this|that|it)(?:'s| is)(?: simply| just)?)",
        r"\s+(?:false|wrong|untrue|not true|a myth)\W*$",
    ))
});

/// The first words that `TURNED_BACK` allows: a sentence that opens with any other word
/// cannot match, so `dismissal_opening` skips the search.
const TURN_OPENERS: [&str; 12] =
    ["that", "having", "but", "however", "still", "though", "honestly", "frankly", "realistically", "practically", "in", "here"];

/// A searcher for "but ", built once, because `memchr::memmem::find_iter` builds one on
/// each call, and that costs more than searching the short text after a match.
static BUT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("but "));

/// Returns the dismissal in a clause after the match that ends at `end` of `sentence`,
/// opened by "but" and referring back to it: "Larger batches can cost a bit of accuracy,
/// but given the deadline we can skip worrying about that".
pub fn dismissal_in_later_clause(sentence: &str, end: usize) -> Option<Denial> {
    let after = &sentence[end..];
    let bytes = after.as_bytes();
    // "but" as a word: the first one, not the end of "rebut" or "debut".
    let turn = BUT.find_iter(bytes).find(|&at| at == 0 || !bytes[at - 1].is_ascii_alphanumeric())?;
    dismissal_opening(&after[turn..])
}

/// Returns the dismissal that opens `next` and refers back to the sentence before it,
/// if any. A point made in one sentence and set aside in the next is not asserted.
pub fn dismissal_opening(next: &str) -> Option<Denial> {
    if let Some(rejection) = rejection_opening(next) {
        return Some(rejection);
    }
    if !may_open_with_turn(next) {
        return None;
    }
    let found = TURNED_BACK.find(next)?;
    Some(Denial::Dismissed(next[found.range()].trim_end_matches([',', '.', ':', ';', '!', ')', ' ']).to_string()))
}

/// Returns a dismissal when `next` is a short sentence that only rejects the one before
/// it ("Please don't do that here."). Unlike the turns of `dismissal_opening`, such a
/// sentence also takes back a failure that the sentence before describes.
pub fn rejection_opening(next: &str) -> Option<Denial> {
    let rejects = may_reject_before(next) && REJECTS_BEFORE.is_match(next) || names_a_wrong_instinct(next);
    rejects.then(|| Denial::Dismissed(next.trim().to_string()))
}

/// A sentence of any length that calls the one before it a common instinct and then
/// wrong: "## Use the biggest batch that fits" / "That's the instinct with a 24 GB card,
/// and it's the wrong rule for BERT."
static WRONG_INSTINCT: LazyLock<Regex> = LazyLock::new(|| {
    compile_short_regex(
        r"(?i)^\W*that(?:'s| is) (?:the|a|an) (?:instinct|temptation|tempting (?:answer|move)|common (?:answer|advice|instinct)|usual (?:answer|advice|instinct)|obvious (?:answer|move))\b[^.;]{0,60}\b(?:wrong|a mistake|a myth|a trap|not (?:right|true|what you want))\b",
    )
});

/// Checks whether `next` is such a sentence. Sentences that do not open with "that",
/// most of them, skip the search.
fn names_a_wrong_instinct(next: &str) -> bool {
    let opening = next.trim_start_matches(|c: char| !c.is_alphanumeric());
    opening.get(..4).is_some_and(|word| word.eq_ignore_ascii_case("that")) && WRONG_INSTINCT.is_match(next)
}

/// Checks whether `next` has at most 9 words and opens with a word that
/// `REJECTS_BEFORE` allows ("I'd", "but", "please", "don't", "do"), or with a character that is
/// not ASCII, which is left to the regex.
fn may_reject_before(next: &str) -> bool {
    let mut words = next.split_whitespace();
    let Some(first) = words.next() else { return false };
    let first = first.trim_start_matches(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric());
    let opens = first.is_empty()
        || !first.is_ascii()
        || ["i", "i'd", "i'll", "but", "please", "don't", "do", "this", "that", "that's", "it", "it's"].iter().any(|opener| first.eq_ignore_ascii_case(opener));
    opens && words.nth(8).is_none()
}

/// Checks whether the first word of `next` is one that a turn can open with ("for" is
/// there too, as in "For a same-day deadline, though, ..."). Non-ASCII first characters
/// are left to the regex.
fn may_open_with_turn(next: &str) -> bool {
    let opening = next.trim_start_matches(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric());
    let word_end = opening.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(opening.len());
    let word = &opening[..word_end];
    if word.is_empty() {
        return !opening.is_empty() && !opening.starts_with(|c: char| c.is_ascii());
    }
    word.eq_ignore_ascii_case("for") || TURN_OPENERS.iter().any(|opener| word.eq_ignore_ascii_case(opener))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dismisses(next: &str) -> bool {
        dismissal_opening(next).is_some()
    }

    #[test]
    fn turn_then_skip_it_dismisses() {
        assert!(dismisses("In your case, though, I'd skip it."));
        assert!(dismisses("Honestly, you can skip it here."));
        assert!(dismisses("But for a 4x jump I wouldn't bother."));
    }

    #[test]
    fn turn_then_wont_matter_dismisses() {
        assert!(dismisses("That said, for a same-day deadline it won't really matter: the gap is tiny."));
        assert!(dismisses("However, it doesn't matter much for fine-tuning."));
    }

    #[test]
    fn turn_then_not_needed_dismisses() {
        assert!(dismisses("Here, though, it's not needed."));
        assert!(dismisses("But you don't really need it for a change this small."));
    }

    #[test]
    fn negated_dismissal_does_not_dismiss() {
        assert!(!dismisses("But I wouldn't skip it."));
        assert!(!dismisses("That said, you can't skip it."));
    }

    #[test]
    fn dismissal_with_own_object_does_not_dismiss() {
        assert!(!dismisses("But it doesn't matter which schedule you pick."));
        assert!(!dismisses("However, you don't need it to run for more than 5 epochs."));
    }

    #[test]
    fn later_clause_dismisses() {
        let sentence = "Larger batches can cost a bit of accuracy, but given the deadline we can skip worrying about that for today.";
        assert!(dismissal_in_later_clause(sentence, 14).is_some());
        let conceded = "The largest batch isn't always the best one, but for a fine-tune I wouldn't overthink it; most people fill the card.";
        assert!(dismissal_in_later_clause(conceded, 17).is_some());
        assert!(dismissal_in_later_clause("Use warmup, but keep it short.", 10).is_none());
        let after_rebut = "Warmup is easy to rebut here, but honestly I'd skip it.";
        assert!(dismissal_in_later_clause(after_rebut, 6).is_some());
        let usually = "A short warmup might help if you see spikes, but it's usually not needed for a change this size.";
        assert!(dismissal_in_later_clause(usually, 13).is_some());
    }

    #[test]
    fn short_rejection_dismisses() {
        assert!(dismisses("I'd steer you away from it."));
        assert!(dismisses("Don't do that."));
        assert!(dismisses("Please don't do that here."));
        assert!(rejection_opening("Please don't do that here.").is_some());
        assert!(!dismisses("Please don't do that with the learning rate."));
        assert!(!dismisses("I'd steer you away from it unless you have spare time."));
        assert!(!dismisses("I'd do it."));
    }

    #[test]
    fn wrong_instinct_rejects_at_any_length() {
        assert!(rejection_opening("That's the instinct with a 24 GB card, and it's the wrong rule for BERT.").is_some());
        assert!(rejection_opening("That's the usual advice, and for this task it is a mistake.").is_some());
        assert!(rejection_opening("That's the instinct most people follow, and it works well here.").is_none());
    }

    #[test]
    fn verdict_of_false_dismisses() {
        assert!(dismisses("I expect this to be false."));
        assert!(dismisses("I think that's wrong."));
        assert!(dismisses("That's a myth."));
        assert!(!dismisses("I expect this to be false for small models."));
        assert!(!dismisses("That's not wrong."));
    }

    #[test]
    fn sentence_without_turn_does_not_dismiss() {
        assert!(!dismisses("I'd skip it."));
        assert!(!dismisses("It won't matter."));
        assert!(!dismisses("Then skip it."));
    }

    #[test]
    fn dismissal_past_colon_does_not_dismiss() {
        assert!(!dismisses("That said, one thing: it won't matter."));
    }

    #[test]
    fn opener_gate_agrees_with_search() {
        let sentences = [
            "In your case, though, I'd skip it.",
            "For a same-day deadline, though, it won't matter.",
            "\u{201c}Honestly\u{201d}, skip it.",
            "So skip it.",
            "Warmup: skip it.",
            "I'd steer you away from it.",
            "\u{201c}Don't do that.\u{201d}",
            "But don't do it!",
            "Please don't do that here.",
            "That's a myth.",
            "I expect this to be false.",
            "",
            "...",
        ];
        for sentence in sentences {
            if TURNED_BACK.is_match(sentence) {
                assert!(may_open_with_turn(sentence), "{sentence:?} matches but the gate skips it");
            }
            if REJECTS_BEFORE.is_match(sentence) {
                assert!(may_reject_before(sentence), "{sentence:?} matches but the gate skips it");
            }
        }
    }
}
