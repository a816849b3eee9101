//! Rewrites of prose done by scanning bytes instead of searching with a regex. Each one
//! but `remove_emphasis_marks` gives exactly the text that its regex, replaced all over,
//! gives. The regexes stay: they are the specification, the tests compare the two on
//! every fixture answer, and a pass falls back to its regex where the text contains a
//! character the scan does not handle. `remove_emphasis_marks` pairs its marks, which a
//! regex without look-around cannot, so its tests list cases instead.
//!
//! Each rewrite writes the new text to a buffer that the caller passes and reuses, and
//! leaves that buffer empty when it changes nothing.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// The text of a rewrite, written to a caller's buffer only once something changes.
struct Rewritten<'a> {
    input: &'a str,
    /// The buffer the rewritten text goes to, empty until the first replacement.
    output: &'a mut String,
    /// The end of the input already copied or replaced.
    copied: usize,
    changed: bool,
}

impl<'a> Rewritten<'a> {
    /// Starts a rewrite of `input` into `output`, which is cleared.
    fn new(input: &'a str, output: &'a mut String) -> Self {
        output.clear();
        Rewritten { input, output, copied: 0, changed: false }
    }

    /// Replaces the input bytes `start..end` with `replacement`. Calls must come in
    /// ascending order of `start`, with ranges that do not overlap.
    fn replace(&mut self, start: usize, end: usize, replacement: &str) {
        if !self.changed {
            self.output.reserve(self.input.len());
            self.changed = true;
        }
        self.output.push_str(&self.input[self.copied..start]);
        self.output.push_str(replacement);
        self.copied = end;
    }

    /// Completes the output and returns true, or returns false, with the output
    /// empty, if nothing was replaced.
    fn finish(self) -> bool {
        if self.changed {
            self.output.push_str(&self.input[self.copied..]);
        }
        self.changed
    }

    /// Discards the replacements so far and writes the input with `regex` replaced all
    /// over by `replacement` instead. Returns false, with the output empty, if the regex
    /// does not match.
    fn replace_with_regex(self, regex: &Regex, replacement: &str) -> bool {
        self.output.clear();
        match regex.replace_all(self.input, replacement) {
            Cow::Owned(rewritten) => {
                *self.output = rewritten;
                true
            }
            Cow::Borrowed(_) => false,
        }
    }
}

/// A searcher for `~~`, the strikethrough delimiter, built once, because
/// `memchr::memmem::find` builds one on each call.
pub(super) static STRIKETHROUGH_DELIMITER: LazyLock<memchr::memmem::Finder<'static>> = LazyLock::new(|| memchr::memmem::Finder::new("~~"));

/// Removes struck-through text, `~~like this~~`, marks and all: the answer shows it
/// as deleted ("Scale it by ~~2×~~ **4×**"). The struck text may run over up to
/// `STRUCK_PIECES` pieces ("~~Use 2×. It is safe.~~") when the marks open and close as
/// markdown's do, next to text. Each piece break in it stays, so the pieces still line
/// up with the answer's. A `~~` without a partner stays. Returns false if nothing
/// changed.
pub(super) fn remove_struck_text(text: &str, output: &mut String) -> bool {
    /// The maximum number of pieces struck text may run over.
    const STRUCK_PIECES: usize = 3;
    let bytes = text.as_bytes();
    let mut rewritten = Rewritten::new(text, output);
    let mut from = 0;
    while let Some(open) = STRIKETHROUGH_DELIMITER.find(&bytes[from..]).map(|at| from + at) {
        let inside = open + 2;
        let piece_end = memchr::memchr(b'\x01', &bytes[inside..]).map_or(bytes.len(), |at| inside + at);
        if let Some(at) = STRIKETHROUGH_DELIMITER.find(&bytes[inside..piece_end]) {
            let end = inside + at + 2;
            rewritten.replace(open, end, "");
            from = end;
            continue;
        }
        let opens_text = bytes.get(inside).is_some_and(|byte| !byte.is_ascii_whitespace());
        let close = opens_text.then(|| closing_marks_after(bytes, piece_end, STRUCK_PIECES)).flatten();
        let Some(close) = close else {
            from = piece_end;
            continue;
        };
        let mut start = open;
        for piece_break in memchr::memchr_iter(b'\x01', &bytes[open..close]).map(|at| open + at) {
            // The break itself is copied by the next replacement.
            rewritten.replace(start, piece_break, "");
            start = piece_break + 1;
        }
        rewritten.replace(start, close + 2, "");
        from = close + 2;
    }
    rewritten.finish()
}

