//! Rubric regexes that are compiled on first use. Loading a suite only parses them, so
//! a run pays for compiled programs (up to 0.9 MB per regex of the built-in suite,
//! measured with a counting allocator) only in the rubrics it scores. A base run never
//! compiles the checks of the REFACTOR variants.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use regex::{Regex, RegexBuilder};

use super::load::LoadError;

/// Lazy-DFA cache limit for each phrase. Windows such as `[^.]{0,60}` make many DFA
/// states. With the default limit the engine keeps clearing its cache and rebuilding
/// them, which halves scoring speed (`cargo bench --bench scoring`).
const PHRASE_DFA_CACHE_BYTES: usize = 8 << 20;

/// Compiles a suite regex: case-insensitive, with `^` and `$` matching at line ends.
pub(crate) fn build_regex(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern).case_insensitive(true).multi_line(true).dfa_size_limit(PHRASE_DFA_CACHE_BYTES).build()
}

/// A suite regex whose syntax is checked at load and which is compiled on first use.
/// Clones share one compiled regex and its match caches.
#[derive(Clone)]
pub struct LazyRegex(Arc<LazyRegexInner>);

struct LazyRegexInner {
    /// The pattern as compiled: placeholders filled in, word boundaries made ASCII.
    pattern: String,
    origin: RegexOrigin,
    compiled: OnceLock<Regex>,
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
    /// Checks a pattern's syntax with the parser and flags that compiling uses, so a
    /// pattern that loads fails to compile only when its program exceeds the regex
    /// engine's size limit (10 MiB in regex 1.13).
    pub(crate) fn parse(pattern: String, origin: RegexOrigin) -> Result<Self, LoadError> {
        let mut parser = regex_syntax::ParserBuilder::new().case_insensitive(true).multi_line(true).build();
        parser.parse(&pattern).map_err(|error| origin.invalid(&error))?;
        Ok(LazyRegex(Arc::new(LazyRegexInner { pattern, origin, compiled: OnceLock::new() })))
    }

    /// Returns the pattern as compiled.
    pub fn as_str(&self) -> &str {
        &self.0.pattern
    }

    /// Returns whether the regex has been compiled.
    pub fn is_compiled(&self) -> bool {
        self.0.compiled.get().is_some()
    }

    /// Compiles the regex unless it already is, and returns it.
    pub fn compile(&self) -> Result<&Regex, LoadError> {
        if let Some(regex) = self.0.compiled.get() {
            return Ok(regex);
        }
        let regex = build_regex(&self.0.pattern).map_err(|error| self.0.origin.invalid(&error))?;
        // Another thread may have compiled it meanwhile, and then that regex is kept.
        Ok(self.0.compiled.get_or_init(|| regex))
    }
}

impl Deref for LazyRegex {
    type Target = Regex;

    /// Compiles the regex on first use.
    ///
    /// # Panics
    ///
    /// Panics when the program exceeds the regex size limit. Callers that can report
    /// that as an error call [`Rubric::compile`](super::Rubric::compile) first.
    fn deref(&self) -> &Regex {
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
    fn syntax_error_fails_parse() {
        let error = LazyRegex::parse("warm(up".to_string(), origin("warm(up")).unwrap_err();
        assert_eq!((error.line, error.column), (3, 7));
        assert!(error.message.starts_with("invalid regex \"warm(up\": regex parse error:"), "{}", error.message);
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
