//! Turning an answer into sentences the checks can match: markdown and LaTeX markup
//! removed, number words turned into digits, code blocks kept line by line. Each
//! sentence keeps its original text, which is what evidence quotes.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use regex_automata::util::prefilter::Prefilter;
use regex_automata::{MatchKind, Span};

use crate::suite::ascii_word_boundaries;

use super::compile_regex;

mod byte_rewrites;

/// One sentence, list item, table row or code line of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sentence<'a> {
    /// The text as the answer wrote it, trimmed; quoted as evidence.
    pub original: &'a str,
    /// The text checks match against: markup removed, number words as digits.
    pub normalized: &'a str,
    /// Whether the sentence is a line of a fenced code block.
    pub in_code: bool,
    /// Whether the sentence is in a block quote of someone's words (`> "...`), which
    /// answers use to quote a view, not to give their own.
    pub in_quote: bool,
    /// Whether the sentence is a row of a markdown table, whose cells may hold marks
    /// such as ❌ as values.
    pub in_table: bool,
}

/// An answer split into sentences, in reading order. The sentences borrow from the
/// answer and from one buffer of normalized text, so parsing allocates no string per
/// sentence.
#[derive(Debug, Clone)]
pub struct AnswerText<'a> {
    /// Every normalized sentence, each followed by a newline, so that one regex scan
    /// covers the whole answer.
    pub joined: String,
    spans: Vec<SentenceSpan<'a>>,
}

/// The location of one sentence: its original text, and its bytes in
/// `AnswerText::joined` without the newline after it.
#[derive(Debug, Clone)]
struct SentenceSpan<'a> {
    original: &'a str,
    normalized: Range<usize>,
    kind: PieceKind<'a>,
}

/// What kind of text a piece of an answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PieceKind<'a> {
    Prose,
    /// Prose in a block quote.
    Quote,
    /// A line of a fenced code block.
    Code,
    /// A line of a fenced code block that steps the optimizer, or zeroes its gradients,
    /// on every pass of a loop that also runs the backward pass: no accumulation, though
    /// the call is there. It is read with "not" before it.
    SteppedEveryPass,
    /// Prose in a list that a lead line turns down ("Avoid:", "- **What I'd avoid:**").
    /// Each piece is read with "Avoid:" before it, after its list marker.
    Rejected,
    /// A row of a markdown table, with the table's header row. Each cell is read with its
    /// column's header, as a reader takes it: under "Grows with batch?", a "yes" states
    /// that the row's component grows with the batch.
    TableRow { header: &'a str },
}

impl PieceKind<'_> {
    fn is_code(self) -> bool {
        matches!(self, PieceKind::Code | PieceKind::SteppedEveryPass)
    }
}

impl<'a> AnswerText<'a> {
    /// Splits and normalizes an answer.
    pub fn parse(response: &'a str) -> Self {
        let pieces = split_pieces(response);
        SCRATCH.with_borrow_mut(|scratch| {
            scratch.text.clear();
            for (piece, kind) in pieces.iter().filter(|(_, kind)| !kind.is_code()) {
                scratch.text.push(PIECE_BREAK);
                match kind {
                    PieceKind::TableRow { header } => push_row_under_header(&mut scratch.text, piece, header),
                    // A numbered item's marker is a piece of its own ("1." before
                    // "Train at the max."), which needs no lead.
                    PieceKind::Rejected if piece.trim_end_matches(['.', ')']).bytes().all(|byte| byte.is_ascii_digit()) => {
                        scratch.text.push_str(piece);
                    }
                    PieceKind::Rejected => {
                        let marker = list_marker_length(piece);
                        scratch.text.push_str(&piece[..marker]);
                        scratch.text.push_str("Avoid: ");
                        scratch.text.push_str(&piece[marker..]);
                    }
                    _ => scratch.text.push_str(piece),
                }
            }
            // The prose pieces are rewritten together, so each rule scans the answer once
            // instead of once per sentence.
            normalize(scratch);
            AnswerText::join(pieces, &scratch.text)
        })
    }

    /// Joins the pieces of an answer, each prose piece from `rewritten`, the
    /// normalized prose, whose text before the first break is empty.
    fn join(pieces: Vec<(&'a str, PieceKind<'a>)>, rewritten: &str) -> Self {
        let mut prose_rest = memchr::memchr(PIECE_BREAK as u8, rewritten.as_bytes()).map_or("", |first| &rewritten[first + 1..]);
        let mut joined = String::with_capacity(rewritten.len() + pieces.len());
        let mut spans = Vec::with_capacity(pieces.len());
        for (original, kind) in pieces {
            let start = joined.len();
            if kind == PieceKind::SteppedEveryPass {
                joined.push_str("not ");
            }
            if kind.is_code() {
                split_at_ascii(original, b'`').for_each(|part| joined.push_str(part));
            } else {
                let piece_length = push_collapsed(&mut joined, prose_rest);
                prose_rest = prose_rest.get(piece_length + 1..).unwrap_or_default();
            }
            if joined.len() > start {
                spans.push(SentenceSpan { original, normalized: start..joined.len(), kind });
                joined.push('\n');
            }
        }
        AnswerText { joined, spans }
    }

    /// Returns the number of sentences.
    pub fn sentence_count(&self) -> usize {
        self.spans.len()
    }

    /// Returns sentence `index`. Panics if there is no such sentence.
    pub fn sentence(&self, index: usize) -> Sentence<'_> {
        self.sentence_of(&self.spans[index])
    }

    /// Returns sentence `index`, or `None` past the last sentence.
    pub fn get(&self, index: usize) -> Option<Sentence<'_>> {
        self.spans.get(index).map(|span| self.sentence_of(span))
    }

    /// Returns the sentences in reading order.
    pub fn sentences(&self) -> impl DoubleEndedIterator<Item = Sentence<'_>> + ExactSizeIterator {
        self.spans.iter().map(|span| self.sentence_of(span))
    }

    fn sentence_of(&self, span: &SentenceSpan<'a>) -> Sentence<'_> {
        Sentence {
            original: span.original,
            normalized: &self.joined[span.normalized.clone()],
            in_code: span.kind.is_code(),
            in_quote: span.kind == PieceKind::Quote,
            in_table: matches!(span.kind, PieceKind::TableRow { .. }),
        }
    }

    /// Returns the index of the sentence holding byte `offset` of `joined`, and the
    /// offset where that sentence starts. The newline after a sentence belongs to it.
    pub fn sentence_at(&self, offset: usize) -> (usize, usize) {
        let index = self.spans.partition_point(|span| span.normalized.start <= offset).saturating_sub(1);
        (index, self.spans[index].normalized.start)
    }
}

