//! Placeholders in scenario text: `{name}` stands for the scenario parameter `name`.
//!
//! Substitution is deliberately minimal. A placeholder is an opening brace, a name of
//! lowercase letters, digits and underscores that starts with a letter, and a closing
//! brace, with no second brace on either side. Everything else is literal: `{{`, `{%`,
//! `{ name }`, `$name`, and `{{name}}`, which is how a text writes a literal `{name}`.
//! Regex repetitions such as `{0,40}` are not names, so rubric phrases can use
//! placeholders too.

use super::model::{ParamValue, Parameters};

/// One `{name}` in a text: the name and its byte range, braces included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholder<'a> {
    pub name: &'a str,
    pub start: usize,
    pub end: usize,
}

/// Finds every placeholder in `text`, in order.
pub fn placeholders(text: &str) -> Vec<Placeholder<'_>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] != b'{' {
            index += 1;
            continue;
        }
        let name_start = index + 1;
        let name_len = bytes[name_start..]
            .iter()
            .take_while(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || **byte == b'_')
            .count();
        let name_end = name_start + name_len;
        let starts_with_letter = bytes.get(name_start).is_some_and(u8::is_ascii_lowercase);
        let doubled = (index > 0 && bytes[index - 1] == b'{') || bytes.get(name_end + 1) == Some(&b'}');
        if starts_with_letter && bytes.get(name_end) == Some(&b'}') && !doubled {
            found.push(Placeholder { name: &text[name_start..name_end], start: index, end: name_end + 1 });
            index = name_end + 1;
        } else {
            index += 1;
        }
    }
    found
}

/// Returns the first placeholder of `text` that `parameters` does not declare.
pub fn first_unknown<'a>(text: &'a str, parameters: &Parameters) -> Option<&'a str> {
    placeholders(text).into_iter().map(|placeholder| placeholder.name).find(|name| !parameters.contains_key(*name))
}

/// Replaces every placeholder with its parameter's value, each value passed through
/// `escape` (identity for prose, `regex::escape` for rubric phrases). Placeholders that
/// `parameters` does not declare stay as written; loading rejects them before this.
pub fn render(text: &str, parameters: &Parameters, escape: impl Fn(&str) -> String) -> String {
    let mut rendered = String::with_capacity(text.len());
    let mut copied_up_to = 0;
    for placeholder in placeholders(text) {
        if let Some(value) = parameters.get(placeholder.name) {
            rendered.push_str(&text[copied_up_to..placeholder.start]);
            rendered.push_str(&escape(&display_value(value)));
            copied_up_to = placeholder.end;
        }
    }
    rendered.push_str(&text[copied_up_to..]);
    rendered
}

/// Shows a parameter as a person writes it: whole numbers without a decimal point.
pub fn display_value(value: &ParamValue) -> String {
    match value {
        ParamValue::Number(number) if number.fract() == 0.0 && number.abs() < 1e15 => format!("{}", *number as i64),
        ParamValue::Number(number) => number.to_string(),
        ParamValue::Text(text) => text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameters() -> Parameters {
        [
            ("old_batch".to_string(), ParamValue::Number(64.0)),
            ("new_batch".to_string(), ParamValue::Number(256.0)),
            ("model".to_string(), ParamValue::Text("bert-base".to_string())),
        ]
        .into()
    }

    fn prose(text: &str) -> String {
        render(text, &parameters(), str::to_string)
    }

    #[test]
    fn declared_placeholders_are_replaced() {
        assert_eq!(prose("from {old_batch} to {new_batch} on {model}"), "from 64 to 256 on bert-base");
    }

    #[test]
    fn everything_else_is_literal() {
        for literal in ["{{old_batch}", "{old_batch}}", "{{old_batch}}", "{% if x %}", "$old_batch", "{ old_batch }", "{Old_batch}", "{0,40}", "{_x}", "{"] {
            assert!(placeholders(literal).is_empty(), "{literal}");
        }
        assert_eq!(prose("{{old_batch}} stays, {old_batch} goes"), "{{old_batch}} stays, 64 goes");
        assert_eq!(prose("${old_batch}"), "$64");
        assert_eq!(prose("cost in $ per {"), "cost in $ per {");
        assert_eq!(prose("[^.]{0,40}{new_batch}"), "[^.]{0,40}256");
    }

    #[test]
    fn unknown_placeholder_is_found() {
        assert_eq!(first_unknown("from {old_batch} to {new_bacth}", &parameters()), Some("new_bacth"));
        assert_eq!(first_unknown("from {old_batch} to {new_batch}", &parameters()), None);
    }

    #[test]
    fn values_are_escaped_for_regexes() {
        let parameters: Parameters = [("ratio".to_string(), ParamValue::Number(0.5))].into();
        assert_eq!(render("by {ratio}x", &parameters, |value| regex::escape(value)), "by 0\\.5x");
    }

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(display_value(&ParamValue::Number(512.0)), "512");
        assert_eq!(display_value(&ParamValue::Number(0.1)), "0.1");
        assert_eq!(display_value(&ParamValue::Text("3B".to_string())), "3B");
    }
}