/// Returns the position of the `~~` that closes struck text, if it is within `pieces`
/// pieces after `piece_end` and closes next to text, as in "safe.~~".
fn closing_marks_after(bytes: &[u8], piece_end: usize, pieces: usize) -> Option<usize> {
    let mut start = piece_end;
    for _ in 0..pieces {
        let piece_start = start + 1;
        if piece_start > bytes.len() {
            return None;
        }
        let end = memchr::memchr(b'\x01', &bytes[piece_start..]).map_or(bytes.len(), |at| piece_start + at);
        if let Some(at) = STRIKETHROUGH_DELIMITER.find(&bytes[piece_start..end]) {
            let close = piece_start + at;
            return (close > piece_start && !bytes[close - 1].is_ascii_whitespace()).then_some(close);
        }
        start = end;
    }
    None
}

/// Removes bold and italic marks, backticks and the LaTeX math delimiters, as the regex
/// `\*\*|__|`|\\\(|\\\)|\\\[|\\\]` replaced with nothing does. Returns false if
/// nothing changed.
pub(super) fn remove_markup_marks(text: &str, output: &mut String) -> bool {
    let bytes = text.as_bytes();
    let mut rewritten = Rewritten::new(text, output);
    // The end of the last removed mark: a regex search resumes there.
    let mut resume = 0;
    let mut remove_at = |at: usize| {
        if at < resume {
            return;
        }
        let next = bytes.get(at + 1).copied();
        let length = match (bytes[at], next) {
            (b'*', Some(b'*')) | (b'_', Some(b'_')) | (b'\\', Some(b'(' | b')' | b'[' | b']')) => 2,
            (b'`', _) => 1,
            _ => return,
        };
        rewritten.replace(at, at + length, "");
        resume = at + length;
    };
    if memchr::memchr(b'\\', bytes).is_some() {
        bytes.iter().enumerate().filter(|(_, byte)| matches!(byte, b'*' | b'_' | b'`' | b'\\')).for_each(|(at, _)| remove_at(at));
    } else {
        memchr::memchr3_iter(b'*', b'_', b'`', bytes).for_each(remove_at);
    }
    rewritten.finish()
}

/// Removes single `*` and `_` emphasis marks in pairs on one line: "the *effective*
/// batch" becomes "the effective batch". An opening mark follows a byte that is not a
/// letter, digit or mark. It comes before a letter, a digit, a non-ASCII character, a
/// quote or a bracket. A closing mark is the reverse. Marks that find no partner stay,
/// so "3*4", "lr * 4", a list bullet, "*args" and LaTeX subscripts (`}_{`) are kept.
/// Runs after `remove_markup_marks`, which removes the double marks. Returns false if
/// nothing changed.
pub(super) fn remove_emphasis_marks(text: &str, output: &mut String) -> bool {
    let bytes = text.as_bytes();
    let is_mark = |byte: u8| byte == b'*' || byte == b'_';
    let is_word = |byte: u8| byte.is_ascii_alphanumeric() || byte >= 0x80;
    let is_emphasized = |byte: u8| is_word(byte) || matches!(byte, b'"' | b'\'' | b'(' | b')' | b'[' | b']');
    let opens = |at: usize| {
        let before_ok = at == 0 || !(is_word(bytes[at - 1]) || is_mark(bytes[at - 1]));
        before_ok && bytes.get(at + 1).is_some_and(|&next| is_emphasized(next))
    };
    let closes = |at: usize| {
        let after_ok = bytes.get(at + 1).is_none_or(|&next| !(is_word(next) || is_mark(next)));
        after_ok && at > 0 && is_emphasized(bytes[at - 1])
    };
    let mut rewritten = Rewritten::new(text, output);
    let mut at = 0;
    while let Some(found) = memchr::memchr2(b'*', b'_', &bytes[at..]) {
        let open = at + found;
        at = open + 1;
        if !opens(open) {
            continue;
        }
        // The partner is the first mark of the same kind that closes, before the line ends.
        let line_end = memchr::memchr2(b'\n', b'\x01', &bytes[at..]).map_or(bytes.len(), |end| at + end);
        let partner = memchr::memchr_iter(bytes[open], &bytes[at..line_end]).map(|offset| at + offset).find(|&close| closes(close));
        if let Some(close) = partner {
            rewritten.replace(open, open + 1, "");
            rewritten.replace(close, close + 1, "");
            at = close + 1;
        }
    }
    rewritten.finish()
}

