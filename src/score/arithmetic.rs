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
        let Some(captures) = ASSIGNMENT.captures(line) else { return };
        let names: Vec<&str> = captures["names"].split(',').map(str::trim).collect();
        let expressions: Vec<&str> = captures["expr"].split(',').map(str::trim).collect();
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

    #[test]
    fn unknown_names_do_not_evaluate() {
        assert_eq!(CodeVariables::default().evaluate("steps * 2"), None);
    }
}
