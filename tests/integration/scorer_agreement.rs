//! The scorer against labelled answers: two reviewers labelled every check of every
//! answer; the scorer must agree on at least 95% of checks and of pass verdicts.

use skilleval::score::Scorer;
use skilleval::suite::load_builtin;

use crate::support::cli::read_jsonl;

/// Agreement counts and the disagreements behind them.
struct Agreement {
    checks_agreed: usize,
    checks_total: usize,
    answers_agreed: usize,
    answers_total: usize,
    disagreements: Vec<String>,
}

fn measure(fixture: &str) -> Agreement {
    let suite = load_builtin().unwrap();
    let scorer = Scorer::new(&suite).unwrap();
    let mut agreement =
        Agreement { checks_agreed: 0, checks_total: 0, answers_agreed: 0, answers_total: 0, disagreements: Vec::new() };

    for answer in read_jsonl(fixture) {
        let id = answer["id"].as_str().unwrap();
        let score = scorer.score(answer["scenario"].as_str().unwrap(), answer["response"].as_str().unwrap()).unwrap();
        let ambiguous: Vec<&str> = answer["ambiguous"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();

        agreement.answers_total += 1;
        if score.passes == answer["passes"].as_bool().unwrap() {
            agreement.answers_agreed += 1;
        } else {
            agreement.disagreements.push(format!("{id}: passes={} but labelled {}", score.passes, answer["passes"]));
        }
        for (check_id, label) in answer["labels"].as_object().unwrap() {
            if ambiguous.contains(&check_id.as_str()) {
                continue;
            }
            let outcome = score.check(check_id).unwrap_or_else(|| panic!("{id}: the rubric lacks check {check_id}"));
            agreement.checks_total += 1;
            if outcome.shown == label.as_bool().unwrap() {
                agreement.checks_agreed += 1;
            } else {
                agreement.disagreements.push(format!(
                    "{id} / {check_id}: shown={} but labelled {label}; evidence: {:?}",
                    outcome.shown, outcome.evidence
                ));
            }
        }
    }
    agreement
}

fn assert_agreement(fixture: &str) {
    let agreement = measure(fixture);
    let check_rate = agreement.checks_agreed as f64 / agreement.checks_total as f64;
    let answer_rate = agreement.answers_agreed as f64 / agreement.answers_total as f64;
    let report = format!(
        "{fixture}: checks {}/{} ({:.1}%), answers {}/{} ({:.1}%)\n{}",
        agreement.checks_agreed,
        agreement.checks_total,
        check_rate * 100.0,
        agreement.answers_agreed,
        agreement.answers_total,
        answer_rate * 100.0,
        agreement.disagreements.join("\n")
    );
    println!("{report}");
    assert!(check_rate >= 0.95, "check agreement below 95%:\n{report}");
    assert!(answer_rate >= 0.95, "answer agreement below 95%:\n{report}");
}

#[test]
fn agrees_with_corpus_labels() {
    assert_agreement("fixtures/labelled/answers.jsonl");
}

#[test]
fn agrees_with_probe_labels() {
    assert_agreement("fixtures/labelled/heldout.jsonl");
}

/// Renders the scorer's output on every answer of a fixture: verdict, each check's
/// outcome, and the start of its evidence.
fn scored_text(fixture: &str) -> String {
    let suite = load_builtin().unwrap();
    let scorer = Scorer::new(&suite).unwrap();
    let mut text = String::new();
    for answer in read_jsonl(fixture) {
        let score = scorer.score(answer["scenario"].as_str().unwrap(), answer["response"].as_str().unwrap()).unwrap();
        text.push_str(&format!("{} {}\n", answer["id"].as_str().unwrap(), if score.passes { "PASS" } else { "FAIL" }));
        for check in &score.checks {
            let evidence: String = check.evidence.as_deref().unwrap_or("-").chars().take(100).collect();
            text.push_str(&format!("  {} {}: {evidence}\n", if check.shown { "+" } else { "." }, check.id));
        }
    }
    text
}

#[test]
fn scorer_output_on_corpus_answers() {
    insta::assert_snapshot!(scored_text("fixtures/labelled/answers.jsonl"));
}

#[test]
fn scorer_output_on_probe_answers() {
    insta::assert_snapshot!(scored_text("fixtures/labelled/heldout.jsonl"));
}

#[test]
fn agrees_with_style_matched_labels() {
    assert_agreement("fixtures/labelled/unseen.jsonl");
}

#[test]
fn agrees_with_second_style_matched_set() {
    assert_agreement("fixtures/labelled/fresh.jsonl");
}

#[test]
fn agrees_with_blind_set() {
    assert_agreement("fixtures/labelled/blind.jsonl");
}

#[test]
fn agrees_with_second_blind_set() {
    assert_agreement("fixtures/labelled/blind-2.jsonl");
}

#[test]
fn agrees_with_third_blind_set() {
    assert_agreement("fixtures/labelled/blind-3.jsonl");
}

#[test]
fn agrees_with_fourth_blind_set() {
    assert_agreement("fixtures/labelled/blind-4.jsonl");
}

#[test]
fn agrees_with_fifth_blind_set() {
    assert_agreement("fixtures/labelled/blind-5.jsonl");
}

#[test]
fn agrees_with_sixth_blind_set() {
    assert_agreement("fixtures/labelled/blind-6.jsonl");
}

#[test]
fn agrees_with_seventh_blind_set() {
    assert_agreement("fixtures/labelled/blind-7.jsonl");
}

#[test]
fn agrees_with_eighth_blind_set() {
    assert_agreement("fixtures/labelled/blind-8.jsonl");
}

#[test]
fn agrees_with_ninth_blind_set() {
    assert_agreement("fixtures/labelled/blind-9.jsonl");
}

#[test]
fn agrees_with_tenth_blind_set() {
    assert_agreement("fixtures/labelled/blind-10.jsonl");
}

#[test]
fn agrees_with_eleventh_blind_set() {
    assert_agreement("fixtures/labelled/blind-11.jsonl");
}

#[test]
fn agrees_with_twelfth_blind_set() {
    assert_agreement("fixtures/labelled/blind-12.jsonl");
}

#[test]
fn agrees_with_thirteenth_blind_set() {
    assert_agreement("fixtures/labelled/blind-13.jsonl");
}

#[test]
fn agrees_with_fourteenth_blind_set() {
    assert_agreement("fixtures/labelled/blind-14.jsonl");
}

#[test]
fn agrees_with_fifteenth_blind_set() {
    assert_agreement("fixtures/labelled/blind-15.jsonl");
}

#[test]
fn agrees_with_sixteenth_blind_set() {
    assert_agreement("fixtures/labelled/blind-16.jsonl");
}

#[test]
fn agrees_with_seventeenth_blind_set() {
    assert_agreement("fixtures/labelled/blind-17.jsonl");
}

#[test]
fn agrees_with_eighteenth_blind_set() {
    assert_agreement("fixtures/labelled/blind-18.jsonl");
}

#[test]
fn agrees_with_nineteenth_blind_set() {
    assert_agreement("fixtures/labelled/blind-19.jsonl");
}

#[test]
fn agrees_with_twentieth_blind_set() {
    assert_agreement("fixtures/labelled/blind-20.jsonl");
}

#[test]
fn agrees_with_twenty_first_blind_set() {
    assert_agreement("fixtures/labelled/blind-21.jsonl");
}

#[test]
fn agrees_with_twenty_second_blind_set() {
    assert_agreement("fixtures/labelled/blind-22.jsonl");
}

#[test]
fn agrees_with_twenty_third_blind_set() {
    assert_agreement("fixtures/labelled/blind-23.jsonl");
}

#[test]
fn agrees_with_twenty_fourth_blind_set() {
    assert_agreement("fixtures/labelled/blind-24.jsonl");
}

#[test]
fn agrees_with_twenty_fifth_blind_set() {
    assert_agreement("fixtures/labelled/blind-25.jsonl");
}

#[test]
fn agrees_with_twenty_sixth_blind_set() {
    assert_agreement("fixtures/labelled/blind-26.jsonl");
}

#[test]
fn agrees_with_twenty_seventh_blind_set() {
    assert_agreement("fixtures/labelled/blind-27.jsonl");
}

#[test]
fn agrees_with_twenty_eighth_blind_set() {
    assert_agreement("fixtures/labelled/blind-28.jsonl");
}

#[test]
fn agrees_with_twenty_ninth_blind_set() {
    assert_agreement("fixtures/labelled/blind-29.jsonl");
}

#[test]
fn agrees_with_thirtieth_blind_set() {
    assert_agreement("fixtures/labelled/blind-30.jsonl");
}

#[test]
fn agrees_with_thirty_first_blind_set() {
    assert_agreement("fixtures/labelled/blind-31.jsonl");
}

#[test]
fn agrees_with_thirty_second_blind_set() {
    assert_agreement("fixtures/labelled/blind-32.jsonl");
}

#[test]
fn agrees_with_thirty_third_blind_set() {
    assert_agreement("fixtures/labelled/blind-33.jsonl");
}

#[test]
fn agrees_with_thirty_fourth_blind_set() {
    assert_agreement("fixtures/labelled/blind-34.jsonl");
}