/// A list marker or heading mark at the start of a piece, with the whitespace after it.
/// Its replacement is a plain string, so the regex engine needs no capture groups for it.
pub(super) const LIST_MARKER: &str = r"\x01(#+|>+|[-*+]|\d+[.)])\s+";

static LIST_MARKER_REGEX: LazyLock<Regex> = LazyLock::new(|| super::compile_rule(LIST_MARKER));

/// Removes the heading, quote and list markers that open a piece, as `LIST_MARKER`
/// replaced with `PIECE_BREAK` does. Returns false if nothing changed.
pub(super) fn remove_list_markers(text: &str, output: &mut String) -> bool {
    let bytes = text.as_bytes();
    let mut rewritten = Rewritten::new(text, output);
    for piece_start in memchr::memchr_iter(b'\x01', bytes) {
        let marker_start = piece_start + 1;
        let marker_length = match bytes.get(marker_start) {
            Some(b'#') => run_length(&bytes[marker_start..], b'#'),
            Some(b'>') => run_length(&bytes[marker_start..], b'>'),
            Some(b'-' | b'*' | b'+') => 1,
            Some(_) => {
                let digits = bytes[marker_start..].iter().take_while(|byte| byte.is_ascii_digit()).count();
                let after = marker_start + digits;
                // `\d` also matches non-ASCII digits, which only the regex recognizes.
                // `char::is_numeric` holds for every one of them, and for a few more.
                let non_ascii = bytes.get(after).is_some_and(|byte| !byte.is_ascii());
                if non_ascii && text[after..].chars().next().is_some_and(char::is_numeric) {
                    return rewritten.replace_with_regex(&LIST_MARKER_REGEX, "\u{1}");
                }
                if digits > 0 && matches!(bytes.get(after), Some(b'.' | b')')) { digits + 1 } else { 0 }
            }
            None => 0,
        };
        if marker_length == 0 {
            continue;
        }
        let marker_end = marker_start + marker_length;
        let whitespace = leading_whitespace(&text[marker_end..]);
        if whitespace > 0 {
            rewritten.replace(piece_start, marker_end + whitespace, "\u{1}");
        }
    }
    rewritten.finish()
}

fn run_length(bytes: &[u8], byte: u8) -> usize {
    bytes.iter().take_while(|other| **other == byte).count()
}

