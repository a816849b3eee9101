//! `skilleval run` against the mock agent with injected faults: every unit ends answered
//! or errored, exactly once; transient faults are retried, permanent ones are not;
//! `Retry-After` is honoured; and too many errored units stop the run with exit code 3.

use std::collections::HashSet;
use std::time::Duration;

use crate::support::mock_agent::{Fault, FaultPlan, MockAgent, MockConfig};
use crate::support::run_support::{
    RunFolders, UNITS_PER_SAMPLE, count_status, exit_code, read_journal, read_results, run_skilleval, unit_key,
};

/// Builds an OpenAI entry for the mock with fast retries and a 1 s timeout.
fn openai_entry(mock: &MockAgent, concurrency: u32) -> String {
    format!(
        "kind: openai\nmodel: mock-model\nbase_url: {}\ntimeout_secs: 1\nconcurrency: {concurrency}\n\
         retry: {{max_attempts: 6, base_backoff_ms: 10, max_backoff_ms: 200, jitter: 0.5}}",
        mock.openai_url()
    )
}

#[test]
fn faulty_agent_every_unit_once() {
    let faults = FaultPlan {
        random: vec![
            (Fault::Status(500), 0.08),
            (Fault::Status(503), 0.08),
            (Fault::RateLimited { retry_after_secs: 0 }, 0.08),
            (Fault::Reset, 0.08),
            (Fault::Truncated, 0.08),
            (Fault::Stall(Duration::from_millis(1500)), 0.03),
            (Fault::MalformedJson, 0.03),
        ],
        seed: 7,
        ..FaultPlan::default()
    };
    let mock = MockAgent::start(MockConfig { latency: Duration::from_millis(5), faults });
    let folders = RunFolders::new(&openai_entry(&mock, 6));
    let output = run_skilleval(&folders.run_args(5, &folders.out()));
    let code = exit_code(&output);
    assert!(code == 0 || code == 1, "exit {code}: {}", String::from_utf8_lossy(&output.stderr));

    let results = read_results(&folders.out());
    let units = results["units"].as_array().unwrap();
    assert_eq!(units.len(), 5 * UNITS_PER_SAMPLE);
    let keys: HashSet<String> = units.iter().map(unit_key).collect();
    assert_eq!(keys.len(), units.len(), "no unit twice");
    let answered = count_status(&results, "answered");
    let errored = count_status(&results, "errored");
    assert_eq!(answered + errored, units.len(), "every unit answered or errored");
    assert_eq!(mock.answers(), answered as u64, "each complete answer the mock sent is one answered unit");
    for unit in units.iter().filter(|unit| unit["status"] == "errored") {
        assert!(unit["error"].as_str().is_some_and(|error| !error.is_empty()), "{unit}");
        assert_eq!(unit["passes"], serde_json::Value::Null, "an errored unit has no verdict");
    }

    let journal = read_journal(&folders.out());
    assert_eq!(journal.len(), units.len(), "one journal line per unit");
    let attempts: u64 = journal.iter().map(|line| line["attempts"].as_u64().unwrap()).sum();
    assert_eq!(attempts, mock.requests(), "every request the mock saw is an attempt in the journal");
    assert!(mock.faults().values().sum::<u64>() > 0, "faults were injected: {:?}", mock.faults());
    assert!(journal.iter().any(|line| line["attempts"].as_u64().unwrap() > 1), "some unit was retried");
}

#[test]
fn transient_faults_retried_to_answers() {
    let faults = FaultPlan {
        scripted: vec![Fault::Status(503), Fault::Reset, Fault::Truncated, Fault::Stall(Duration::from_millis(1500))],
        ..FaultPlan::default()
    };
    let mock = MockAgent::start(MockConfig { latency: Duration::ZERO, faults });
    let folders = RunFolders::new(&openai_entry(&mock, 1));
    let output = run_skilleval(&folders.run_args(1, &folders.out()));
    assert!(exit_code(&output) <= 1, "{}", String::from_utf8_lossy(&output.stderr));

    let results = read_results(&folders.out());
    assert_eq!(count_status(&results, "answered"), UNITS_PER_SAMPLE);
    let journal = read_journal(&folders.out());
    assert_eq!(journal[0]["attempts"], 5, "four transient faults, then the answer");
    assert_eq!(mock.requests(), UNITS_PER_SAMPLE as u64 + 4);
}

