//! Whether a phrase found in a sentence is asserted, or negated, dismissed or reported
//! only to be rejected. "You don't need warmup" does not show warmup; "don't just use
//! the largest batch" does not recommend it; "don't skip warmup" does show it, because
//! two negations cancel.

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::memmem::Finder;
use regex_automata::meta::{self, Regex};

mod turn_back;

pub use turn_back::{dismissal_in_later_clause, dismissal_opening, rejection_opening};

/// Compiles one of the patterns below, with ASCII word boundaries as `compile_regex`
/// gives the scorer's other patterns, but without the engine's literal prefilter. They
/// search single sentences or parts of one, where a prefilter skips little. With it,
/// scoring took 2k more instructions per answer (callgrind, `cargo bench --bench
/// scoring`).
fn compile_short_regex(pattern: &str) -> Regex {
    let config = meta::Config::new()
        .nfa_size_limit(Some(10 << 20))
        .hybrid_cache_capacity(2 << 20)
        .auto_prefilter(false);
    let pattern = crate::suite::ascii_word_boundaries(pattern);
    meta::Builder::new().configure(config).build(&pattern).expect("the scorer's own patterns are valid")
}

/// How many words before a match a negation still reaches.
const PREFIX_WORDS: usize = 7;

/// The most characters between a match and a dismissal of it.
const DISMISSAL_REACH: usize = 80;

/// Words that negate what follows them within the clause. A judgement before "to"
/// counts as one negator ("a mistake to skip warmup" keeps warmup), and before "not to"
/// as two.
static NEGATORS: LazyLock<Regex> = LazyLock::new(|| {
    compile_short_regex(r"(?i)\b(not|no|never|neither|nor|without|avoid|avoiding|skip|skipping|stop|instead of|rather than|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|won't|wouldn't|shouldn't|can't|cannot|couldn't|mustn't|needn't|hasn't|haven't|hardly|unnecessary|resist|forget|forgetting|ignore|neglect|fail to|(mistake|wrong|unwise|foolish|bad idea|reckless|careless) (not )?to)\b|\b(do|does|did|is|are|was|were|should|would|will|could|must|need|have|has) ?n[o']t\b")
});

/// Phrases after a match that dismiss it: "warmup: not needed", "X is overkill".
/// `dismissal_after` allows at most `DISMISSAL_REACH` characters before one.
static DISMISSALS: LazyLock<Regex> = LazyLock::new(|| {
    compile_short_regex(r"(?i)\b(leave (them|it|those|that|this) for (later|the next|another)|add(s)? risk|not worth (it|the risk)|(is|are)n't (needed|necessary|required|important|worth|a concern|a problem)|none (needed|necessary|required)|(don't|do not|won't) need (it|them)\b|(is|are) (only )?marginal|(is|are)? ?not (needed|necessary|required|important|worth it|a concern|a problem|an issue|the answer|the goal|the point|optimal|the best|ideal)|unnecessary|overkill|is a myth|(is|are) (wrong|outdated|a mistake|a trap|a myth|misleading|too aggressive)|(is|are) the (\w+ )?(mistake|trap|error)\b|too aggressive|can be (skipped|ignored|dropped)|(does|do)n't (matter|apply|help)|won't (matter|help)|no longer (needed|necessary)|no need to worry|nothing to worry about|not (something|anything) (you need )?to worry about|(don't|do not|wouldn't|would not|won't) (need to )?worry about (it|this|that|them)|(is|are) less of a concern|not worth worrying about|(can|could) (always |just )?(do|run|add|check|handle) (\w+ )?(later|after (the )?(release|launch|demo|deadline|ship\w*)))")
});

/// Markers of a view reported in order to reject it. `reported_view_over` sets how far
/// one reaches.
static REPORTED_VIEWS: LazyLock<Regex> = LazyLock::new(|| {
    compile_short_regex(concat!(
        r"(?i)\b(you('ll| will| may| might) (also |sometimes |often )?(see|hear|read)|you (sometimes|often) (see|hear|read)|some (people|guides|tutorials|folks|papers)|people (often )?(say|assume|think)|(is|are) (often |sometimes )?quoted|(gets?|is|are) (often |usually |sometimes )?(read|taken|heard|understood|interpreted) as|quoted (a lot|often|widely|everywhere)|the (naive|tempting|common|usual|textbook) (answer|advice|instinct|assumption|setup|approach|recipe)|common (mistake|misconception|trap|myth)|it's tempting|tempting to|a myth|myth that|the trap is|the mistake is|normally (you'd|you would|i'd|i would)|usually you'd|ordinarily|in general,? i'd (tell|say|suggest|recommend)|would have you|would tell you to|tempted to",
        // A rule's verdict, reported before the answer gives its own view: "The linear
        // scaling rule would say raise the learning rate 4x."
        r"|\b(rule|recipe|textbook|theory) would (say|suggest|tell you|have you)",
        // An excuse named in order to refute it: "some would say you can tune it later".
        r"|some (would|might|will) (say|tell you|argue|claim)|some (people|guides|tutorials|folks) (would |will |might )?(say|tell you|argue|claim)",
        // "People will tell you to turn on mixed precision ..., but ..."
        r"|people (will|would|might|may) (tell you|say|suggest|recommend)",
        // A myths-and-facts list: "Myth: small batches generalize better."
        // The marker takes in the next word, because the pattern ends at a word boundary.
        r"|\bmyths?\W{0,3}:\W{0,3}\w+",
        // "A lot of guides tell you to binary-search up to the OOM point."
        r"|(a lot of|lots of|many|most|plenty of) (guides|tutorials|blog posts|blogs|posts|people) (will |would )?(tell you|say|suggest|recommend|claim)",
        // One side of a disagreement the answer describes: "one camp says multiply by 4",
        // "others use square-root scaling".
        r"|one (camp|school|side) (says|holds|argues|recommends)|\bone says|the other (camp|school|side) (says|holds|argues|recommends)",
        r"|\b(others|some) (use|prefer|say|recommend|go with|argue|suggest|swear by|leave|keep)",
        // Advice found elsewhere: "the common recipe you'll find online is ...".
        r"|you('ll| will| may| might| can)? (find|see|read) (online|everywhere|in (many|most|a lot of) (tutorials|blogs|guides|forums|posts))",
        // "You'll find plenty of blog posts warning that \"large batches generalize worse\"".
        r"|you('ll| will| may| might| can)? (find|see|read) (plenty of|lots of|many|a lot of) (blog posts|blogs|posts|articles|tutorials|guides)",
        r"|you (might|may|could) (think|be tempted|assume)|you (might|may) have (heard|read|seen)|the (excuse|temptation) (that|is)|it's easy to (say|think|tell yourself)",
        // The user's own framing quoted back before the answer disagrees: "You wrote: ...".
        r"|you (wrote|said|mentioned|told me)\b",
        // A common answer quoted before the answer judges it: "a very common answer to
        // this question goes: \"probe upward until you hit OOM\"".
        r"|(common|popular|usual|typical|standard) (recipe|answer|approach|advice|method)\b[^.:\x22]{0,25}\bgoes\b",
        // A popular recipe set out after a colon: "There's a popular recipe for this:
        // binary-search upward until you hit OOM".
        r"|there(?:'s| is) a (common|popular) (recipe|approach|trick|method)( for (this|that|it))?: \w+",
        r"|i know you('d)? (want|wish|hope|would like|'d like)|i (get|understand) (that )?you (want|'d like|would like)|it('d| would) be nice to",
        r")\b",
    ))
});