/// Returns the length in bytes of the whitespace at the start of `text`, as `\s*`
/// matches it: both `\s` and `char::is_whitespace` are Unicode's White_Space.
fn leading_whitespace(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// Replaces curly quotes with straight ones, as `[’‘]` replaced with `'` and then `[“”]`
/// with `"` do. Neither replacement creates a character the other replaces, so one pass
/// does both. Returns false if nothing changed.
pub(super) fn straighten_quotes(text: &str, output: &mut String) -> bool {
    let bytes = text.as_bytes();
    let mut rewritten = Rewritten::new(text, output);
    // The four quotes are U+2018, U+2019, U+201C and U+201D: E2 80 98 to E2 80 9D.
    for lead in memchr::memchr_iter(0xE2, bytes) {
        if bytes.get(lead + 1) != Some(&0x80) {
            continue;
        }
        let replacement = match bytes.get(lead + 2) {
            Some(0x98 | 0x99) => "'",
            Some(0x9C | 0x9D) => "\"",
            _ => continue,
        };
        rewritten.replace(lead, lead + 3, replacement);
    }
    rewritten.finish()
}

/// Removes braces and dollar signs, as the regex `[{}$]` replaced with nothing does.
/// Returns false if nothing changed.
pub(super) fn remove_braces_and_dollars(text: &str, output: &mut String) -> bool {
    let mut rewritten = Rewritten::new(text, output);
    for at in memchr::memchr3_iter(b'{', b'}', b'$', text.as_bytes()) {
        rewritten.replace(at, at + 1, "");
    }
    rewritten.finish()
}

/// Turns the first cell of a table row into a label, as the regex
/// `\x01\|[ \t]*([^|\x01]*?)[ \t]*\|[ \t]*` replaced with `\x01$1: ` does. A piece
/// that opens with `|` and contains a second `|` then starts with its first cell,
/// trimmed of spaces and tabs, and a colon. Returns false if nothing changed.
pub(super) fn label_first_cells(text: &str, output: &mut String) -> bool {
    let bytes = text.as_bytes();
    let mut rewritten = Rewritten::new(text, output);
    for piece_start in memchr::memchr_iter(b'\x01', bytes) {
        if bytes.get(piece_start + 1) != Some(&b'|') {
            continue;
        }
        let cell_start = piece_start + 2;
        let Some(cell_length) = memchr::memchr2(b'|', b'\x01', &bytes[cell_start..]) else {
            continue;
        };
        let pipe = cell_start + cell_length;
        if bytes[pipe] != b'|' {
            continue;
        }
        let cell = &bytes[cell_start..pipe];
        let label_start = cell_start + blank_length(cell);
        let label_end = (pipe - trailing_blank_length(cell)).max(label_start);
        rewritten.replace(piece_start, label_start, "\u{1}");
        rewritten.replace(label_end, pipe + 1 + blank_length(&bytes[pipe + 1..]), ": ");
    }
    rewritten.finish()
}

/// Removes the `|` that closes a table row, with the spaces and tabs around it, as the
/// regex `[ \t]*\|[ \t]*(\x01|$)` replaced with `$1` does. Returns false if nothing
/// changed.
pub(super) fn remove_closing_pipes(text: &str, output: &mut String) -> bool {
    let bytes = text.as_bytes();
    let mut rewritten = Rewritten::new(text, output);
    for pipe in memchr::memchr_iter(b'|', bytes) {
        let end = pipe + 1 + blank_length(&bytes[pipe + 1..]);
        if end < bytes.len() && bytes[end] != b'\x01' {
            continue;
        }
        // The blanks before the pipe follow the end of any earlier match, which is a
        // `\x01` or the end of the text.
        rewritten.replace(pipe - trailing_blank_length(&bytes[..pipe]), end, "");
    }
    rewritten.finish()
}

/// Replaces each `|`, with the spaces and tabs around it, by `; `, as the regex
/// `[ \t]*\|[ \t]*` replaced with `; ` does. Returns false if nothing changed.
pub(super) fn separate_cells(text: &str, output: &mut String) -> bool {
    let bytes = text.as_bytes();
    let mut rewritten = Rewritten::new(text, output);
    // The end of the last match: the blanks before a pipe start there at the earliest.
    let mut resume = 0;
    for pipe in memchr::memchr_iter(b'|', bytes) {
        let start = pipe - trailing_blank_length(&bytes[resume..pipe]);
        let end = pipe + 1 + blank_length(&bytes[pipe + 1..]);
        rewritten.replace(start, end, "; ");
        resume = end;
    }
    rewritten.finish()
}

/// Returns the number of spaces and tabs at the start of `bytes`.
fn blank_length(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|byte| matches!(byte, b' ' | b'\t')).count()
}

/// Returns the number of spaces and tabs at the end of `bytes`.
fn trailing_blank_length(bytes: &[u8]) -> usize {
    bytes.iter().rev().take_while(|byte| matches!(byte, b' ' | b'\t')).count()
}

/// A times sign after a digit and not before one. Replaced with `${1}x$2`, it specifies
/// `times_sign_to_x`, which falls back to it for non-ASCII digits.
pub(super) const TIMES_AFTER_DIGIT: &str = r"(\d)\s?×(\s*[^\d\s]|\s*$)";

static TIMES_AFTER_DIGIT_REGEX: LazyLock<Regex> = LazyLock::new(|| super::compile_rule(TIMES_AFTER_DIGIT));

