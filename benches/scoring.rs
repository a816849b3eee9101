//! Scoring throughput: answers scored per second on one thread, over every labelled
//! fixture answer, repeated until a time budget is spent. Run with
//! `cargo bench --bench scoring`; the goal is at least 50,000 answers per second.
//! With `SCORING_ROUNDS=N` it scores exactly N rounds instead, for instruction counts
//! under `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*score_all*'`,
//! which do not depend on the machine's load: the count divided by N × 96 is the
//! instructions per answer.

use std::time::{Duration, Instant};

use skilleval::score::Scorer;
use skilleval::suite::load_builtin;

/// Time spent scoring, after one warm-up pass.
const BUDGET: Duration = Duration::from_secs(5);

fn main() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/labelled/answers.jsonl");
    let text = std::fs::read_to_string(fixture).expect("fixture answers exist");
    let answers: Vec<(String, String)> = text
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).expect("valid JSON line");
            (value["scenario"].as_str().unwrap().to_string(), value["response"].as_str().unwrap().to_string())
        })
        .collect();

    let suite = load_builtin().expect("built-in suite loads");
    let scorer = Scorer::new(&suite).expect("planner computes every numeric check");
    let mut passed = warm_up(&scorer, &answers);

    let rounds: Option<usize> = std::env::var("SCORING_ROUNDS").ok().and_then(|value| value.parse().ok());
    let started = Instant::now();
    let mut scored = 0usize;
    while rounds.map_or(started.elapsed() < BUDGET, |rounds| scored < rounds * answers.len()) {
        passed += score_all(&scorer, &answers);
        scored += answers.len();
    }
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "scored {scored} answers ({} distinct, mean {} bytes) in {seconds:.2} s: {:.0} answers/s on one thread ({passed} passes)",
        answers.len(),
        answers.iter().map(|(_, response)| response.len()).sum::<usize>() / answers.len(),
        scored as f64 / seconds
    );
}

/// Scores every answer once so that the rubric regexes are compiled before the measured
/// rounds. As a separate function it stays out of the `--toggle-collect='*score_all*'`
/// count. It scores in reverse order because identical functions may be merged by the
/// compiler or linker, which would put it back under the toggle.
#[inline(never)]
fn warm_up(scorer: &Scorer, answers: &[(String, String)]) -> usize {
    answers.iter().rev().filter(|(scenario, response)| scorer.score(scenario, response).unwrap().passes).count()
}

#[inline(never)]
fn score_all(scorer: &Scorer, answers: &[(String, String)]) -> usize {
    answers.iter().filter(|(scenario, response)| scorer.score(scenario, response).unwrap().passes).count()
}
