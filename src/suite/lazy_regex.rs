//! Rubric regexes that are compiled on first use. Loading a suite only parses them, so
//! a run pays for compiled programs (up to 0.8 MB per phrase of the built-in suite,
//! measured with a counting allocator) only in the rubrics it scores. A base run never
//! compiles the checks of the REFACTOR variants.

use std::collections::HashMap;
use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use regex::{Regex, RegexBuilder};
use regex_automata::meta;
use regex_automata::util::syntax;

use super::load::LoadError;

/// Lazy-DFA cache limit for each phrase. Windows such as `[^.]{0,60}` make many DFA
/// states. With the default limit the engine keeps clearing its cache and rebuilding
/// them, which halves scoring speed (`cargo bench --bench scoring`).
const PHRASE_DFA_CACHE_BYTES: usize = 8 << 20;

/// The regex engine's limit on a compiled program, as `regex` 1.13 sets it by default.
const PROGRAM_SIZE_LIMIT: usize = 10 << 20;

/// Compiles a suite regex: case-insensitive, with `^` and `$` matching at line ends.
pub(crate) fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).case_insensitive(true).multi_line(true).dfa_size_limit(PHRASE_DFA_CACHE_BYTES).build()
}

/// Compiles a phrase regex with the syntax and limits of [`build_regex`], so it finds
/// the same matches, but without the engine's literal prefilter. The scorer searches a
/// phrase mostly in the few sentences where its own literal pass found one of the
/// phrase's literals. In such short haystacks the engine's prefilter, a Teddy search,
/// skips little, and the lazy DFA calls it again each time the search returns to its
/// start state, at about 830 instructions a call. Without it the phrase checks took
/// 119k instead of 142k instructions per answer (callgrind, `cargo bench --bench
/// scoring`).
pub(crate) fn build_phrase_regex(pattern: &str) -> Result<meta::Regex, regex::Error> {
    let syntax = syntax::Config::new().case_insensitive(true).multi_line(true);
    let config = meta::Config::new()
        .nfa_size_limit(Some(PROGRAM_SIZE_LIMIT))
        .hybrid_cache_capacity(PHRASE_DFA_CACHE_BYTES)
        .auto_prefilter(false);
    meta::Builder::new().configure(config).syntax(syntax).build(pattern).map_err(|error| {
        // The same errors as `regex` reports for them, so that load errors read alike.
        match (error.size_limit(), error.syntax_error()) {
            (Some(limit), _) => regex::Error::CompiledTooBig(limit),
            (None, Some(syntax_error)) => regex::Error::Syntax(syntax_error.to_string()),
            (None, None) => regex::Error::Syntax(error.to_string()),
        }
    })
}

/// Rewrites `\w` and `\d` as their ASCII classes, outside brackets and inside them. The
/// Unicode classes span hundreds of ranges. A lone Unicode `\w` compiles to more than
/// 45 KB (regex 1.13 documents this under `RegexBuilder::size_limit`), and the ranges
/// split the lazy DFA's byte alphabet, so that every cached state takes more memory.
/// Suite regexes already match ASCII word boundaries (see `ascii_word_boundaries`), and
/// ASCII word characters are the ones those boundaries see. `\s` and the negated
/// classes stay Unicode, because `(?-u:\W)` could match a byte of a multi-byte
/// character. A pattern that does not parse is returned unchanged for the parser to
/// reject.
pub(crate) fn ascii_perl_classes(pattern: &str) -> String {
    let Ok(ast) = regex_syntax::ast::parse::Parser::new().parse(pattern) else {
        return pattern.to_string();
    };
    let Ok(classes) = regex_syntax::ast::visit(&ast, PerlClassFinder::default());
    let mut rewritten = String::with_capacity(pattern.len() + 16 * classes.len());
    let mut copied = 0;
    for (span, replacement) in classes {
        rewritten.push_str(&pattern[copied..span.start.offset]);
        rewritten.push_str(replacement);
        copied = span.end.offset;
    }
    rewritten.push_str(&pattern[copied..]);
    rewritten
}

