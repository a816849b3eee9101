//! Turning an answer into sentences the checks can match: markdown and LaTeX markup
//! removed, number words turned into digits, code blocks kept line by line. Each
//! sentence keeps its original text, which is what evidence quotes.

use std::sync::LazyLock;

use regex::Regex;

use crate::suite::ascii_word_boundaries;

use super::compile_regex;

/// One sentence, list item, table row or code line of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The text as the answer wrote it, trimmed; quoted as evidence.
    pub original: String,
    /// The text checks match against: markup removed, number words as digits.
    pub normalized: String,
    /// Whether the sentence is a line of a fenced code block.
    pub in_code: bool,
}

/// An answer split into sentences, in reading order.
#[derive(Debug, Clone)]
pub struct AnswerText {
    pub sentences: Vec<Sentence>,
    /// Every normalized sentence, joined by newlines, so that one regex scan covers the
    /// whole answer.
    pub joined: String,
    /// Byte offset in `joined` where each sentence starts.
    starts: Vec<usize>,
}

impl AnswerText {
    /// Splits and normalizes an answer.
    pub fn parse(response: &str) -> Self {
        let pieces = split_pieces(response);
        let normalized = normalize_pieces(&pieces);
        let sentences: Vec<Sentence> = pieces
            .into_iter()
            .zip(normalized)
            .filter(|(_, normalized)| !normalized.is_empty())
            .map(|((original, in_code), normalized)| Sentence { original: original.to_string(), normalized, in_code })
            .collect();

        let mut joined = String::with_capacity(response.len());
        let mut starts = Vec::with_capacity(sentences.len());
        for sentence in &sentences {
            starts.push(joined.len());
            joined.push_str(&sentence.normalized);
            joined.push('\n');
        }
        AnswerText { sentences, joined, starts }
    }

    /// Returns the index of the sentence holding byte `offset` of `joined`, and the
    /// offset where that sentence starts.
    pub fn sentence_at(&self, offset: usize) -> (usize, usize) {
        let index = self.starts.partition_point(|start| *start <= offset).saturating_sub(1);
        (index, self.starts[index])
    }
}

/// Splits an answer into its sentences and code lines, each with whether it is code.
fn split_pieces(response: &str) -> Vec<(&str, bool)> {
    let mut pieces = Vec::new();
    let mut in_code = false;
    for line in response.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code = !in_code;
        } else if in_code {
            pieces.push((trimmed, true));
        } else if !is_table_rule(trimmed) {
            pieces.extend(split_sentences(trimmed).into_iter().map(|piece| (piece.trim(), false)));
        }
    }
    pieces.retain(|(piece, _)| !piece.is_empty());
    pieces
}

/// Marks the border between two pieces while all prose is normalized in one pass; no
/// rewrite rule matches or produces it.
const PIECE_BREAK: char = '\u{1}';

/// Normalizes every piece. The prose pieces are joined and rewritten together, so each
/// rule scans the answer once instead of once per sentence.
fn normalize_pieces(pieces: &[(&str, bool)]) -> Vec<String> {
    let prose: Vec<&str> = pieces.iter().filter(|(_, in_code)| !in_code).map(|(piece, _)| *piece).collect();
    let joined = prose.join(&PIECE_BREAK.to_string());
    let rewritten = normalize(&joined);
    let mut normalized_prose = rewritten.split(PIECE_BREAK).map(collapse_whitespace);

    pieces
        .iter()
        .map(|(piece, in_code)| {
            if *in_code {
                piece.replace('`', "")
            } else {
                normalized_prose.next().unwrap_or_default()
            }
        })
        .collect()
}

