//! Skill lint: the figures the GREEN and REFACTOR gates read from a skill document
//! (length, concrete examples, failure patterns addressed, rationalization tables).
//! The rules are textual heuristics, stated on each item, so that an author can see
//! why a figure is what it is and change the document to move it.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::examples::{ConcreteExample, ExampleKind, find_examples};
use super::markdown::{Block, blocks};
use crate::suite::{Pattern, Suite};

/// Maximum length of the matched text kept as evidence of a pattern term, in characters.
const MAX_MATCH_CHARS: usize = 80;

/// The lint figures of one skill document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillLint {
    /// Number of lines, as `str::lines` counts them.
    pub lines: usize,
    /// Every concrete example found, in document order.
    pub examples: Vec<ConcreteExample>,
    /// One entry per failure pattern of the suite, in suite order.
    pub patterns: Vec<PatternCoverage>,
    /// Every rationalization table found, in document order.
    pub rationalization_tables: Vec<TableLocation>,
}

impl SkillLint {
    /// Returns the number of concrete examples of every kind.
    pub fn example_count(&self) -> usize {
        self.examples.len()
    }

    /// Returns the number of concrete examples of one kind.
    pub fn examples_of(&self, kind: ExampleKind) -> usize {
        self.examples.iter().filter(|example| example.kind == kind).count()
    }

    /// Returns the number of failure patterns the document addresses.
    pub fn addressed_count(&self) -> usize {
        self.patterns.iter().filter(|pattern| pattern.addressed).count()
    }

    /// Returns whether the document has at least one rationalization table.
    pub fn has_rationalization_table(&self) -> bool {
        !self.rationalization_tables.is_empty()
    }
}

/// Whether the document addresses one failure pattern. A pattern is addressed when
/// every one of its terms matches somewhere in the document, code blocks included.
/// A pattern with no terms is never addressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternCoverage {
    pub id: String,
    pub name: String,
    pub addressed: bool,
    /// One entry per term, in the order the suite lists them.
    pub terms: Vec<TermMatch>,
}

/// A pattern term and its first match in the document, if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermMatch {
    /// The term's regex source, as written in the suite.
    pub term: String,
    pub found: Option<TermFound>,
}

/// The first match of a term: its line and the matched text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermFound {
    pub line: usize,
    pub text: String,
}

/// A table: the 1-based line of its header row and the number of body rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableLocation {
    pub line: usize,
    pub rows: usize,
}

/// Lints a skill document against a suite's failure patterns.
pub fn lint_skill(skill_text: &str, suite: &Suite) -> SkillLint {
    let blocks = blocks(skill_text);
    SkillLint {
        lines: skill_text.lines().count(),
        examples: find_examples(&blocks),
        patterns: suite.patterns.iter().map(|pattern| pattern_coverage(skill_text, pattern)).collect(),
        rationalization_tables: find_rationalization_tables(&blocks),
    }
}

/// A header cell that names a rationalization table.
static RATIONALIZATION_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)rationali[sz]ation|\bexcuses?\b|\breality\b").expect("valid regex"));

/// Returns whether a table is a rationalization table: a header cell mentions
/// "rationalization" (or "rationalisation"), "excuse" or "reality", and the table has
/// at least one body row.
pub(super) fn is_rationalization_table(header: &[&str], rows: &[Vec<&str>]) -> bool {
    !rows.is_empty() && header.iter().any(|cell| RATIONALIZATION_HEADER.is_match(cell))
}

/// Collects every rationalization table, in document order.
fn find_rationalization_tables(blocks: &[Block<'_>]) -> Vec<TableLocation> {
    blocks
        .iter()
        .filter_map(|block| match block {
            Block::Table { line, header, rows } if is_rationalization_table(header, rows) => {
                Some(TableLocation { line: *line, rows: rows.len() })
            }
            _ => None,
        })
        .collect()
}

/// Matches every term of a pattern against the whole document.
fn pattern_coverage(text: &str, pattern: &Pattern) -> PatternCoverage {
    let terms: Vec<TermMatch> = pattern
        .terms
        .iter()
        .map(|term| TermMatch {
            term: term.as_str().to_string(),
            found: term.find(text).map(|found| TermFound {
                line: text[..found.start()].matches('\n').count() + 1,
                text: found.as_str().chars().take(MAX_MATCH_CHARS).collect(),
            }),
        })
        .collect();
    let addressed = !terms.is_empty() && terms.iter().all(|term| term.found.is_some());
    PatternCoverage { id: pattern.id.clone(), name: pattern.name.clone(), addressed, terms }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::test_support::{pattern, suite_with_patterns};

    #[test]
    fn rationalization_table_rules() {
        assert!(is_rationalization_table(&["Rationalisation", "Fix"], &[vec!["a", "b"]]));
        assert!(is_rationalization_table(&["What you hear", "Reality"], &[vec!["a", "b"]]));
        assert!(!is_rationalization_table(&["Excuse", "Reality"], &[]));
        assert!(!is_rationalization_table(&["Realistic", "Batch"], &[vec!["a", "b"]]));
    }

    #[test]
    fn pattern_needs_every_term() {
        let suite = suite_with_patterns(vec![
            pattern("warmup-missing", &["warm-?up", "linear scaling"]),
            pattern("memory-vague", &["optimizer states?", "activations?"]),
        ]);
        let lint = lint_skill("intro\nUse a warmup.\nScale with the Linear Scaling rule.\nActivations grow.", &suite);

        let addressed = &lint.patterns[0];
        assert!(addressed.addressed);
        assert_eq!(addressed.terms[0].found, Some(TermFound { line: 2, text: "warmup".to_string() }));
        assert_eq!(addressed.terms[1].found, Some(TermFound { line: 3, text: "Linear Scaling".to_string() }));

        let missed = &lint.patterns[1];
        assert!(!missed.addressed);
        assert_eq!(missed.terms[0].found, None);
        assert_eq!(missed.terms[1].found.as_ref().map(|found| found.line), Some(4));
        assert_eq!(lint.addressed_count(), 1);
    }

    #[test]
    fn pattern_without_terms_is_not_addressed() {
        let suite = suite_with_patterns(vec![pattern("empty", &[])]);
        assert!(!lint_skill("anything", &suite).patterns[0].addressed);
    }

    #[test]
    fn line_count_ignores_trailing_newline() {
        let suite = suite_with_patterns(Vec::new());
        assert_eq!(lint_skill("a\nb\n", &suite).lines, 2);
        assert_eq!(lint_skill("a\nb", &suite).lines, 2);
        assert_eq!(lint_skill("", &suite).lines, 0);
    }
}