/// Collects the `\w` and `\d` classes of a pattern, in pattern order, each with its ASCII
/// replacement.
#[derive(Default)]
struct PerlClassFinder {
    classes: Vec<(regex_syntax::ast::Span, &'static str)>,
}

impl PerlClassFinder {
    fn add(&mut self, class: &regex_syntax::ast::ClassPerl, in_brackets: bool) {
        use regex_syntax::ast::ClassPerlKind;

        let replacement = match (&class.kind, in_brackets) {
            _ if class.negated => return,
            (ClassPerlKind::Word, false) => r"(?-u:\w)",
            (ClassPerlKind::Word, true) => "[:word:]",
            (ClassPerlKind::Digit, false) => r"(?-u:\d)",
            (ClassPerlKind::Digit, true) => "[:digit:]",
            (ClassPerlKind::Space, _) => return,
        };
        self.classes.push((class.span, replacement));
    }
}

impl regex_syntax::ast::Visitor for PerlClassFinder {
    type Output = Vec<(regex_syntax::ast::Span, &'static str)>;
    type Err = std::convert::Infallible;

    fn finish(mut self) -> Result<Self::Output, Self::Err> {
        self.classes.sort_by_key(|(span, _)| span.start.offset);
        Ok(self.classes)
    }

    fn visit_pre(&mut self, ast: &regex_syntax::ast::Ast) -> Result<(), Self::Err> {
        if let regex_syntax::ast::Ast::ClassPerl(class) = ast {
            self.add(class, false);
        }
        Ok(())
    }

    fn visit_class_set_item_pre(&mut self, item: &regex_syntax::ast::ClassSetItem) -> Result<(), Self::Err> {
        if let regex_syntax::ast::ClassSetItem::Perl(class) = item {
            self.add(class, true);
        }
        Ok(())
    }
}

/// A suite regex whose syntax is checked at load and which is compiled on first use.
/// Clones share one compiled regex and its match caches.
#[derive(Clone)]
pub struct LazyRegex(Arc<LazyRegexInner>);

struct LazyRegexInner {
    /// The pattern as compiled: placeholders filled in, and word boundaries, word
    /// characters and digits made ASCII.
    pattern: String,
    origin: RegexOrigin,
    /// Whether the pattern has `\A` or `\z`, or `^` or `$` outside multi-line mode.
    has_text_anchors: bool,
    /// The regex's number within the `RegexInterner` that parsed it, counted from 0, or
    /// `None` for a regex parsed on its own.
    interned_index: Option<u32>,
    compiled: OnceLock<meta::Regex>,
}

/// The file position and text of a regex as written, for the error of a pattern that
/// fails to compile.
#[derive(Debug, Clone)]
pub(crate) struct RegexOrigin {
    pub file: String,
    pub line: u64,
    pub column: u64,
    /// The pattern as the file writes it, placeholders included.
    pub written: String,
}

impl RegexOrigin {
    /// Returns the load error for this regex, with the regex engine's first line of detail.
    pub(crate) fn invalid(&self, error: &dyn fmt::Display) -> LoadError {
        let message = error.to_string().replace('\n', " ");
        let detail = super::load::first_line(&message);
        LoadError { file: self.file.clone(), line: self.line, column: self.column, message: format!("invalid regex {:?}: {detail}", self.written) }
    }
}

impl LazyRegex {
    /// Parses a pattern outside an interner, so that it has no `interned_index`.
    #[cfg(test)]
    pub(crate) fn parse(pattern: String, origin: RegexOrigin) -> Result<Self, LoadError> {
        Self::parse_numbered(pattern, origin, None)
    }

    /// Checks a pattern's syntax with the parser and flags that compiling uses, so a
    /// pattern that loads fails to compile only when its program exceeds
    /// `PROGRAM_SIZE_LIMIT`.
    fn parse_numbered(pattern: String, origin: RegexOrigin, interned_index: Option<u32>) -> Result<Self, LoadError> {
        let mut parser = regex_syntax::ParserBuilder::new().case_insensitive(true).multi_line(true).build();
        let hir = parser.parse(&pattern).map_err(|error| origin.invalid(&error))?;
        let has_text_anchors = hir.properties().look_set().contains_anchor_haystack();
        Ok(LazyRegex(Arc::new(LazyRegexInner { pattern, origin, has_text_anchors, interned_index, compiled: OnceLock::new() })))
    }

    /// Parses a pattern for a test, with a placeholder origin.
    #[cfg(test)]
    pub(crate) fn for_test(pattern: &str) -> Self {
        let origin = RegexOrigin { file: "test.yaml".to_string(), line: 1, column: 1, written: pattern.to_string() };
        LazyRegex::parse(pattern.to_string(), origin).expect("valid test pattern")
    }