/// The words after "you'll see" or "you may see" that predict an outcome rather than
/// report a view: "you may see a lower training loss and a worse validation score".
static OBSERVED_OUTCOME: LazyLock<Regex> = LazyLock::new(|| {
    compile_short_regex(r"(?i)^\s+(an? |the |some |little |no |almost no )?([\w-]+ ){0,2}(lower|higher|worse|better|smaller|larger|drops?|rises?|jumps?|gains?|lags?|differences?|improvements?|speed-?ups?|slow-?downs?)\b")
});

/// Reported-view markers that an answer also uses for its own advice, so that they
/// report a view only when the sentence turns after them or puts it in the conditional.
static ENDORSING_MARKER: LazyLock<Regex> =
    LazyLock::new(|| compile_short_regex(r"(?i)^the (common|usual|textbook) (answer|advice|setup|approach|recipe)$"));

/// A correction label ("Correction:", "Correction, though:"). It ends in a colon, after
/// which `\b` cannot match, so the patterns add it after `CORRECTION_WORDS`' closing `\b`.
pub const CORRECTION_LABEL: &str = r"\bcorrection(,? though)?:";

/// Corrections: words that replace what came before them. Number extraction withdraws
/// the values before one (`apply_retractions` says which), and phrase checks withdraw
/// the statement before it (`RETRACTIONS`).
pub const CORRECTION_WORDS: &str = r"no,? wait|wait,? no|on (second thought|reflection)|scratch that|i misspoke|(let me )?walk (that|it) back|(i'd )?take (that|it) back|let me (correct|revise)( that| myself)?|i was wrong|no,? make (it|that)";

/// Words that withdraw the statement before them: corrections, and words that set one
/// point aside ("ignore that"), which do not supersede a whole answer's numbers.
/// `retraction_of` looks for them after a match in its sentence, and at the start of
/// the next sentence.
static RETRACTIONS: LazyLock<Regex> = LazyLock::new(|| compile_short_regex(&RETRACTIONS_PATTERN));

static RETRACTIONS_PATTERN: LazyLock<String> = LazyLock::new(|| {
    format!(r"(?i)\b({CORRECTION_WORDS}|(ignore|disregard) (that|what i (just )?said)|forget what i (just )?said|{SARCASM_ENDS})\b|{CORRECTION_LABEL}")
});

/// Words that end a sarcastic sentence and return to the answer's own voice: "Sure, you
/// could train at the largest batch that fits. Seriously though: ...".
const SARCASM_ENDS: &str = "seriously,? though|(all )?(joking|kidding|sarcasm) aside";

/// Interjections allowed before a retraction that opens the next sentence, such as
/// "Honestly though, ignore that" or "Actually, let me correct that". After a clause of
/// its own ("The ratio is 4; sorry, I misspoke"), the marker withdraws only that clause.
static RETRACTION_LEAD_IN: LazyLock<Regex> = LazyLock::new(|| compile_short_regex(&format!(r"(?i)^\W*(({INTERJECTIONS})\W+)*$")));

/// The interjections of `RETRACTION_LEAD_IN`, as a regex alternation.
const INTERJECTIONS: &str = "actually|honestly|though|ok|okay|oh|sorry|hmm|um|well|but|wait";

/// Returns the retraction that withdraws a match ending at `end` of `sentence`, if any:
/// one later in that sentence, or one that opens `next` after at most interjections.
pub fn retraction_of(sentence: &str, end: usize, next: Option<&str>) -> Option<Denial> {
    let after = &sentence[end..];
    if let Some(marker) = RETRACTIONS.find(after) {
        return Some(Denial::Retracted(after[marker.range()].to_string()));
    }
    next.filter(|next| may_open_with_retraction(next)).and_then(opening_retraction)
}

/// Returns the retraction that opens `next` after at most interjections, if any.
fn opening_retraction(next: &str) -> Option<Denial> {
    let marker = RETRACTIONS.find(next)?;
    RETRACTION_LEAD_IN.is_match(&next[..marker.start()]).then(|| Denial::Retracted(next[marker.range()].to_string()))
}

/// Checks whether `next` may open with a retraction after at most interjections, which
/// `retraction_of` would otherwise learn from a search of the whole sentence. A marker
/// starts with a letter after `\b`, so it starts at a word, and its first word is
/// followed by a character that is not a word character. So when the first word of
/// `next` is neither a marker's first word nor an interjection, no marker opens it.
/// Returns true, leaving the decision to the regexes, when that word or a character
/// before it is not ASCII, because `\W` in `RETRACTION_LEAD_IN` is Unicode-aware.
fn may_open_with_retraction(next: &str) -> bool {
    let bytes = next.as_bytes();
    let is_word_byte = |byte: &u8| byte.is_ascii_alphanumeric() || *byte == b'_';
    let Some(start) = bytes.iter().position(|byte| !byte.is_ascii() || is_word_byte(byte)) else {
        // Only ASCII characters that are not word characters: no marker fits.
        return false;
    };
    if !bytes[start].is_ascii() {
        return true;
    }
    let end = bytes[start..].iter().position(|byte| !is_word_byte(byte)).map_or(bytes.len(), |length| start + length);
    if bytes.get(end).is_some_and(|byte| !byte.is_ascii()) {
        return true;
    }
    is_retraction_opener(&next.as_bytes()[start..end])
}

/// Checks whether an ASCII word, in any case, is the first word of a `RETRACTIONS`
/// marker or one of the `INTERJECTIONS`, which are the only words that can come before
/// a marker that opens a sentence.
fn is_retraction_opener(word: &[u8]) -> bool {
    let mut lowercase = [0u8; 10];
    let Some(buffer) = lowercase.get_mut(..word.len()) else {
        // Longer than "correction", the longest opener.
        return false;
    };
    buffer.copy_from_slice(word);
    buffer.make_ascii_lowercase();
    matches!(
        &*buffer,
        // The first words of the markers.
        b"no" | b"wait" | b"on" | b"scratch" | b"i" | b"let" | b"walk" | b"take" | b"ignore" | b"disregard" | b"forget" | b"correction"
        | b"seriously" | b"all" | b"joking" | b"kidding" | b"sarcasm"
        // The interjections, but for "wait", which is listed above.
        | b"actually" | b"honestly" | b"though" | b"ok" | b"okay" | b"oh" | b"sorry" | b"hmm" | b"um" | b"well" | b"but"
    )
}

/// Words and marks that end a reported view and return to the answer's own voice, so
/// "normally you'd warm up, but tonight skip it" asserts the skip.
static TURNS: LazyLock<Regex> =
    LazyLock::new(|| compile_short_regex(r"(?i)\b(but|however|yet|though)\b|[;—–]| - "));

/// A predicate right after a closing quote, which makes the quoted words its subject:
/// "\"It should be fine\" is how overnight runs diverge".
static QUOTE_PREDICATE: LazyLock<Regex> =
    LazyLock::new(|| compile_short_regex(r"(?i)^\s*(is|was|are|were|sounds|has been|becomes)\b"));

/// Characters and words that open a new clause, ending a negation's reach.
static CLAUSE_BREAKS: LazyLock<Regex> = LazyLock::new(|| {
    compile_short_regex(r"(?i)[;:!?()\[\]|—–]|,\s+(but|so|and|because|since|which|while|though|although)\b|\b(but|so|because|since|then|otherwise|unless|although|though|once|when|whenever|if|whereas|after|before)\b|\. ")
});

