//! Just enough arithmetic to read numbers that answers give only in code:
//! `accum_steps = target_batch // micro_batch` after `target_batch = 512`. Assignments
//! are read in order; an expression evaluates when every name in it is known.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::compile_regex;

/// Variables assigned a number so far in an answer's code blocks.
#[derive(Debug, Default)]
pub struct CodeVariables {
    values: HashMap<String, f64>,
}

/// `name = expression`, `name: int = expression` or `a, b = 512, 64`, with an optional
/// trailing comma (keyword arguments) and comment.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"^\s*(?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*(?::\s*\w+\s*)?=\s*(?P<expr>[^#=][^#]*?)\s*,?\s*(?:#.*)?$")
});

impl CodeVariables {
    /// Records `name = expression` when the expression evaluates; a tuple assignment
    /// records each name.
    pub fn read_assignment(&mut self, line: &str) {
        // `ASSIGNMENT` needs an `=`, and this test costs far less than the search.
        if !line.contains('=') {
            return;
        }
        let Some((names, expression)) = split_assignment(line) else { return };
        let names: Vec<&str> = names.split(',').map(str::trim).collect();
        let expressions: Vec<&str> = expression.split(',').map(str::trim).collect();
        if names.len() != expressions.len() {
            return;
        }
        for (name, expression) in names.into_iter().zip(expressions) {
            if let Some(value) = self.evaluate(expression) {
                self.values.insert(name.to_string(), value);
            }
        }
    }

    /// Evaluates `+ - * / // ** ( )` over numbers and known names.
    pub fn evaluate(&self, expression: &str) -> Option<f64> {
        self.evaluate_with_unit_names(expression, |_| false)
    }

    /// Evaluates like `evaluate`, with every name for which `is_unit` returns true set to
    /// 1, even one assigned earlier, so `old_lr * 4` gives the factor 4 after `old_lr = 0.1`.
    pub fn evaluate_with_unit_names(&self, expression: &str, is_unit: impl Fn(&str) -> bool) -> Option<f64> {
        let tokens: Vec<Token> = tokenize(expression)?
            .into_iter()
            .map(|token| match token {
                Token::Name(name) if is_unit(&name) => Token::Number(1.0),
                other => other,
            })
            .collect();
        let mut parser = Parser { tokens: &tokens, position: 0, variables: &self.values };
        let value = parser.sum()?;
        (parser.position == tokens.len() && value.is_finite()).then_some(value)
    }
}

/// Returns the `names` and `expr` groups of `ASSIGNMENT` in `line`. An ASCII line
/// without a newline is split by hand, because capturing the groups with the regex
/// took 13k to 16k instructions per line when measured under callgrind on sample code
/// lines.
fn split_assignment(line: &str) -> Option<(&str, &str)> {
    if !line.is_ascii() || line.contains('\n') {
        let captures = ASSIGNMENT.captures(line)?;
        return Some((captures.name("names")?.as_str(), captures.name("expr")?.as_str()));
    }
    let bytes = line.as_bytes();
    // In ASCII text, `\s` is these bytes and `\w` is `[0-9A-Za-z_]`.
    let is_space = |byte: u8| matches!(byte, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' ');
    let is_word = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    let skip = |from: usize, accept: &dyn Fn(u8) -> bool| from + bytes[from..].iter().take_while(|byte| accept(**byte)).count();
    let starts_name = |at: usize| bytes.get(at).is_some_and(|byte| byte.is_ascii_alphabetic() || *byte == b'_');

    // Comma-separated names. Every part of the pattern is forced here: a shorter name
    // or list would leave a word byte or a comma where only `:` or `=` may follow.
    let names_start = skip(0, &is_space);
    if !starts_name(names_start) {
        return None;
    }
    let mut names_end = skip(names_start + 1, &is_word);
    loop {
        let comma = skip(names_end, &is_space);
        if bytes.get(comma) != Some(&b',') {
            break;
        }
        let next = skip(comma + 1, &is_space);
        if !starts_name(next) {
            break;
        }
        names_end = skip(next + 1, &is_word);
    }

    // An optional type annotation, then the `=`.
    let mut at = skip(names_end, &is_space);
    if bytes.get(at) == Some(&b':') {
        let type_start = skip(at + 1, &is_space);
        let type_end = skip(type_start, &is_word);
        if type_end == type_start {
            return None;
        }
        at = skip(type_end, &is_space);
    }
    if bytes.get(at) != Some(&b'=') {
        return None;
    }

    // The expression starts after the spaces unless a `#` or `=` follows them. Then
    // the greedy `\s*` gives back one space, which becomes the expression's first byte.
    let after_equals = at + 1;
    let mut expression_start = skip(after_equals, &is_space);
    if bytes.get(expression_start).is_none_or(|byte| matches!(byte, b'#' | b'=')) {
        if expression_start == after_equals {
            return None;
        }
        expression_start -= 1;
    }
    // The lazy expression ends where the rest up to the first `#` is spaces around at
    // most one comma, and it keeps at least one byte.
    let comment = line[expression_start..].find('#').map_or(line.len(), |offset| expression_start + offset);
    let mut expression_end = comment;
    while expression_end > expression_start && is_space(bytes[expression_end - 1]) {
        expression_end -= 1;
    }
    if expression_end > expression_start && bytes[expression_end - 1] == b',' {
        expression_end -= 1;
        while expression_end > expression_start && is_space(bytes[expression_end - 1]) {
            expression_end -= 1;
        }
    }
    let expression_end = expression_end.max(expression_start + 1);
    Some((&line[names_start..names_end], &line[expression_start..expression_end]))
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Name(String),
    Operator(&'static str),
    Open,
    Close,
}

fn tokenize(expression: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = expression.chars().collect();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        let next = chars.get(index + 1).copied();
        match c {
            ' ' | '\t' => index += 1,
            '(' => { tokens.push(Token::Open); index += 1; }
            ')' => { tokens.push(Token::Close); index += 1; }
            '*' if next == Some('*') => { tokens.push(Token::Operator("**")); index += 2; }
            '/' if next == Some('/') => { tokens.push(Token::Operator("//")); index += 2; }
            '+' => { tokens.push(Token::Operator("+")); index += 1; }
            '-' => { tokens.push(Token::Operator("-")); index += 1; }
            '*' | '×' => { tokens.push(Token::Operator("*")); index += 1; }
            '/' => { tokens.push(Token::Operator("/")); index += 1; }
            c if c.is_ascii_digit() || c == '.' => {
                let start = index;
                while index < chars.len() && (chars[index].is_ascii_alphanumeric() || chars[index] == '.' || chars[index] == '_'
                    || (chars[index] == '-' && matches!(chars[index - 1], 'e' | 'E')))
                {
                    index += 1;
                }
                let literal: String = chars[start..index].iter().filter(|c| **c != '_').collect();
                tokens.push(Token::Number(literal.parse().ok()?));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = index;
                while index < chars.len() && (chars[index].is_alphanumeric() || chars[index] == '_' || chars[index] == '.') {
                    index += 1;
                }
                tokens.push(Token::Name(chars[start..index].iter().collect()));
            }
            _ => return None,
        }
    }
    Some(tokens)
}