/// Splits an answer into its sentences and code lines, each with its kind.
fn split_pieces(response: &str) -> Vec<(&str, PieceKind<'_>)> {
    // An estimate: the labelled answers have a line or sentence per 52 bytes on
    // average, empty lines included, so this saves most of the reallocations of a
    // vector that starts empty.
    let mut pieces = Vec::with_capacity(response.len() / 64 + 4);
    let mut in_code = false;
    let mut footnotes = Vec::new();
    // The line before the current one, and the header row of the table the current
    // line may continue.
    let mut previous_line = "";
    let mut table_header = None;
    // Splitting at `\n` alone gives what `str::lines` gives once each line is trimmed,
    // and at most one more line, an empty one, which adds no piece.
    // Where the pieces of the line before the current one start.
    let mut previous_start = 0;
    // While a list that a lead line turns down lasts ("Avoid:" and the items under
    // it): the lead's indentation, and whether the lead is a list item itself.
    let mut rejecting_lead: Option<(usize, bool)> = None;
    // In a checklist with both ticked and empty boxes, the empty ones are the options
    // the answer did not pick.
    let mixed_checklist = (response.contains("[x]") || response.contains("[X]")) && response.contains("[ ]");
    // The lines of the code block read so far: each one's piece and indentation.
    let mut code_lines = Vec::new();
    for line in split_at_ascii(response, b'\n') {
        let trimmed = line.trim();
        let previous = std::mem::replace(&mut previous_line, trimmed);
        let line_start = std::mem::replace(&mut previous_start, pieces.len());
        if !trimmed.starts_with('|') {
            table_header = None;
        }
        if let Some((lead_indent, lead_is_item)) = rejecting_lead {
            let is_item = list_marker_length(trimmed) > 0;
            // Items under a lead item are indented further; under a lead line that is
            // no item, the list lasts as long as its items do. Empty lines end neither.
            let indent = line.len() - line.trim_start().len();
            let under_lead = if lead_is_item { indent > lead_indent } else { is_item };
            if !trimmed.is_empty() && (!under_lead || in_code || trimmed.starts_with('|')) {
                rejecting_lead = None;
            }
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            if in_code {
                mark_steps_every_pass(&mut pieces, &code_lines);
                code_lines.clear();
            }
            in_code = !in_code;
        } else if in_code {
            code_lines.push((pieces.len(), line.len() - line.trim_start().len()));
            pieces.push((trimmed, PieceKind::Code));
        } else if is_table_rule(trimmed) {
            table_header = previous.starts_with('|').then_some(previous);
            // The header row is read with each cell below it, not as a sentence of its
            // own, because "| Setting | Warmup |" makes no point about warmup. A header with
            // a digit stays, because `push_row_under_header` leaves such headers out.
            if table_header.is_some_and(|header| !header.contains(|c: char| c.is_ascii_digit())) {
                pieces.truncate(line_start);
            }
        } else if let Some(header) = table_header {
            // A row stays whole, so that its cells keep their columns.
            pieces.push((trimmed, PieceKind::TableRow { header }));
        } else {
            let unpicked_box = mixed_checklist && trimmed[list_marker_length(trimmed)..].starts_with("[ ]");
            let kind = if quotes_someone(trimmed) {
                PieceKind::Quote
            } else if rejecting_lead.is_some() || unpicked_box {
                PieceKind::Rejected
            } else {
                PieceKind::Prose
            };
            let first = pieces.len();
            split_sentences(trimmed, kind, &mut pieces);
            // "Keep doubling until you hit OOM and train there. What could go wrong?" is
            // sarcasm: the sentences before the question give a view the answer mocks,
            // read as someone else's words.
            if pieces.len() > first + 1 && is_sarcastic_question(pieces[pieces.len() - 1].0) {
                let last = pieces.len() - 1;
                pieces[first..last].iter_mut().for_each(|(_, kind)| *kind = PieceKind::Quote);
            }
            if opens_rejected_list(trimmed) {
                let indent = line.len() - line.trim_start().len();
                rejecting_lead = Some((indent, list_marker_length(trimmed) > 0));
            }
            if let Some(marker) = footnote_marker(trimmed) {
                // The footnote is read without its marker, so that a retraction can open
                // it: "[^1]: On reflection, ignore that."
                let opening = &mut pieces[first].0;
                *opening = opening[marker.len()..].trim_start_matches(':').trim_start();
                footnotes.push(Footnote { reference: marker, pieces: first..pieces.len() });
            }
        }
    }
    if !footnotes.is_empty() {
        pieces = move_footnotes(pieces, &footnotes);
    }
    pieces.retain(|(piece, _)| !piece.is_empty());
    pieces
}

/// A footnote of an answer: a line that opens with a marker ("¹ On reflection, ...",
/// "[^1]: ..."), which the answer reads as part of the sentence that carries the same
/// marker. A retraction in a footnote then takes back that sentence, as it would
/// right after it.
struct Footnote<'a> {
    /// The marker as sentences refer to it: "¹", "[^1]" or "†".
    reference: &'a str,
    /// The pieces of the footnote's line.
    pieces: Range<usize>,
}

/// Moves each footnote's pieces to just after the first earlier piece that carries its
/// marker, after any footnote moved there before it. A footnote that no earlier piece
/// refers to stays where it is.
fn move_footnotes<'a>(pieces: Vec<(&'a str, PieceKind<'a>)>, footnotes: &[Footnote]) -> Vec<(&'a str, PieceKind<'a>)> {
    let in_footnote = |index: usize| footnotes.iter().any(|footnote| footnote.pieces.contains(&index));
    // For each footnote, the piece outside footnotes that refers to it, if any.
    let referring: Vec<Option<usize>> = footnotes
        .iter()
        .map(|footnote| {
            (0..footnote.pieces.start).find(|index| !in_footnote(*index) && refers_to(pieces[*index].0, footnote.reference))
        })
        .collect();
    let moved = |index: usize| footnotes.iter().zip(&referring).any(|(footnote, to)| to.is_some() && footnote.pieces.contains(&index));
    let mut reordered = Vec::with_capacity(pieces.len());
    for (index, piece) in pieces.iter().enumerate() {
        if moved(index) {
            continue;
        }
        reordered.push(*piece);
        for (footnote, _) in footnotes.iter().zip(&referring).filter(|(_, to)| **to == Some(index)) {
            reordered.extend_from_slice(&pieces[footnote.pieces.clone()]);
        }
    }
    reordered
}

/// Appends a table row to `out` with each cell after the first followed by its column's
/// header in parentheses: under the header `| Part | Grows with batch? |`, the row
/// `| Activations | yes |` becomes `| Activations | yes (Grows with batch?) |`. A header
/// with a digit ("batch 64") is left out, because number extraction would take its
/// number for one the cell states.
///
/// Two kinds of cell turn their header down, because the negation rules look only
/// before a match:
/// - a cell that only denies ("none needed", "no", "—") gets "not" before its header, so
///   "none needed" under "Warmup" does not show warmup;
/// - every cell under a header that rejects ("Don't", "Myth", "Avoid") gets "not" before
///   it, first column included, so "use the largest batch that fits" under "Don't" is
///   advice against it.
fn push_row_under_header(out: &mut String, row: &str, header: &str) {
    let mut headers = table_cells(header);
    for (index, cell) in table_cells(row).enumerate() {
        out.push('|');
        let heading = headers.next().unwrap_or_default();
        if !cell.is_empty() && is_rejecting_header(heading) {
            out.push_str("not ");
        }
        out.push_str(cell);
        if index > 0 && !heading.is_empty() && !cell.is_empty() && !heading.contains(|c: char| c.is_ascii_digit()) {
            out.push_str(if is_denying_cell(cell) { " (not " } else { " (" });
            out.push_str(heading);
            out.push(')');
        }
    }
    out.push('|');
}