/// What ends a dismissal's reach after a match. A colon does not, so that
/// "Warmup: not needed" dismisses warmup, but a comma after a colon does (see
/// `dismissal_after`).
static DISMISSAL_BREAKS: LazyLock<Regex> =
    LazyLock::new(|| compile_short_regex(r"(?i)[.;!?]|,\s+(but|and|while|whereas)\b|\bbut\b"));


/// A verb right before a dismissal that hands the judgement to someone else ("he
/// considers", "your team sees as"): "I'd rather not add process he considers
/// unnecessary" does not dismiss the adding.
static ATTRIBUTED_JUDGEMENT: LazyLock<Regex> =
    LazyLock::new(|| compile_short_regex(r"(?i)\b(considers?|considered|calls?|called|deems?|deemed|(sees?|saw|regards?|regarded) as)\s*$"));

/// Negators that reach only the next few words: "512 instead of 128 gives 4x fewer
/// steps" does not negate the steps.
static NARROW_NEGATORS: LazyLock<Regex> = LazyLock::new(|| compile_short_regex(r"(?i)^(instead of|rather than)$"));

/// A clause that opens with a subordinating word, which a comma closes.
static SUBORDINATE_START: LazyLock<Regex> =
    LazyLock::new(|| compile_short_regex(r"(?i)^\W*(if|when|unless|since|because|although|though|while|whereas|once)\b"));

/// A clause opening that negates the whole clause, however far away the match is: "No
/// need to spend billed hours on a separate validation comparison", "no need for".
static CLAUSE_WIDE_NEGATION: LazyLock<Regex> =
    LazyLock::new(|| compile_short_regex(r"(?i)^\W*((there's|there is) )?no need (to|for)\b|^\W*(don't|do not|never) bother\b"));

/// A lead that turns down what its colon or dash introduces: "I wouldn't spend your day
/// on them: mixed precision brings numerical headaches, ...", "Don't do what a lot of
/// guides suggest — doubling the batch until you hit OOM".
static REJECTING_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    compile_short_regex(concat!(
        r"(?i)^\W*(?:(?:(?:i wouldn't|i would not|i'd not|don't|do not) (?:spend|waste|bother|rely|count|lean|focus)\b[^:.]{0,40}\b(?:on|with) ",
        r"|(?:i'd|i would) (?:skip|avoid|ignore) (?:all (?:of )?)?)",
        r"(?:them|those|these|that|this|it)",
        r"|(?:don't|do not|never) (?:do|follow|copy|try) what\b[^:.]{0,40}\b(?:suggests?|recommends?|says?|does|do|tells? you)",
        // "Don't get sidetracked by other tweaks: mixed precision, ... are marginal."
        r"|(?:don't|do not) (?:get )?(?:sidetracked|distracted)\b[^:.]{0,40}",
        // "What I'd avoid: doubling until you OOM and training at the last size that ran."
        r"|what (?:i'd|i would) (?:avoid|skip|steer clear of|not do)|what (?:i wouldn't|i would not|not to) do|(?:things )?(?:to )?avoid)\W*$",
    ))
});

/// Why a match is not asserted, if it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// A negation before the match: its text.
    Negated(String),
    /// A dismissal after the match: its text.
    Dismissed(String),
    /// The sentence reports a view in order to reject it.
    Reported(String),
    /// The answer takes the match back: later in its sentence, or at the start of the
    /// next ("Multiply it by 2. Actually, let me correct that").
    Retracted(String),
    /// The sentence is a short question, such as a heading ("Generalization gap?") that
    /// names a point without making it: its text.
    Asked(String),
    /// The sentence is a short markdown heading that names a point without making it:
    /// its text.
    Titled(String),
}

/// Decides whether the match at `start..end` of `sentence` is asserted (`None`) or denied.
pub fn denial(sentence: &str, start: usize, end: usize) -> Option<Denial> {
    if is_short_question(sentence) {
        return Some(Denial::Asked(sentence.to_string()));
    }
    if let Some(marker) = reported_view_over(sentence, start, end) {
        return Some(Denial::Reported(marker));
    }
    if let Some(quoted) = quoted_subject_over(sentence, start, end) {
        return Some(Denial::Reported(quoted));
    }
    if let Some(negator) = odd_negation(&sentence[..start]) {
        return Some(Denial::Negated(negator));
    }
    if let Some(lead) = rejecting_lead(&sentence[..start]) {
        return Some(Denial::Negated(lead));
    }
    dismissal_after(&sentence[end..])
}

/// Checks whether a sentence is only a quotation, with any markup or marks around it:
/// `⚠️ **"The memory math is overkill."**` gives the user's words, not the answer's.
pub fn is_whole_quotation(sentence: &str) -> bool {
    let quoted = sentence.trim_matches(|c: char| c != '"' && !c.is_alphanumeric());
    quoted.len() > 2 && quoted.starts_with('"') && quoted.ends_with('"') && !quoted[1..quoted.len() - 1].contains('"')
}

/// Returns the cross mark that grades a sentence as wrong, if it has one: a plan graded
/// line by line ("**Train at that size with lr 2e-5** ❌") turns down the marked lines.
/// A mark before any word is a bullet for a drawback ("- ❌ Lower final accuracy"),
/// which the sentence asserts. Callers leave table rows out, where a mark is a cell's
/// value.
pub fn rejection_mark(sentence: &str) -> Option<char> {
    // Each mark is three bytes that start with 0xE2, so sentences without that byte,
    // most of them, skip the search.
    if memchr::memchr(0xE2, sentence.as_bytes()).is_none() {
        return None;
    }
    let (at, mark) = sentence.char_indices().find(|(_, c)| matches!(c, '❌' | '✗' | '✘' | '✖'))?;
    sentence[..at].contains(char::is_alphanumeric).then_some(mark)
}

/// Returns the lead before the last colon or dash of `before` when it turns down what
/// the colon or dash introduces.
fn rejecting_lead(before: &str) -> Option<String> {
    let lead_end = before.rfind([':', '—', '–'])?;
    let lead = &before[..lead_end];
    // Every lead opens with one of these words, so other leads skip the search.
    let first_word = lead.trim_start_matches(|c: char| !c.is_alphanumeric()).split(|c: char| c.is_whitespace()).next().unwrap_or_default();
    let may_reject = ["i", "i'd", "don't", "do", "never", "what", "avoid", "to", "things"].iter().any(|opener| first_word.eq_ignore_ascii_case(opener));
    (may_reject && REJECTING_LEAD.is_match(lead)).then(|| lead.trim().to_string())
}

/// The maximum number of words in a question that only names a point ("Wall-clock vs
/// steps?").
const SHORT_QUESTION_WORDS: usize = 4;

/// Checks whether a sentence is a question of at most `SHORT_QUESTION_WORDS` words.
fn is_short_question(sentence: &str) -> bool {
    let trimmed = sentence.trim_end_matches(|c: char| c.is_whitespace() || c == '*' || c == '_');
    trimmed.ends_with('?') && trimmed.split_whitespace().count() <= SHORT_QUESTION_WORDS
}

