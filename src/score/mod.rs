//! Scoring: checks an answer against its scenario's rubric, with negation-aware phrase
//! matching and number extraction compared with the reference planner. Pure and
//! synchronous: scoring never sees an agent, so saved answers can be re-scored.

mod arithmetic;
mod negation;
mod numbers;
mod outcome;
mod phrase;
mod prefilter;
mod rationalization;
mod scorer;
mod summary;
mod text;

pub use outcome::{AnswerScore, CheckOutcome};
pub use rationalization::{answers_with_rationalization, find_rationalizations, Rationalization};
pub use scorer::{ScoreError, Scorer};
pub use summary::{summarize, summarize_variants, ArmSummary, CheckTally, ScoredUnit, SummaryError};

/// Compiles one of the scorer's own patterns, with ASCII word boundaries so that the
/// fast DFA engine handles answers that contain non-ASCII characters.
fn compile_regex(pattern: &str) -> regex::Regex {
    regex::Regex::new(&crate::suite::ascii_word_boundaries(pattern)).expect("the scorer's own patterns are valid")
}

/// Compiles one of the scorer's own patterns as `compile_regex` does, so it finds the
/// same matches, but without the regex engine's literal prefilter. A pattern whose
/// literals include common words ("it", "that") makes the prefilter stop at almost
/// every word of an answer and hand over to the lazy DFA each time. For
/// `DISMISSED_BEFORE` that cost about 3k more estimated cycles per answer than the lazy
/// DFA's scan alone (callgrind with cache and branch simulation, `cargo bench --bench
/// scoring`).
fn compile_regex_without_prefilter(pattern: &str) -> regex_automata::meta::Regex {
    let config = regex_automata::meta::Config::new().auto_prefilter(false);
    let pattern = crate::suite::ascii_word_boundaries(pattern);
    regex_automata::meta::Builder::new().configure(config).build(&pattern).expect("the scorer's own patterns are valid")
}
