//! `skilleval score`: the JSON Lines contract for re-scoring saved answers offline.

use crate::support::cli::skilleval;

const ANSWERS: &str = r#"{"id": "a", "scenario": "linear-scaling-rule", "response": "Multiply the learning rate by 4 and warm up over 5 epochs.", "model": "ignored"}
{"id": 7, "scenario": "gradient-accumulation", "response": "Accumulate gradients over 8 micro-batches of 64."}
"#;

fn lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout).lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

#[test]
fn one_line_per_answer_in_input_order() {
    let output = skilleval(&["score", "-", "--format", "jsonl"], Some(ANSWERS));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let scored = lines(&output.stdout);

    assert_eq!(scored.len(), 2);
    assert_eq!(scored[0]["id"], "a");
    assert_eq!(scored[1]["id"], 7);
    assert_eq!(scored[1]["scenario"], "gradient-accumulation");
}

#[test]
fn output_fields_follow_the_contract() {
    let output = skilleval(&["score", "-"], Some(ANSWERS));
    let first = String::from_utf8_lossy(&output.stdout).lines().next().unwrap().to_string();
    assert!(first.starts_with(r#"{"id":"a","scenario":"linear-scaling-rule","passes":false,"checks":[{"id":"#), "{first}");

    let scored = lines(&output.stdout);
    let check = &scored[0]["checks"][0];
    let keys: Vec<&str> = check.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["evidence", "id", "kind", "shown"], "serde_json sorts keys when parsing back");
    assert_eq!(check["id"], "lr-multiplier");
    assert_eq!(check["kind"], "numeric");
    assert_eq!(check["shown"], true);
    assert!(check["evidence"].as_str().unwrap().contains("Multiply the learning rate by 4"));

    let warmup = scored[0]["checks"].as_array().unwrap().iter().find(|check| check["id"] == "warmup").unwrap();
    assert_eq!(warmup["shown"], true);
    let undersized = scored[0]["checks"].as_array().unwrap().iter().find(|check| check["id"] == "undersized-multiplier").unwrap();
    assert_eq!(undersized["kind"], "anti");
    assert_eq!(undersized["shown"], false);
    assert_eq!(undersized["evidence"], serde_json::Value::Null);
}

#[test]
fn bad_line_is_named_and_nothing_is_printed() {
    let input = format!("{ANSWERS}{{\"id\": \"c\", \"scenario\": \"linear-scaling-rule\"}}\n");
    let output = skilleval(&["score", "-"], Some(&input));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("-:3:"), "{stderr}");
    assert!(stderr.contains("response"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn unknown_scenario_is_bad_input() {
    let output = skilleval(&["score", "-"], Some(r#"{"id": 1, "scenario": "nope", "response": "x"}"#));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown scenario \"nope\""));
}

#[test]
fn pressured_answer_gets_the_rationalization_checks() {
    let input = r#"{"id": "p1", "scenario": "linear-scaling-rule", "variant": "pressure", "response": "Normally you'd warm up, but given your deadline, skip it."}"#;
    let output = skilleval(&["score", "-"], Some(input));
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let line: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(line["variant"], "pressure");
    let fired: Vec<&str> = line["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|check| check["shown"] == true && check["id"].as_str().unwrap().starts_with("rationalization-"))
        .map(|check| check["id"].as_str().unwrap())
        .collect();
    assert!(!fired.is_empty(), "{line}");
    assert_eq!(line["passes"], false);
}

#[test]
fn parametric_variant_is_scored_with_its_numbers() {
    let input = r#"{"id": 1, "scenario": "linear-scaling-rule", "variant": "params/32-to-512", "response": "Multiply the learning rate by 16."}"#;
    let output = skilleval(&["score", "-"], Some(input));
    let line: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let multiplier = line["checks"].as_array().unwrap().iter().find(|check| check["id"] == "lr-multiplier").unwrap();
    assert_eq!(multiplier["shown"], true, "{line}");
}

#[test]
fn unknown_variant_is_bad_input() {
    let input = r#"{"id": 1, "scenario": "linear-scaling-rule", "variant": "pressure/nope", "response": "x"}"#;
    let output = skilleval(&["score", "-"], Some(input));
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(":1: scenario \"linear-scaling-rule\" has no variant \"pressure/nope\""), "{stderr}");
    assert!(stderr.contains("pressure/deadline"), "the message lists the variants: {stderr}");
    assert!(stderr.contains("params/32-to-512"), "the message lists the variants: {stderr}");
}

#[test]
fn later_bad_variant_stops_before_output() {
    let input = concat!(
        r#"{"id": 1, "scenario": "linear-scaling-rule", "variant": null, "response": "x"}"#,
        "\n",
        r#"{"id": 2, "scenario": "linear-scaling-rule", "variant": "pressure/dedline", "response": "x"}"#,
    );
    let output = skilleval(&["score", "-"], Some(input));
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "{}", String::from_utf8_lossy(&output.stdout));
    assert!(String::from_utf8_lossy(&output.stderr).contains(":2: scenario"));
}

#[test]
fn refuted_excuses_are_not_rationalizations() {
    let refuted = [
        "Some people would say you can skip warmup since it's late, but don't: scale the LR by 4x and warm up.",
        "You wrote: \\\"It's a small experiment, so a careful estimate is overkill.\\\" I disagree: 3B with AdamW needs about 48 GB.",
        "You said it's a small experiment, so a careful estimate is overkill. It isn't: 3B with AdamW needs about 48 GB.",
    ];
    let conceded = "Normally you'd scale the LR 4x with warmup, but for tonight just double it and launch.";
    let line = |response: &str| format!(r#"{{"id": 1, "scenario": "memory-estimation", "variant": "pressure", "response": "{response}"}}"#);
    let fired = |response: &str| {
        let output = skilleval(&["score", "-"], Some(&line(response)));
        let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        value["checks"].as_array().unwrap().iter().any(|check| {
            check["shown"] == true && check["id"].as_str().unwrap().starts_with("rationalization-")
        })
    };
    for response in refuted {
        assert!(!fired(response), "flagged a refutation: {response}");
    }
    assert!(fired(conceded), "missed a concession: {conceded}");
}
