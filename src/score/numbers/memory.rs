//! Memory estimates: `48 GB`, `~44.7 GiB`, `4.8e10 B`, or a bare figure in a code
//! comment, leaving out amounts that name a GPU's capacity.

use std::sync::LazyLock;

use regex::Regex;

use super::{finding_at, Finding};
use crate::score::compile_regex;
use crate::score::text::AnswerText;
use crate::suite::{ParamValue, Parameters};

/// Memory amounts: `48 GB`, `~44.7 GiB`, `48,000 MB`.
static MEMORY: LazyLock<Regex> = LazyLock::new(|| {
    compile_regex(r"(?i)(?P<n>\d+(?:\.\d+)?(?:e\d+)?)\s*(?P<unit>gb|gib|gigabytes?|g|tb|tib|mb|mib|billion bytes|bytes|b)\b")
});

/// Words around an amount that make it a GPU's capacity rather than an estimate.
static GPU_CAPACITY: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"(?i)\b(gpus?|cards?|vram|a100|a6000|h100|a10g?|l4|l40s?|rtx|3090|4090|v100|device)\b"));

/// A bare number in a code comment, such as `# 48.0`.
static CODE_COMMENT_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| compile_regex(r"#\s*(?:=|≈|~|->|→)?\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>gb|gib)?\s*$"));

/// Finds memory amounts in GB. The scenario's own GPU size (`gpu_memory_gb`) is what
/// the user has, not an estimate, so amounts equal to it are left out.
pub(super) fn memory_amounts(text: &AnswerText, parameters: &Parameters) -> Vec<Finding> {
    let gpu_memory = parameters.get("gpu_memory_gb").and_then(ParamValue::as_f64);
    let mut findings = Vec::new();
    for (index, sentence) in text.sentences.iter().enumerate() {
        let normalized = &sentence.normalized;
        for captures in MEMORY.captures_iter(normalized) {
            let whole = captures.get(0).unwrap();
            if is_gpu_capacity(normalized, whole.start(), whole.end()) {
                continue;
            }
            let Ok(value) = captures["n"].parse::<f64>() else { continue };
            // "3B parameters" is a count, not three bytes: a byte figure is an estimate
            // only when it is at least a gigabyte.
            let in_bytes = matches!(captures["unit"].to_ascii_lowercase().as_str(), "b" | "bytes");
            if in_bytes && value < 1e9 {
                continue;
            }
            let gigabytes = value * unit_in_gigabytes(&captures["unit"]);
            if Some(gigabytes) != gpu_memory {
                findings.push(finding_at(sentence, index, gigabytes, whole));
            }
        }
        if sentence.in_code {
            if let Some(captures) = CODE_COMMENT_NUMBER.captures(normalized) {
                if let Ok(value) = captures["n"].parse() {
                    findings.push(finding_at(sentence, index, value, captures.get(0).unwrap()));
                }
            }
        }
    }
    findings
}

fn is_gpu_capacity(sentence: &str, start: usize, end: usize) -> bool {
    let after_end = (end + 20).min(sentence.len());
    let before_start = start.saturating_sub(12);
    let after = sentence.get(end..after_end).unwrap_or("");
    let before = sentence.get(before_start..start).unwrap_or("");
    GPU_CAPACITY.is_match(after.split([',', '.', ';', '(']).next().unwrap_or("")) || GPU_CAPACITY.is_match(before)
}

fn unit_in_gigabytes(unit: &str) -> f64 {
    match unit.to_ascii_lowercase().as_str() {
        "tb" | "tib" => 1000.0,
        "mb" | "mib" => 0.001,
        "bytes" | "b" => 1e-9,
        _ => 1.0,
    }
}
