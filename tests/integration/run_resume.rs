//! Killing `skilleval run` with SIGKILL in mid-run and finishing it with `--resume`:
//! no finished unit is called again, and the results equal those of a run that was
//! never interrupted.

use std::time::{Duration, Instant};

use crate::support::mock_agent::{MockAgent, MockConfig};
use crate::support::run_support::{
    RunFolders, UNITS_PER_SAMPLE, exit_code, read_journal, read_results, run_skilleval, spawn_skilleval, unit_key,
};

const SAMPLES: u32 = 5;
const CONCURRENCY: u64 = 4;

/// Returns each unit's key, status, response and verdict, in report order.
fn verdicts(results: &serde_json::Value) -> Vec<(String, String, String, String)> {
    let units = results["units"].as_array().unwrap();
    units
        .iter()
        .map(|unit| {
            let response = unit["response"].as_str().unwrap_or_default().to_string();
            (unit_key(unit), unit["status"].to_string(), response, unit["passes"].to_string())
        })
        .collect()
}

#[test]
fn kill_then_resume_calls_nothing_twice() {
    let mock = MockAgent::start(MockConfig { latency: Duration::from_millis(100), ..MockConfig::default() });
    let entry = format!("kind: openai\nmodel: m\nbase_url: {}\nconcurrency: {CONCURRENCY}", mock.openai_url());
    let folders = RunFolders::new(&entry);
    let mut args = folders.run_args(SAMPLES, &folders.out());
    args.push("--no-cache".to_string());
    let total = SAMPLES as u64 * UNITS_PER_SAMPLE as u64;

    let mut child = spawn_skilleval(&args);
    let deadline = Instant::now() + Duration::from_secs(30);
    let journal_path = folders.out().join("journal.jsonl");
    let journal_lines = || std::fs::read_to_string(&journal_path).map_or(0, |text| text.lines().count());
    // The reports are written on a thread of their own, which on a loaded machine can
    // lag the journal, so the kill also waits for the first report.
    let report_written = || folders.out().join("results.json").exists();
    while (journal_lines() < 20 || !report_written()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().expect("SIGKILL reaches the run");
    child.wait().unwrap();
    let calls_before = mock.requests();
    let journaled = read_journal(&folders.out()).len() as u64;
    assert!(journaled >= 15, "killed after units finished: {journaled} journaled");
    assert!(journaled < total, "killed before the run ended: {journaled} of {total} journaled");
    assert!(calls_before - journaled <= CONCURRENCY, "{calls_before} calls, {journaled} journaled");
    let partial = read_results(&folders.out());
    assert!(partial["units"].as_array().unwrap().len() as u64 <= journaled, "the report was rewritten as units finished");

    let mut resume_args = args.clone();
    let out_position = resume_args.iter().position(|arg| arg == "--out").unwrap();
    resume_args[out_position] = "--resume".to_string();
    let output = run_skilleval(&resume_args);
    assert!(exit_code(&output) <= 1, "{}", String::from_utf8_lossy(&output.stderr));
    let calls_after = mock.requests() - calls_before;
    assert_eq!(calls_after, total - journaled, "the resumed run calls only the units missing from the journal");

    let resumed = read_results(&folders.out());
    assert_eq!(resumed["units"].as_array().unwrap().len() as u64, total);
    assert_eq!(read_journal(&folders.out()).len() as u64, total, "one line per unit, none twice");

    let reference_out = folders.root.path().join("reference");
    let mut reference_args = folders.run_args(SAMPLES, &reference_out);
    reference_args.push("--no-cache".to_string());
    assert!(exit_code(&run_skilleval(&reference_args)) <= 1);
    assert_eq!(verdicts(&resumed), verdicts(&read_results(&reference_out)), "same results as an uninterrupted run");
}

#[test]
fn interrupt_keeps_every_paid_call() {
    let mock = MockAgent::start(MockConfig { latency: Duration::from_millis(400), ..MockConfig::default() });
    let entry = format!("kind: openai\nmodel: m\nbase_url: {}\nconcurrency: {CONCURRENCY}", mock.openai_url());
    let folders = RunFolders::new(&entry);
    let mut args = folders.run_args(SAMPLES, &folders.out());
    args.push("--no-cache".to_string());

    let child = spawn_skilleval(&args);
    let deadline = Instant::now() + Duration::from_secs(30);
    while mock.requests() < 2 * CONCURRENCY && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: kill sends a signal to our own child, which has not been waited for yet.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0, "SIGINT sent");
    let output = child.wait_with_output().unwrap();

    assert_eq!(exit_code(&output), 130, "{}", String::from_utf8_lossy(&output.stderr));
    let journaled = read_journal(&folders.out()).len() as u64;
    assert_eq!(journaled, mock.requests(), "every request sent before the interrupt was answered and journaled");
    assert!(journaled < SAMPLES as u64 * UNITS_PER_SAMPLE as u64, "the run stopped early");
    let results = read_results(&folders.out());
    assert_eq!(results["units"].as_array().unwrap().len() as u64, journaled, "the final report has every finished unit");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("finish them with --resume"), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("interrupted"));
}

#[test]
fn resume_with_other_flags_rejected() {
    let mock = MockAgent::start(MockConfig::default());
    let entry = format!("kind: openai\nmodel: m\nbase_url: {}", mock.openai_url());
    let folders = RunFolders::new(&entry);
    assert!(exit_code(&run_skilleval(&folders.run_args(1, &folders.out()))) <= 1);
    let calls = mock.requests();

    let mut args = folders.run_args(1, &folders.out());
    let out_position = args.iter().position(|arg| arg == "--out").unwrap();
    args[out_position] = "--resume".to_string();
    args.extend(["--system-prompt".to_string(), "Another prompt.".to_string()]);
    let output = run_skilleval(&args);
    assert_eq!(exit_code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot resume"), "{stderr}");
    assert_eq!(mock.requests(), calls, "nothing was sent");
}
