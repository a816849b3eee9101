//! Loading a suite: the built-in suite matches the files in the repository, and bad
//! files are rejected with `file:line:col` before anything runs.

use std::path::Path;

use skilleval::suite::{load, load_builtin, load_dir, SourceFile, SuiteSources, BUILTIN_FILES, FIXED_SCENARIOS};

use skilleval::score::{ScoreError, Scorer};

use crate::support::cli::{repo_path, skilleval};

#[test]
fn builtin_matches_repository_files() {
    for folder in ["scenarios", "rubrics"] {
        let mut on_disk: Vec<String> = std::fs::read_dir(repo_path(folder))
            .unwrap()
            .map(|entry| format!("{folder}/{}", entry.unwrap().file_name().to_string_lossy()))
            .collect();
        on_disk.sort();
        let mut built_in: Vec<String> =
            BUILTIN_FILES.iter().map(|(path, _)| path.to_string()).filter(|path| path.starts_with(folder)).collect();
        built_in.sort();
        assert_eq!(on_disk, built_in, "{folder}/ and the built-in list differ");
    }
    for (path, text) in BUILTIN_FILES {
        let on_disk = std::fs::read_to_string(repo_path(path)).unwrap();
        assert_eq!(&on_disk, text, "{path} differs from its built-in copy");
    }
}

#[test]
fn builtin_has_every_fixed_id() {
    let suite = load_builtin().unwrap();
    for fixed in FIXED_SCENARIOS {
        let scenario = suite.scenario(fixed.id).unwrap_or_else(|| panic!("scenario {} missing", fixed.id));
        for (check_id, kind) in fixed.checks {
            let check = scenario.rubric.checks.iter().find(|check| check.id == *check_id);
            assert_eq!(check.map(|check| check.kind), Some(*kind), "{}/{check_id}", fixed.id);
        }
    }
    assert_eq!(suite.scenarios[0].id, "max-batch-assumption");
}

/// The built-in sources with one file's text replaced.
pub(crate) fn with_file(path: &str, text: &str) -> SuiteSources {
    let mut sources = skilleval::suite::builtin_sources();
    let replace = |file: &mut SourceFile| {
        if file.path.ends_with(path) {
            file.text = text.to_string();
        }
    };
    replace(&mut sources.suite);
    replace(&mut sources.gates);
    sources.pressures.iter_mut().for_each(replace);
    sources.rationalizations.iter_mut().for_each(replace);
    sources.scenarios.iter_mut().for_each(replace);
    sources.rubrics.iter_mut().for_each(replace);
    sources
}

pub(crate) fn load_error(path: &str, text: &str) -> String {
    load(&with_file(path, text)).expect_err("the suite must be rejected").to_string()
}

#[test]
fn unknown_key_names_file_line_column() {
    let text = "id: linear-scaling-rule\ntitle: t\nquery: q\nfailure_pattern: f\npatterns: [no-lr-scaling-rule]\ntreshold: 3\n";
    let error = load_error("scenarios/linear-scaling-rule.yaml", text);
    assert!(error.starts_with("<built-in>/scenarios/linear-scaling-rule.yaml:6:1: "), "{error}");
    assert!(error.contains("treshold"), "{error}");
}

#[test]
fn duplicate_key_is_rejected() {
    let text = "id: linear-scaling-rule\nid: again\ntitle: t\nquery: q\nfailure_pattern: f\npatterns: []\n";
    let error = load_error("scenarios/linear-scaling-rule.yaml", text);
    assert!(error.contains("linear-scaling-rule.yaml:2:"), "{error}");
}

#[test]
fn missing_field_is_rejected() {
    let error = load_error("scenarios/linear-scaling-rule.yaml", "id: linear-scaling-rule\ntitle: t\n");
    assert!(error.contains("linear-scaling-rule.yaml:"), "{error}");
    assert!(error.contains("query"), "{error}");
}

#[test]
fn invalid_regex_points_at_it() {
    let rubric = std::fs::read_to_string(repo_path("rubrics/linear-scaling-rule.yaml")).unwrap();
    let line = rubric.lines().position(|line| line.trim_start().starts_with("- \"warm")).expect("a warmup phrase") + 1;
    let broken: String = rubric
        .lines()
        .enumerate()
        .map(|(index, text)| if index + 1 == line { text.replacen("- \"", "- \"(", 1) } else { text.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    let error = load_error("rubrics/linear-scaling-rule.yaml", &broken);
    assert!(error.contains(&format!("linear-scaling-rule.yaml:{line}:")), "{error}");
    assert!(error.contains("invalid regex"), "{error}");
}

#[test]
fn missing_fixed_check_is_rejected() {
    let rubric = std::fs::read_to_string(repo_path("rubrics/linear-scaling-rule.yaml")).unwrap();
    let renamed = rubric.replace("id: warmup", "id: warm-up-phase");
    let error = load_error("rubrics/linear-scaling-rule.yaml", &renamed);
    assert!(error.contains("lacks the fixed check \"warmup\""), "{error}");
}

#[test]
fn unknown_pattern_is_rejected() {
    let text = "id: linear-scaling-rule\ntitle: t\nquery: q\nfailure_pattern: f\npatterns: [no-such-pattern]\n";
    let error = load_error("scenarios/linear-scaling-rule.yaml", text);
    assert!(error.contains(":5:"), "{error}");
    assert!(error.contains("unknown failure pattern \"no-such-pattern\""), "{error}");
}

#[test]
fn bad_suite_folder_exits_2_before_running() {
    let dir = tempfile::tempdir().unwrap();
    copy_suite(&repo_path("."), dir.path());
    std::fs::write(dir.path().join("gates.yaml"), "scenarios-documented:\n  min: six\n").unwrap();

    let output = skilleval(&["run", "--suite", dir.path().to_str().unwrap(), "--out", dir.path().join("out").to_str().unwrap()], None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("gates.yaml:2:"), "{stderr}");
    assert!(!dir.path().join("out").exists(), "nothing may be written for bad input");
}

#[test]
fn suite_folder_loads_like_builtin() {
    let dir = tempfile::tempdir().unwrap();
    copy_suite(&repo_path("."), dir.path());
    let from_disk = load_dir(dir.path()).unwrap();
    assert_eq!(from_disk.scenarios.len(), load_builtin().unwrap().scenarios.len());
}

fn copy_suite(from: &Path, to: &Path) {
    for (path, _) in BUILTIN_FILES {
        let target = to.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(from.join(path), target).unwrap();
    }
}

#[test]
fn oversized_regex_is_a_score_error() {
    let rubric = std::fs::read_to_string(repo_path("rubrics/gradient-accumulation.yaml")).unwrap();
    let oversized = rubric.replacen(r#""zero_grad""#, r#""\\pL{0,1000}zero_grad""#, 1);
    assert_ne!(oversized, rubric, "the rubric has the pattern this test replaces");
    let suite = load(&with_file("rubrics/gradient-accumulation.yaml", &oversized)).expect("loading checks only the syntax");
    let scorer = Scorer::new(&suite).unwrap();

    let error = scorer.score("gradient-accumulation", "Call optimizer.step() after 4 micro-batches.").unwrap_err();
    let ScoreError::Regex(error) = error else { panic!("expected a regex error, got {error}") };
    assert!(error.file.ends_with("gradient-accumulation.yaml"), "{}", error.file);
    assert!(error.message.contains("exceeds size limit"), "{}", error.message);

    let other = scorer.score("linear-scaling-rule", "Scale the learning rate 4x.");
    assert!(other.is_ok(), "other rubrics still score: {other:?}");
}
