//! The HTML report in a real browser: a report built from answers, evidence, errors, an
//! agent name and a skill path full of markup and script is loaded in headless Chromium,
//! and the rendered page must show that the page's own script ran, that nothing injected
//! ran or became an element, and that the page rendered. The test is skipped, with a
//! message, when `/usr/bin/chromium` is absent (`apt-get install -y chromium`), unless
//! `SKILLEVAL_REQUIRE_BROWSER` is set, as `.ci/run` does: then it fails, so CI cannot
//! pass without the browser check.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use skilleval::agent::UnitKey;
use skilleval::report::{Exporter, HtmlExporter, ReportInputs, RunReport};
use skilleval::run::{UnitOutcome, UnitResult};
use skilleval::score::{AnswerScore, CheckOutcome, ScoredUnit};
use skilleval::suite::{Arm, CheckKind, Phase, Skill};

use crate::report_fixture::mini_suite;

/// Where Debian's `chromium` package installs the browser.
const CHROMIUM: &str = "/usr/bin/chromium";

/// Longest time the browser may take to load and dump the page.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);

/// Answers that would run script or add elements if they reached the page unescaped.
/// Each successful injection would set `data-pwned` on the root element or change the title.
const PAYLOADS: [&str; 10] = [
    "<script>document.documentElement.setAttribute('data-pwned','script')</script>",
    "</textarea><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">",
    "<a href=\"javascript:document.documentElement.setAttribute('data-pwned','link')\">open</a>",
    "<svg onload=\"document.documentElement.setAttribute('data-pwned','svg')\"></svg>",
    "\"><script>document.title='pwned'</script>",
    "</pre></details></section><iframe srcdoc=\"<script>parent.document.title='pwned'</script>\"></iframe>",
    "<style>body{display:none}</style>",
    "<!-- ]]> --> <body onload=\"document.documentElement.setAttribute('data-pwned','body')\">",
    "</title><script>document.title='pwned'</script>",
    "<textarea></textarea><script>document.documentElement.setAttribute('data-pwned','textarea')</script>",
];

/// Builds one answered unit whose answer and evidence carry a payload.
fn hostile_unit(scenario: &str, arm: Arm, sample: u32, payload: &str) -> ScoredUnit {
    let response = format!("Scale it by 4x. {payload} Then warm up. javascript:alert(1)");
    let check = |id: &str, kind, shown, evidence: &str| CheckOutcome {
        id: id.to_string(),
        kind,
        shown,
        evidence: Some(evidence.to_string()),
    };
    let checks = vec![
        check("multiplier", CheckKind::Numeric, true, "Scale it by 4x."),
        check("too-small", CheckKind::Anti, sample % 2 == 0, payload),
    ];
    let key = UnitKey::base(&scenario, arm, sample);
    let result = UnitResult { key, outcome: UnitOutcome::Answered { response }, latency_ms: 10, usage: None };
    (result, Some(AnswerScore::from_checks(checks)))
}

/// Builds the hostile report: every payload in answers and evidence, one in an error, one
/// in the agent's name and one in the skill's path.
fn hostile_report() -> RunReport {
    let suite = mini_suite();
    let mut units: Vec<ScoredUnit> = Vec::new();
    for (index, payload) in PAYLOADS.iter().enumerate() {
        let arm = if index % 2 == 0 { Arm::WithoutSkill } else { Arm::WithSkill };
        units.push(hostile_unit("lr-scaling", arm, index as u32, payload));
    }
    let key = UnitKey::base("accumulation", Arm::WithSkill, 0);
    let outcome = UnitOutcome::Errored { error: PAYLOADS[1].to_string() };
    units.push((UnitResult { key, outcome, latency_ms: 10, usage: None }, None));

    let skill = Skill { path: PathBuf::from(format!("{}/SKILL.md", PAYLOADS[3])), text: PAYLOADS[0].to_string() };
    RunReport::build(ReportInputs {
        suite: &suite,
        agent: format!("replay:{}", PAYLOADS[4]),
        skill: Some(&skill),
        samples: 5,
        variant_samples: None,
        arms: Arm::BOTH.to_vec(),
        started_at: None,
        finished_at: None,
        units: &units,
        up_to_phase: Some(Phase::Green),
    })
    .expect("the hostile report builds")
}

/// Loads a page in headless Chromium and returns the DOM after load.
fn dump_dom(page: &Path, profile: &Path) -> String {
    let mut child = Command::new(CHROMIUM)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        .args(["--disable-component-update", "--disable-sync", "--no-first-run"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");

    let started = Instant::now();
    while child.try_wait().expect("chromium can be polled").is_none() {
        if started.elapsed() > BROWSER_TIMEOUT {
            let _ = child.kill();
            panic!("chromium did not finish within {BROWSER_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("chromium output is readable");
    assert!(output.status.success(), "chromium failed: {:?}", output.status);
    String::from_utf8(output.stdout).expect("the DOM is UTF-8")
}

#[test]
fn injected_markup_stays_inert() {
    if !Path::new(CHROMIUM).exists() {
        assert!(
            std::env::var_os("SKILLEVAL_REQUIRE_BROWSER").is_none(),
            "{CHROMIUM} not found, and SKILLEVAL_REQUIRE_BROWSER is set; install it with `apt-get install -y chromium`"
        );
        eprintln!("skipping report_browser: {CHROMIUM} not found; install it with `apt-get install -y chromium`");
        return;
    }
    let folder = tempfile::tempdir().unwrap();
    let page = folder.path().join("report.html");
    let mut html = Vec::new();
    HtmlExporter.write_report(&hostile_report(), &mut html).unwrap();
    std::fs::write(&page, &html).unwrap();

    let dom = dump_dom(&page, &folder.path().join("profile"));

    assert!(dom.contains("data-report-script=\"ran\""), "the page's own script did not run:\n{dom}");
    let root = dom.lines().find(|line| line.starts_with("<html")).expect("the DOM has a root element");
    assert!(!root.contains("data-pwned"), "an injected script ran: {root}");
    assert!(!dom.contains("data-pwned=\""), "an injected script ran:\n{dom}");
    assert!(dom.contains("<title>skilleval: mini</title>"), "the title changed:\n{dom}");
    assert_eq!(dom.matches("<script").count(), 1, "an injected script element exists:\n{dom}");
    for element in ["<img", "<iframe", "<textarea", "<svg onload", "<a href", "<style>body", "<body onload"] {
        assert!(!dom.contains(element), "injected {element} became an element:\n{dom}");
    }
    assert!(
        dom.contains("&lt;script&gt;document.documentElement.setAttribute"),
        "the payload is not shown as text:\n{dom}"
    );
    assert!(dom.contains("<section id=\"answers\">"), "the answers did not render:\n{dom}");
    assert!(
        dom.contains("<mark class=\"blocked\">&lt;script&gt;document.documentElement"),
        "the evidence is not marked:\n{dom}"
    );
    assert!(dom.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""), "the chart did not render:\n{dom}");
}