/// Checks whether a table header turns down the cells below it: "Don't", "**Myth**",
/// "❌ Avoid", "Anti-pattern".
fn is_rejecting_header(heading: &str) -> bool {
    let words = heading.trim_matches(|c: char| !c.is_alphanumeric()).to_ascii_lowercase();
    matches!(
        words.as_str(),
        "don't" | "dont" | "do not" | "avoid" | "never" | "myth" | "myths" | "wrong" | "bad" | "mistake" | "mistakes"
            | "anti-pattern" | "antipattern" | "pitfall" | "pitfalls" | "not recommended" | "don't do"
    )
}

/// Checks whether a table cell only denies its column's point: "no", "None needed.",
/// "No — fixed", "n/a", "—", "✗".
fn is_denying_cell(cell: &str) -> bool {
    let words = cell.trim_matches(|c: char| c == '*' || c == '_' || c == '`' || c.is_whitespace());
    if matches!(words, "—" | "–" | "-" | "✗" | "❌" | "✘" | "✖") {
        return true;
    }
    // The denial may be followed by punctuation and more words ("No — fixed"), but not
    // by a word directly ("no change" names a change).
    const DENIALS: [&str; 11] =
        ["none needed", "not needed", "none required", "not required", "not necessary", "unnecessary", "none", "nope", "no", "n/a", "na"];
    let lower = words.to_ascii_lowercase();
    DENIALS.iter().any(|denial| lower.strip_prefix(denial).is_some_and(|rest| !rest.trim_start().starts_with(char::is_alphanumeric)))
}

/// Returns the cells of a table row, trimmed, without the outer pipes.
fn table_cells(row: &str) -> impl Iterator<Item = &str> {
    let inner = row.strip_prefix('|').unwrap_or(row);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(str::trim)
}

/// Checks whether `piece` carries the footnote marker `reference` as a whole marker:
/// "¹" is not part of "¹²", nor "[^1]" of a definition "[^1]:".
fn refers_to(piece: &str, reference: &str) -> bool {
    piece.match_indices(reference).any(|(at, _)| {
        let after = &piece[at + reference.len()..];
        let superscript = reference.starts_with(is_superscript_digit);
        !(superscript && after.starts_with(is_superscript_digit) || after.starts_with(':'))
    })
}

/// Returns the footnote marker a line opens with: superscript digits, a dagger, or a
/// markdown footnote label (`[^1]:`, returned without the colon).
fn footnote_marker(line: &str) -> Option<&str> {
    // Every marker starts with one of these bytes: `[`, or the lead byte of a
    // superscript digit or dagger.
    if !matches!(line.as_bytes().first(), Some(b'[' | 0xC2 | 0xE2)) {
        return None;
    }
    let superscript = line.find(|c: char| !is_superscript_digit(c)).unwrap_or(line.len());
    if superscript > 0 {
        return Some(&line[..superscript]);
    }
    if line.starts_with(['†', '‡']) {
        return Some(&line[..'†'.len_utf8()]);
    }
    let label = line.strip_prefix("[^")?;
    let close = label.find("]:")?;
    (close > 0 && !label[..close].contains(char::is_whitespace)).then(|| &line[..close + 3])
}

/// Checks whether `c` is a superscript digit, as footnote markers use.
fn is_superscript_digit(c: char) -> bool {
    matches!(c, '⁰' | '¹' | '²' | '³' | '⁴'..='⁹')
}

/// Splits `text` at each `separator` byte, as `str::split` with that char does, but
/// with the vectorized search of the memchr crate. `separator` must be ASCII, so that
/// every part starts and ends at a char boundary.
fn split_at_ascii(text: &str, separator: u8) -> impl Iterator<Item = &str> {
    assert!(separator.is_ascii(), "separator {separator:#x} is not ASCII");
    let ends = memchr::memchr_iter(separator, text.as_bytes()).chain(std::iter::once(text.len()));
    let mut start = 0;
    ends.map(move |end| {
        let part = &text[start..end];
        start = end + 1;
        part
    })
}

/// Buffers that parsing reuses from one answer to the next on a thread, so that once
/// they have grown to the longest answer, normalizing allocates nothing but the
/// strings of rules that match.
#[derive(Default)]
struct Scratch {
    /// The prose being normalized.
    text: String,
    /// The output of the rewrite being applied, swapped with `text` if it changes it.
    spare: String,
    lowercased: Lowercased,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Marks the start of each piece while all prose is normalized in one pass. The rules
/// that can match it (list markers, and `×` before a non-digit) put it back.
const PIECE_BREAK: char = '\u{1}';

/// Appends the words of `text` up to its first `PIECE_BREAK` to `out`, joined by single
/// spaces, and returns the offset of that break, or the length of `text` if it has
/// none. Whitespace is what `char::is_whitespace` accepts, as in
/// `str::split_whitespace`. Words that single spaces already separate are copied as one
/// run. Stopping at the break saves a search for it before each piece.
fn push_collapsed(out: &mut String, text: &str) -> usize {
    let start = out.len();
    let mut rest = text.trim_start();
    while !rest.is_empty() && !rest.starts_with(PIECE_BREAK) {
        let run = single_spaced_run(rest);
        if out.len() > start {
            out.push(' ');
        }
        out.push_str(&rest[..run]);
        rest = rest[run..].trim_start();
    }
    text.len() - rest.len()
}

/// Returns the length of the words at the start of `text` that single spaces separate:
/// the offset of the first `PIECE_BREAK`, or of the first whitespace that is not one
/// space before a word.
fn single_spaced_run(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if bytes.get(index..index + 9).is_some_and(is_plain_block) {
            index += 8;
            continue;
        }
        // Byte by byte up to the end of the block that was not plain, then eight at a
        // time again.
        let block_end = (index + 8).min(bytes.len());
        while index < block_end {
            let byte = bytes[index];
            if byte == b' ' {
                // Most spaces are followed by an ASCII byte that is not whitespace,
                // which needs no decoding.
                let next = bytes.get(index + 1).copied().unwrap_or(b' ');
                if next.is_ascii() && !is_ascii_whitespace_or_break(next) {
                    index += 2;
                    continue;
                }
            } else if !may_start_whitespace(byte) {
                index += 1;
                continue;
            }
            if byte == PIECE_BREAK as u8 {
                return index;
            }
            // A candidate byte starts a char, so `index` is a char boundary.
            if !starts_with_whitespace(&text[index..]) {
                index += 1;
                continue;
            }
            let before_word = || bytes[index + 1] != PIECE_BREAK as u8 && !starts_with_whitespace(&text[index + 1..]);
            if byte == b' ' && index + 1 < bytes.len() && before_word() {
                index += 1;
                continue;
            }
            return index;
        }
    }
    bytes.len()
}