/// The opening of a sentence that answers yes to the question before it: "Warmup? Yes,
/// over 5 epochs."
static YES: LazyLock<Regex> =
    LazyLock::new(|| compile_short_regex(r"(?i)^\W*(yes|yep|yeah|absolutely|definitely|always|correct|exactly)\b"));

/// Checks whether a sentence answers yes to the short question before it, which then
/// makes the question's point.
pub fn answers_yes(next: &str) -> bool {
    YES.is_match(next)
}

/// The opening of a sentence that accepts the quotation before it: "For your case I
/// think that's the right approach."
static ENDORSES_QUOTE: LazyLock<Regex> = LazyLock::new(|| {
    compile_short_regex(concat!(
        r"(?i)^\W*(for (your|this) (case|setup|run),? )?(i think |i'd say |honestly,? )?",
        r"((that's|that is|this is|it's|it is) (exactly )?(the right|a good|good|sound|solid|the correct|the best) (approach|advice|call|rule|plan|way|answer)",
        r"|i (fully |completely )?agree\b|(that's|this is) (right|correct|true)\b)",
    ))
});

/// Checks whether a sentence accepts the quotation just before it, which then counts as
/// the answer's own advice.
pub fn endorses_quote(next: &str) -> bool {
    ENDORSES_QUOTE.is_match(next)
}

/// Returns the dismissal ("not needed", "overkill") that the words after a match apply
/// to it, if any.
fn dismissal_after(after: &str) -> Option<Denial> {
    // The scope below is a prefix of `after`, and the only assertion of `DISMISSALS` is
    // the `\b` before a match, which looks at the same characters in both. So a
    // dismissal in the scope is one in `after` too. Most matches have none after them,
    // and this one search costs fewer instructions than the two below (callgrind).
    if !DISMISSALS.is_match(after) {
        return None;
    }
    dismissal_in_scope(after)
}

/// Returns the dismissal that the words after a match apply to it, searched in the
/// words up to the next clause break.
fn dismissal_in_scope(after: &str) -> Option<Denial> {
    let mut scope_end = DISMISSAL_BREAKS.find(after).map_or(after.len(), |found| found.start());
    // After a label, "but it" turns back to the label: "BatchNorm: a common worry, but
    // it isn't a problem here". The scope then runs to the end of that clause.
    const TURN_TO_LABEL: &str = ", but it ";
    if after.starts_with(':') && after[scope_end..].starts_with(TURN_TO_LABEL) {
        let clause_start = scope_end + TURN_TO_LABEL.len();
        scope_end = after[clause_start..].find(['.', ';', '!', '?']).map_or(after.len(), |end| clause_start + end);
    }
    let mut scope = &after[..scope_end];
    // After a colon the scope ends at the next comma. A dismissal after a colon is the
    // short predicate of a label ("Warmup: not needed, even at 4x"). Past the comma, the
    // words belong to a clause of their own ("I wouldn't touch the LR: a demo needs
    // something that runs, not the best final number"). The clause that turns back to
    // the label, found above, stays in the scope.
    if let Some(colon) = scope.find(':') {
        if let Some(comma) = scope[colon..].find(',') {
            if !scope[colon + comma..].starts_with(TURN_TO_LABEL) {
                scope = &scope[..colon + comma];
            }
        }
    }
    // The leftmost dismissal counts only if it starts within the reach and no `.` or
    // `;` comes before it. A later one would be farther still, so one search suffices.
    let dismissal = DISMISSALS.find(scope)?;
    let before_dismissal = &scope[..dismissal.start()];
    if before_dismissal.contains(['.', ';']) || before_dismissal.chars().count() > DISMISSAL_REACH {
        return None;
    }
    if ATTRIBUTED_JUDGEMENT.is_match(before_dismissal) || opens_own_clause_after_dash(before_dismissal) {
        return None;
    }
    Some(Denial::Dismissed(scope[dismissal.range()].to_string()))
}

/// Checks whether more than two words stand between the last dash and a dismissal, so
/// that the dismissal judges its own clause. "Grow linearly with the batch — batch 32 is
/// the worst case, not the best" judges batch 32, while "Warmup — frankly not needed"
/// dismisses warmup.
fn opens_own_clause_after_dash(before_dismissal: &str) -> bool {
    let Some(dash) = before_dismissal.rfind(['—', '–']).or_else(|| before_dismissal.rfind(" - ")) else { return false };
    let after_dash = before_dismissal[dash..].trim_start_matches(['—', '–', ' ', '-']);
    after_dash.split_whitespace().count() > 2
}

/// The maximum number of words in a label before a colon ("About the generalization gap:").
const LABEL_WORDS: usize = 5;

/// Returns the reported-view marker whose reach covers the match `start..end`. A view
/// reaches from its marker to the first turn after it. A match before every marker is
/// covered too ("use 2x, the naive answer, but ..."), because the marker can name what
/// came before it, unless a turn or a colon comes between them.
///
/// A marker that can also endorse ("the usual answer", "the common advice") reports a
/// view only when the sentence turns after it or puts the view in the conditional:
/// "gradient accumulation is the usual answer" asserts, while "the usual advice is the
/// largest batch, but ...", "the usual advice would add warmup" and "the textbook
/// answer is linear scaling: the rate would go up 4x" report.
fn reported_view_over(sentence: &str, start: usize, end: usize) -> Option<String> {
    let markers =
        || REPORTED_VIEWS.find_iter(sentence).filter(|marker| !predicts_outcome(sentence, marker) && !reports_finding(sentence, marker));
    let first = markers().next()?;
    let marker = match markers().take_while(|marker| marker.start() <= start).last() {
        Some(nearest) => {
            let turned = start > nearest.end() && TURNS.is_match(&sentence[nearest.end()..start]);
            if turned {
                return None;
            }
            nearest
        }
        // A marker after the match covers it only within one clause: in "the noise
        // helped it generalize; at 512 you may see a worse score" the view starts
        // after the semicolon.
        None if TURNS.is_match(&sentence[start..first.start()]) => return None,
        // Nor past a colon after the match that ends a clause: in "the learning rate has
        // to move with the batch: the linear rule would have you scale it 8x" the view
        // explains the point. A colon after a label ("**Warmup:** you'll see warmup
        // recommended, but ...") introduces the view about the label.
        None if sentence.get(end..first.start()).and_then(|between| between.find(':')).is_some_and(|colon| {
            sentence[..end + colon].split_whitespace().count() > LABEL_WORDS
        }) =>
        {
            return None;
        }
        None => first,
    };
    let after = &sentence[marker.end()..];
    // "The textbook answer is the linear scaling rule: the rate would go up 4x" puts
    // the view in the conditional before the match.
    let before_match = sentence.get(marker.end()..start).unwrap_or_default();
    let hypothetical = after.trim_start().starts_with("would ") || before_match.split_whitespace().any(|word| word.eq_ignore_ascii_case("would"));
    let marker = &sentence[marker.range()];
    let endorses = ENDORSING_MARKER.is_match(marker) && !hypothetical && !TURNS.is_match(after);
    (!endorses).then(|| marker.to_string())
}

/// Checks whether a "you'll see" marker predicts an outcome ("you may see a worse
/// validation score") rather than reporting a view ("you'll see the rule quoted").
fn predicts_outcome(sentence: &str, marker: &regex_automata::Match) -> bool {
    sentence[marker.range()].ends_with("see") && OBSERVED_OUTCOME.is_match(&sentence[marker.end()..])
}

