//! The response cache, dry runs and `--max-calls`: a repeated run costs no call, a dry
//! run counts the calls a run needs, and a run that needs too many does not start.

use std::time::Duration;

use crate::support::mock_agent::{MockAgent, MockConfig};
use crate::support::run_support::{RunFolders, UNITS_PER_SAMPLE, count_status, exit_code, read_results, run_skilleval};

fn mock_folders() -> (MockAgent, RunFolders) {
    let mock = MockAgent::start(MockConfig { latency: Duration::from_millis(1), ..MockConfig::default() });
    let entry = format!("kind: openai\nmodel: m\nbase_url: {}\nmax_tokens: 256", mock.openai_url());
    let folders = RunFolders::new(&entry);
    (mock, folders)
}

#[test]
fn second_run_answered_from_cache() {
    let (mock, folders) = mock_folders();
    assert!(exit_code(&run_skilleval(&folders.run_args(2, &folders.out()))) <= 1);
    assert_eq!(mock.requests(), 2 * UNITS_PER_SAMPLE as u64);

    let second_out = folders.root.path().join("second");
    let output = run_skilleval(&folders.run_args(2, &second_out));
    assert!(exit_code(&output) <= 1);
    assert_eq!(mock.requests(), 2 * UNITS_PER_SAMPLE as u64, "no call for a cached request");
    let first = read_results(&folders.out());
    let second = read_results(&second_out);
    assert_eq!(first["units"].as_array().unwrap().len(), second["units"].as_array().unwrap().len());
    for (before, after) in first["units"].as_array().unwrap().iter().zip(second["units"].as_array().unwrap()) {
        assert_eq!(before["response"], after["response"]);
        assert_eq!(before["passes"], after["passes"]);
    }
    let journal = std::fs::read_to_string(second_out.join("journal.jsonl")).unwrap();
    assert!(journal.lines().all(|line| line.contains("\"source\":\"cache\"")), "{journal}");
}

#[test]
fn no_cache_calls_again() {
    let (mock, folders) = mock_folders();
    assert!(exit_code(&run_skilleval(&folders.run_args(1, &folders.out()))) <= 1);
    let mut args = folders.run_args(1, &folders.out());
    args.push("--no-cache".to_string());
    assert!(exit_code(&run_skilleval(&args)) <= 1);
    assert_eq!(mock.requests(), 2 * UNITS_PER_SAMPLE as u64);
}

#[test]
fn more_samples_call_only_new_ones() {
    let (mock, folders) = mock_folders();
    assert!(exit_code(&run_skilleval(&folders.run_args(1, &folders.out()))) <= 1);
    assert!(exit_code(&run_skilleval(&folders.run_args(3, &folders.out()))) <= 1);
    assert_eq!(mock.requests(), 3 * UNITS_PER_SAMPLE as u64, "samples 0 came from the cache");
    assert_eq!(count_status(&read_results(&folders.out()), "answered"), 3 * UNITS_PER_SAMPLE);
}

#[test]
fn dry_run_counts_calls_and_sends_none() {
    let (mock, folders) = mock_folders();
    let mut args = folders.run_args(2, &folders.out());
    args.push("--dry-run".to_string());
    let output = run_skilleval(&args);
    assert_eq!(exit_code(&output), 0);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("24 units: 24 calls needed, 0 answered in the journal, 0 in the cache"), "{stdout}");
    assert!(stdout.contains("at most 6144 output tokens"), "24 calls of max_tokens 256: {stdout}");
    assert_eq!(mock.requests(), 0);
    assert!(!folders.out().exists(), "a dry run writes no run folder");
    assert!(!folders.cache().exists(), "a dry run writes no cache");

    assert!(exit_code(&run_skilleval(&folders.run_args(1, &folders.out()))) <= 1);
    let output = run_skilleval(&args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("24 units: 12 calls needed, 0 answered in the journal, 12 in the cache"), "{stdout}");
}

#[test]
fn max_calls_refuses_bigger_run() {
    let (mock, folders) = mock_folders();
    let mut args = folders.run_args(1, &folders.out());
    args.extend(["--max-calls".to_string(), "11".to_string()]);
    let output = run_skilleval(&args);
    assert_eq!(exit_code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the run needs 12 calls, more than --max-calls 11"), "{stderr}");
    assert_eq!(mock.requests(), 0);

    let mut args = folders.run_args(1, &folders.out());
    args.extend(["--max-calls".to_string(), "12".to_string()]);
    assert!(exit_code(&run_skilleval(&args)) <= 1);
    assert_eq!(mock.requests(), 12);
}

#[test]
fn dry_run_rejected_by_max_calls() {
    let (mock, folders) = mock_folders();
    let mut args = folders.run_args(1, &folders.out());
    args.extend(["--dry-run".to_string(), "--max-calls".to_string(), "11".to_string()]);
    let output = run_skilleval(&args);
    assert_eq!(exit_code(&output), 2);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("12 units: 12 calls needed"), "{stdout}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the run needs 12 calls, more than --max-calls 11"), "{stderr}");
    assert_eq!(mock.requests(), 0);
}