/// Writes a times sign after a digit as `x` unless a digit follows it, as
/// `TIMES_AFTER_DIGIT` replaced with `${1}x$2` does: "4 × faster" becomes "4x faster" and
/// "4 × 8" stays. `\d` also matches non-ASCII digits, which only the regex recognizes,
/// so a text with a numeric non-ASCII character next to a match goes to the regex.
/// Returns false if nothing changed.
pub(super) fn times_sign_to_x(text: &str, output: &mut String) -> bool {
    let bytes = text.as_bytes();
    let mut rewritten = Rewritten::new(text, output);
    // The end of the last match: a regex search resumes there.
    let mut resume = 0;
    // `×` is U+00D7, C3 97 in UTF-8.
    for sign in memchr::memchr_iter(0xC3, bytes) {
        if bytes.get(sign + 1) != Some(&0x97) || sign < resume {
            continue;
        }
        let mut before = text[resume..sign].chars().rev();
        let digit_end = match before.next() {
            Some(c) if c.is_ascii_digit() => sign,
            Some(c) if c.is_whitespace() => match before.next() {
                Some(digit) if digit.is_ascii_digit() => sign - c.len_utf8(),
                Some(other) if !other.is_ascii() && other.is_numeric() => return rewritten.replace_with_regex(&TIMES_AFTER_DIGIT_REGEX, "${1}x$2"),
                _ => continue,
            },
            Some(c) if !c.is_ascii() && c.is_numeric() => return rewritten.replace_with_regex(&TIMES_AFTER_DIGIT_REGEX, "${1}x$2"),
            _ => continue,
        };
        let after_sign = sign + 2;
        let blank_end = after_sign + leading_whitespace(&text[after_sign..]);
        let end = match text[blank_end..].chars().next() {
            None => blank_end,
            Some(c) if c.is_ascii_digit() => continue,
            Some(c) if !c.is_ascii() && c.is_numeric() => return rewritten.replace_with_regex(&TIMES_AFTER_DIGIT_REGEX, "${1}x$2"),
            Some(c) => blank_end + c.len_utf8(),
        };
        rewritten.replace(digit_end, after_sign, "x");
        resume = end;
    }
    rewritten.finish()
}

