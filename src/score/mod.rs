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
