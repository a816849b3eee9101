//! The skill lint and the document gates on fixture skills: the weak skill in
//! `fixtures/skills/weak`, and a skill generated here that passes every document gate
//! (1,500 lines are too many to commit as a fixture).

use skilleval::cli::lint::{LintArgs, LintFormat, run};
use skilleval::gate::{ExampleKind, GateId, GateInputs, GateResult, GateStatus, evaluate, lint_skill};
use skilleval::suite::Suite;

use crate::report_fixture::{mini_suite, weak_skill};

/// Builds a skill of exactly `lines` lines with `code_blocks` numeric code blocks, every
/// term of the mini suite's patterns and one rationalization table.
fn generated_skill(lines: usize, code_blocks: usize) -> String {
    let mut text = vec![
        "# Generated skill".to_string(),
        "Use linear scaling with a warmup.".to_string(),
        "Gradient accumulation: choose the accumulation steps from the target batch.".to_string(),
        "| Excuse | Reality |".to_string(),
        "|---|---|".to_string(),
        "| \"just this once\" | the rule still applies |".to_string(),
        String::new(),
    ];
    for block in 0..code_blocks {
        text.extend(["```".to_string(), format!("batch = {}", 32 * (block + 1)), "```".to_string()]);
    }
    while text.len() < lines {
        text.push(format!("Filler line {}.", text.len() + 1));
    }
    text.join("\n")
}

/// Evaluates the document gates of a skill text against the mini suite.
fn document_gates(suite: &Suite, skill_text: &str) -> Vec<GateResult> {
    let lint = lint_skill(skill_text, suite);
    let inputs = GateInputs { suite, summaries: &[], variant_summaries: &[], rationalizations: &[], lint: Some(&lint), up_to_phase: None };
    evaluate(&inputs).into_iter().filter(|gate| gate.id.reads_skill_document()).collect()
}

/// Returns the status of one gate.
fn status_of(gates: &[GateResult], id: GateId) -> GateStatus {
    gates.iter().find(|gate| gate.id == id).map(|gate| gate.status).expect("the gate was evaluated")
}

#[test]
fn weak_skill_figures() {
    let lint = lint_skill(&weak_skill().text, &mini_suite());
    assert_eq!(lint.lines, 35);
    assert_eq!(lint.examples_of(ExampleKind::LabelledExample), 1);
    assert_eq!(lint.examples_of(ExampleKind::CodeBlock), 0, "the labelled example owns its code block");
    assert_eq!(lint.examples_of(ExampleKind::NumericTable), 1);
    assert_eq!(lint.examples_of(ExampleKind::ContrastPair), 0, "a heading separates the ❌ and ✅ lines");
    assert_eq!(lint.addressed_count(), 0);
    assert!(!lint.has_rationalization_table());
}

#[test]
fn weak_skill_fails_every_document_gate() {
    let gates = document_gates(&mini_suite(), &weak_skill().text);
    assert_eq!(gates.len(), 4);
    for gate in &gates {
        assert_eq!(gate.status, GateStatus::Fails, "{}: {}", gate.id.as_str(), gate.detail);
    }
}

#[test]
fn weak_skill_lint_text() {
    let args = LintArgs { path: "fixtures/skills/weak/SKILL.md".into(), suite: None, format: LintFormat::Text };
    let mut out = Vec::new();
    run(&args, &mini_suite(), &mut out).expect("the lint runs");
    insta::assert_snapshot!("weak_skill_lint", String::from_utf8(out).expect("UTF-8"));
}

#[test]
fn generated_skill_passes_every_document_gate() {
    let suite = mini_suite();
    for lines in [1500, 2000] {
        let gates = document_gates(&suite, &generated_skill(lines, 10));
        for gate in &gates {
            assert_eq!(gate.status, GateStatus::Holds, "{lines} lines, {}: {}", gate.id.as_str(), gate.detail);
        }
    }
}

#[test]
fn skill_length_just_outside_range_fails() {
    let suite = mini_suite();
    for lines in [1499, 2001] {
        let gates = document_gates(&suite, &generated_skill(lines, 10));
        assert_eq!(status_of(&gates, GateId::SkillLength), GateStatus::Fails, "{lines} lines");
    }
}

#[test]
fn nine_examples_are_too_few() {
    let gates = document_gates(&mini_suite(), &generated_skill(1600, 9));
    assert_eq!(status_of(&gates, GateId::ConcreteExamples), GateStatus::Fails);
}