/// Checks whether the first eight of the nine bytes in `window` belong to a run of
/// single-spaced words. All nine bytes must be ASCII, the first eight must contain no
/// byte up to 0x20 but the space, and the byte after each space must be above 0x20.
/// The test also fails for control bytes that are not whitespace, and the byte loop
/// then decides.
fn is_plain_block(window: &[u8]) -> bool {
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let block = u64::from_le_bytes(window[..8].try_into().expect("eight bytes"));
    let successors = u64::from_le_bytes(window[1..9].try_into().expect("eight bytes"));
    if (block | successors) & HIGH_BITS != 0 {
        return false;
    }
    // Each byte is below 0x80, so no sum below carries into the next byte. A byte's
    // high bit is set in `printable` when it is at least 0x21, and in `not_space` when
    // it differs from 0x20.
    let printable = |word: u64| word.wrapping_add(0x5F5F_5F5F_5F5F_5F5F) & HIGH_BITS;
    let not_space = (block ^ 0x2020_2020_2020_2020).wrapping_add(0x7F7F_7F7F_7F7F_7F7F) & HIGH_BITS;
    let spaces = !not_space & HIGH_BITS;
    let blank_or_control = !printable(block) & HIGH_BITS;
    blank_or_control == spaces && spaces & !printable(successors) & HIGH_BITS == 0
}

/// Checks whether `byte` is `PIECE_BREAK` or ASCII whitespace as `char::is_whitespace`
/// defines it, which unlike `u8::is_ascii_whitespace` includes the vertical tab.
fn is_ascii_whitespace_or_break(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | 0x01)
}

/// Checks whether `byte` is `PIECE_BREAK` or can start a whitespace character other
/// than the space: ASCII whitespace, or the lead byte of a non-ASCII one (U+0085 to
/// U+3000).
fn may_start_whitespace(byte: u8) -> bool {
    matches!(byte, 0x01 | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | 0xC2 | 0xE1 | 0xE2 | 0xE3)
}

fn starts_with_whitespace(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_whitespace)
}

/// Whether a line is a markdown table's header rule, such as `|---|:--:|`.
fn is_table_rule(line: &str) -> bool {
    line.starts_with('|') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// Checks whether a sentence is the question that ends a sarcastic recommendation:
/// "What could go wrong?", "What could possibly go wrong?".
fn is_sarcastic_question(sentence: &str) -> bool {
    let words = sentence.trim_matches(|c: char| matches!(c, '*' | '_') || c.is_whitespace()).to_ascii_lowercase();
    matches!(words.trim_end_matches(['?', '!']), "what could go wrong" | "what could possibly go wrong" | "what could ever go wrong")
}

/// Marks the lines of a code block that step the optimizer or zero its gradients on
/// every pass of a loop that also runs the backward pass at the same depth, as in
/// `for batch in loader:` / `loss.backward()` / `optimizer.step()`. A step under an
/// `if` (`if (i + 1) % accum_steps == 0:`) waits for the accumulated gradients, so it
/// stays. Each entry of `lines` is a line's piece index and indentation.
fn mark_steps_every_pass(pieces: &mut [(&str, PieceKind)], lines: &[(usize, usize)]) {
    // A guard on the same line ("if (i + 1) % 8 == 0: optimizer.step()") or a comment
    // does not step on every pass.
    let steps = |code: &str| (code.contains(".step(") || code.contains("zero_grad(")) && !code.starts_with(['#', '/']) && !code.starts_with("if ");
    for (position, &(piece, indent)) in lines.iter().enumerate() {
        if !steps(pieces[piece].0) {
            continue;
        }
        // The line the step belongs to: the nearest line above it that is indented less.
        let Some(parent) = lines[..position].iter().rposition(|&(_, other)| other < indent) else { continue };
        let header = pieces[lines[parent].0].0;
        let in_loop = header.starts_with("for ") || header.starts_with("while ");
        let backward_beside = lines[parent + 1..position]
            .iter()
            .chain(&lines[position + 1..])
            .take_while(|&&(_, other)| other >= indent)
            .any(|&(other_piece, other)| other == indent && pieces[other_piece].0.contains(".backward("));
        if in_loop && backward_beside {
            pieces[piece].1 = PieceKind::SteppedEveryPass;
        }
    }
}

/// A lead that turns down the list under it, without its colon and markup: "Avoid",
/// "What I'd avoid", "Common mistakes".
static REJECTING_LIST_LEAD: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(concat!(
        r"(?i)^((things |what )?(not )?to avoid|avoid|what (i'd|i would) (avoid|skip|not do)|what not to do|don't( do this)?|do not|never",
        r"|not recommended|(common )?(mistakes|pitfalls|traps)( to avoid)?|anti-?patterns)$",
    ))
});

/// Checks whether a line is a lead that turns down the list under it: "Avoid:",
/// "- **Don't:**", or a heading such as "## What to avoid".
fn opens_rejected_list(line: &str) -> bool {
    let heading = line.starts_with('#');
    let text = line[list_marker_length(line)..].trim_matches(|c: char| matches!(c, '*' | '_' | '#') || c.is_whitespace());
    let lead = match text.strip_suffix(':') {
        Some(lead) => lead.trim_end_matches(['*', '_']),
        None if heading => text,
        None => return false,
    };
    lead.len() < 40 && REJECTING_LIST_LEAD.is_match(lead)
}

/// Returns the length of the list marker ("- ", "* ", "12. ") that opens a line, with
/// the whitespace after it, or 0.
fn list_marker_length(line: &str) -> usize {
    let bytes = line.as_bytes();
    let marker = match bytes.first() {
        Some(b'-' | b'*' | b'+') => 1,
        _ => {
            let digits = bytes.iter().take_while(|byte| byte.is_ascii_digit()).count();
            if digits > 0 && matches!(bytes.get(digits), Some(b'.' | b')')) { digits + 1 } else { return 0 }
        }
    };
    let whitespace = line[marker..].len() - line[marker..].trim_start().len();
    if whitespace > 0 { marker + whitespace } else { 0 }
}

/// Checks whether a line is a block quote of someone's words: `>` and then a quotation
/// mark. A block quote without one is often the answer's own callout ("> **Note:**
/// validate on the dev set"), so it stays prose.
fn quotes_someone(line: &str) -> bool {
    line.strip_prefix('>').is_some_and(|quoted| quoted.trim_start().starts_with(['"', '“', '\'', '‘']))
}

/// Splits a line at sentence ends: `.`, `!` or `?`, then any closing markup or footnote
/// marker, then a space and a capital, a digit, a quote or markup. Decimals (`0.1`) and
/// abbreviations such as `e.g.` never split, because the next character is not a space
/// or the next word is lowercase.
/// Appends each sentence, trimmed, to `pieces` as `kind`.
fn split_sentences<'a>(line: &'a str, kind: PieceKind<'a>, pieces: &mut Vec<(&'a str, PieceKind<'a>)>) {
    let bytes = line.as_bytes();
    let mut start = 0;
    // A sentence end needs at least a space and one more byte after it.
    let searched = &bytes[..bytes.len().saturating_sub(2)];
    for index in memchr::memchr3_iter(b'.', b'!', b'?', searched) {
        let mut end = index + 1;
        while end < bytes.len() {
            if matches!(bytes[end], b'*' | b'_' | b'"' | b')' | b'`') {
                end += 1;
            } else if let Some(marker) = line[end..].chars().next().filter(|c| is_superscript_digit(*c)) {
                // A footnote marker: "with a warmup.¹ Then ..."
                end += marker.len_utf8();
            } else if let Some(label) = line[end..].strip_prefix("[^").and_then(|rest| rest.find(']')) {
                // A markdown footnote reference: "with a warmup.[^1] Then ..."
                end += label + 3;
            } else {
                break;
            }
        }
        let ends = end + 1 < bytes.len() && bytes[end] == b' ';
        if ends && starts_sentence(&line[end + 1..]) && !ends_with_abbreviation(&line[start..=index]) {
            pieces.push((line[start..end].trim(), kind));
            start = end + 1;
        }
    }
    pieces.push((line[start..].trim(), kind));
}

