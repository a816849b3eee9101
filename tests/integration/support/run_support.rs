//! Running `skilleval run` against the mock agent: an agents file that points at the
//! mock, a run folder and a cache folder per test, and readers for what a run leaves.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use tempfile::TempDir;

/// Units in a run of the built-in suite with one sample: six scenarios in two arms.
pub const UNITS_PER_SAMPLE: usize = 12;

/// A test's folders: agents file, run folder and cache.
pub struct RunFolders {
    pub root: TempDir,
}

impl RunFolders {
    /// Creates the folders and an agents file with one entry, `mock`, whose extra YAML
    /// lines (kind, URL, retry and so on) are `entry`.
    pub fn new(entry: &str) -> RunFolders {
        let root = tempfile::tempdir().unwrap();
        let text = format!("agents:\n  - id: mock\n{}", indent(entry));
        std::fs::write(root.path().join("agents.yaml"), text).unwrap();
        RunFolders { root }
    }

    pub fn agents_file(&self) -> PathBuf {
        self.root.path().join("agents.yaml")
    }

    pub fn out(&self) -> PathBuf {
        self.root.path().join("out")
    }

    pub fn cache(&self) -> PathBuf {
        self.root.path().join("cache")
    }

    /// Returns the arguments of a run of the `mock` entry with `samples` samples,
    /// writing to `out` and caching in the test's cache folder. Both arms are asked,
    /// although no skill is given, so that each sample has `UNITS_PER_SAMPLE` units.
    pub fn run_args(&self, samples: u32, out: &Path) -> Vec<String> {
        let args = [
            "run",
            "--agents",
            &self.agents_file().display().to_string(),
            "--agent",
            "mock",
            "--arms",
            "both",
            "--samples",
            &samples.to_string(),
            "--out",
            &out.display().to_string(),
            "--cache-dir",
            &self.cache().display().to_string(),
        ];
        args.iter().map(|arg| arg.to_string()).collect()
    }
}

/// Indents each line of an agents-file entry under `- id: mock`.
fn indent(entry: &str) -> String {
    entry.lines().map(|line| format!("    {}\n", line.trim())).collect()
}

/// Builds the command that runs the `skilleval` binary, with no colour and no key
/// variables from the environment that runs the tests.
pub fn skilleval_command(args: &[String]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_skilleval"));
    command
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("OPENAI_API_KEY")
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("ANTHROPIC_BASE_URL")
        .env_remove("SKILLEVAL_CACHE_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs `skilleval` to the end.
pub fn run_skilleval(args: &[String]) -> Output {
    skilleval_command(args).output().expect("skilleval runs")
}

/// Starts `skilleval` without waiting for it.
pub fn spawn_skilleval(args: &[String]) -> Child {
    skilleval_command(args).spawn().expect("skilleval starts")
}

/// Returns the exit code, failing the test with the output when there is none.
pub fn exit_code(output: &Output) -> i32 {
    output.status.code().unwrap_or_else(|| panic!("no exit code; stderr: {}", String::from_utf8_lossy(&output.stderr)))
}

/// Reads `results.json` of a run folder.
pub fn read_results(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("results.json")).expect("results.json exists");
    serde_json::from_str(&text).expect("results.json is JSON")
}

/// Reads the journal of a run folder, one value per line.
pub fn read_journal(out: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(out.join("journal.jsonl")).expect("journal.jsonl exists");
    text.lines().map(|line| serde_json::from_str(line).expect("a journal line is JSON")).collect()
}

/// Returns a unit's key as `scenario/arm/sample`.
pub fn unit_key(unit: &serde_json::Value) -> String {
    format!("{}/{}/{}", unit["scenario"].as_str().unwrap(), unit["arm"].as_str().unwrap(), unit["sample"])
}

/// Counts units by status in `results.json`.
pub fn count_status(results: &serde_json::Value, status: &str) -> usize {
    results["units"].as_array().unwrap().iter().filter(|unit| unit["status"] == status).count()
}