    /// Parses a pattern for a test, with a placeholder origin and the number an
    /// interner would give it.
    #[cfg(test)]
    pub(crate) fn for_test_numbered(pattern: &str, interned_index: u32) -> Self {
        let origin = RegexOrigin { file: "test.yaml".to_string(), line: 1, column: 1, written: pattern.to_string() };
        LazyRegex::parse_numbered(pattern.to_string(), origin, Some(interned_index)).expect("valid test pattern")
    }

    /// Returns the pattern as compiled.
    pub fn as_str(&self) -> &str {
        &self.0.pattern
    }

    /// Returns a number that identifies this regex and its clones while they live: the
    /// address of their shared state.
    pub fn identity(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Returns the regex's number within the suite that loaded it: the regexes of one
    /// suite are numbered 0, 1, 2, ..., so that a table can be indexed by them. Regexes
    /// of two suites can share a number. `None` for a regex parsed outside a suite.
    pub fn interned_index(&self) -> Option<u32> {
        self.0.interned_index
    }

    /// Returns whether the pattern has an assertion that holds only at the start or the
    /// end of the whole haystack. Without one, a match in a sentence alone is also a
    /// match in `AnswerText::joined`, where newlines separate the sentences, because
    /// `\b` and multi-line `^` and `$` hold at a newline as at a haystack's ends.
    pub fn has_text_anchors(&self) -> bool {
        self.0.has_text_anchors
    }

    /// Returns whether the regex has been compiled.
    pub fn is_compiled(&self) -> bool {
        self.0.compiled.get().is_some()
    }

    /// Checks that the regex compiles, without keeping the compiled program: a regex
    /// that is never searched then costs no memory. A regex checked this way and
    /// searched later is compiled twice.
    pub fn check(&self) -> Result<(), LoadError> {
        if self.is_compiled() {
            return Ok(());
        }
        build_phrase_regex(&self.0.pattern).map(drop).map_err(|error| self.0.origin.invalid(&error))
    }

    /// Compiles the regex unless it already is, and returns it.
    pub fn compile(&self) -> Result<&meta::Regex, LoadError> {
        if let Some(regex) = self.0.compiled.get() {
            return Ok(regex);
        }
        let regex = build_phrase_regex(&self.0.pattern).map_err(|error| self.0.origin.invalid(&error))?;
        // Another thread may have compiled it meanwhile, and then that regex is kept.
        Ok(self.0.compiled.get_or_init(|| regex))
    }
}

/// Every phrase regex parsed while loading one suite, by pattern, so that checks that
/// write the same pattern share one compiled regex and its match caches. The built-in
/// suite repeats patterns: rationalization checks reuse YAML anchors, and the rubric of
/// each parameter set repeats every regex without a placeholder of a check it recompiles.
#[derive(Default)]
pub(crate) struct RegexInterner {
    parsed: HashMap<String, LazyRegex>,
}

impl RegexInterner {
    /// Returns the regex parsed earlier for `pattern`, or parses it. A shared regex keeps
    /// the origin of its first occurrence for errors.
    pub(crate) fn parse(&mut self, pattern: String, origin: RegexOrigin) -> Result<LazyRegex, LoadError> {
        if let Some(regex) = self.parsed.get(&pattern) {
            return Ok(regex.clone());
        }
        let index = u32::try_from(self.parsed.len()).expect("fewer than 2^32 regexes in a suite");
        let regex = LazyRegex::parse_numbered(pattern.clone(), origin, Some(index))?;
        self.parsed.insert(pattern, regex.clone());
        Ok(regex)
    }
}

impl Deref for LazyRegex {
    type Target = meta::Regex;

    /// Compiles the regex on first use.
    ///
    /// # Panics
    ///
    /// Panics when the program exceeds the regex size limit. Callers that can report
    /// that as an error call [`Rubric::compile`](super::Rubric::compile) first.
    fn deref(&self) -> &meta::Regex {
        self.compile().unwrap_or_else(|error| panic!("{error} (call Rubric::compile before matching to get this as an error)"))
    }
}

impl fmt::Debug for LazyRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LazyRegex").field(&self.0.pattern).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(written: &str) -> RegexOrigin {
        RegexOrigin { file: "rubrics/lr.yaml".to_string(), line: 3, column: 7, written: written.to_string() }
    }

