//! Runner throughput and memory against the mock agent on 127.0.0.1. Not timed tests:
//! it prints figures and whether each meets its goal, and exits 1 if one does not.
//! Run with `cargo bench --bench runner`.
//!
//! 1. Concurrency: N = 2,004 units (167 samples of the 12 built-in units) at
//!    concurrency C = 32 against a mock with a fixed latency L = 200 ms. The wall time
//!    of the whole `skilleval run` process is compared with the ideal ⌈N/C⌉·L (goal:
//!    ratio ≤ 1.05), and the process's peak resident set size is read with `wait4`
//!    (goal: ≤ 35 MB).
//! 2. Rate limit: N = 120 units at R = 600 requests per minute, C = 32, L = 200 ms. The
//!    wall time is compared with N/R (goal: ratio ≤ 1.1), and every unit must be answered.
//!
//! The mock runs in this process, on its own thread; `skilleval` runs as a child process
//! so that its memory is measured alone.

#[path = "../tests/integration/support/mock_agent.rs"]
#[allow(dead_code, reason = "the tests use more of the mock than the benchmark does")]
mod mock_agent;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mock_agent::{MockAgent, MockConfig};

/// The mock's latency for every request.
const LATENCY: Duration = Duration::from_millis(200);

/// Units per sample of the built-in suite: six scenarios in two arms.
const UNITS_PER_SAMPLE: u64 = 12;

fn main() {
    let mut met = true;
    met &= bench_concurrency(167, 32);
    met &= bench_rate_limit(10, 32, 600);
    if !met {
        std::process::exit(1);
    }
}

/// Runs N units at concurrency C and checks the wall-time ratio and the peak RSS.
fn bench_concurrency(samples: u64, concurrency: u64) -> bool {
    let units = samples * UNITS_PER_SAMPLE;
    let mock = MockAgent::start(MockConfig { latency: LATENCY, ..MockConfig::default() });
    let folder = tempfile::tempdir().expect("temporary folder");
    let entry = format!("concurrency: {concurrency}");
    let run = run_skilleval(&mock, folder.path(), samples, &entry);

    let ideal = LATENCY * units.div_ceil(concurrency) as u32;
    let ratio = run.wall.as_secs_f64() / ideal.as_secs_f64();
    let peak_mb = run.peak_rss_kb as f64 / 1024.0;
    println!(
        "concurrency: N = {units}, C = {concurrency}, L = {} ms: wall {:.2} s, ideal {:.2} s, ratio {ratio:.3} (goal <= 1.05); \
         peak RSS {peak_mb:.1} MB (goal <= 35); CPU {:.2} s; mean unit latency {} ms; {} answered, {} requests",
        LATENCY.as_millis(),
        run.wall.as_secs_f64(),
        ideal.as_secs_f64(),
        run.cpu.as_secs_f64(),
        run.mean_latency_ms,
        run.answered,
        mock.requests()
    );
    ratio <= 1.05 && peak_mb <= 35.0 && run.answered == units
}

/// Runs N units under a request rate limit and checks the ratio to N/R.
fn bench_rate_limit(samples: u64, concurrency: u64, requests_per_minute: u64) -> bool {
    let units = samples * UNITS_PER_SAMPLE;
    let mock = MockAgent::start(MockConfig { latency: LATENCY, ..MockConfig::default() });
    let folder = tempfile::tempdir().expect("temporary folder");
    let entry = format!("concurrency: {concurrency}\nrequests_per_minute: {requests_per_minute}");
    let run = run_skilleval(&mock, folder.path(), samples, &entry);

    let ideal = Duration::from_secs_f64(units as f64 * 60.0 / requests_per_minute as f64);
    let ratio = run.wall.as_secs_f64() / ideal.as_secs_f64();
    println!(
        "rate limit: N = {units}, R = {requests_per_minute}/min, C = {concurrency}, L = {} ms: wall {:.2} s, N/R {:.2} s, \
         ratio {ratio:.3} (goal <= 1.1); peak RSS {:.1} MB; {} of {units} answered, {} requests",
        LATENCY.as_millis(),
        run.wall.as_secs_f64(),
        ideal.as_secs_f64(),
        run.peak_rss_kb as f64 / 1024.0,
        run.answered,
        mock.requests()
    );
    ratio <= 1.1 && run.answered == units
}

/// Measurements of one `skilleval run`.
struct Measured {
    wall: Duration,
    /// User plus system CPU time of the `skilleval` process.
    cpu: Duration,
    peak_rss_kb: i64,
    answered: u64,
    /// Mean of the units' latencies, as `results.json` records them.
    mean_latency_ms: u64,
}

/// Runs `skilleval run` against the mock with an agents-file entry, and measures it.
fn run_skilleval(mock: &MockAgent, folder: &Path, samples: u64, entry_lines: &str) -> Measured {
    let entry: String = entry_lines.lines().map(|line| format!("    {line}\n")).collect();
    let agents = format!("agents:\n  - id: mock\n    kind: openai\n    model: m\n    base_url: {}\n{entry}", mock.openai_url());
    let agents_file = folder.join("agents.yaml");
    std::fs::write(&agents_file, agents).expect("agents file written");
    let out = folder.join("out");

    let started = Instant::now();
    #[allow(clippy::zombie_processes, reason = "wait_with_usage reaps the child with wait4")]
    let child = Command::new(env!("CARGO_BIN_EXE_skilleval"))
        .args(["run", "--agents"])
        .arg(&agents_file)
        .args(["--agent", "mock", "--no-cache", "--samples", &samples.to_string(), "--out"])
        .arg(&out)
        .arg("--cache-dir")
        .arg(folder.join("cache"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("skilleval starts");
    let (status, usage) = wait_with_usage(child.id() as libc::pid_t);
    let wall = started.elapsed();
    assert!(status == 0 || status == 1, "skilleval exited with {status}");

    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).expect("results.json")).expect("JSON");
    let units = results["units"].as_array().unwrap();
    let answered = units.iter().filter(|unit| unit["status"] == "answered").count() as u64;
    let mean_latency_ms = units.iter().map(|unit| unit["latency_ms"].as_u64().unwrap()).sum::<u64>() / units.len() as u64;

    let seconds = |time: libc::timeval| Duration::new(time.tv_sec as u64, time.tv_usec as u32 * 1000);
    let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    Measured { wall, cpu, peak_rss_kb: usage.ru_maxrss, answered, mean_latency_ms }
}

/// Waits for a child and returns its exit code and resource usage; Linux reports the
/// peak resident set size, `ru_maxrss`, in KiB.
fn wait_with_usage(pid: libc::pid_t) -> (i32, libc::rusage) {
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own child, not
    // yet waited for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed: {}", std::io::Error::last_os_error());
    (libc::WEXITSTATUS(status), usage)
}
