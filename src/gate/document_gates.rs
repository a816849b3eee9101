//! The gates that read the skill document's lint: `patterns-addressed`,
//! `concrete-examples`, `skill-length` and `rationalization-table`.

use super::examples::ExampleKind;
use super::lint::{PatternCoverage, SkillLint};
use super::model::{GateId, GateResult, format_percent};
use super::suite_gates::plural;
use crate::suite::GateThresholds;

/// `patterns-addressed`: at least the `min` fraction of the suite's failure patterns is addressed.
pub(crate) fn patterns_addressed(lint: &SkillLint, thresholds: &GateThresholds) -> GateResult {
    let id = GateId::PatternsAddressed;
    let total = lint.patterns.len();
    if total == 0 {
        return GateResult::not_evaluated(id, "the suite names no failure patterns");
    }

    let min = thresholds.patterns_addressed.min;
    let addressed = lint.addressed_count();
    let fraction = addressed as f64 / total as f64;
    let side = if fraction >= min { "at or above" } else { "below" };
    let mut detail = format!(
        "{addressed}/{total} patterns addressed ({}, {side} {})",
        format_percent(fraction),
        format_percent(min)
    );

    let missed: Vec<String> = lint.patterns.iter().filter(|pattern| !pattern.addressed).map(missed_terms).collect();
    if !missed.is_empty() {
        detail.push_str(&format!("; not addressed: {}", missed.join(", ")));
    }
    GateResult::verdict(id, fraction >= min, detail)
}

/// Names a pattern that is not addressed and the terms that found no match.
fn missed_terms(pattern: &PatternCoverage) -> String {
    let terms: Vec<String> =
        pattern.terms.iter().filter(|term| term.found.is_none()).map(|term| format!("`{}`", term.term)).collect();
    if terms.is_empty() {
        format!("{} (no terms)", pattern.id)
    } else {
        format!("{} (no match for {})", pattern.id, terms.join(" or "))
    }
}

/// `concrete-examples`: the document has at least `min` concrete examples.
pub(crate) fn concrete_examples(lint: &SkillLint, thresholds: &GateThresholds) -> GateResult {
    let min = thresholds.concrete_examples.min;
    let count = lint.example_count();
    let by_kind: Vec<String> = ExampleKind::ALL.iter().map(|kind| example_phrase(lint, *kind)).collect();
    let noun = plural(count, "concrete example", "concrete examples");
    let detail = format!("{count} {noun} ({}), at least {min} needed", by_kind.join(", "));
    GateResult::verdict(GateId::ConcreteExamples, count >= min as usize, detail)
}

/// Formats the count of one kind of example, e.g. `3 tables with numbers`.
fn example_phrase(lint: &SkillLint, kind: ExampleKind) -> String {
    let count = lint.examples_of(kind);
    format!("{count} {}", kind.noun(count))
}

/// `skill-length`: the document's line count lies in `min..=max`.
pub(crate) fn skill_length(lint: &SkillLint, thresholds: &GateThresholds) -> GateResult {
    let range = &thresholds.skill_length;
    let lines = lint.lines;
    let (min, max) = (range.min as usize, range.max as usize);
    let position = if lines < min {
        "below the range"
    } else if lines > max {
        "above the range"
    } else {
        "within the range"
    };
    let detail = format!("{lines} {}, {position} {min}–{max}", plural(lines, "line", "lines"));
    GateResult::verdict(GateId::SkillLength, (min..=max).contains(&lines), detail)
}