/// Joins the words of `text` with single spaces.
fn collapse_whitespace(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

/// Whether a line is a markdown table's header rule, such as `|---|:--:|`.
fn is_table_rule(line: &str) -> bool {
    line.starts_with('|') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// Splits a line at sentence ends: `.`, `!` or `?`, then any closing markup, then a
/// space and a capital, a digit, a quote or markup. Decimals (`0.1`) and abbreviations such as `e.g.`
/// never split, because the next character is not a space or the next word is lowercase.
fn split_sentences(line: &str) -> Vec<&str> {
    let bytes = line.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut index = 0;
    while index + 2 < bytes.len() {
        if matches!(bytes[index], b'.' | b'!' | b'?') {
            let mut end = index + 1;
            while end < bytes.len() && matches!(bytes[end], b'*' | b'_' | b'"' | b')' | b'`') {
                end += 1;
            }
            let ends = end + 1 < bytes.len() && bytes[end] == b' ';
            if ends && starts_sentence(&line[end + 1..]) && !ends_with_abbreviation(&line[start..=index]) {
                pieces.push(&line[start..end]);
                start = end + 1;
            }
        }
        index += 1;
    }
    pieces.push(&line[start..]);
    pieces
}

fn starts_sentence(rest: &str) -> bool {
    rest.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || matches!(c, '*' | '"' | '`' | '(' | '_' | '“'))
}

fn ends_with_abbreviation(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["e.g.", "i.e.", "vs.", "etc.", "approx.", "cf.", "fig.", "eq."].iter().any(|abbreviation| lower.ends_with(abbreviation))
}

/// Replacements applied in order to prose: markup first, then symbols, then words.
static PROSE_REWRITES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let rules: &[(&str, &str)] = &[
        (r"\*\*|__|`|\\\(|\\\)|\\\[|\\\]", ""),
        (r"(^|\x01)(#+|>+|[-*+]|\d+[.)])\s+", "$1"),
        // A table row reads as its first cell, a colon, then the other cells:
        // "| Parameters | 4 B | 12 GB |" becomes "Parameters: 4 B; 12 GB".
        (r"(^|\x01)\|[ \t]*([^|\x01]*?)[ \t]*\|[ \t]*", "$1$2: "),
        (r"[ \t]*\|[ \t]*(\x01|$)", "$1"),
        (r"[ \t]*\|[ \t]*", "; "),
        (r"[’‘]", "'"),
        (r"[“”]", "\""),
        (r"\\times|\\cdot", "×"),
        (r"\\approx|\\sim", "≈"),
        (r"\\(to|rightarrow|Rightarrow|longrightarrow)", "→"),
        (r"\\sqrt\{([^}\x01]*)\}", "√$1"),
        (r"\\frac\{([^}\x01]*)\}\{([^}\x01]*)\}", "$1/$2"),
        (r"\\(eta|alpha)", "η"),
        (r"\\(,|;|!|quad|qquad| )", " "),
        (r"\\text\{([^}\x01]*)\}", "$1"),
        (r"[{}$]", ""),
        (r"(\d)\s*[×x]\s*10\^?\s*(-?\d+)", "${1}e$2"),
        (r"(\d),(\d{3})\b", "$1$2"),
        (r"\bone[- ](fourth|quarter)\b|\ba quarter\b", "1/4"),
        (r"(\d)\s?×(\s*[^\d\s]|\s*$)", "${1}x$2"),
        (r"\b(quadruple[sd]?|quadrupling|four-?fold)\b", "4x"),
        (r"\b(triple[sd]?|tripling|three-?fold)\b", "3x"),
        (r"\b(two-?fold)\b", "2x"),
        (r"\b(double[sd]?|doubling) (the|it|your|its|this|that)\b", "2x $2"),
        (r"\b(eight-?fold|octuple)\b", "8x"),
        (r"\bhalve[sd]? (the|it|your|its)\b", "0.5x $1"),
    ];
    compile(rules)
});

/// Number words from two upwards become digits; "one" stays a word because it is far
/// more often a pronoun than a count.
static NUMBER_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|sixteen|twenty|thirty|forty|fifty|sixty|hundred|thousand)(?:[- ](one|two|three|four|five|six|seven|eight|nine))?\b")
});

