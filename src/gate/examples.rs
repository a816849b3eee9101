//! Concrete examples in a skill document: what counts, by kind, and the one pass over
//! the document's blocks that finds them.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::lint::is_rationalization_table;
use super::markdown::Block;

/// Kinds of concrete example. Fenced code blocks, tables and labels are only looked
/// for outside fenced code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExampleKind {
    /// A fenced code block whose body has a number: a digit not preceded by a letter,
    /// digit or underscore (`lr = 0.1` counts, `layer1` does not).
    CodeBlock,
    /// A heading with the word "example" or "examples" anywhere in it, or a label line.
    /// A label line starts, after any list marker and emphasis, with "Example",
    /// "Examples" or "Worked example" and an optional number. A colon, an opening
    /// bracket, a dash or the end of the line follows (`**Example 2:**`,
    /// `- Example (BERT):`). The first code block or table after a label and before
    /// the next heading belongs to that example and is not counted again.
    LabelledExample,
    /// A line marked wrong (starting with ❌, or labelled `Wrong:`, `Bad:`, `Before:`,
    /// `Incorrect:`, bold or not) and a line marked right (✅, `Right:`, `Correct:`,
    /// `Good:`, `After:`), in either order, with no heading between them that is not
    /// itself a marker. Each marker belongs to at most one pair.
    ContrastPair,
    /// A table, other than a rationalization table, with a number in a body cell.
    NumericTable,
}

impl ExampleKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [ExampleKind; 4] =
        [ExampleKind::CodeBlock, ExampleKind::LabelledExample, ExampleKind::ContrastPair, ExampleKind::NumericTable];

    /// Returns the kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ExampleKind::CodeBlock => "code-block",
            ExampleKind::LabelledExample => "labelled-example",
            ExampleKind::ContrastPair => "contrast-pair",
            ExampleKind::NumericTable => "numeric-table",
        }
    }

    /// Returns the noun phrase for `count` examples of this kind, singular or plural.
    pub fn noun(self, count: usize) -> &'static str {
        let (singular, plural) = match self {
            ExampleKind::CodeBlock => ("code block with a number", "code blocks with a number"),
            ExampleKind::LabelledExample => ("labelled example", "labelled examples"),
            ExampleKind::ContrastPair => ("wrong/right pair", "wrong/right pairs"),
            ExampleKind::NumericTable => ("table with numbers", "tables with numbers"),
        };
        if count == 1 { singular } else { plural }
    }
}

/// One concrete example: its kind and the 1-based line where it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConcreteExample {
    pub kind: ExampleKind,
    pub line: usize,
}

/// The side of a wrong/right pair that a marker stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Polarity {
    Wrong,
    Right,
}

/// Walks the blocks once and collects the examples of every kind, in document order.
pub(super) fn find_examples(blocks: &[Block<'_>]) -> Vec<ConcreteExample> {
    let mut examples = Vec::new();
    let mut label_open = false;
    let mut open_marker: Option<(Polarity, usize)> = None;
    let mut found = |kind, line| examples.push(ConcreteExample { kind, line });

    for block in blocks {
        match block {
            Block::Heading { line, text } => {
                label_open = EXAMPLE_WORD.is_match(text);
                if label_open {
                    found(ExampleKind::LabelledExample, *line);
                }
                match contrast_marker(text) {
                    Some(polarity) => pair_marker(&mut open_marker, polarity, *line, &mut found),
                    None => open_marker = None,
                }
            }
            Block::Text { line, text } => {
                if is_example_label(text) {
                    label_open = true;
                    found(ExampleKind::LabelledExample, *line);
                }
                if let Some(polarity) = contrast_marker(text) {
                    pair_marker(&mut open_marker, polarity, *line, &mut found);
                }
            }
            Block::Fence { line, body } => {
                let counts = !std::mem::take(&mut label_open) && body.iter().any(|row| has_number(row));
                if counts {
                    found(ExampleKind::CodeBlock, *line);
                }
            }
            Block::Table { line, header, rows } => {
                if is_rationalization_table(header, rows) {
                    continue;
                }
                let counts = !std::mem::take(&mut label_open) && rows.iter().flatten().any(|cell| has_number(cell));
                if counts {
                    found(ExampleKind::NumericTable, *line);
                }
            }
        }
    }
    examples
}

/// Records a marker: it closes an open marker of the other polarity as one pair, or
/// becomes the open marker. A pair is located at its first marker.
fn pair_marker(
    open: &mut Option<(Polarity, usize)>,
    polarity: Polarity,
    line: usize,
    found: &mut impl FnMut(ExampleKind, usize),
) {
    match *open {
        Some((open_polarity, open_line)) if open_polarity != polarity => {
            found(ExampleKind::ContrastPair, open_line);
            *open = None;
        }
        _ => *open = Some((polarity, line)),
    }
}

/// A digit not preceded by a letter, digit or underscore.
static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|[^\w])\d").expect("valid regex"));