fn starts_sentence(rest: &str) -> bool {
    rest.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || matches!(c, '*' | '"' | '`' | '(' | '_' | '“'))
}

/// Checks whether `text` ends with an abbreviation, in any case. An ASCII comparison
/// gives what `to_lowercase` would, because the only non-ASCII characters that
/// lowercase to ASCII letters are the Kelvin sign (`k`) and `İ` (`i` and a combining
/// dot, which is then between the `i` and the next character).
fn ends_with_abbreviation(text: &str) -> bool {
    ["e.g.", "i.e.", "vs.", "etc.", "approx.", "cf.", "fig.", "eq."].iter().any(|abbreviation| {
        let start = text.len().saturating_sub(abbreviation.len());
        text.len() >= abbreviation.len()
            && text.is_char_boundary(start)
            && text[start..].eq_ignore_ascii_case(abbreviation)
    })
}

/// One rewrite rule of prose.
struct Rewrite {
    regex: Regex,
    replacement: &'static str,
    gate: Gate,
}

/// A test, much cheaper than the search, that fails for every text the regex cannot
/// match. Only regexes without a literal for the engine to look for need one, or those
/// whose literals the engine finds slowly, such as words under case-insensitive
/// matching.
#[derive(Clone, Copy)]
enum Gate {
    /// Every text is searched.
    None,
    /// The text is searched if the function returns true.
    Test(fn(&str) -> bool),
    /// The text is searched if its ASCII-lowercased form contains one of these
    /// lowercase stems. A stem must contain neither `k` nor `s`, because the Kelvin
    /// sign and the long s case-fold to them under a case-insensitive regex, and
    /// ASCII lowercasing leaves those two as they are.
    Stems(&'static [&'static str]),
}

/// Replacements of LaTeX commands, applied after the table rewrites and
/// `byte_rewrites::straighten_quotes`. Each pattern starts with a backslash.
static LATEX_REWRITES: LazyLock<Vec<Rewrite>> = LazyLock::new(|| {
    compile(&[
        (r"\\times|\\cdot", "×", Gate::None),
        (r"\\approx|\\sim", "≈", Gate::None),
        (r"\\(to|rightarrow|Rightarrow|longrightarrow)", "→", Gate::None),
        (r"\\sqrt\{([^}\x01]*)\}", "√$1", Gate::None),
        (r"\\frac\{([^}\x01]*)\}\{([^}\x01]*)\}", "$1/$2", Gate::None),
        (r"\\(eta|alpha)", "η", Gate::None),
        (r"\\(,|;|!|quad|qquad| )", " ", Gate::None),
        (r"\\text\{([^}\x01]*)\}", "$1", Gate::None),
    ])
});

/// Replacements of symbols, applied after `LATEX_REWRITES` and
/// `byte_rewrites::remove_braces_and_dollars`.
static SYMBOL_REWRITES: LazyLock<Vec<Rewrite>> = LazyLock::new(|| {
    compile(&[
        (r"(\d)\s*[×x]\s*10\^?\s*(-?\d+)", "${1}e$2", Gate::Test(may_hold_power_of_ten)),
        (r"(\d),(\d{3})\b", "$1$2", Gate::Test(byte_rewrites::may_hold_digit_comma_digit)),
        (r"\bone[- ](fourth|quarter)\b|\ba quarter\b", "1/4", Gate::Stems(&["quarter", "fourth"])),
    ])
});

/// Replacements of words, applied after `SYMBOL_REWRITES` and
/// `byte_rewrites::times_sign_to_x`.
static WORD_REWRITES: LazyLock<Vec<Rewrite>> = LazyLock::new(|| {
    compile(&[
        (r"\b(quadruple[sd]?|quadrupling|four-?fold)\b", "4x", Gate::Stems(&["quadrupl", "fold"])),
        (r"\b(triple[sd]?|tripling|three-?fold)\b", "3x", Gate::Stems(&["tripl", "fold"])),
        (r"\b(two-?fold)\b", "2x", Gate::Stems(&["fold"])),
        (r"\b(double[sd]?|doubling) (the|it|your|its|this|that)\b", "2x $2", Gate::Stems(&["doubl"])),
        (r"\b(eight-?fold|octuple)\b", "8x", Gate::Stems(&["fold", "octuple"])),
        (r"\bhalve[sd]? (the|it|your|its)\b", "0.5x $1", Gate::Stems(&["halve"])),
        // The shorthand of terse answers: "big bs often = lower val acc".
        (r"\b(bs|bsz)\b", "batch size", Gate::Test(may_hold_bs)),
    ])
});

/// Every stem that a `Gate::Stems` names.
const STEMS: [&str; 8] = ["quarter", "fourth", "quadrupl", "fold", "tripl", "doubl", "octuple", "halve"];

/// A search for all of `STEMS` at once, built once. No stem is a prefix of another,
/// so at each position at most one stem matches.
static STEM_SEARCH: LazyLock<Prefilter> =
    LazyLock::new(|| Prefilter::new(MatchKind::LeftmostFirst, &STEMS).expect("a prefilter for the stems"));

fn stem_index(stem: &str) -> usize {
    STEMS.iter().position(|listed| *listed == stem).expect("every gate stem is in STEMS")
}

/// Returns, for each of `STEMS`, whether `lowercased` contains it.
fn find_stems(lowercased: &str) -> [bool; STEMS.len()] {
    let haystack = lowercased.as_bytes();
    let mut found = [false; STEMS.len()];
    let mut start = 0;
    while let Some(span) = STEM_SEARCH.find(haystack, Span::from(start..haystack.len())) {
        match STEMS.iter().position(|stem| stem.as_bytes() == &haystack[span.range()]) {
            Some(index) => found[index] = true,
            // A prefilter may in general report a span that no needle matches, so
            // every stem then counts as found and every gated rule is searched.
            None => return [true; STEMS.len()],
        }
        // A stem may start inside the one found, as "halve" in "fourthalve".
        start = span.start + 1;
    }
    found
}

/// The text being normalized in ASCII lowercase, for `Gate::Stems` and
/// `replace_number_words`, and which of `STEMS` it contains. Each is found when first
/// needed, and must be cleared when the text changes.
#[derive(Default)]
struct Lowercased {
    /// The lowercased text while `lowercased` is true, and otherwise a buffer kept for
    /// the next text.
    text: String,
    lowercased: bool,
    stems: Option<[bool; STEMS.len()]>,
}

impl Lowercased {
    /// Returns `original` lowercased, which must be the text this was last cleared for.
    fn text(&mut self, original: &str) -> &str {
        if !self.lowercased {
            self.text.clear();
            self.text.push_str(original);
            self.text.make_ascii_lowercase();
            self.lowercased = true;
        }
        &self.text
    }

    fn contains_any(&mut self, original: &str, stems: &[&str]) -> bool {
        let found = match self.stems {
            Some(found) => found,
            None => {
                let found = find_stems(self.text(original));
                *self.stems.insert(found)
            }
        };
        stems.iter().any(|stem| found[stem_index(stem)])
    }