/// `rationalization-table`: the document has a rationalization table, unless the gates
/// file sets `required: false`.
pub(crate) fn rationalization_table(lint: &SkillLint, thresholds: &GateThresholds) -> GateResult {
    let id = GateId::RationalizationTable;
    if !thresholds.rationalization_table.required {
        return GateResult::not_evaluated(id, "the gates file sets `required: false`");
    }

    let tables = &lint.rationalization_tables;
    if tables.is_empty() {
        let detail = "no table whose header mentions rationalization, excuse or reality";
        return GateResult::verdict(id, false, detail);
    }
    let places: Vec<String> = tables.iter().map(|table| format!("line {} ({} rows)", table.line, table.rows)).collect();
    let noun = plural(tables.len(), "rationalization table", "rationalization tables");
    GateResult::verdict(id, true, format!("{} {noun}, at {}", tables.len(), places.join(" and ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::GateStatus;
    use crate::gate::examples::ConcreteExample;
    use crate::gate::lint::{TableLocation, TermFound, TermMatch};
    use crate::gate::test_support::thresholds;

    fn lint(lines: usize, examples: usize) -> SkillLint {
        let example = |line| ConcreteExample { kind: ExampleKind::CodeBlock, line };
        SkillLint {
            lines,
            examples: (1..=examples).map(example).collect(),
            patterns: Vec::new(),
            rationalization_tables: Vec::new(),
        }
    }

    fn coverage(id: &str, found: &[bool]) -> PatternCoverage {
        let terms = found
            .iter()
            .enumerate()
            .map(|(index, found)| TermMatch {
                term: format!("term{index}"),
                found: found.then(|| TermFound { line: 1, text: "x".to_string() }),
            })
            .collect();
        PatternCoverage { id: id.to_string(), name: id.to_string(), addressed: found.iter().all(|f| *f), terms }
    }

    #[test]
    fn skill_length_boundaries() {
        let gates = thresholds();
        assert_eq!(skill_length(&lint(1499, 0), &gates).status, GateStatus::Fails);
        assert_eq!(skill_length(&lint(1500, 0), &gates).status, GateStatus::Holds);
        assert_eq!(skill_length(&lint(2000, 0), &gates).status, GateStatus::Holds);
        assert_eq!(skill_length(&lint(2001, 0), &gates).status, GateStatus::Fails);
        assert_eq!(skill_length(&lint(695, 0), &gates).detail, "695 lines, below the range 1500–2000");
    }

    #[test]
    fn concrete_examples_boundary() {
        let gates = thresholds();
        let holds = concrete_examples(&lint(1, 10), &gates);
        assert_eq!(holds.status, GateStatus::Holds);
        assert_eq!(
            holds.detail,
            "10 concrete examples (10 code blocks with a number, 0 labelled examples, \
             0 wrong/right pairs, 0 tables with numbers), at least 10 needed"
        );
        assert_eq!(concrete_examples(&lint(1, 9), &gates).status, GateStatus::Fails);
    }

    #[test]
    fn patterns_addressed_boundary() {
        let mut gates = thresholds();
        let mut skill = lint(1, 0);
        skill.patterns = vec![coverage("a", &[true, true]), coverage("b", &[true, false])];

        let fails = patterns_addressed(&skill, &gates);
        assert_eq!(fails.status, GateStatus::Fails);
        assert_eq!(fails.detail, "1/2 patterns addressed (50%, below 100%); not addressed: b (no match for `term1`)");

        gates.patterns_addressed.min = 0.5;
        assert_eq!(patterns_addressed(&skill, &gates).status, GateStatus::Holds);
    }

    #[test]
    fn no_patterns_is_not_evaluated() {
        let result = patterns_addressed(&lint(1, 0), &thresholds());
        assert_eq!(result.status, GateStatus::NotEvaluated);
    }

    #[test]
    fn rationalization_table_found_or_not() {
        let mut gates = thresholds();
        let mut skill = lint(1, 0);
        assert_eq!(rationalization_table(&skill, &gates).status, GateStatus::Fails);

        skill.rationalization_tables = vec![TableLocation { line: 40, rows: 8 }];
        let holds = rationalization_table(&skill, &gates);
        assert_eq!(holds.status, GateStatus::Holds);
        assert_eq!(holds.detail, "1 rationalization table, at line 40 (8 rows)");

        gates.rationalization_table.required = false;
        assert_eq!(rationalization_table(&skill, &gates).status, GateStatus::NotEvaluated);
    }
}