/// The word "example" or "examples", as headings use it.
static EXAMPLE_WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bexamples?\b").expect("valid regex"));

/// A line label that opens an example; see [`ExampleKind::LabelledExample`].
static EXAMPLE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\*\*|__|\*|_)?(?:worked\s+)?examples?\b(?:\s*\d+)?(?:\*\*|__|\*|_)?\s*(?::|\(|-|–|—|$)")
        .expect("valid regex")
});

/// A wrong or right label; see [`ExampleKind::ContrastPair`].
static CONTRAST_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:\*\*|__)?(wrong|bad|before|incorrect|right|correct|good|after)(?:\*\*|__)?\s*:")
        .expect("valid regex")
});

/// A list marker at the start of a line: `-`, `*`, `+`, `1.` or `1)`, and the space after it.
static LIST_MARKER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(?:[-*+]|\d+[.)])\s+").expect("valid regex"));

/// Returns whether the text has a number by the rule of [`ExampleKind::CodeBlock`].
fn has_number(text: &str) -> bool {
    NUMBER.is_match(text)
}

/// Returns the line without leading whitespace and list marker.
fn strip_list_marker(line: &str) -> &str {
    match LIST_MARKER.find(line) {
        Some(marker) => &line[marker.end()..],
        None => line.trim_start(),
    }
}

/// Returns whether a text line is an example label.
fn is_example_label(line: &str) -> bool {
    EXAMPLE_LABEL.is_match(strip_list_marker(line))
}

/// Returns the polarity of a wrong/right marker line, if it is one.
fn contrast_marker(line: &str) -> Option<Polarity> {
    let text = strip_list_marker(line);
    if text.starts_with('❌') {
        return Some(Polarity::Wrong);
    }
    if text.starts_with('✅') {
        return Some(Polarity::Right);
    }
    let word = CONTRAST_LABEL.captures(text)?.get(1)?.as_str().to_ascii_lowercase();
    match word.as_str() {
        "wrong" | "bad" | "before" | "incorrect" => Some(Polarity::Wrong),
        _ => Some(Polarity::Right),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::markdown::blocks;

    fn kinds(text: &str) -> Vec<(ExampleKind, usize)> {
        find_examples(&blocks(text)).into_iter().map(|example| (example.kind, example.line)).collect()
    }

    #[test]
    fn code_block_needs_a_number() {
        let text = "```\nlr = 0.1\n```\n```\nlayer1.forward(x)\n```";
        assert_eq!(kinds(text), [(ExampleKind::CodeBlock, 1)]);
    }

    #[test]
    fn heading_label_absorbs_code_block() {
        let text = "## Worked example\n\nSome words.\n\n```\nbatch = 32\n```\n\n```\nbatch = 64\n```";
        assert_eq!(kinds(text), [(ExampleKind::LabelledExample, 1), (ExampleKind::CodeBlock, 9)]);
    }

    #[test]
    fn next_heading_closes_label() {
        let text = "Example: BERT\n## Other\n```\nbatch = 32\n```";
        assert_eq!(kinds(text), [(ExampleKind::LabelledExample, 1), (ExampleKind::CodeBlock, 3)]);
    }

    #[test]
    fn example_labels_and_prose() {
        assert!(is_example_label("Example: BERT-base"));
        assert!(is_example_label("- **Example 2:** accumulate"));
        assert!(is_example_label("Example (ResNet):"));
        assert!(is_example_label("**Worked example**"));
        assert!(!is_example_label("Examples are everywhere in this field."));
        assert!(!is_example_label("For example: this is prose."));
    }

    #[test]
    fn contrast_pairs_in_either_order() {
        let text = "❌ bad idea\n✅ good idea\n**After:** x\n**Before:** y\n- Wrong: a\n- Wrong: b";
        assert_eq!(kinds(text), [(ExampleKind::ContrastPair, 1), (ExampleKind::ContrastPair, 3)]);
    }

    #[test]
    fn plain_heading_breaks_a_pair() {
        let text = "❌ bad idea\n## Next\n✅ good idea";
        assert!(kinds(text).is_empty());
    }

    #[test]
    fn marker_headings_form_a_pair() {
        let text = "### ❌ Before\ntext\n### ✅ After\ntext";
        assert_eq!(kinds(text), [(ExampleKind::ContrastPair, 1)]);
    }

    #[test]
    fn numeric_table_counts_rationalization_does_not() {
        let numeric = "| batch | lr |\n|---|---|\n| 64 | 0.1 |\n";
        let words = "| a | b |\n|---|---|\n| x | y |\n";
        let excuses = "| Excuse | Reality |\n|---|---|\n| \"use 512\" | 2% worse |\n";
        let text = format!("{numeric}\n{words}\n{excuses}");
        assert_eq!(kinds(&text), [(ExampleKind::NumericTable, 1)]);
    }
}