struct Parser<'a> {
    tokens: &'a [Token],
    position: usize,
    variables: &'a HashMap<String, f64>,
}

impl Parser<'_> {
    fn sum(&mut self) -> Option<f64> {
        let mut value = self.product()?;
        while let Some(Token::Operator(operator @ ("+" | "-"))) = self.tokens.get(self.position) {
            self.position += 1;
            let right = self.product()?;
            value = if *operator == "+" { value + right } else { value - right };
        }
        Some(value)
    }

    fn product(&mut self) -> Option<f64> {
        let mut value = self.power()?;
        while let Some(Token::Operator(operator @ ("*" | "/" | "//"))) = self.tokens.get(self.position) {
            self.position += 1;
            let right = self.power()?;
            value = match *operator {
                "*" => value * right,
                "/" => value / right,
                _ => (value / right).floor(),
            };
        }
        Some(value)
    }

    fn power(&mut self) -> Option<f64> {
        let base = self.atom()?;
        if let Some(Token::Operator("**")) = self.tokens.get(self.position) {
            self.position += 1;
            let exponent = self.power()?;
            return Some(base.powf(exponent));
        }
        Some(base)
    }

    fn atom(&mut self) -> Option<f64> {
        let token = self.tokens.get(self.position)?.clone();
        self.position += 1;
        match token {
            Token::Number(value) => Some(value),
            Token::Name(name) => self.variables.get(&name).copied(),
            Token::Operator("-") => Some(-self.atom()?),
            Token::Open => {
                let value = self.sum()?;
                (self.tokens.get(self.position) == Some(&Token::Close)).then(|| self.position += 1)?;
                Some(value)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_with_variables() {
        let mut variables = CodeVariables::default();
        variables.read_assignment("target_batch = 512");
        variables.read_assignment("micro_batch = 64  # fits");
        assert_eq!(variables.evaluate("target_batch // micro_batch"), Some(8.0));
        assert_eq!(variables.evaluate("3e9 * 16 / 1e9"), Some(48.0));
        assert_eq!(variables.evaluate("2 ** 3 + (1 - 1)"), Some(8.0));
    }

    #[test]
    fn tuple_assignment_sets_each_name() {
        let mut variables = CodeVariables::default();
        variables.read_assignment("target_batch, micro_batch = 512, 64");
        assert_eq!(variables.evaluate("target_batch // micro_batch"), Some(8.0));
    }

    #[test]
    fn assigned_unit_names_count_as_one() {
        let mut variables = CodeVariables::default();
        variables.read_assignment("base_lr = 0.1");
        variables.read_assignment("k = 256 / 64");
        assert_eq!(variables.evaluate_with_unit_names("base_lr * k", |name| name.contains("lr")), Some(4.0));
    }

    fn split_by_regex(line: &str) -> Option<(&str, &str)> {
        let captures = ASSIGNMENT.captures(line)?;
        Some((captures.name("names").unwrap().as_str(), captures.name("expr").unwrap().as_str()))
    }

    #[test]
    fn split_assignment_matches_regex_on_examples() {
        for line in [
            "new_lr = old_lr * new_bs / old_bs",
            "accum_steps = target // micro  # 8",
            "target_batch, micro_batch = 512, 64",
            "lr: float = 4e-3",
            "lr : float  =  4e-3 ,  # comment",
            "x = #comment",
            "x =  =5",
            "x == 5",
            "x =",
            "x = ,",
            "x = , ",
            "x =  ,#",
            "a, = 1",
            "a ,b= 1,",
            "for step, batch in enumerate(loader):",
            "if (step + 1) % accum_steps == 0:",
            "  loss = model(batch) / accum_steps",
            "lr: = 3",
            "_ = 3",
            "9a = 3",
            "",
        ] {
            assert_eq!(split_assignment(line), split_by_regex(line), "for {line:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn split_assignment_matches_regex(line in "[ \t,:=#ab_1x.]{0,16}") {
            proptest::prop_assert_eq!(split_assignment(&line), split_by_regex(&line));
        }
    }

    #[test]
    fn unknown_names_do_not_evaluate() {
        assert_eq!(CodeVariables::default().evaluate("steps * 2"), None);
    }
}