#[test]
fn permanent_errors_not_retried() {
    let faults = FaultPlan { scripted: vec![Fault::Status(400), Fault::MalformedJson], ..FaultPlan::default() };
    let mock = MockAgent::start(MockConfig { latency: Duration::ZERO, faults });
    let folders = RunFolders::new(&openai_entry(&mock, 1));
    let output = run_skilleval(&folders.run_args(1, &folders.out()));
    assert!(exit_code(&output) <= 1, "{}", String::from_utf8_lossy(&output.stderr));

    assert_eq!(mock.requests(), UNITS_PER_SAMPLE as u64, "no retry of a 400 or a malformed body");
    let journal = read_journal(&folders.out());
    let errored: Vec<&serde_json::Value> = journal.iter().filter(|line| line["status"] == "errored").collect();
    assert_eq!(errored.len(), 2);
    assert!(errored[0]["error"].as_str().unwrap().contains("HTTP 400"), "{}", errored[0]);
    assert!(errored[1]["error"].as_str().unwrap().contains("malformed"), "{}", errored[1]);
    assert!(errored.iter().all(|line| line["attempts"] == 1));
}

#[test]
fn retry_after_is_honoured() {
    let faults = FaultPlan { scripted: vec![Fault::RateLimited { retry_after_secs: 2 }], ..FaultPlan::default() };
    let mock = MockAgent::start(MockConfig { latency: Duration::ZERO, faults });
    let entry = format!(
        "kind: openai\nmodel: m\nbase_url: {}\nconcurrency: 1\nretry: {{base_backoff_ms: 10, max_backoff_ms: 5000}}",
        mock.openai_url()
    );
    let folders = RunFolders::new(&entry);
    let output = run_skilleval(&folders.run_args(1, &folders.out()));
    assert!(exit_code(&output) <= 1, "{}", String::from_utf8_lossy(&output.stderr));

    let arrivals = mock.arrivals();
    let wait = arrivals[1] - arrivals[0];
    assert!(wait >= Duration::from_secs(2), "the retry came after {wait:?}, before Retry-After: 2");
    assert!(wait < Duration::from_secs(4), "the retry waited {wait:?}, far past Retry-After: 2");
    assert_eq!(count_status(&read_results(&folders.out()), "answered"), UNITS_PER_SAMPLE);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("retrying"), "the retry is shown: {stderr}");
}

#[test]
fn retry_after_pauses_other_units() {
    // The 429 goes out at once and every answer takes 400 ms, so the runner learns of the
    // 429 long before request 1 is answered and the next request could be sent.
    let faults =
        FaultPlan { scripted: vec![Fault::RateLimited { retry_after_secs: 1 }], immediate: true, ..FaultPlan::default() };
    let mock = MockAgent::start(MockConfig { latency: Duration::from_millis(400), faults });
    let entry = format!(
        "kind: openai\nmodel: m\nbase_url: {}\nconcurrency: 2\nretry: {{base_backoff_ms: 10, max_backoff_ms: 5000}}",
        mock.openai_url()
    );
    let folders = RunFolders::new(&entry);
    let output = run_skilleval(&folders.run_args(1, &folders.out()));
    assert!(exit_code(&output) <= 1, "{}", String::from_utf8_lossy(&output.stderr));

    // Requests 0 and 1 arrive together and request 0 gets the 429 at once. Every
    // request after them is sent after the pause.
    let arrivals = mock.arrivals();
    let rate_limited_at = arrivals[0];
    for (index, arrival) in arrivals.iter().enumerate().skip(2) {
        let after = arrival.saturating_duration_since(rate_limited_at);
        assert!(after >= Duration::from_millis(950), "request {index} came {after:?} after the 429");
    }
}

#[test]
fn too_many_errored_stops_with_exit_3() {
    let faults = FaultPlan { random: vec![(Fault::Status(503), 1.0)], ..FaultPlan::default() };
    let mock = MockAgent::start(MockConfig { latency: Duration::ZERO, faults });
    let entry = format!(
        "kind: openai\nmodel: m\nbase_url: {}\nconcurrency: 2\nretry: {{max_attempts: 2, base_backoff_ms: 10, max_backoff_ms: 20}}",
        mock.openai_url()
    );
    let folders = RunFolders::new(&entry);
    let mut args = folders.run_args(5, &folders.out());
    args.extend(["--max-errored".to_string(), "3".to_string()]);
    let output = run_skilleval(&args);
    assert_eq!(exit_code(&output), 3, "{}", String::from_utf8_lossy(&output.stderr));

    let results = read_results(&folders.out());
    let errored = count_status(&results, "errored");
    assert!((4..=5).contains(&errored), "stops after the 4th errored unit, with at most one more in flight: {errored}");
    assert_eq!(results["units"].as_array().unwrap().len(), errored, "no unit answered");
    assert_eq!(read_journal(&folders.out()).len(), errored);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("were not run; finish them with --resume"), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("stopping: 4 units errored"));
}
