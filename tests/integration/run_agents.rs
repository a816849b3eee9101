//! Picking the agent of `skilleval run`: agents-file entries of each HTTP wire format,
//! plain and streamed; errors for unknown ids and misplaced flags; the built-in agents;
//! `--record`; and API keys, which never reach a file or the output.

use std::time::Duration;

use crate::support::mock_agent::{MockAgent, MockConfig};
use crate::support::run_support::{
    RunFolders, UNITS_PER_SAMPLE, count_status, exit_code, read_results, run_skilleval, skilleval_command,
};

fn answered_run(entry: String, mock: &MockAgent) {
    let folders = RunFolders::new(&entry);
    let output = run_skilleval(&folders.run_args(1, &folders.out()));
    assert!(exit_code(&output) <= 1, "{}", String::from_utf8_lossy(&output.stderr));
    let results = read_results(&folders.out());
    assert_eq!(count_status(&results, "answered"), UNITS_PER_SAMPLE, "{results}");
    assert_eq!(mock.requests(), UNITS_PER_SAMPLE as u64);
    let usage = &results["units"][0]["usage"];
    assert!(usage["input_tokens"].as_u64().unwrap() > 0, "usage is recorded per unit: {usage}");
}

#[test]
fn openai_and_anthropic_entries_answer() {
    for stream in [false, true] {
        let mock = MockAgent::start(MockConfig::default());
        answered_run(format!("kind: openai\nmodel: m\nbase_url: {}\nstream: {stream}", mock.openai_url()), &mock);
        let mock = MockAgent::start(MockConfig::default());
        answered_run(format!("kind: anthropic\nmodel: m\nbase_url: {}\nstream: {stream}", mock.anthropic_url()), &mock);
    }
}

#[test]
fn with_skill_arm_gets_skill_answers() {
    let mock = MockAgent::start(MockConfig::default());
    let folders = RunFolders::new(&format!("kind: openai\nmodel: m\nbase_url: {}", mock.openai_url()));
    let mut args = folders.run_args(1, &folders.out());
    let skill = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/skills/weak");
    args.extend(["--skill".to_string(), skill.to_string()]);
    assert!(exit_code(&run_skilleval(&args)) <= 1);
    let results = read_results(&folders.out());
    let recorded = crate::support::cli::read_jsonl("fixtures/replay/default.jsonl");
    let expected = recorded.iter().find(|line| line["arm"] == "with-skill" && line["sample"] == 0).unwrap();
    let unit = results["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|unit| unit["scenario"] == expected["scenario"] && unit["arm"] == "with-skill")
        .unwrap();
    assert_eq!(unit["response"], expected["response"]);
}

#[test]
fn unknown_agent_id_rejected() {
    let folders = RunFolders::new("kind: openai\nmodel: m\nbase_url: http://127.0.0.1:9/v1");
    let mut args = folders.run_args(1, &folders.out());
    let position = args.iter().position(|arg| arg == "mock").unwrap();
    args[position] = "missing".to_string();
    let output = run_skilleval(&args);
    assert_eq!(exit_code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("agent \"missing\" is not in"), "{stderr}");
    assert!(stderr.contains("it lists mock"), "{stderr}");
}

#[test]
fn provider_flag_with_entry_rejected() {
    let folders = RunFolders::new("kind: openai\nmodel: m\nbase_url: http://127.0.0.1:9/v1");
    let mut args = folders.run_args(1, &folders.out());
    args.extend(["--model".to_string(), "other".to_string()]);
    let output = run_skilleval(&args);
    assert_eq!(exit_code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("--model does not apply to agent \"mock\""));
}

#[test]
fn live_run_without_skill_asks_baseline_only() {
    let mock = MockAgent::start(MockConfig::default());
    let folders = RunFolders::new("kind: openai\nmodel: unused");
    let out = folders.out().display().to_string();
    let cache = folders.cache().display().to_string();
    let args: Vec<String> = [
        "run", "--agent", "openai", "--model", "m", "--base-url", &mock.openai_url(), "--max-tokens", "64",
        "--samples", "1", "--out", &out, "--cache-dir", &cache,
    ]
    .iter()
    .map(|arg| arg.to_string())
    .collect();
    let output = run_skilleval(&args);
    assert!(exit_code(&output) <= 1, "{}", String::from_utf8_lossy(&output.stderr));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no --skill given, so only the without-skill arm is asked"), "{stderr}");
    let results = read_results(&folders.out());
    assert_eq!(count_status(&results, "answered"), UNITS_PER_SAMPLE / 2);
    assert_eq!(mock.requests(), UNITS_PER_SAMPLE as u64 / 2);
    let units = results["units"].as_array().unwrap();
    assert!(units.iter().all(|unit| unit["arm"] == "without-skill"), "{units:?}");
    let gates = results["gates"].as_array().unwrap();
    let skill_passes = gates.iter().find(|gate| gate["id"] == "skill-passes").unwrap();
    assert_eq!(skill_passes["status"], "not-evaluated", "{skill_passes}");
}

#[test]
fn with_skill_arm_needs_skill() {
    let mock = MockAgent::start(MockConfig::default());
    let folders = RunFolders::new("kind: openai\nmodel: unused");
    let out = folders.out().display().to_string();
    let args: Vec<String> = ["run", "--agent", "openai", "--model", "m", "--base-url", &mock.openai_url(), "--arms", "with-skill", "--out", &out]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
    let output = run_skilleval(&args);
    assert_eq!(exit_code(&output), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--arms with-skill needs --skill"), "{stderr}");
    assert_eq!(mock.requests(), 0);
}

#[test]
fn replay_asks_chosen_arm_only() {
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("out").display().to_string();
    let args: Vec<String> = ["run", "--arms", "with-skill", "--out", &out].iter().map(|arg| arg.to_string()).collect();
    let output = run_skilleval(&args);
    assert!(exit_code(&output) <= 1, "{}", String::from_utf8_lossy(&output.stderr));
    let results = read_results(&folder.path().join("out"));
    let units = results["units"].as_array().unwrap();
    assert_eq!(units.len(), 30, "five recorded samples of six scenarios");
    assert!(units.iter().all(|unit| unit["arm"] == "with-skill"));
    assert_eq!(results["run"]["planned_units"], 30, "a complete run of one arm");
    assert_eq!(results["run"]["arms"], serde_json::json!(["with-skill"]));
}

#[test]
fn record_then_replay_same_results() {
    let mock = MockAgent::start(MockConfig { latency: Duration::from_millis(1), ..MockConfig::default() });
    let folders = RunFolders::new(&format!("kind: openai\nmodel: m\nbase_url: {}", mock.openai_url()));
    let recording = folders.root.path().join("recorded.jsonl");
    let mut args = folders.run_args(2, &folders.out());
    args.extend(["--record".to_string(), recording.display().to_string()]);
    assert!(exit_code(&run_skilleval(&args)) <= 1);

    let replay_out = folders.root.path().join("replayed");
    let replay_args: Vec<String> = ["run", "--recordings", &recording.display().to_string(), "--out", &replay_out.display().to_string()]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
    let output = run_skilleval(&replay_args);
    assert!(exit_code(&output) <= 1, "{}", String::from_utf8_lossy(&output.stderr));
    let live = read_results(&folders.out());
    let replayed = read_results(&replay_out);
    assert_eq!(replayed["units"].as_array().unwrap().len(), 2 * UNITS_PER_SAMPLE);
    assert_eq!(live["summaries"], replayed["summaries"]);
}

#[test]
fn record_warns_about_units_kept() {
    let mock = MockAgent::start(MockConfig { latency: Duration::from_millis(1), ..MockConfig::default() });
    let folders = RunFolders::new(&format!("kind: openai\nmodel: m\nbase_url: {}", mock.openai_url()));
    let recording = folders.root.path().join("recorded.jsonl");
    let mut args = folders.run_args(1, &folders.out());
    args.extend(["--record".to_string(), recording.display().to_string(), "--no-cache".to_string()]);
    let first = run_skilleval(&args);
    assert!(!String::from_utf8_lossy(&first.stderr).contains("warning:"), "{}", String::from_utf8_lossy(&first.stderr));
    let lines_before = std::fs::read_to_string(&recording).unwrap().lines().count();

    let mut args = folders.run_args(1, &folders.root.path().join("second"));
    args.extend(["--record".to_string(), recording.display().to_string(), "--no-cache".to_string()]);
    let second = run_skilleval(&args);
    assert!(exit_code(&second) <= 1, "{}", String::from_utf8_lossy(&second.stderr));
    let stderr = String::from_utf8_lossy(&second.stderr);
    let expected = format!("already holds answers for {UNITS_PER_SAMPLE} of this run's {UNITS_PER_SAMPLE} units");
    assert!(stderr.contains(&expected), "{stderr}");
    assert_eq!(std::fs::read_to_string(&recording).unwrap().lines().count(), lines_before);
}

/// Returns every file under a folder, with its text.
fn files_under(folder: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push((path.clone(), String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned()));
        }
    }
    files
}

