//! The subprocess agent with small shell scripts written to temporary directories:
//! each way of handing over the skill, no shell between the agent and the program, the
//! timeout that kills the whole process group, and failed programs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use skilleval::agent::{
    Agent, AgentError, AgentRequest, SkillDelivery, SubprocessAgent, SubprocessConfig, UnitKey,
    is_transient,
};
use skilleval::suite::{Arm, Skill};
use tempfile::TempDir;

const SYSTEM_PROMPT: &str = "You are a helpful assistant.";
const QUERY: &str = "What batch size fits in 24GB?";
const SKILL_TEXT: &str = "---\nname: batch-size\ndescription: Use when choosing a batch size\n---\n# Batch size\n\nMaximum is not optimal.\n";

fn request(arm: Arm, query: &str) -> AgentRequest {
    let skill = Arc::new(Skill {
        path: PathBuf::from("skills/batch-size/SKILL.md"),
        text: SKILL_TEXT.to_string(),
    });
    let key = UnitKey::base("max-batch", arm, 0);
    AgentRequest::new(key, SYSTEM_PROMPT, Some(&skill), query)
}

/// Writes a shell script into `folder` and returns the command that runs it.
fn script(folder: &TempDir, body: &str) -> Vec<String> {
    let path = folder.path().join("agent.sh");
    std::fs::write(&path, body).unwrap();
    vec!["/bin/sh".to_string(), path.display().to_string()]
}

fn agent(command: Vec<String>, skill_delivery: SkillDelivery) -> SubprocessAgent {
    let config = SubprocessConfig {
        skill_delivery,
        timeout: Duration::from_secs(10),
        ..SubprocessConfig::new(command)
    };
    SubprocessAgent::new(config).unwrap()
}

async fn answer_text(agent: &SubprocessAgent, arm: Arm) -> String {
    agent.answer(&request(arm, QUERY)).await.unwrap().text
}

#[tokio::test]
async fn subprocess_stdin_gets_whole_prompt() {
    let agent = agent(vec!["cat".into()], SkillDelivery::Stdin);

    let with_skill = answer_text(&agent, Arm::WithSkill).await;
    let baseline = answer_text(&agent, Arm::WithoutSkill).await;
    assert_eq!(
        with_skill,
        format!("{SYSTEM_PROMPT}\n\n{SKILL_TEXT}\n\n{QUERY}")
    );
    assert_eq!(baseline, format!("{SYSTEM_PROMPT}\n\n{QUERY}"));
}

#[tokio::test]
async fn subprocess_env_var_delivery() {
    let folder = tempfile::tempdir().unwrap();
    let command = script(
        &folder,
        r#"if [ -n "${SKILL_FILE+set}" ]; then echo "skill file: $SKILL_FILE"; cat "$SKILL_FILE"; else echo "no skill"; fi
echo "query: $(cat)"
"#,
    );
    let mut config = SubprocessConfig {
        skill_delivery: SkillDelivery::EnvVar {
            variable: "SKILL_FILE".into(),
        },
        ..SubprocessConfig::new(command)
    };
    // A value leaking in from the configuration must not reach the baseline.
    config.env = BTreeMap::from([("SKILL_FILE".to_string(), "/leaked".to_string())]);
    let agent = SubprocessAgent::new(config).unwrap();

    let with_skill = answer_text(&agent, Arm::WithSkill).await;
    assert!(
        with_skill.contains("Maximum is not optimal."),
        "{with_skill}"
    );
    assert!(
        with_skill.ends_with(&format!("query: {QUERY}")),
        "stdin gets the user message only: {with_skill}"
    );
    assert!(!with_skill.contains(SYSTEM_PROMPT), "{with_skill}");
    assert!(!with_skill.contains("/leaked"), "{with_skill}");

    let baseline = answer_text(&agent, Arm::WithoutSkill).await;
    assert_eq!(baseline, format!("no skill\nquery: {QUERY}"));
}

#[tokio::test]
async fn subprocess_argument_delivery() {
    let folder = tempfile::tempdir().unwrap();
    let mut command = script(
        &folder,
        r#"for argument in "$@"; do
  echo "argument: $argument"
  case "$argument" in --skill-file=*) cat "${argument#--skill-file=}";; esac
done
"#,
    );
    command.push("--fixed".into());
    let delivery = SkillDelivery::Arguments {
        arguments: vec!["--skill-file={skill_path}".into()],
    };
    let agent = agent(command, delivery);

    let with_skill = answer_text(&agent, Arm::WithSkill).await;
    assert!(
        with_skill.starts_with("argument: --fixed\nargument: --skill-file=/"),
        "{with_skill}"
    );
    assert!(
        with_skill.contains("Maximum is not optimal."),
        "{with_skill}"
    );

    let baseline = answer_text(&agent, Arm::WithoutSkill).await;
    assert_eq!(baseline, "argument: --fixed");
}

#[tokio::test]
async fn subprocess_skills_folder_delivery() {
    let folder = tempfile::tempdir().unwrap();
    let command = script(
        &folder,
        r#"pwd
if [ -f .claude/skills/batch-size/SKILL.md ]; then cat .claude/skills/batch-size/SKILL.md; else echo "no skill"; fi
"#,
    );
    let delivery = SkillDelivery::SkillsFolder {
        folder: PathBuf::from(".claude/skills"),
        name: None,
    };
    let agent = agent(command, delivery);

    let with_skill = answer_text(&agent, Arm::WithSkill).await;
    let (with_skill_dir, with_skill_rest) = with_skill.split_once('\n').unwrap();
    assert_eq!(with_skill_rest, SKILL_TEXT.trim_end());

    let baseline = answer_text(&agent, Arm::WithoutSkill).await;
    let (baseline_dir, baseline_rest) = baseline.split_once('\n').unwrap();
    assert_eq!(baseline_rest, "no skill");

    assert_ne!(
        with_skill_dir, baseline_dir,
        "each run gets a fresh working directory"
    );
    assert!(
        !Path::new(with_skill_dir).exists(),
        "the working directory is removed afterwards"
    );
    assert!(
        !Path::new(baseline_dir).exists(),
        "the working directory is removed afterwards"
    );
}