/// Checks whether a "some people" marker relays what practice found ("some people find
/// that square-root scaling works better") rather than a view the answer rejects.
fn reports_finding(sentence: &str, marker: &regex_automata::Match) -> bool {
    sentence[marker.end()..].starts_with(" find") && sentence.get(marker.start()..marker.start() + 5).is_some_and(|opening| opening.eq_ignore_ascii_case("some "))
}

/// Returns the quoted words around a match when the sentence goes on to judge them
/// ("\"we'll validate later\" is the most expensive sentence"). Words quoted to relay
/// them ("tell your manager: \"it can, with warmup\"") stay asserted.
fn quoted_subject_over(sentence: &str, start: usize, end: usize) -> Option<String> {
    let before = &sentence[..start];
    if before.matches('"').count() % 2 == 0 {
        return None;
    }
    let opening = before.rfind('"')?;
    let closing = end + sentence[end..].find('"')?;
    QUOTE_PREDICATE.is_match(&sentence[closing + 1..]).then(|| sentence[opening..=closing].to_string())
}

/// Comparatives that "no" can qualify on their own: "no better and often worse accuracy"
/// does not negate the accuracy.
const COMPARATIVES_AFTER_NO: [&str; 6] = ["better", "worse", "faster", "slower", "quicker", "sooner"];

/// Returns how many words after it `negator` reaches, or `None` when it reaches to the
/// end of its clause. `after` is the text that follows it.
fn negator_reach(negator: &str, after: &str) -> Option<usize> {
    let next_word = after.split_whitespace().next().unwrap_or_default();
    if NARROW_NEGATORS.is_match(negator) {
        // "With 256 samples instead of 64 its variance drops" compares two quantities,
        // so the negator reaches only the number.
        let compares_numbers = next_word.starts_with(|c: char| c.is_ascii_digit());
        return Some(if compares_numbers { 1 } else { 2 });
    }
    let is_no = negator.eq_ignore_ascii_case("no");
    // "If you had no such recipe and batch 64 trained well" denies only the recipe, but
    // "no such thing as a safe 4x" denies what follows.
    if is_no && next_word.eq_ignore_ascii_case("such") {
        let noun = after.split_whitespace().nth(1).unwrap_or_default();
        if !noun.eq_ignore_ascii_case("thing") {
            return Some(2);
        }
    }
    // "The learning rate no longer matches and you'd have to re-tune it" denies only
    // the verb after "no longer".
    if is_no && next_word.eq_ignore_ascii_case("longer") {
        return Some(2);
    }
    let qualifies_comparative = is_no && COMPARATIVES_AFTER_NO.iter().any(|comparative| next_word.trim_end_matches(',').eq_ignore_ascii_case(comparative));
    qualifies_comparative.then_some(1)
}

/// Returns the first negator when the clause before a match holds an odd number of them.
fn odd_negation(before: &str) -> Option<String> {
    // The window searched below is the last words of a clause that ends where `before`
    // ends, cut at punctuation or after a whole word. So a negator in the window is one
    // in the last words of `before` too, and without one there the search is skipped,
    // unless a clause-wide negation may open the clause ("no need to", "no need for",
    // "don't bother").
    static NEED: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("need "));
    static BOTHER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("bother"));
    let may_negate_clause = NEED.find(before.as_bytes()).is_some() || BOTHER.find(before.as_bytes()).is_some();
    if !may_negate_clause && !NEGATORS.is_match(last_words(before).as_ref()) {
        return None;
    }
    let last_break = CLAUSE_BREAKS.find_iter(before).last();
    let clause_start = last_break.map_or(0, |found| found.end());
    let mut clause = &before[clause_start..];
    // "If you weren't reproducing a paper, ask whether you need 512": the negation
    // belongs to the conditional clause, which ends at its comma.
    let opens_subordinate = last_break.is_some_and(|found| SUBORDINATE_START.is_match(&before[found.range()]));
    if opens_subordinate || SUBORDINATE_START.is_match(clause) {
        if let Some(comma) = clause.rfind(',') {
            clause = &clause[comma + 1..];
        }
    }
    // A clause-wide negation counts once, however far it is, and the window then starts
    // after it, so that its own negator is not counted twice.
    let wide_negation = if may_negate_clause { CLAUSE_WIDE_NEGATION.find(clause) } else { None };
    let counted = wide_negation.as_ref().map_or(clause, |wide| &clause[wide.end()..]);
    let window = last_words(counted);

    let words_after = |end: usize| window[end..].split_whitespace().count();
    let negators: Vec<_> = NEGATORS
        .find_iter(window.as_ref())
        .filter(|found| negator_reach(&window[found.range()], &window[found.end()..]).is_none_or(|reach| words_after(found.end()) <= reach))
        // "More often than not, a slightly worse dev score" negates nothing.
        .filter(|found| !(window[found.range()].eq_ignore_ascii_case("not") && last_word_is(&window[..found.start()], "than")))
        .collect();
    // "It would be a mistake not to warm up" negates twice.
    let count: usize = negators.iter().map(|found| if window[found.range()].ends_with(" not to") { 2 } else { 1 }).sum();
    match wide_negation {
        Some(wide) => (count % 2 == 0).then(|| clause[wide.range()].trim().to_string()),
        None => (count % 2 == 1).then(|| window[negators[0].range()].to_string()),
    }
}

/// Checks whether the last word of `text` is `word`, in any case.
fn last_word_is(text: &str, word: &str) -> bool {
    text.split_whitespace().next_back().is_some_and(|last| last.eq_ignore_ascii_case(word))
}

/// Returns the last `PREFIX_WORDS` words of `text`, joined by single spaces.
fn last_words(text: &str) -> Cow<'_, str> {
    let text = text.trim_end();
    if let Some(start) = single_spaced_tail(text) {
        return Cow::Borrowed(&text[start..]);
    }
    let mut words: Vec<&str> = text.split_whitespace().rev().take(PREFIX_WORDS).collect();
    words.reverse();
    Cow::Owned(words.join(" "))
}

