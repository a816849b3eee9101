//! Running the `skilleval` binary and reading fixtures from tests.

use std::path::PathBuf;
use std::process::{Command, Output};

/// Returns a path inside the repository.
pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Runs the `skilleval` binary with arguments and optional standard input.
pub fn skilleval(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut command = Command::new(env!("CARGO_BIN_EXE_skilleval"));
    command.args(args).env("NO_COLOR", "1").stdin(std::process::Stdio::piped());
    command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("skilleval starts");
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("skilleval finishes")
}

/// Reads a JSON Lines fixture into values.
pub fn read_jsonl(relative: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(repo_path(relative)).expect("fixture exists");
    text.lines().filter(|line| !line.trim().is_empty()).map(|line| serde_json::from_str(line).unwrap()).collect()
}