    #[test]
    fn parse_leaves_regex_uncompiled() {
        let regex = LazyRegex::parse("warm ?up".to_string(), origin("warm ?up")).unwrap();
        assert!(!regex.is_compiled());
        assert!(regex.is_match("Add a WARMUP phase"));
        assert!(regex.is_compiled());
    }

    #[test]
    fn clones_share_compiled_regex() {
        let regex = LazyRegex::parse("warm ?up".to_string(), origin("warm ?up")).unwrap();
        let clone = regex.clone();
        regex.compile().unwrap();
        assert!(clone.is_compiled());
    }

    #[test]
    fn rubric_compiles_on_request() {
        let suite = crate::suite::load_builtin().unwrap();
        let rubric = &suite.scenarios[0].rubric;
        let first_phrase = rubric.checks.iter().find_map(|check| match &check.rule {
            crate::suite::CheckRule::Phrase(rule) => rule.groups[0].phrases.first().cloned(),
            crate::suite::CheckRule::Numeric(_) => None,
        });
        let first_phrase = first_phrase.expect("the rubric has a phrase check");
        assert!(!first_phrase.is_compiled());
        rubric.compile().unwrap();
        assert!(first_phrase.is_compiled());
    }

    #[test]
    fn interner_shares_same_pattern() {
        let mut regexes = RegexInterner::default();
        let first = regexes.parse("warm ?up".to_string(), origin("warm ?up")).unwrap();
        let second = regexes.parse("warm ?up".to_string(), origin("warm ?up")).unwrap();
        let other = regexes.parse("ramp ?up".to_string(), origin("ramp ?up")).unwrap();
        first.compile().unwrap();
        assert!(second.is_compiled());
        assert!(!other.is_compiled());
        assert_eq!(first.interned_index(), Some(0));
        assert_eq!(second.interned_index(), Some(0));
        assert_eq!(other.interned_index(), Some(1));
    }

    #[test]
    fn text_anchors_are_detected() {
        let has_anchors = |pattern: &str| LazyRegex::parse(pattern.to_string(), origin(pattern)).unwrap().has_text_anchors();
        assert!(has_anchors(r"\Awarm ?up"));
        assert!(has_anchors(r"warm ?up\z"));
        assert!(has_anchors(r"(?-m:^)warm ?up"));
        assert!(!has_anchors(r"^warm ?up$"));
        assert!(!has_anchors(r"\bwarm ?up\b"));
    }

    #[test]
    fn syntax_error_fails_parse() {
        let error = LazyRegex::parse("warm(up".to_string(), origin("warm(up")).unwrap_err();
        assert_eq!((error.line, error.column), (3, 7));
        assert!(error.message.starts_with("invalid regex \"warm(up\": regex parse error:"), "{}", error.message);
    }

    #[test]
    fn perl_classes_become_ascii() {
        assert_eq!(ascii_perl_classes(r"schedul\w* by \d+"), r"schedul(?-u:\w)* by (?-u:\d)+");
        assert_eq!(ascii_perl_classes(r"[\w-]+ [^\d.]"), r"[[:word:]-]+ [^[:digit:].]");
        assert_eq!(ascii_perl_classes(r"\W+\s\D"), r"\W+\s\D");
        assert_eq!(ascii_perl_classes(r"a(b"), r"a(b");
    }

    #[test]
    fn ascii_classes_skip_non_ascii_letters() {
        let regex = build_regex(&ascii_perl_classes(r"na\w+ve")).unwrap();
        assert!(regex.is_match("naaive"));
        assert!(!regex.is_match("naïve"));
    }

    #[test]
    fn check_keeps_no_program() {
        let valid = LazyRegex::for_test(r"warm ?up");
        valid.check().unwrap();
        assert!(!valid.is_compiled());

        let pattern = r"\w{0,1000}".to_string();
        let oversized = LazyRegex::parse(pattern.clone(), origin(&pattern)).unwrap();
        let error = oversized.check().unwrap_err();
        assert!(error.message.contains("exceeds size limit"), "{}", error.message);
    }

    #[test]
    fn oversized_program_fails_compile() {
        let pattern = r"\w{0,1000}".to_string();
        let regex = LazyRegex::parse(pattern.clone(), origin(&pattern)).unwrap();
        let error = regex.compile().unwrap_err();
        assert!(error.message.contains("exceeds size limit"), "{}", error.message);
        assert!(!regex.is_compiled());
    }
}
