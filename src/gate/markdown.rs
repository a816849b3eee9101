//! A small block scanner for skill documents: fenced code blocks, ATX headings, pipe
//! tables and other lines, each with its 1-based line number. It covers only what the
//! lint needs and is not a full CommonMark parser, so setext headings, indented code
//! blocks and HTML blocks are read as plain lines.

/// One block of a markdown document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block<'a> {
    /// An ATX heading (`#` to `######`), with its text.
    Heading { line: usize, text: &'a str },
    /// A fenced code block (``` or ~~~), with the lines between its fences. An unclosed
    /// fence runs to the end of the document.
    Fence { line: usize, body: Vec<&'a str> },
    /// A pipe table: a header row, a delimiter row, and the body rows below it.
    Table { line: usize, header: Vec<&'a str>, rows: Vec<Vec<&'a str>> },
    /// Any other line, blank lines included.
    Text { line: usize, text: &'a str },
}

/// Splits a document into blocks, in document order.
pub(crate) fn blocks(text: &str) -> Vec<Block<'_>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    let mut index = 0;

    while index < lines.len() {
        let line = lines[index];
        let number = index + 1;
        if let Some(fence) = fence_opener(line) {
            let (body, next) = fence_body(&lines, index + 1, fence);
            blocks.push(Block::Fence { line: number, body });
            index = next;
        } else if let Some(text) = heading_text(line) {
            blocks.push(Block::Heading { line: number, text });
            index += 1;
        } else if is_table_start(&lines, index) {
            let (rows, next) = table_rows(&lines, index + 2);
            blocks.push(Block::Table { line: number, header: split_row(line), rows });
            index = next;
        } else {
            blocks.push(Block::Text { line: number, text: line });
            index += 1;
        }
    }
    blocks
}

/// The character and length of a fence's opening run.
#[derive(Debug, Clone, Copy)]
struct Fence {
    marker: char,
    length: usize,
}

/// Reads a fence opener: three or more backticks or tildes, after any indentation
/// (list items indent their code blocks).
fn fence_opener(line: &str) -> Option<Fence> {
    let trimmed = line.trim_start();
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let length = trimmed.chars().take_while(|c| *c == marker).count();
    (length >= 3).then_some(Fence { marker, length })
}

/// Collects a fence's body from `start`; returns the body and the index after the closer.
fn fence_body<'a>(lines: &[&'a str], start: usize, fence: Fence) -> (Vec<&'a str>, usize) {
    let mut body = Vec::new();
    for (index, line) in lines.iter().enumerate().skip(start) {
        if closes_fence(line, fence) {
            return (body, index + 1);
        }
        body.push(*line);
    }
    (body, lines.len())
}

/// Returns whether a line closes a fence: the same marker, at least as long, and nothing after it.
fn closes_fence(line: &str, fence: Fence) -> bool {
    let trimmed = line.trim();
    let length = trimmed.chars().take_while(|c| *c == fence.marker).count();
    length >= fence.length && trimmed.chars().count() == length
}

/// Returns the text of an ATX heading line: up to three spaces, one to six `#`, then a
/// space or the end of the line.
fn heading_text(line: &str) -> Option<&str> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let level = rest.chars().take_while(|c| *c == '#').count();
    let after = &rest[level..];
    let valid = (1..=6).contains(&level) && (after.is_empty() || after.starts_with([' ', '\t']));
    valid.then(|| strip_closing_hashes(after.trim()))
}

/// Drops an optional closing run of `#`, which counts only after a space (`# C#` keeps its `#`).
fn strip_closing_hashes(text: &str) -> &str {
    let without = text.trim_end_matches('#');
    if without.is_empty() || without.ends_with([' ', '\t']) { without.trim_end() } else { text }
}

/// Returns whether a table starts at `index`: a row with a pipe followed by a delimiter row.
fn is_table_start(lines: &[&str], index: usize) -> bool {
    let Some(delimiter) = lines.get(index + 1) else { return false };
    lines[index].contains('|') && is_delimiter_row(delimiter)
}

/// Returns whether a line is a table delimiter row such as `|---|:--:|`.
fn is_delimiter_row(line: &str) -> bool {
    let cells = split_row(line);
    line.contains('-')
        && !cells.is_empty()
        && cells.iter().all(|cell| {
            let inner = cell.trim_start_matches(':').trim_end_matches(':');
            !inner.is_empty() && inner.chars().all(|c| c == '-')
        })
}

/// Collects body rows from `start` until a line without a pipe; returns them and the next index.
fn table_rows<'a>(lines: &[&'a str], start: usize) -> (Vec<Vec<&'a str>>, usize) {
    let mut rows = Vec::new();
    let mut index = start;
    while index < lines.len() && lines[index].contains('|') && !lines[index].trim().is_empty() {
        rows.push(split_row(lines[index]));
        index += 1;
    }
    (rows, index)
}

/// Splits a table row into trimmed cells, dropping the outer pipes.
// NOTE: an escaped pipe (`\|`) still splits the row. That can shift cells, but the lint
// only reads whether a header cell names a rationalization table or a body cell has a number.
pub(crate) fn split_row(line: &str) -> Vec<&str> {
    let trimmed = line.trim();
    let inner = trimmed.strip_prefix('|').unwrap_or(trimmed);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(str::trim).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_inside_fence_is_code() {
        let text = "# Title\n```python\n# comment 1\n```\nafter";
        let found = blocks(text);
        assert_eq!(found[0], Block::Heading { line: 1, text: "Title" });
        assert_eq!(found[1], Block::Fence { line: 2, body: vec!["# comment 1"] });
        assert_eq!(found[2], Block::Text { line: 5, text: "after" });
    }

    #[test]
    fn longer_fence_needs_longer_closer() {
        let text = "````\n```\ninner\n```\n````\nafter";
        let found = blocks(text);
        assert_eq!(found[0], Block::Fence { line: 1, body: vec!["```", "inner", "```"] });
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn unclosed_fence_runs_to_end() {
        let found = blocks("~~~\na\n# b");
        assert_eq!(found, vec![Block::Fence { line: 1, body: vec!["a", "# b"] }]);
    }

    #[test]
    fn closing_hashes_need_a_space() {
        assert_eq!(heading_text("## Title ##"), Some("Title"));
        assert_eq!(heading_text("# C#"), Some("C#"));
        assert_eq!(heading_text("#"), Some(""));
    }

    #[test]
    fn hash_without_space_is_text() {
        let found = blocks("#hashtag\n####### seven");
        assert!(matches!(found[0], Block::Text { .. }));
        assert!(matches!(found[1], Block::Text { .. }));
    }

    #[test]
    fn table_with_body_rows() {
        let text = "intro\n| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 | 4 |\n\nafter";
        let found = blocks(text);
        let expected = Block::Table { line: 2, header: vec!["a", "b"], rows: vec![vec!["1", "2"], vec!["3", "4"]] };
        assert_eq!(found[1], expected);
        assert_eq!(found[2], Block::Text { line: 6, text: "" });
    }

    #[test]
    fn pipe_without_delimiter_is_text() {
        let found = blocks("a | b\nc | d");
        assert!(found.iter().all(|block| matches!(block, Block::Text { .. })));
    }
}