/// A hyphen between two letters becomes a space, so that "lower-variance",
/// "batch-norm" and "out-of-memory" match phrases written with spaces. Phrases should
/// therefore write such words with `[- ]` or a space. A hyphen after a one-letter word
/// that itself follows a hyphen ("a-b-c") stays, because matches do not overlap.
static WORD_HYPHEN: LazyLock<Regex> = LazyLock::new(|| compile_regex(r"([A-Za-z])-([A-Za-z])"));

fn compile(rules: &[(&str, &'static str)]) -> Vec<(Regex, &'static str)> {
    rules
        .iter()
        .map(|(pattern, replacement)| {
            let regex = regex::RegexBuilder::new(&ascii_word_boundaries(pattern)).case_insensitive(true).build().unwrap();
            (regex, *replacement)
        })
        .collect()
}

/// Normalizes prose for matching; whitespace runs are left for the caller to collapse.
pub fn normalize(text: &str) -> String {
    let mut normalized = text.to_string();
    for (pattern, replacement) in PROSE_REWRITES.iter() {
        if let std::borrow::Cow::Owned(rewritten) = pattern.replace_all(&normalized, *replacement) {
            normalized = rewritten;
        }
    }
    let normalized = NUMBER_WORDS.replace_all(&normalized, |captures: &regex::Captures| {
        let tens = word_value(&captures[1]);
        let units = captures.get(2).map_or(0, |unit| word_value(unit.as_str()));
        (tens + units).to_string()
    });
    WORD_HYPHEN.replace_all(&normalized, "$1 $2").into_owned()
}

fn word_value(word: &str) -> u64 {
    match word.to_ascii_lowercase().as_str() {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "sixteen" => 16,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "hundred" => 100,
        "thousand" => 1000,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalized(text: &str) -> String {
        collapse_whitespace(&normalize(text))
    }

    #[test]
    fn splits_sentences_not_decimals() {
        let text = AnswerText::parse("Use 0.1 here. Then scale it, e.g. by 4x. Done");
        let originals: Vec<_> = text.sentences.iter().map(|s| s.original.as_str()).collect();
        assert_eq!(originals, ["Use 0.1 here.", "Then scale it, e.g. by 4x.", "Done"]);
    }

    #[test]
    fn code_lines_are_kept_apart() {
        let text = AnswerText::parse("Set it:\n```python\naccum = 512 // 64\n```\nThat's all.");
        assert_eq!(text.sentences.len(), 3);
        assert!(text.sentences[1].in_code);
        assert_eq!(text.sentences[1].normalized, "accum = 512 // 64");
    }

    #[test]
    fn number_words_become_digits() {
        assert_eq!(normalized("Use thirty-two or sixteen"), "Use 32 or 16");
        assert_eq!(normalized("four times the rate"), "4 times the rate");
        assert_eq!(normalized("quadruple it"), "4x it");
    }

    #[test]
    fn hyphens_between_words_become_spaces() {
        assert_eq!(normalized("out-of-memory, lower-variance"), "out of memory, lower variance");
        assert_eq!(normalized("lr 2e-5, 8-bit Adam"), "lr 2e-5, 8-bit Adam");
    }

    #[test]
    fn latex_becomes_plain() {
        assert_eq!(normalized(r"$\eta_{256} = 4\,\eta_{64}$"), "η_256 = 4 η_64");
        assert_eq!(normalized(r"$\sqrt{4} = 2$"), "√4 = 2");
    }

    #[test]
    fn markdown_markup_is_removed() {
        assert_eq!(normalized("- **Use 16**, not `512`"), "Use 16, not 512");
        assert_eq!(normalized("| BERT | **32** |"), "BERT: 32");
        assert_eq!(normalized("| Parameters | 4 B | 12 GB | no |"), "Parameters: 4 B; 12 GB; no");
    }
}