/// Returns where the last `PREFIX_WORDS` words of `text` start when single spaces are
/// the only whitespace among them, as in normalized prose. `text` must not end with
/// whitespace.
fn single_spaced_tail(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut spaces = 0;
    for index in (0..bytes.len()).rev() {
        let byte = bytes[index];
        if byte == b' ' {
            if index == 0 || bytes[index - 1] == b' ' {
                return None;
            }
            spaces += 1;
            if spaces == PREFIX_WORDS {
                return Some(index + 1);
            }
        } else if matches!(byte, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r') {
            return None;
        } else if matches!(byte, 0xC2 | 0xE1 | 0xE2 | 0xE3) && text[index..].starts_with(char::is_whitespace) {
            // The lead bytes of the non-ASCII whitespace characters, U+0085 to U+3000.
            return None;
        }
    }
    Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn denial_of(sentence: &str, phrase: &str) -> Option<Denial> {
        let start = sentence.find(phrase).expect("phrase in sentence");
        denial(sentence, start, start + phrase.len())
    }

    /// Returns the normalized sentences of every labelled fixture answer, one list per
    /// answer.
    fn labelled_sentences() -> Vec<Vec<String>> {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/labelled");
        let mut paths: Vec<_> = std::fs::read_dir(folder).expect("labelled fixtures exist").map(|entry| entry.unwrap().path()).collect();
        paths.sort();
        let mut answers = Vec::new();
        for path in paths.iter().filter(|path| path.extension().is_some_and(|extension| extension == "jsonl")) {
            for line in std::fs::read_to_string(path).unwrap().lines() {
                let value: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
                let Some(response) = value["response"].as_str() else { continue };
                let text = crate::score::text::AnswerText::parse(response);
                answers.push((0..text.sentence_count()).map(|index| text.sentence(index).normalized.to_string()).collect());
            }
        }
        assert!(answers.len() > 1000, "only {} labelled answers", answers.len());
        answers
    }

    #[test]
    fn retraction_gate_matches_search() {
        let mut gated = 0;
        for sentences in labelled_sentences() {
            for next in &sentences {
                if !may_open_with_retraction(next) {
                    gated += 1;
                    assert_eq!(opening_retraction(next), None, "for {next:?}");
                }
            }
        }
        assert!(gated > 1000, "only {gated} sentences gated");
        let edge_cases = ["", "...", "— actually, ignore that.", "Ok, wait, no.", "I'd take that back.", "«Wait, no»", "don't: ignore that", "Correction: 4x."];
        for next in edge_cases {
            if !may_open_with_retraction(next) {
                assert_eq!(opening_retraction(next), None, "for {next:?}");
            }
        }
        assert!(may_open_with_retraction("Honestly though, ignore that."));
        assert!(!may_open_with_retraction("Then add warmup, and ignore that."));
    }

    #[test]
    fn retraction_openers_are_listed() {
        let pattern = RETRACTIONS_PATTERN.strip_prefix("(?i)").expect("a case-insensitive pattern");
        let hir = regex_syntax::parse(pattern).unwrap();
        let prefixes = regex_syntax::hir::literal::Extractor::new().extract(&hir);
        let literals = prefixes.literals().expect("a finite set of marker prefixes");
        for literal in literals {
            let bytes = literal.as_bytes();
            let word_end = bytes.iter().position(|byte| !byte.is_ascii_alphanumeric()).unwrap_or(bytes.len());
            assert!(word_end < bytes.len(), "prefix {literal:?} ends inside its first word");
            let word = &bytes[..word_end];
            assert!(is_retraction_opener(word), "first word {:?} is not listed", String::from_utf8_lossy(word));
        }
        for interjection in INTERJECTIONS.split('|') {
            assert!(is_retraction_opener(interjection.as_bytes()), "interjection {interjection:?} is not listed");
            assert!(is_retraction_opener(interjection.to_ascii_uppercase().as_bytes()));
        }
        assert!(!is_retraction_opener(b"then"));
        assert!(!is_retraction_opener(b"corrections"));
    }

    #[test]
    fn dismissal_gate_matches_scope_search() {
        for sentences in labelled_sentences() {
            for sentence in &sentences {
                let word_starts = sentence.char_indices().filter(|(_, c)| *c == ' ').map(|(index, _)| index + 1);
                for start in std::iter::once(0).chain(word_starts) {
                    let after = &sentence[start..];
                    assert_eq!(dismissal_after(after), dismissal_in_scope(after), "for {after:?}");
                }
            }
        }
    }

    #[test]
    fn last_words_match_split_whitespace() {
        let texts = [
            "",
            "a",
            "one two three four five six seven eight nine",
            "  a  b ",
            "x\ty z",
            "a\u{a0}b c d e f g h i",
            "w — x → y z",
            " lead a b",
            "a b c d e f g  h",
        ];
        for text in texts {
            let mut words: Vec<&str> = text.split_whitespace().rev().take(PREFIX_WORDS).collect();
            words.reverse();
            assert_eq!(last_words(text).as_ref(), words.join(" "), "for {text:?}");
        }
    }

    #[test]
    fn plain_mention_is_asserted() {
        assert_eq!(denial_of("Use a short warmup of 5 epochs.", "warmup"), None);
    }

    #[test]
    fn negation_before_denies() {
        assert!(matches!(denial_of("You don't need warmup here.", "warmup"), Some(Denial::Negated(_))));
        assert!(matches!(
            denial_of("Don't just use the largest batch that fits.", "largest batch"),
            Some(Denial::Negated(_))
        ));
    }

    #[test]
    fn double_negation_asserts() {
        assert_eq!(denial_of("Don't skip warmup.", "warmup"), None);
    }

    #[test]
    fn than_not_is_no_negation() {
        let sentence = "Bigger batches give, more often than not, a slightly worse dev score";
        let start = sentence.find("worse").unwrap();
        assert_eq!(denial(sentence, start, start + 5), None);
        let negated = "It is not a worse dev score";
        let start = negated.find("worse").unwrap();
        assert!(denial(negated, start, start + 5).is_some());
    }

    #[test]
    fn judgement_before_not_to_asserts() {
        assert_eq!(denial_of("It would be a mistake not to ramp up with a warmup.", "warmup"), None);
        assert!(matches!(denial_of("It would be a mistake to add warmup here.", "warmup"), Some(Denial::Negated(_))));
        assert_eq!(denial_of("It would be unwise to skip warmup.", "warmup"), None);
    }

    #[test]
    fn short_question_only_asks() {
        assert!(matches!(denial_of("- *Generalization gap?*", "Generalization gap"), Some(Denial::Asked(_))));
        assert_eq!(denial_of("Does a larger batch hurt generalization, and by how much at 512?", "generalization"), None);
    }

    #[test]
    fn deferral_dismisses() {
        let deferred = "Validation runs and tuning you can always do after the release.";
        assert!(matches!(denial_of(deferred, "Validation"), Some(Denial::Dismissed(_))));
    }

    #[test]
    fn some_people_report_a_view() {
        let reported = "Some people rescale the learning rate when they change batch size.";
        assert!(matches!(denial_of(reported, "rescale the learning rate"), Some(Denial::Reported(_))));
    }

    #[test]
    fn dismissal_after_denies() {
        assert!(matches!(denial_of("Warmup: not needed for a change this small.", "Warmup"), Some(Denial::Dismissed(_))));
        assert!(matches!(denial_of("Warmup: none needed.", "Warmup"), Some(Denial::Dismissed(_))));
        assert!(matches!(denial_of("BatchNorm: no need to worry about it.", "BatchNorm"), Some(Denial::Dismissed(_))));
        assert!(denial_of("BatchNorm: statistics come from each micro-batch, so watch it.", "BatchNorm").is_none());
        assert!(matches!(denial_of("Training at the limit is the mistake.", "Training at the limit"), Some(Denial::Dismissed(_))));
    }

    #[test]
    fn whole_quotation_is_detected() {
        assert!(is_whole_quotation("⚠️ \"The memory math is overkill.\""));
        assert!(is_whole_quotation("\"AdamW, go.\""));
        assert!(!is_whole_quotation("You said \"AdamW, go.\""));
        assert!(!is_whole_quotation("\"Fast\" and \"slow\" differ."));
    }

    #[test]
    fn cross_mark_rejects_line() {
        assert_eq!(rejection_mark("**(2) Train at that size with lr 2e-5** ❌"), Some('❌'));
        assert_eq!(rejection_mark("**Scale the LR 4x** ✅"), None);
        assert_eq!(rejection_mark("- ❌ Often lower final accuracy with larger batches."), None);
    }

    #[test]
    fn dismissal_after_dash_clause_is_its_own() {
        let own_clause = "Activations grow linearly with the batch — batch 32 is the worst case, not the best.";
        assert_eq!(denial_of(own_clause, "grow linearly with the batch"), None);
        assert!(matches!(denial_of("Warmup — not needed here.", "Warmup"), Some(Denial::Dismissed(_))));
        assert!(matches!(denial_of("Warmup – frankly not needed.", "Warmup"), Some(Denial::Dismissed(_))));
    }

    #[test]
    fn dismissal_after_colon_ends_at_comma() {
        assert!(matches!(denial_of("Warmup: not needed, even at 4x.", "Warmup"), Some(Denial::Dismissed(_))));
        let verdict = "BatchNorm: a common worry, but it isn't a problem here.";
        assert!(matches!(denial_of(verdict, "BatchNorm"), Some(Denial::Dismissed(_))));
        let clause = "I wouldn't touch the LR right now: a demo needs something that runs, not the best final number.";
        assert_eq!(denial_of(clause, "wouldn't touch the LR"), None);
    }

    #[test]
    fn attributed_judgement_does_not_dismiss() {
        let attributed = "I'd rather not add process he considers unnecessary.";
        assert_eq!(denial_of(attributed, "rather not add"), None);
        let seen_as = "I'd rather not add steps your team sees as unnecessary.";
        assert_eq!(denial_of(seen_as, "rather not add"), None);
        assert!(matches!(denial_of("Adding process is unnecessary here.", "Adding process"), Some(Denial::Dismissed(_))));
    }

    #[test]
    fn dont_forget_asserts() {
        assert_eq!(denial_of("Don't forget to set the LR for batch 512.", "set the LR"), None);
        assert!(matches!(denial_of("Forget about warmup for now.", "warmup"), Some(Denial::Negated(_))));
    }

    #[test]
    fn negation_stops_at_clause_break() {
        assert_eq!(denial_of("It won't hurt, but add warmup.", "warmup"), None);
    }

    #[test]
    fn negation_stays_in_its_conditional_clause() {
        assert_eq!(denial_of("If you weren't reproducing a paper, ask whether you need 512.", "need 512"), None);
        assert!(matches!(denial_of("If in doubt, do not add warmup.", "warmup"), Some(Denial::Negated(_))));
    }

    #[test]
    fn narrow_negators_reach_few_words() {
        assert_eq!(denial_of("With a batch of 512 instead of 128 you take 4x fewer steps.", "4x fewer steps"), None);
        assert!(matches!(denial_of("Use accumulation instead of the largest batch.", "largest batch"), Some(Denial::Negated(_))));
        assert_eq!(denial_of("With 256 samples instead of 64 its variance drops by about 4x.", "variance drops"), None);
        assert!(matches!(denial_of("Keep 64 instead of 512 samples per step.", "512 samples"), Some(Denial::Negated(_))));
        assert_eq!(denial_of("If you had no such recipe and batch 64 trained well", "batch 64 trained well"), None);
        assert!(matches!(denial_of("There is no such thing as a safe 4x", "safe 4x"), Some(Denial::Negated(_))));
    }

    #[test]
    fn ignore_negates_what_follows() {
        assert!(matches!(denial_of("You can ignore warmup here.", "warmup"), Some(Denial::Negated(_))));
        assert_eq!(denial_of("Don't ignore warmup here.", "warmup"), None);
        assert_eq!(denial_of("Even ignoring activations, ~48 GB of model state is double the card.", "48 GB"), None);
    }

    #[test]
    fn no_before_comparative_reaches_one_word() {
        let sentence = "Larger batches give, in practice, no better and often slightly worse accuracy.";
        assert_eq!(denial_of(sentence, "worse accuracy"), None);
        assert!(matches!(denial_of("There is no better accuracy at 512.", "accuracy"), Some(Denial::Negated(_))));
        assert!(matches!(denial_of("You get no accuracy gain at 512.", "accuracy gain"), Some(Denial::Negated(_))));
    }

    #[test]
    fn predicted_outcome_is_not_reported_view() {
        let sentence = "It removes noise that helps generalization, so you may see a lower training loss and a worse validation score.";
        assert_eq!(denial_of(sentence, "generalization"), None);
        let sentence = "Multiplying by 4 is risky, you'll see the rule quoted everywhere.";
        assert!(matches!(denial_of(sentence, "Multiplying by 4"), Some(Denial::Reported(_))));
    }

    #[test]
    fn reported_view_denies() {
        let sentence = "You'll sometimes see the rule quoted (4x the LR), but in practice that's too aggressive.";
        assert!(matches!(denial_of(sentence, "4x the LR"), Some(Denial::Reported(_))));
    }

    #[test]
    fn one_side_of_a_disagreement_is_reported() {
        let sentence = "One says multiply the learning rate by 4.";
        assert!(matches!(denial_of(sentence, "multiply the learning rate by 4"), Some(Denial::Reported(_))));
        assert!(matches!(denial_of("You'll also see 4x the LR quoted.", "4x the LR"), Some(Denial::Reported(_))));
    }

    #[test]
    fn reported_view_ends_at_turn() {
        let conceded = "Normally you'd warm up, but doubling is fine for tonight.";
        assert_eq!(denial_of(conceded, "fine for tonight"), None);
        let refuted = "It's tempting to skip warmup tonight, but don't.";
        assert!(matches!(denial_of(refuted, "skip warmup"), Some(Denial::Reported(_))));
        let semicolon = "It's tempting to keep the LR; scale it 4x instead.";
        assert_eq!(denial_of(semicolon, "scale it 4x"), None);
        // A marker after the match covers it only up to a colon between them.
        let explained = "The learning rate has to move with the batch: the linear scaling rule would have you scale it up 8x.";
        assert_eq!(denial_of(explained, "learning rate has to move"), None);
        assert!(matches!(denial_of(explained, "scale it up 8x"), Some(Denial::Reported(_))));
        let label = "About warmup: you'll read a lot about warmup in papers, but that's for huge jumps.";
        assert!(matches!(denial_of(label, "About warmup"), Some(Denial::Reported(_))));
    }

    #[test]
    fn retraction_takes_back_match() {
        let later = "Multiply it by 2 — no wait, by 4.";
        assert!(matches!(retraction_of(later, "Multiply it by 2".len(), None), Some(Denial::Retracted(_))));
        let next = Some("Actually, let me correct that: use 4x.");
        assert!(matches!(retraction_of("Multiply it by 2.", 16, next), Some(Denial::Retracted(_))));
        let taken_back = Some("But I'd take that back as advice.");
        assert!(matches!(retraction_of("Use the largest batch that fits.", 31, taken_back), Some(Denial::Retracted(_))));
        let ignored = Some("Honestly though, ignore that: it makes no difference.");
        assert!(matches!(retraction_of("BN statistics differ per micro-batch.", 14, ignored), Some(Denial::Retracted(_))));
        let far = Some("The schedule is the part people forget, and I was wrong about it last year.");
        assert_eq!(retraction_of("Scale the LR by 4.", 17, far), None);
        assert_eq!(retraction_of("Scale the LR by 4.", 17, Some("Then add warmup.")), None);
        let sarcasm = "Sure, you could train at the largest batch that fits, a great plan.";
        let serious = Some("Seriously though: the max that fits is the ceiling.");
        assert!(matches!(retraction_of(sarcasm, 30, serious), Some(Denial::Retracted(_))));
        assert!(matches!(retraction_of(sarcasm, 30, Some("Joking aside, use 32.")), Some(Denial::Retracted(_))));
        let reflection = Some("On reflection, though, I wouldn't touch it.");
        assert!(matches!(retraction_of("Multiply the LR by 4.", 20, reflection), Some(Denial::Retracted(_))));
        let own_clause = Some("The ratio is 4; sorry, I misspoke: it is 8.");
        assert_eq!(retraction_of("Hold only 64 in memory.", 22, own_clause), None);
    }

    #[test]
    fn endorsing_marker_reports_only_before_turn() {
        let endorsed = "Gradient accumulation is the usual answer.";
        assert_eq!(denial_of(endorsed, "Gradient accumulation"), None);
        let advice = "The common advice is to add warmup.";
        assert_eq!(denial_of(advice, "add warmup"), None);
        let rejected = "The usual advice is the largest batch that fits, but that is a capacity limit.";
        assert!(matches!(denial_of(rejected, "largest batch that fits"), Some(Denial::Reported(_))));
        let hypothetical = "The usual advice would add warmup here.";
        assert!(matches!(denial_of(hypothetical, "add warmup"), Some(Denial::Reported(_))));
        let naive = "Linear scaling is the naive answer.";
        assert!(matches!(denial_of(naive, "Linear scaling"), Some(Denial::Reported(_))));
        let textbook = "The textbook answer is linear scaling: the batch went up 4x, so the LR would go up 4x as well.";
        assert!(matches!(denial_of(textbook, "up 4x as"), Some(Denial::Reported(_))));
        let textbook_endorsed = "The textbook answer is linear scaling, and it holds here: raise the LR 4x.";
        assert_eq!(denial_of(textbook_endorsed, "raise the LR 4x"), None);
    }

    /// Checks that each `(sentence, phrase)` case is denied as `expected` says: `Some`
    /// with the kind of denial, or `None` for an asserted phrase.
    fn assert_denials(cases: &[(&str, &str, Option<fn(&Denial) -> bool>)]) {
        for (sentence, phrase, expected) in cases {
            let denial = denial_of(sentence, phrase);
            match expected {
                Some(is_expected_kind) => assert!(denial.as_ref().is_some_and(is_expected_kind), "{phrase:?} in {sentence:?}: {denial:?}"),
                None => assert_eq!(denial, None, "{phrase:?} in {sentence:?}"),
            }
        }
    }

    fn reported(denial: &Denial) -> bool {
        matches!(denial, Denial::Reported(_))
    }

    fn negated(denial: &Denial) -> bool {
        matches!(denial, Denial::Negated(_))
    }

    #[test]
    fn advice_found_elsewhere_is_reported() {
        assert_denials(&[
            ("The common recipe you'll find online is to search up to OOM and train there.", "train there", Some(reported)),
            ("People will tell you to turn on mixed precision instead, but those rarely help.", "mixed precision", Some(reported)),
            ("You'll find plenty of blog posts warning that \"large batches generalize worse\".", "generalize worse", Some(reported)),
            ("A lot of guides tell you to binary-search up to the OOM point and train at that size.", "train at that size", Some(reported)),
            ("Some follow linear scaling; others use square-root scaling, which gives 2x.", "square-root scaling", Some(reported)),
            ("Some use square-root scaling, which would mean 2x.", "square-root scaling", Some(reported)),
            ("**Myth:** small batches generalize better.", "generalize better", Some(reported)),
            ("With Adam, many people use square-root scaling instead.", "square-root scaling", None),
            ("With Adam the evidence is mixed, and some people find that square-root scaling works better.", "square-root scaling", None),
        ]);
    }

    #[test]
    fn clause_wide_negation_reaches_far() {
        let far = "No need to spend billed hours on a separate validation comparison.";
        assert_eq!(denial_of(far, "validation"), Some(Denial::Negated("No need to".to_string())));
        assert_denials(&[
            ("Don't bother running the eval sweep on the held-out validation split tonight.", "validation", Some(negated)),
            ("There's no need for a separate comparison run on a held-out validation set.", "validation", Some(negated)),
            // The opener's own "no" lies inside the seven-word window and counts once.
            ("There's no need to run one more separate validation pass.", "validation", Some(negated)),
            ("No need to rerun everything; compare both runs on the validation set.", "validation", None),
            ("No need to skip the held-out evaluation on the validation set at all.", "validation", None),
        ]);
    }

    #[test]
    fn rejecting_lead_denies_listed_items() {
        assert_denials(&[
            ("I wouldn't spend your day on them: mixed precision brings headaches, early stopping half-trains.", "mixed precision", Some(negated)),
            ("I'd skip those: mixed precision and data-loader tuning both take time to get right.", "mixed precision", Some(negated)),
            ("Don't do what a lot of guides suggest — doubling the batch until you hit OOM.", "doubling the batch", Some(negated)),
            ("What I'd avoid: doubling until you OOM and training at the last size that ran.", "training at the last size", Some(negated)),
            ("Things to avoid: training at the largest batch that fits.", "training at the largest", Some(negated)),
            ("Two cheap wins: mixed precision and more data-loader workers.", "mixed precision", None),
            ("What I'd use: batch 32 and a dev-set comparison.", "batch 32", None),
        ]);
    }

    #[test]
    fn named_excuse_denies() {
        let some_say = "Some would say you can tune the LR later, but you can't.";
        assert!(matches!(denial_of(some_say, "tune the LR later"), Some(Denial::Reported(_))));
        let excuse = "The excuse that warmup can wait never survives an overnight run.";
        assert!(matches!(denial_of(excuse, "warmup can wait"), Some(Denial::Reported(_))));
        let hearsay = "You might have heard that bigger batches hurt accuracy. That's a myth.";
        assert!(matches!(denial_of(hearsay, "hurt accuracy"), Some(Denial::Reported(_))));
        let people = "Some people would say you can skip warmup since it's late, but don't.";
        assert!(matches!(denial_of(people, "skip warmup"), Some(Denial::Reported(_))));
        let quoted_back = "You said it's a small experiment, so a careful estimate is overkill.";
        assert!(matches!(denial_of(quoted_back, "overkill"), Some(Denial::Reported(_))));
        let wish = "I know you want to skip the warmup, but don't.";
        assert!(matches!(denial_of(wish, "skip the warmup"), Some(Denial::Reported(_))));
        let nice = "It would be nice to skip the memory math, but 3B with AdamW needs 48 GB.";
        assert!(matches!(denial_of(nice, "skip the memory math"), Some(Denial::Reported(_))));
    }

    #[test]
    fn judged_quote_denies() {
        let sentence = "\"Just skip the warmup tonight\" is how overnight runs diverge.";
        assert_eq!(denial_of(sentence, "skip the warmup"), Some(Denial::Reported("\"Just skip the warmup tonight\"".to_string())));
    }

    #[test]
    fn relayed_quote_is_asserted() {
        let sentence = "Tell your manager: \"it can, if we raise the LR 4x with warmup\".";
        assert_eq!(denial_of(sentence, "warmup"), None);
    }

    #[test]
    fn reported_view_covers_match_before_marker() {
        let sentence = "Use 2x, which is the naive answer, but check it.";
        assert!(matches!(denial_of(sentence, "2x"), Some(Denial::Reported(_))));
        let next_clause = "The noise helped it generalize; at 512 you may see a worse test score.";
        assert_eq!(denial_of(next_clause, "generalize"), None);
    }
}