    fn clear(&mut self) {
        self.lowercased = false;
        self.stems = None;
    }
}

fn contains_pipe(text: &str) -> bool {
    memchr::memchr(b'|', text.as_bytes()).is_some()
}

/// Number words from two upwards, in lowercase, which become digits. "One" stays a word
/// because it is far more often a pronoun than a count.
const NUMBER_WORDS_PATTERN: &str = r"\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|sixteen|twenty|thirty|forty|fifty|sixty|hundred|thousand)(?:[- ](one|two|three|four|five|six|seven|eight|nine))?\b";

/// `NUMBER_WORDS_PATTERN` in any case.
static NUMBER_WORDS: LazyLock<Regex> = LazyLock::new(|| compile_regex(&format!("(?i){NUMBER_WORDS_PATTERN}")));

/// `NUMBER_WORDS_PATTERN` as written, for ASCII-lowercased text. It is compiled without
/// the regex engine's literal prefilter, because common words such as "for", "this" and
/// "often" hold its literals, so the prefilter stopped at many words of an answer and
/// handed over to the lazy DFA each time. Without it, parsing took 2.0k fewer estimated
/// cycles per answer (callgrind with cache and branch simulation, `cargo bench --bench
/// scoring`).
static LOWERCASE_NUMBER_WORDS: LazyLock<regex_automata::meta::Regex> =
    LazyLock::new(|| super::compile_regex_without_prefilter(NUMBER_WORDS_PATTERN));

/// Writes `text` with number words replaced by their values to `output`, as
/// `NUMBER_WORDS` does, and returns true, or returns false if `text` has none. The
/// search runs over the ASCII-lowercased copy, which the `Gate::Stems` tests have
/// usually made already, and where the lowercase pattern finds the same matches at the
/// same offsets. The one exception is the long s (`ſ`), which a case-insensitive `s`
/// matches, so text with one goes to `NUMBER_WORDS`. The Kelvin sign, the only other
/// non-ASCII character that case-folds to an ASCII letter, folds to `k`, which no
/// number word contains.
fn replace_number_words(text: &str, lowercased: &mut Lowercased, output: &mut String) -> bool {
    output.clear();
    let bytes = text.as_bytes();
    // The long s is U+017F, C5 BF in UTF-8.
    if memchr::memchr_iter(0xC5, bytes).any(|lead| bytes.get(lead + 1) == Some(&0xBF)) {
        let replaced = NUMBER_WORDS.replace_all(text, |captures: &regex::Captures| number_value(&captures[0]).to_string());
        return match replaced {
            Cow::Owned(replaced) => {
                *output = replaced;
                true
            }
            Cow::Borrowed(_) => false,
        };
    }
    let mut copied = 0;
    for found in LOWERCASE_NUMBER_WORDS.find_iter(lowercased.text(text)) {
        output.push_str(&text[copied..found.start()]);
        write!(output, "{}", number_value(&text[found.range()])).expect("writing to a String succeeds");
        copied = found.end();
    }
    if copied == 0 {
        return false;
    }
    output.push_str(&text[copied..]);
    true
}

/// Returns the value of a match of `NUMBER_WORDS_PATTERN`: a word, or a word, a hyphen or
/// a space, and a unit word.
fn number_value(number_words: &str) -> u64 {
    match number_words.split_once(['-', ' ']) {
        Some((tens, units)) => word_value(tens) + word_value(units),
        None => word_value(number_words),
    }
}

/// Replaces a hyphen between two ASCII letters with a space, so that "lower-variance",
/// "batch-norm" and "out-of-memory" match phrases written with spaces. Phrases should
/// therefore write such words with `[- ]` or a space. A hyphen after a one-letter word
/// that itself follows a hyphen ("a-b-c") stays, as with the regex
/// `([A-Za-z])-([A-Za-z])` replaced by `$1 $2`, whose matches do not overlap.
fn space_word_hyphens(text: &mut String) {
    // The first byte where the letter before a replaced hyphen may be: the letter after
    // the previous replaced hyphen belongs to that match.
    let mut next_start = 0;
    let mut searched = 0;
    while let Some(offset) = memchr::memchr(b'-', &text.as_bytes()[searched..]) {
        let hyphen = searched + offset;
        let bytes = text.as_bytes();
        let joins_letters = hyphen > next_start
            && bytes[hyphen - 1].is_ascii_alphabetic()
            && bytes.get(hyphen + 1).is_some_and(u8::is_ascii_alphabetic);
        if joins_letters {
            text.replace_range(hyphen..hyphen + 1, " ");
            next_start = hyphen + 2;
        }
        searched = hyphen + 1;
    }
}

fn compile(rules: &[(&str, &'static str, Gate)]) -> Vec<Rewrite> {
    rules.iter().map(|(pattern, replacement, gate)| Rewrite { regex: compile_rule(pattern), replacement, gate: *gate }).collect()
}

/// Compiles a rewrite rule: case-insensitive, with ASCII word boundaries.
fn compile_rule(pattern: &str) -> Regex {
    regex::RegexBuilder::new(&ascii_word_boundaries(pattern)).case_insensitive(true).build().unwrap()
}

/// Checks whether the text contains "bs" in any case, as every match of the batch-size
/// shorthand rule does.
fn may_hold_bs(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'b', b'B', bytes).any(|at| matches!(bytes.get(at + 1), Some(b's' | b'S')))
}

/// Checks whether `10` follows `×` or `x`, in any case and after any whitespace, as in
/// every match of the rule for `4 × 10^-5`.
fn may_hold_power_of_ten(text: &str) -> bool {
    static TEN: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new("10"));
    TEN.find_iter(text.as_bytes()).any(|index| text[..index].trim_end().ends_with(['×', 'x', 'X']))
}

/// Normalizes the prose in `scratch.text`, pieces that each start with `PIECE_BREAK`,
/// for matching. Whitespace runs are left for the caller to collapse.
fn normalize(scratch: &mut Scratch) {
    scratch.lowercased.clear();
    if byte_rewrites::STRIKETHROUGH_DELIMITER.find(scratch.text.as_bytes()).is_some() {
        apply_byte_rewrite(byte_rewrites::remove_struck_text, scratch);
    }
    apply_byte_rewrite(byte_rewrites::remove_markup_marks, scratch);
    apply_byte_rewrite(byte_rewrites::remove_emphasis_marks, scratch);
    apply_byte_rewrite(byte_rewrites::remove_list_markers, scratch);
    // A table row reads as its first cell, a colon, then the other cells:
    // "| Parameters | 4 B | 12 GB |" becomes "Parameters: 4 B; 12 GB".
    if contains_pipe(&scratch.text) {
        apply_byte_rewrite(byte_rewrites::label_first_cells, scratch);
        apply_byte_rewrite(byte_rewrites::remove_closing_pipes, scratch);
        apply_byte_rewrite(byte_rewrites::separate_cells, scratch);
    }
    apply_byte_rewrite(byte_rewrites::straighten_quotes, scratch);
    // No rule adds a backslash, so without one no LaTeX rule can match.
    if memchr::memchr(b'\\', scratch.text.as_bytes()).is_some() {
        apply_rewrites(&LATEX_REWRITES, scratch);
    }
    apply_byte_rewrite(byte_rewrites::remove_braces_and_dollars, scratch);
    apply_rewrites(&SYMBOL_REWRITES, scratch);
    apply_byte_rewrite(byte_rewrites::times_sign_to_x, scratch);
    apply_rewrites(&WORD_REWRITES, scratch);
    if replace_number_words(&scratch.text, &mut scratch.lowercased, &mut scratch.spare) {
        std::mem::swap(&mut scratch.text, &mut scratch.spare);
    }
    space_word_hyphens(&mut scratch.text);
}

