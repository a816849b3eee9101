//! Runner throughput and memory against the mock agent on 127.0.0.1. Not timed tests:
//! it prints figures and whether each meets its goal, and exits 1 if one does not.
//! Run with `cargo bench --bench runner`.
//!
//! 1. Concurrency: N = 2,004 units (167 samples of the 12 built-in units) at
//!    concurrency C = 32 against a mock with a fixed latency L = 200 ms. The wall time
//!    of the whole `skilleval run` process is compared with the ideal ⌈N/C⌉·L (goal:
//!    ratio ≤ 1.05), and the process's peak resident set size is sampled from
//!    `/proc/PID/status` (goal: ≤ 35 MB).
//! 2. Rate limit: N = 120 units at R = 600 requests per minute, C = 32, L = 200 ms. The
//!    wall time is compared with N/R (goal: ratio ≤ 1.1), and every unit must be answered.
//!
//! 3. The runner alone: the same N and C as in 1, but run in this process through the
//!    library's `run_plan` with the journal and without scoring or reports, against the
//!    mock in a child process. Its peak RSS (goal: ≤ 35 MB) shows the runner's own
//!    memory, apart from the scorer that the whole command also loads.
//!
//! For 1 and 2 the mock runs in this process, on its own thread, and `skilleval` runs as
//! a child process so that its memory is measured alone. This binary is also the mock's
//! child process for 3, when started with `--serve-mock`.

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
    if std::env::args().any(|arg| arg == SERVE_MOCK_FLAG) {
        serve_mock();
        return;
    }
    let mut met = true;
    // First, so that this process's peak RSS is the runner's alone.
    met &= bench_runner_alone(167, 32);
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

/// The argument that makes this binary serve the mock until its stdin closes.
const SERVE_MOCK_FLAG: &str = "--serve-mock";

/// Serves the mock, prints its OpenAI base URL on stdout, and stops when stdin closes.
fn serve_mock() {
    use std::io::{Read, Write};
    let mock = MockAgent::start(MockConfig { latency: LATENCY, ..MockConfig::default() });
    println!("{}", mock.openai_url());
    std::io::stdout().flush().expect("stdout flushed");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

/// Runs N units at concurrency C through `run_plan` in this process, against the mock
/// in a child process, and checks the wall-time ratio and this process's peak RSS.
fn bench_runner_alone(samples: u32, concurrency: usize) -> bool {
    use std::io::BufRead;
    use std::sync::Arc;

    use skilleval::agent::{Agent, OpenAiAgent, OpenAiConfig, RetryPolicy};
    use skilleval::matrix::{MatrixSpec, expand};
    use skilleval::run::{Journal, PlanSources, RateLimits, RunEvent, RunnerSettings, plan_run, run_plan_blocking};
    use skilleval::suite::{Arm, load_builtin};

    let mut server = Command::new(std::env::current_exe().expect("this benchmark's path"))
        .arg(SERVE_MOCK_FLAG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("the mock process starts");
    let mut url = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap()).read_line(&mut url).expect("the mock prints its URL");

    skilleval::agent::install_crypto_provider();
    let config = OpenAiConfig { base_url: url.trim().to_string(), ..OpenAiConfig::new("m") };
    let agent = Arc::new(Agent::OpenAi(OpenAiAgent::with_api_key(config, None).expect("agent")));
    let suite = load_builtin().expect("built-in suite");
    let spec = MatrixSpec { arms: &Arm::BOTH, samples, variant_samples: None, system_prompt: "You are helpful.", skill: None };
    let identity = serde_json::json!({"kind": "bench"});
    let sources = PlanSources { agent_identity: &identity, journal: None, cache: None, max_tokens: None };
    let plan = plan_run(expand(&suite, &spec), sources).expect("plan");
    let units = plan.to_call.len();
    let before_run_mb = peak_rss_kb(std::process::id()).expect("this process's status") as f64 / 1024.0;

    let folder = tempfile::tempdir().expect("temporary folder");
    let mut journal = Journal::create(folder.path()).expect("journal");
    let settings = RunnerSettings {
        concurrency,
        limits: RateLimits::default(),
        retry: RetryPolicy::default(),
        max_errored: units,
        stop_on_interrupt: false,
    };
    let started = Instant::now();
    let mut answered = 0;
    let tally = run_plan_blocking(agent, plan, &settings, |event| {
        if let RunEvent::UnitFinished(unit) = event {
            journal.append(&unit).expect("journal line written");
            answered += usize::from(!unit.result.is_errored());
        }
    })
    .expect("runtime");
    let wall = started.elapsed();
    drop(server.stdin.take());
    let _ = server.wait();

    let peak_mb = peak_rss_kb(std::process::id()).expect("this process's status") as f64 / 1024.0;
    let ideal = LATENCY * units.div_ceil(concurrency) as u32;
    let ratio = wall.as_secs_f64() / ideal.as_secs_f64();
    println!(
        "runner alone: N = {units}, C = {concurrency}, L = {} ms: wall {:.2} s, ideal {:.2} s, ratio {ratio:.3} (goal <= 1.05); \
         peak RSS {peak_mb:.1} MB (goal <= 35), of which {before_run_mb:.1} MB before the first call (suite loaded, \
         plan made); {answered} answered, {} calls",
        LATENCY.as_millis(),
        wall.as_secs_f64(),
        ideal.as_secs_f64(),
        tally.calls
    );
    ratio <= 1.05 && peak_mb <= 35.0 && answered == units
}

/// Measurements of one `skilleval run`.
struct Measured {
    wall: Duration,
    /// User plus system CPU time of the `skilleval` process.
    cpu: Duration,
    peak_rss_kb: u64,
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
        .args(["--agent", "mock", "--arms", "both", "--no-cache", "--samples", &samples.to_string(), "--out"])
        .arg(&out)
        .arg("--cache-dir")
        .arg(folder.join("cache"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("skilleval starts");
    let pid = child.id();
    let sampler = std::thread::spawn(move || sample_peak_rss(pid));
    let (status, usage) = wait_with_usage(pid as libc::pid_t);
    let peak_rss_kb = sampler.join().expect("the RSS sampler does not panic");
    let wall = started.elapsed();
    assert!(status == 0 || status == 1, "skilleval exited with {status}");

    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).expect("results.json")).expect("JSON");
    let units = results["units"].as_array().unwrap();
    let answered = units.iter().filter(|unit| unit["status"] == "answered").count() as u64;
    let mean_latency_ms = units.iter().map(|unit| unit["latency_ms"].as_u64().unwrap()).sum::<u64>() / units.len() as u64;

    let seconds = |time: libc::timeval| Duration::new(time.tv_sec as u64, time.tv_usec as u32 * 1000);
    let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    Measured { wall, cpu, peak_rss_kb, answered, mean_latency_ms }
}

/// Returns a process's peak resident set size in KiB, `VmHWM` in `/proc/PID/status`, or
/// `None` once the process has exited. `ru_maxrss` from `wait4` is not used because
/// Linux carries the parent's peak over into a child's across `exec`.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Reads a child's peak RSS every 10 ms until it exits, and returns the last reading.
fn sample_peak_rss(pid: u32) -> u64 {
    let mut peak = 0;
    while let Some(kb) = peak_rss_kb(pid) {
        peak = peak.max(kb);
        std::thread::sleep(Duration::from_millis(10));
    }
    peak
}

/// Waits for a child and returns its exit code and resource usage.
fn wait_with_usage(pid: libc::pid_t) -> (i32, libc::rusage) {
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our own child, not
    // yet waited for.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed: {}", std::io::Error::last_os_error());
    (libc::WEXITSTATUS(status), usage)
}