#[test]
fn api_key_never_written_or_logged() {
    const KEY: &str = "sk-mock-SECRET-4242";
    let faults = crate::support::mock_agent::FaultPlan {
        scripted: vec![crate::support::mock_agent::Fault::Status(503), crate::support::mock_agent::Fault::Status(401)],
        ..Default::default()
    };
    let mock = MockAgent::start(MockConfig { faults, ..MockConfig::default() });
    let entry = format!(
        "kind: openai\nmodel: m\nbase_url: {}\napi_key_env: SKILLEVAL_TEST_MOCK_KEY\nconcurrency: 1\nretry: {{base_backoff_ms: 10, max_backoff_ms: 20}}",
        mock.openai_url()
    );
    let folders = RunFolders::new(&entry);
    let recording = folders.root.path().join("recorded.jsonl");
    let mut args = folders.run_args(1, &folders.out());
    args.extend(["--record".to_string(), recording.display().to_string()]);
    let output = skilleval_command(&args)
        .env("SKILLEVAL_TEST_MOCK_KEY", KEY)
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(exit_code(&output) <= 1, "{}", String::from_utf8_lossy(&output.stderr));
    assert!(mock.credentials_seen().iter().all(|value| value == &format!("Bearer {KEY}")), "the key was sent");
    assert_eq!(mock.credentials_seen().len() as u64, mock.requests());

    let files = files_under(folders.root.path());
    assert!(files.iter().any(|(path, _)| path.ends_with("journal.jsonl")));
    assert!(files.iter().any(|(path, _)| path.extension().is_some_and(|ext| ext == "json") && path.starts_with(folders.cache())));
    for (path, text) in files {
        assert!(!text.contains(KEY), "{} holds the key", path.display());
    }
    assert!(!String::from_utf8_lossy(&output.stdout).contains(KEY));
    assert!(!String::from_utf8_lossy(&output.stderr).contains(KEY));
}