/// Applies a byte rewrite to `scratch.text`, and clears the lowercased copy if it
/// changed the text.
fn apply_byte_rewrite(rewrite: fn(&str, &mut String) -> bool, scratch: &mut Scratch) {
    if rewrite(&scratch.text, &mut scratch.spare) {
        std::mem::swap(&mut scratch.text, &mut scratch.spare);
        scratch.lowercased.clear();
    }
}

fn apply_rewrites(rules: &[Rewrite], scratch: &mut Scratch) {
    for rule in rules {
        let may_match = match rule.gate {
            Gate::None => true,
            Gate::Test(may_match) => may_match(&scratch.text),
            Gate::Stems(stems) => scratch.lowercased.contains_any(&scratch.text, stems),
        };
        if !may_match {
            continue;
        }
        if let Cow::Owned(rewritten) = rule.regex.replace_all(&scratch.text, rule.replacement) {
            scratch.text = rewritten;
            scratch.lowercased.clear();
        }
    }
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

    /// Returns the normalized sentences of an answer.
    fn sentences(answer: &str) -> Vec<String> {
        AnswerText::parse(answer).sentences().map(|sentence| sentence.normalized.to_string()).collect()
    }

    fn normalized(text: &str) -> String {
        let mut scratch = Scratch { text: format!("{PIECE_BREAK}{text}"), ..Scratch::default() };
        normalize(&mut scratch);
        let mut collapsed = String::new();
        push_collapsed(&mut collapsed, scratch.text.strip_prefix(PIECE_BREAK).unwrap());
        collapsed
    }

    #[test]
    fn splits_sentences_not_decimals() {
        let text = AnswerText::parse("Use 0.1 here. Then scale it, e.g. by 4x. Done");
        let originals: Vec<_> = text.sentences().map(|sentence| sentence.original).collect();
        assert_eq!(originals, ["Use 0.1 here.", "Then scale it, e.g. by 4x.", "Done"]);
    }

    #[test]
    fn split_at_ascii_matches_str_split() {
        for text in ["", "\n", "a", "a\nb", "\na\n\nb\n", "é\n×\r\n\u{1}x", "\u{1}\u{1}a\u{1}"] {
            for separator in [b'\n', PIECE_BREAK as u8] {
                let expected: Vec<_> = text.split(char::from(separator)).collect();
                assert_eq!(split_at_ascii(text, separator).collect::<Vec<_>>(), expected, "for {text:?}");
            }
        }
    }

    #[test]
    fn code_lines_are_kept_apart() {
        let text = AnswerText::parse("Set it:\n```python\naccum = 512 // 64\n```\nThat's all.");
        assert_eq!(text.sentence_count(), 3);
        assert!(text.sentence(1).in_code);
        assert_eq!(text.sentence(1).normalized, "accum = 512 // 64");
    }

    #[test]
    fn footnotes_follow_their_marker() {
        let originals = |response| AnswerText::parse(response).sentences().map(|sentence| sentence.original.to_owned()).collect::<Vec<_>>();
        assert_eq!(
            originals("Scale it by 4×.¹ Then validate.\n\n¹ On reflection, leave it. Really.\n² Unused."),
            ["Scale it by 4×.¹", "On reflection, leave it.", "Really.", "Then validate.", "Unused."]
        );
        assert_eq!(originals("A[^a] and B†.\n[^a]: first\n† second"), ["A[^a] and B†.", "first", "second"]);
        assert_eq!(originals("Scale it.[^1] Warm up.\n\n[^1]: On reflection, no."), ["Scale it.[^1]", "On reflection, no.", "Warm up."]);
        // "¹" is not the marker "¹²", and a footnote no sentence marks stays put.
        assert_eq!(originals("Use 4×¹².\n¹ Note.\n¹² Other."), ["Use 4×¹².", "Other.", "Note."]);
        assert_eq!(originals("[1] A paper.\nText."), ["[1] A paper.", "Text."]);
        // A footnote marked only inside another footnote stays where it is.
        assert_eq!(originals("A¹.\n¹ See².\n² Inner."), ["A¹.", "See².", "Inner."]);
    }

    #[test]
    fn table_cells_carry_their_header() {
        let text = AnswerText::parse("| Part | Grows with batch? | batch 64 |\n|---|---|---|\n| Activations | yes. Linearly | 2 GB |\n\nAfter.");
        let normalized: Vec<_> = text.sentences().map(|sentence| sentence.normalized).collect();
        // A row stays one sentence, and a header with a digit is left out, because its
        // number would sit beside the cell's.
        assert_eq!(normalized, ["Part: Grows with batch?; batch 64", "Activations: yes. Linearly (Grows with batch?); 2 GB", "After."]);
        // A header without a digit is read only with the cells below it.
        let text = AnswerText::parse("| Setting | Warmup |\n|---|---|\n| Adam | 5 epochs |");
        let normalized: Vec<_> = text.sentences().map(|sentence| sentence.normalized).collect();
        assert_eq!(normalized, ["Adam: 5 epochs (Warmup)"]);
    }

    #[test]
    fn rejecting_lead_turns_down_list() {
        // Under a lead item, the items indented further.
        assert_eq!(
            sentences("- Avoid:\n  - searching up to OOM\n  - skipping warmup\n- Use 32."),
            ["Avoid:", "Avoid: searching up to OOM", "Avoid: skipping warmup", "Use 32."]
        );
        // Under a lead line, the items that follow it, across empty lines.
        assert_eq!(
            sentences("**What to avoid:**\n\n1. Training at the max.\n2. No warmup.\n\nInstead, use 32."),
            ["What to avoid:", "1.", "Avoid: Training at the max.", "2.", "Avoid: No warmup.", "Instead, use 32."]
        );
        assert_eq!(sentences("## Common mistakes\n- max fit"), ["Common mistakes", "Avoid: max fit"]);
        // Other leads leave their lists alone.
        assert_eq!(sentences("Do this:\n- use 32"), ["Do this:", "use 32"]);
        assert_eq!(sentences("Avoid: max fit.\n- use 32"), ["Avoid: max fit.", "use 32"]);
        // In a checklist with ticked boxes, the empty boxes; in a to-do list, none.
        assert_eq!(sentences("- [x] use 32\n- [ ] max fit"), ["[x] use 32", "Avoid: [ ] max fit"]);
        assert_eq!(sentences("- [ ] use 32\n- [ ] validate"), ["[ ] use 32", "[ ] validate"]);
    }

    #[test]
    fn unguarded_steps_are_not_taken() {
        let every_pass = "```python\nfor x, y in loader:\n    loss = model(x, y) / 8\n    loss.backward()\n    optimizer.step()\n    optimizer.zero_grad()\n```";
        assert_eq!(sentences(every_pass)[3..], ["not optimizer.step()", "not optimizer.zero_grad()"]);
        let guarded = "```python\nfor i, (x, y) in enumerate(loader):\n    loss.backward()\n    if (i + 1) % 8 == 0:\n        optimizer.step()\n        optimizer.zero_grad()\n```";
        assert_eq!(sentences(guarded)[3..], ["optimizer.step()", "optimizer.zero_grad()"]);
        let same_line = "```python\nfor i, b in enumerate(loader):\n    loss.backward()\n    if i % 8 == 7: optimizer.step()\n```";
        assert_eq!(sentences(same_line)[2], "if i % 8 == 7: optimizer.step()");
        // A step after the loop, once per accumulated batch, stays.
        let after_loop = "```python\nfor x in micro_batches:\n    model(x).backward()\noptimizer.step()\n```";
        assert_eq!(sentences(after_loop)[2], "optimizer.step()");
    }

    #[test]
    fn sarcasm_reads_as_quotation() {
        let quoted = |answer: &str| -> Vec<bool> { AnswerText::parse(answer).sentences().map(|sentence| sentence.in_quote).collect() };
        assert_eq!(quoted("Sure, train at the max. Fill the card. What could go wrong?\nA lot."), [true, true, false, false]);
        assert_eq!(quoted("What could go wrong? Divergence."), [false, false]);
    }

    #[test]
    fn cells_turn_header_down() {
        // A cell that only denies puts "not" before its header; "no change" is not one.
        assert_eq!(
            sentences("| Setting | Warmup |\n|---|---|\n| New run | none needed |\n| Old run | No — fixed |\n| Other | no change |\n| Last | — |"),
            ["New run: none needed (not Warmup)", "Old run: No — fixed (not Warmup)", "Other: no change (Warmup)", "Last: — (not Warmup)"]
        );
        // Every cell under a rejecting header gets "not", first column included.
        assert_eq!(
            sentences("| **Don't** | Do |\n|---|---|\n| use the largest batch that fits | try 16 and 32 |"),
            ["not use the largest batch that fits: try 16 and 32 (Do)"]
        );
        assert_eq!(sentences("| Myth | Fact |\n|---|---|\n| | x |"), [": x (Fact)"]);
    }

    #[test]
    fn quoted_words_are_marked_but_callouts_are_not() {
        let text = AnswerText::parse("Forums say:\n> \"Max it out. Then train.\"\n> **Note:** validate first.\nMine.");
        let quoted: Vec<_> = text.sentences().map(|sentence| sentence.in_quote).collect();
        assert_eq!(quoted, [false, true, true, false, false]);
    }

    #[test]
    fn batch_size_shorthand_is_spelled_out() {
        assert_eq!(normalized("big bs often = lower val acc"), "big batch size often = lower val acc");
        assert_eq!(normalized("set BSZ to 32, not bsx"), "set batch size to 32, not bsx");
    }

    #[test]
    fn struck_text_is_removed() {
        assert_eq!(normalized("Scale it by ~~2×~~ **4×**."), "Scale it by 4x.");
        assert_eq!(normalized("~~a~~ b ~~c~~ d"), "b d");
        assert_eq!(normalized("about ~~ 4x"), "about ~~ 4x");
        // Struck text may run over a few sentences, when its marks stand next to text.
        assert_eq!(sentences("~~Use 2x. It is safe.~~ Use 4x."), ["Use 4x."]);
        assert_eq!(sentences("~~Use 2x.\nIt is safe.~~\nUse 4x."), ["Use 4x."]);
        assert_eq!(sentences("About ~~ 2x. Then 4x.~~ End."), ["About ~~ 2x.", "Then 4x.~~ End."]);
        assert_eq!(sentences("~~A. B. C. D. E.~~ F."), ["~~A.", "B.", "C.", "D.", "E.~~ F."]);
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
    fn word_hyphens_match_regex() {
        let regex = Regex::new(r"([A-Za-z])-([A-Za-z])").unwrap();
        for text in ["a-b-c", "a-b-c-d", "-a-b", "a-", "x--y", "é-a", "lr-2e-5", "out-of-memory", "a-b c-d"] {
            let mut spaced = text.to_string();
            space_word_hyphens(&mut spaced);
            assert_eq!(spaced, regex.replace_all(text, "$1 $2"), "for {text:?}");
        }
    }

    #[test]
    fn latex_becomes_plain() {
        assert_eq!(normalized(r"$\eta_{256} = 4\,\eta_{64}$"), "η_256 = 4 η_64");
        assert_eq!(normalized(r"$\sqrt{4} = 2$"), "√4 = 2");
    }

    #[test]
    fn collapsed_whitespace_matches_split_whitespace() {
        for text in [
            "",
            "   ",
            "one",
            " one  two\tthree\n",
            "a \u{a0}b\u{2003} c\u{3000}d\u{85}e",
            "4 × 10 → 40 — done",
            "x\u{b}y\u{c}z\r",
        ] {
            let mut collapsed = String::from("kept");
            push_collapsed(&mut collapsed, text);
            let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(collapsed, format!("kept{words}"), "for {text:?}");
        }
    }

    #[test]
    fn plain_blocks_match_byte_loop() {
        // Every byte that matters to the block test, at every position of a
        // nine-byte window, next to a run of plain words.
        let specials = [" ", "  ", "\t", "\n", "\u{b}", "\u{c}", "\r", "\u{1}", "\u{7f}", "\u{a0}", "\u{85}", "\u{2003}", "\u{3000}", "×", "é", "!", "~"];
        for special in specials {
            for position in 0..12 {
                let mut text = "abcd efgh ijkl mnop qrst".to_string();
                text.insert_str(position, special);
                for start in 0..text.len() {
                    if !text.is_char_boundary(start) {
                        continue;
                    }
                    let mut collapsed = String::new();
                    let piece = text[start..].split(PIECE_BREAK).next().unwrap();
                    assert_eq!(push_collapsed(&mut collapsed, &text[start..]), piece.len(), "for {:?}", &text[start..]);
                    let words = piece.split_whitespace().collect::<Vec<_>>().join(" ");
                    assert_eq!(collapsed, words, "for {:?}", &text[start..]);
                }
            }
        }
    }

    #[test]
    fn list_marker_removed_per_piece() {
        let text = AnswerText::parse("1) First step.\n- **Second** step\n# Heading\n> Quote");
        let sentences: Vec<_> = text.sentences().map(|sentence| sentence.normalized).collect();
        assert_eq!(sentences, ["First step.", "Second step", "Heading", "Quote"]);
    }

    #[test]
    fn powers_of_ten_become_exponents() {
        assert_eq!(normalized("lr 2 × 10^-5"), "lr 2e-5");
        assert_eq!(normalized("lr 3X 10 -4"), "lr 3e-4");
        assert_eq!(normalized("run 10 steps at 1e-4"), "run 10 steps at 1e-4");
    }

    #[test]
    fn markdown_markup_is_removed() {
        assert_eq!(normalized("- **Use 16**, not `512`"), "Use 16, not 512");
        assert_eq!(normalized("| BERT | **32** |"), "BERT: 32");
        assert_eq!(normalized("| Parameters | 4 B | 12 GB | no |"), "Parameters: 4 B; 12 GB; no");
    }
}
