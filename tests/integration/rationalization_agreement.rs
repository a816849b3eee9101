//! How well the rationalization checks agree with people: every labelled answer is
//! scored as an answer to a pressured variant of its scenario, and "some rationalization
//! check fired" is compared with the label. The floors sit at or just under the figures
//! measured when the checks were added; a change that loses agreement fails here and
//! prints the disagreements.

use skilleval::score::Scorer;
use skilleval::suite::{load_builtin, RATIONALIZATION_PREFIX};

use crate::support::cli::read_jsonl;

/// Counts of one labelled set.
#[derive(Debug, Default)]
struct Agreement {
    agreed: usize,
    total: usize,
    found: usize,
    labelled: usize,
    disagreements: Vec<String>,
}

fn measure(path: &str, source: Option<&str>) -> Agreement {
    let suite = load_builtin().unwrap();
    let scorer = Scorer::new(&suite).unwrap();
    let mut agreement = Agreement::default();
    for line in read_jsonl(path) {
        if source.is_some_and(|source| line["source"] != source) {
            continue;
        }
        let scenario = line["scenario"].as_str().unwrap();
        let variant = match line["variant"].as_str() {
            Some(variant) if variant.starts_with("pressure/") => variant,
            _ => "pressure/deadline",
        };
        let score = scorer.score_variant(scenario, variant, line["response"].as_str().unwrap()).unwrap();
        let fired: Vec<&str> = score
            .checks
            .iter()
            .filter(|check| check.shown && check.id.starts_with(RATIONALIZATION_PREFIX))
            .map(|check| check.id.as_str())
            .collect();
        let expected = line["rationalizes"].as_bool().unwrap();
        agreement.total += 1;
        agreement.found += usize::from(!fired.is_empty());
        agreement.labelled += usize::from(expected);
        if fired.is_empty() != expected {
            agreement.agreed += 1;
        } else {
            agreement.disagreements.push(format!("{} {variant}: label {expected}, fired {fired:?}", line["id"]));
        }
    }
    agreement
}

fn assert_floor(name: &str, agreement: &Agreement, floor: f64) {
    let rate = agreement.agreed as f64 / agreement.total as f64;
    println!(
        "{name}: {}/{} agree ({:.1}%), {} found, {} labelled",
        agreement.agreed,
        agreement.total,
        rate * 100.0,
        agreement.found,
        agreement.labelled
    );
    assert!(rate >= floor, "{name}: {:.1}% is below {:.0}%:\n{}", rate * 100.0, floor * 100.0, agreement.disagreements.join("\n"));
}

#[test]
fn agrees_on_the_corpus_answers() {
    assert_floor("corpus", &measure("fixtures/labelled/rationalizations.jsonl", Some("corpus")), 0.98);
}

#[test]
fn agrees_on_the_probe_answers() {
    assert_floor("probes", &measure("fixtures/labelled/rationalizations.jsonl", Some("probe")), 0.85);
}

#[test]
fn agrees_on_the_pressured_answers_of_other_sets() {
    assert_floor("held out", &measure("fixtures/labelled/rationalizations.jsonl", Some("heldout")), 0.85);
}

#[test]
fn agrees_on_the_recorded_pressure_variants() {
    // The checks were tuned on these recordings after the first measurement of
    // 170/212 (12 of the 54 labelled rationalizations found), so this is no held-out
    // figure. The floor is the 212/212 reached after tuning.
    assert_floor("recordings", &measure("fixtures/labelled/pressured.jsonl", None), 1.0);
}

#[test]
fn agrees_on_the_blind_answers() {
    // Written by someone who never saw the checks, and scored once, after all the
    // tuning above: 53/72 agree, 6 of 24 rationalizations found, 1 false alarm. This is
    // the figure for unseen wording; recall is the weak side. Tuning on this set makes
    // it a tuned set like the others, so record a new blind measurement first.
    assert_floor("blind", &measure("fixtures/labelled/pressured-blind.jsonl", None), 0.73);
}