#[tokio::test]
async fn subprocess_runs_no_shell() {
    let marks = tempfile::tempdir().unwrap();
    let mark = |name: &str| marks.path().join(name).display().to_string();
    let argument_attack = format!("$(touch {})", mark("pwned-argument"));
    let chained_attack = format!("; touch {}", mark("pwned-chained"));

    let command = vec![
        "printf".into(),
        "%s|%s\n".into(),
        argument_attack.clone(),
        chained_attack.clone(),
    ];
    let printed = answer_text(&agent(command, SkillDelivery::Stdin), Arm::WithoutSkill).await;
    assert_eq!(printed, format!("{argument_attack}|{chained_attack}"));

    let query_attack = format!(
        "$(touch {}) `touch {}`",
        mark("pwned-query"),
        mark("pwned-backtick")
    );
    let echoed = agent(vec!["cat".into()], SkillDelivery::Stdin)
        .answer(&request(Arm::WithSkill, &query_attack))
        .await
        .unwrap()
        .text;
    assert!(echoed.ends_with(&query_attack), "{echoed}");

    for name in [
        "pwned-argument",
        "pwned-chained",
        "pwned-query",
        "pwned-backtick",
    ] {
        assert!(
            !marks.path().join(name).exists(),
            "{name} was created, so a shell ran"
        );
    }
}

#[tokio::test]
async fn subprocess_timeout_kills_group() {
    let folder = tempfile::tempdir().unwrap();
    let mark = folder.path().join("survived");
    let command = script(
        &folder,
        r#"(sleep 2; echo survived > "$MARK") &
sleep 30
"#,
    );
    let config = SubprocessConfig {
        timeout: Duration::from_millis(500),
        env: BTreeMap::from([("MARK".to_string(), mark.display().to_string())]),
        ..SubprocessConfig::new(command)
    };
    let agent = SubprocessAgent::new(config).unwrap();

    let started = Instant::now();
    let error = agent
        .answer(&request(Arm::WithSkill, QUERY))
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(matches!(error, AgentError::Timeout { .. }), "{error:?}");
    assert!(is_transient(&error));

    // The background child would write its mark 2 s after starting, had it survived.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        !mark.exists(),
        "a child of the timed-out program survived the kill"
    );
}

#[tokio::test]
async fn subprocess_cancel_kills_group() {
    let folder = tempfile::tempdir().unwrap();
    let mark = folder.path().join("survived");
    let command = script(
        &folder,
        "(sleep 2; echo survived > \"$MARK\") &\nsleep 30\n",
    );
    let config = SubprocessConfig {
        env: BTreeMap::from([("MARK".to_string(), mark.display().to_string())]),
        ..SubprocessConfig::new(command)
    };
    let agent = SubprocessAgent::new(config).unwrap();

    // A runner that gives up on a unit (Ctrl-C, say) drops the future mid-run.
    let request = request(Arm::WithSkill, QUERY);
    let outcome = tokio::time::timeout(Duration::from_millis(500), agent.answer(&request)).await;
    assert!(
        outcome.is_err(),
        "the program should still be running when the future is dropped"
    );

    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!mark.exists(), "a child of the cancelled program survived");
}

#[tokio::test]
async fn subprocess_failed_exit() {
    let folder = tempfile::tempdir().unwrap();
    let command = script(
        &folder,
        "echo partial answer\necho 'model overloaded' >&2\nexit 3\n",
    );
    let error = agent(command, SkillDelivery::Stdin)
        .answer(&request(Arm::WithSkill, QUERY))
        .await
        .unwrap_err();

    match &error {
        AgentError::ProcessFailed {
            program,
            status,
            stderr,
        } => {
            assert_eq!(program, "/bin/sh");
            assert!(status.contains('3'), "{status}");
            assert_eq!(stderr, "model overloaded");
        }
        other => panic!("expected a failed process, got {other:?}"),
    }
    assert!(!is_transient(&error));
}

#[tokio::test]
async fn subprocess_missing_program() {
    let command = vec!["skilleval-no-such-program".into()];
    let error = agent(command, SkillDelivery::Stdin)
        .answer(&request(Arm::WithSkill, QUERY))
        .await
        .unwrap_err();
    assert!(matches!(error, AgentError::Subprocess { .. }), "{error:?}");
    assert!(
        error.to_string().contains("skilleval-no-such-program"),
        "{error}"
    );
    assert!(!is_transient(&error));
}

#[tokio::test]
async fn subprocess_empty_output() {
    let command = vec!["true".into()];
    let error = agent(command, SkillDelivery::Stdin)
        .answer(&request(Arm::WithSkill, QUERY))
        .await
        .unwrap_err();
    assert!(matches!(error, AgentError::NoText { .. }), "{error:?}");
}

#[tokio::test]
async fn subprocess_through_agent_enum() {
    let agent = Agent::Subprocess(agent(vec!["cat".into()], SkillDelivery::Stdin));
    let answer = agent
        .answer(&request(Arm::WithoutSkill, QUERY))
        .await
        .unwrap();
    assert!(answer.text.ends_with(QUERY));
    assert_eq!(answer.usage, None);
    assert_eq!(
        agent.describe(),
        "subprocess cat (skill in the prompt on stdin)"
    );
}
