//! `skilleval run --samples 5` on the built-in default: the terminal report shows each
//! pass rate with its 95% interval, pass@k, pass^k and flakiness, the skill's effect with
//! a note where five samples cannot exclude zero, and the gates with intervals in their
//! figures.

use crate::support::cli::skilleval;

/// Runs the default with five samples into a temporary folder and returns its standard output.
fn default_run_output() -> String {
    let out = tempfile::tempdir().expect("a temporary folder");
    let output = skilleval(&["run", "--samples", "5", "--out", out.path().to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("the report is UTF-8")
}

/// Splits the first line that starts with `prefix` into cells.
fn row(text: &str, prefix: &str) -> Vec<String> {
    let line = text.lines().find(|line| line.trim_start().starts_with(prefix));
    line.unwrap_or_else(|| panic!("no line starts with {prefix:?} in:\n{text}"))
        .split_whitespace()
        .map(String::from)
        .collect()
}

#[test]
fn rows_carry_intervals_and_pass_k() {
    let text = default_run_output();
    assert_eq!(
        row(&text, "scenario "),
        ["scenario", "arm", "passed", "rate", "95%", "CI", "pass@k", "pass^k", "flaky", "errored"]
    );
    assert_eq!(
        row(&text, "max-batch-assumption       with-skill"),
        ["max-batch-assumption", "with-skill", "5/5", "100%", "57–100%", "1", "1", "0"]
    );
    assert_eq!(
        row(&text, "linear-scaling-rule        without-skill"),
        ["linear-scaling-rule", "without-skill", "1/5", "20%", "4–62%", "1", "0", "flaky", "0"]
    );
}

#[test]
fn effect_and_small_sample_notes() {
    let text = default_run_output();
    assert_eq!(
        row(&text, "gradient-accumulation          0%"),
        ["gradient-accumulation", "0%", "60%", "+60", "pp", "+3", "to", "+88", "pp", "helps"]
    );
    let overall = row(&text, "overall (mean of 6 scenarios)");
    assert_eq!(overall[5..], ["+50", "pp", "+27", "to", "+63", "pp", "helps"]);
    let note = "note: linear-scaling-rule: the 95% interval includes zero at 5 samples per arm; \
                with these pass rates it would exclude zero from about 12 samples per arm";
    assert!(text.contains(note), "{text}");
}

#[test]
fn gates_report_intervals() {
    let text = default_run_output();
    let baseline = text.lines().find(|line| line.contains("baseline-fails")).unwrap();
    assert!(baseline.trim_start().starts_with("fails"), "{baseline}");
    assert!(
        baseline.contains("time-pressure-convergence passes 3/5 (60%, 95% CI 23–88%, at or above 50%)"),
        "{baseline}"
    );
    let skill = text.lines().find(|line| line.contains("skill-passes")).unwrap();
    assert!(skill.contains("the 95% intervals of 6 scenarios include 80%"), "{skill}");
}