/// Checks whether a comma in `text` has a byte on each side that may belong to a
/// digit: an ASCII digit, or a byte of a non-ASCII character, which may be a `\d`.
pub(super) fn may_hold_digit_comma_digit(text: &str) -> bool {
    let bytes = text.as_bytes();
    let may_be_digit = |byte: u8| byte.is_ascii_digit() || !byte.is_ascii();
    memchr::memchr_iter(b',', bytes)
        .any(|at| at > 0 && may_be_digit(bytes[at - 1]) && bytes.get(at + 1).is_some_and(|byte| may_be_digit(*byte)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::text::{
        find_stems, replace_number_words, split_pieces, word_value, Gate, Lowercased, NUMBER_WORDS, NUMBER_WORDS_PATTERN,
        PIECE_BREAK, STEMS,
        SYMBOL_REWRITES, WORD_REWRITES,
    };
    use regex_syntax::hir::{Class, HirKind};

    /// Returns the characters that `\d` matches in a Unicode regex, as sorted ranges.
    fn unicode_digits() -> Vec<(char, char)> {
        let hir = regex_syntax::parse(r"\d").expect("valid class");
        match hir.kind() {
            HirKind::Class(Class::Unicode(class)) => class.ranges().iter().map(|range| (range.start(), range.end())).collect(),
            other => panic!("\\d parses as a Unicode class, not {other:?}"),
        }
    }

    fn regex_rewrite(pattern: &str, text: &str, replacement: &str) -> String {
        super::super::compile_rule(pattern).replace_all(text, replacement).into_owned()
    }

    /// Returns what a byte rewrite makes of `input`, or `input` if it changes nothing.
    fn rewrite(scan: fn(&str, &mut String) -> bool, input: &str) -> String {
        // Text left in the buffer from an earlier rewrite must not show in the output.
        let mut output = String::from("left over");
        if scan(input, &mut output) {
            output
        } else {
            assert!(output.is_empty(), "output {output:?} left for {input:?}");
            input.to_string()
        }
    }

    /// Returns every labelled fixture answer's prose as `AnswerText::parse` gives it to
    /// the rewrites, and some texts written to reach the rules' edge cases.
    fn samples() -> Vec<String> {
        let mut samples: Vec<String> = [
            "\u{1}- **a** __b__ `c` \\(x\\) \\[y\\] ***z*** \\\\(w",
            "\u{1}## Heading\u{1}>> quote\u{1}1. one\u{1}12) twelve\u{1}1.no space\u{1}-\u{a0}nbsp\u{1}#\u{1}",
            "\u{1}\u{661}. Arabic-Indic one\u{1}3\u{662}. mixed\u{1}\u{e9}t\u{e9}",
            "\u{1}‘single’ “double” \u{2014} \u{2192} \u{201A}",
            "\u{1}{a} $b$ }{",
            "\u{1}1,000,000 and 12,345 and a,b and \u{661},\u{662}\u{663}\u{664}",
        ]
        .iter()
        .map(|text| text.to_string())
        .collect();
        let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/labelled/answers.jsonl");
        for line in std::fs::read_to_string(fixture).expect("fixture answers exist").lines() {
            let value: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
            let response = value["response"].as_str().expect("a response");
            let mut prose = String::new();
            for (piece, _) in split_pieces(response).iter().filter(|(_, kind)| *kind != crate::score::text::PieceKind::Code) {
                prose.push(PIECE_BREAK);
                prose.push_str(piece);
            }
            samples.push(prose);
        }
        samples
    }

    #[test]
    fn markup_marks_match_regex() {
        for text in samples() {
            let expected = regex_rewrite(r"\*\*|__|`|\\\(|\\\)|\\\[|\\\]", &text, "");
            assert_eq!(rewrite(remove_markup_marks, &text), expected, "for {text:?}");
        }
    }

    #[test]
    fn emphasis_marks_removed_in_pairs() {
        let cases = [
            ("the *effective* batch", "the effective batch"),
            ("an _effective_ batch", "an effective batch"),
            ("*less* progress and *more* steps", "less progress and more steps"),
            ("(*not* the max)", "(not the max)"),
            ("3*4 and lr * 4", "3*4 and lr * 4"),
            ("\u{1}* a bullet", "\u{1}* a bullet"),
            ("per_device_train_batch_size", "per_device_train_batch_size"),
            ("f(*args, kwargs)", "f(*args, kwargs)"),
            ("*open on one line\nclosed* on the next", "*open on one line\nclosed* on the next"),
            ("48 GB*", "48 GB*"),
            ("*4×* the rate", "4× the rate"),
            ("\\underbrace{4}_{\\text{weights}} + \\underbrace{4}_{\\text{grads}}", "\\underbrace{4}_{\\text{weights}} + \\underbrace{4}_{\\text{grads}}"),
        ];
        for (input, expected) in cases {
            assert_eq!(rewrite(remove_emphasis_marks, input), expected, "for {input:?}");
        }
    }

    #[test]
    fn list_markers_match_regex() {
        for text in samples() {
            let text = rewrite(remove_markup_marks, &text);
            let expected = regex_rewrite(LIST_MARKER, &text, "\u{1}");
            assert_eq!(rewrite(remove_list_markers, &text), expected, "for {text:?}");
        }
    }

    #[test]
    fn quotes_match_regexes() {
        for text in samples() {
            let expected = regex_rewrite(r"[“”]", &regex_rewrite(r"[’‘]", &text, "'"), "\"");
            assert_eq!(rewrite(straighten_quotes, &text), expected, "for {text:?}");
        }
    }

    #[test]
    fn braces_and_dollars_match_regex() {
        for text in samples() {
            let expected = regex_rewrite(r"[{}$]", &text, "");
            assert_eq!(rewrite(remove_braces_and_dollars, &text), expected, "for {text:?}");
        }
    }

    /// The three table rules in the order `normalize` applies them, each as a regex
    /// and as its byte scan.
    const TABLE_RULES: [(&str, &str, fn(&str, &mut String) -> bool); 3] = [
        (r"\x01\|[ \t]*([^|\x01]*?)[ \t]*\|[ \t]*", "\u{1}$1: ", label_first_cells),
        (r"[ \t]*\|[ \t]*(\x01|$)", "$1", remove_closing_pipes),
        (r"[ \t]*\|[ \t]*", "; ", separate_cells),
    ];

    #[test]
    fn table_rules_match_regexes() {
        let mut inputs = samples();
        inputs.extend(
            [
                "\u{1}| a | b |\u{1}|\u{1}| |\u{1}|  x  |\u{1}a | |\u{1}|| ||\t|\u{1}| one pipe",
                "\u{1}|\t\tcell\t|\t\u{1}|| \u{1}|\u{1}| | | |",
                "\u{1}a|b\u{1}| é | ü |\u{1} | lead\u{1}x |",
                "\u{1}|",
                "| no break |\u{1}| k | v |  ",
            ]
            .map(str::to_string),
        );
        for input in inputs {
            let mut text = rewrite(remove_list_markers, &rewrite(remove_markup_marks, &input));
            for (pattern, replacement, scan) in TABLE_RULES {
                let expected = regex_rewrite(pattern, &text, replacement);
                assert_eq!(rewrite(scan, &text), expected, "{pattern} for {text:?}");
                text = expected;
            }
        }
    }

    #[test]
    fn stems_avoid_case_folded_letters() {
        for rule in SYMBOL_REWRITES.iter().chain(WORD_REWRITES.iter()) {
            let Gate::Stems(stems) = rule.gate else { continue };
            for stem in stems {
                assert!(STEMS.contains(stem), "stem {stem:?} of {} is not in STEMS", rule.regex.as_str());
                assert_eq!(*stem, stem.to_ascii_lowercase(), "stem {stem:?} of {}", rule.regex.as_str());
                assert!(!stem.contains(['k', 's']), "stem {stem:?} of {}", rule.regex.as_str());
            }
        }
    }

    #[test]
    fn times_signs_match_regex() {
        let mut inputs = samples();
        inputs.extend(
            [
                "\u{1}4× faster, 2 × slower, 3 ×4, 5×, 6 ×\u{1}7\u{a0}× less 8\u{2009}×fold 9  × no",
                "\u{1}1××a 1× 2×b x× 3×\u{661} \u{661}× \u{661} × 4×\u{2014} 5×\u{a0}\u{a0}",
                "\u{1}2×",
                "\u{1}2 × ",
            ]
            .map(str::to_string),
        );
        for text in inputs {
            let expected = regex_rewrite(TIMES_AFTER_DIGIT, &text, "${1}x$2");
            assert_eq!(rewrite(times_sign_to_x, &text), expected, "for {text:?}");
        }
    }

    #[test]
    fn number_words_match_regex() {
        let mut inputs = samples();
        inputs.push("\u{1}Two TWENTY-one ſix ſixteen Forty Seven, thirty-three\u{1}ten ten".to_string());
        inputs.push("\u{1}Six\u{17e} twelve, Thirty nine\u{1}nothing".to_string());
        for text in inputs {
            let expected = NUMBER_WORDS.replace_all(&text, |captures: &regex::Captures| {
                let tens = word_value(&captures[1]);
                let units = captures.get(2).map_or(0, |unit| word_value(unit.as_str()));
                (tens + units).to_string()
            });
            let mut output = String::from("left over");
            let replaced = if replace_number_words(&text, &mut Lowercased::default(), &mut output) { output } else { text.clone() };
            assert_eq!(replaced, expected, "for {text:?}");
        }
    }

    #[test]
    fn stem_search_matches_one_search_per_stem() {
        let mut inputs = samples();
        inputs.extend(
            ["fourthalve", "quadruples and quarters", "a twofold, Fourfold DOUBLING", "octuplet halved", "tripl", "fold"]
                .map(str::to_string),
        );
        // The search finds one stem per position only because no stem starts another.
        for stem in STEMS {
            for other in STEMS.iter().filter(|other| **other != stem) {
                assert!(!other.starts_with(stem), "stem {stem:?} starts {other:?}");
            }
        }

        for text in inputs {
            let lowercased = text.to_ascii_lowercase();
            let expected = STEMS.map(|stem| lowercased.contains(stem));
            assert_eq!(find_stems(&lowercased), expected, "for {text:?}");
        }
    }

    #[test]
    fn number_words_avoid_kelvin_letter() {
        assert!(!NUMBER_WORDS_PATTERN.contains(['k', 'K']));
    }

    #[test]
    fn non_ascii_digits_are_numeric() {
        // `remove_list_markers` falls back to the regex on `char::is_numeric`, which
        // must hold for every `\d`.
        for (start, end) in unicode_digits() {
            assert!((start..=end).all(char::is_numeric), "{start:?}..={end:?}");
        }
    }
}
