//! The subprocess agent: runs any command-line agent (such as `claude -p` or `codex
//! exec`) once per unit. The prompt goes to its stdin and its stdout is the answer.
//!
//! The command is a list of arguments passed to the program directly, never through a
//! shell, so no scenario text can inject a command. Every run starts in a fresh
//! temporary working directory, in both arms, which is removed afterwards. In the
//! with-skill arm the skill reaches the program in the way its `SkillDelivery` sets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::process::Command;

use super::dispatch::SetupError;
use super::http::excerpt;
use super::openai::DEFAULT_TIMEOUT;
use super::process::{ProcessFailure, ProcessOutput, run_to_completion};
use super::{AgentAnswer, AgentError, AgentRequest};
use crate::suite::Skill;

/// Provider name used in error messages.
const PROVIDER: &str = "subprocess agent";

/// Placeholder in `SkillDelivery::Arguments` replaced by the skill file's path.
pub const SKILL_PATH_PLACEHOLDER: &str = "{skill_path}";

/// The skills folder used when an agent entry names none: where Claude Code looks for
/// project skills, each in `<name>/SKILL.md`.
pub const DEFAULT_SKILLS_FOLDER: &str = ".claude/skills";

/// The way the skill reaches the program in the with-skill arm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkillDelivery {
    /// Stdin gets the system message, a blank line and the user message; in the
    /// with-skill arm the system message contains the skill.
    Stdin,
    /// The environment variable gets the path of a copy of the skill file; it is
    /// removed from the environment in the baseline. Stdin gets the user message.
    EnvVar { variable: String },
    /// These arguments are appended, each with `{skill_path}` replaced by the path of a
    /// copy of the skill file; the baseline gets none of them. Stdin gets the user message.
    Arguments { arguments: Vec<String> },
    /// The skill is copied to `<folder>/<name>/SKILL.md` inside the working directory,
    /// `name` defaulting to the skill's front-matter `name`. Stdin gets the user message.
    SkillsFolder {
        folder: PathBuf,
        name: Option<String>,
    },
}

/// The command to run and the way to hand it the skill.
#[derive(Debug, Clone, PartialEq)]
pub struct SubprocessConfig {
    /// The program and its arguments.
    pub command: Vec<String>,
    pub skill_delivery: SkillDelivery,
    /// Limit for one run; past it, the program's whole process group is killed.
    pub timeout: Duration,
    /// Variables added to the inherited environment.
    pub env: BTreeMap<String, String>,
}

impl SubprocessConfig {
    /// Builds a configuration that runs `command` with the prompt on stdin.
    pub fn new(command: Vec<String>) -> SubprocessConfig {
        SubprocessConfig {
            command,
            skill_delivery: SkillDelivery::Stdin,
            timeout: DEFAULT_TIMEOUT,
            env: BTreeMap::new(),
        }
    }
}

/// An agent that runs a command-line program once per unit.
#[derive(Debug, Clone)]
pub struct SubprocessAgent {
    config: SubprocessConfig,
}

impl SubprocessAgent {
    /// Checks the configuration: a program must be named, and a skills-folder path must
    /// stay inside the working directory.
    pub fn new(config: SubprocessConfig) -> Result<SubprocessAgent, SetupError> {
        if config
            .command
            .first()
            .is_none_or(|program| program.trim().is_empty())
        {
            return Err(SetupError::InvalidSubprocess(
                "the command is empty; name a program to run".to_string(),
            ));
        }
        if let SkillDelivery::SkillsFolder { folder, name } = &config.skill_delivery {
            check_relative_folder(folder)?;
            if let Some(name) = name {
                check_skill_name(name).map_err(SetupError::InvalidSubprocess)?;
            }
        }
        if let SkillDelivery::EnvVar { variable } = &config.skill_delivery {
            if variable.is_empty() || variable.contains(['=', '\0']) {
                return Err(SetupError::InvalidSubprocess(format!(
                    "invalid environment variable name \"{variable}\""
                )));
            }
        }
        Ok(SubprocessAgent { config })
    }

    /// Runs the program for one unit and returns its stdout, trailing whitespace removed.
    pub async fn answer(&self, request: &AgentRequest) -> Result<AgentAnswer, AgentError> {
        let workspace = tempfile::Builder::new()
            .prefix("skilleval-")
            .tempdir()
            .map_err(|error| {
                self.failure(format!("cannot create a temporary directory: {error}"))
            })?;
        let working_dir = workspace.path().join("work");
        std::fs::create_dir(&working_dir).map_err(|error| {
            self.failure(format!("cannot create the working directory: {error}"))
        })?;

        let mut command = Command::new(self.program());
        command
            .args(&self.config.command[1..])
            .current_dir(&working_dir)
            .envs(&self.config.env);
        let input = self.stdin_text(request);
        self.deliver_skill(
            &mut command,
            request.skill.as_deref(),
            workspace.path(),
            &working_dir,
        )?;

        let output = run_to_completion(command, input.as_bytes(), self.config.timeout)
            .await
            .map_err(|failure| self.process_error(failure))?;
        self.read_answer(output)
    }

    /// Describes the agent for logs and reports: the program and how it gets the skill.
    /// Arguments are left out because a user may have put a key into one.
    pub fn describe(&self) -> String {
        let delivery = match &self.config.skill_delivery {
            SkillDelivery::Stdin => "in the prompt on stdin".to_string(),
            SkillDelivery::EnvVar { variable } => format!("as a file path in ${variable}"),
            SkillDelivery::Arguments { .. } => "as a file path in its arguments".to_string(),
            SkillDelivery::SkillsFolder { folder, .. } => {
                format!("in the skills folder {}", folder.display())
            }
        };
        format!("subprocess {} (skill {delivery})", self.program())
    }

    fn program(&self) -> &str {
        &self.config.command[0]
    }

    /// Returns what goes to stdin: the whole prompt for stdin delivery, else the user message.
    fn stdin_text(&self, request: &AgentRequest) -> String {
        let prompt = &request.prompt;
        match self.config.skill_delivery {
            SkillDelivery::Stdin if !prompt.system.is_empty() => {
                format!("{}\n\n{}", prompt.system, prompt.user)
            }
            _ => prompt.user.clone(),
        }
    }

    /// Hands the skill to the program as configured; in the baseline, makes sure it
    /// gets no skill path.
    fn deliver_skill(
        &self,
        command: &mut Command,
        skill: Option<&Skill>,
        workspace: &Path,
        working_dir: &Path,
    ) -> Result<(), AgentError> {
        let Some(skill) = skill else {
            if let SkillDelivery::EnvVar { variable } = &self.config.skill_delivery {
                command.env_remove(variable);
            }
            return Ok(());
        };
        match &self.config.skill_delivery {
            SkillDelivery::Stdin => {}
            SkillDelivery::EnvVar { variable } => {
                command.env(variable, self.write_skill_copy(skill, workspace)?);
            }
            SkillDelivery::Arguments { arguments } => {
                let path = self.write_skill_copy(skill, workspace)?;
                let path = path.to_string_lossy();
                command.args(
                    arguments
                        .iter()
                        .map(|argument| argument.replace(SKILL_PATH_PLACEHOLDER, &path)),
                );
            }
            SkillDelivery::SkillsFolder { folder, name } => {
                let name = match name {
                    Some(name) => name.clone(),
                    None => skill_name(skill).map_err(|message| self.failure(message))?,
                };
                // NOTE: only SKILL.md is copied. Files that a skill folder keeps beside it
                // (scripts, references) do not reach the program.
                let skill_dir = working_dir.join(folder).join(name);
                self.write_file(&skill_dir.join("SKILL.md"), &skill.text)?;
            }
        }
        Ok(())
    }

    /// Writes the skill to `<workspace>/skill/SKILL.md`, outside the program's working
    /// directory, and returns the path.
    fn write_skill_copy(&self, skill: &Skill, workspace: &Path) -> Result<PathBuf, AgentError> {
        let path = workspace.join("skill").join("SKILL.md");
        self.write_file(&path, &skill.text)?;
        Ok(path)
    }

    fn write_file(&self, path: &Path, text: &str) -> Result<(), AgentError> {
        let parent = path.parent().unwrap_or(path);
        std::fs::create_dir_all(parent)
            .and_then(|()| std::fs::write(path, text))
            .map_err(|error| self.failure(format!("cannot write {}: {error}", path.display())))
    }

    /// Turns the program's exit and output into an answer or an error.
    fn read_answer(&self, output: ProcessOutput) -> Result<AgentAnswer, AgentError> {
        if !output.status.success() {
            return Err(AgentError::ProcessFailed {
                program: self.program().to_string(),
                status: output.status.to_string(),
                stderr: excerpt(&String::from_utf8_lossy(&output.stderr)),
            });
        }
        let text =
            String::from_utf8(output.stdout).map_err(|error| AgentError::MalformedResponse {
                provider: PROVIDER,
                message: format!("{} wrote invalid UTF-8 to stdout: {error}", self.program()),
            })?;
        let text = text.trim_end();
        if text.is_empty() {
            let detail = format!(
                "{} exited successfully but wrote nothing to stdout",
                self.program()
            );
            return Err(AgentError::NoText {
                provider: PROVIDER,
                detail,
            });
        }
        Ok(AgentAnswer {
            text: text.to_string(),
            usage: None,
        })
    }

    fn process_error(&self, failure: ProcessFailure) -> AgentError {
        match failure {
            ProcessFailure::Spawn(error) => {
                self.failure(format!("cannot start the program: {error}"))
            }
            ProcessFailure::Io(error) => {
                self.failure(format!("reading the program's output failed: {error}"))
            }
            ProcessFailure::TimedOut => AgentError::Timeout {
                provider: PROVIDER,
                after: self.config.timeout,
            },
        }
    }

    fn failure(&self, message: String) -> AgentError {
        AgentError::Subprocess {
            program: self.program().to_string(),
            message,
        }
    }
}

/// Reads the `name:` field of the skill's YAML front matter, the block between two
/// `---` lines at the top of the file.
fn skill_name(skill: &Skill) -> Result<String, String> {
    let missing = || {
        format!(
            "{} has no `name:` in its front matter; set `skill_name` in the agent entry",
            skill.path.display()
        )
    };
    let mut lines = skill.text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return Err(missing());
    }
    let name = lines
        .take_while(|line| line.trim_end() != "---")
        .find_map(|line| line.strip_prefix("name:"))
        .map(|value| value.trim().trim_matches(['"', '\'']).to_string())
        .ok_or_else(missing)?;
    check_skill_name(&name)?;
    Ok(name)
}

/// Accepts a name that is one safe path component: letters, digits, `.`, `_` and `-`.
fn check_skill_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid skill name \"{name}\": use letters, digits, '.', '_' and '-' only"
        ))
    }
}

/// Accepts a relative folder path without `..`, so the skill stays inside the working directory.
fn check_relative_folder(folder: &Path) -> Result<(), SetupError> {
    let inside = folder
        .components()
        .all(|component| matches!(component, std::path::Component::Normal(_)));
    if inside && folder.components().next().is_some() {
        Ok(())
    } else {
        Err(SetupError::InvalidSubprocess(format!(
            "skills folder \"{}\" must be a relative path inside the working directory, without \"..\"",
            folder.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(text: &str) -> Skill {
        Skill {
            path: PathBuf::from("skills/x/SKILL.md"),
            text: text.to_string(),
        }
    }

    #[test]
    fn skill_name_from_front_matter() {
        let text = "---\nname: batch-size\ndescription: Use when: tuning\n---\n# Batch size\n";
        assert_eq!(skill_name(&skill(text)).unwrap(), "batch-size");
        assert_eq!(
            skill_name(&skill("---\nname: \"quoted\"\n---\n")).unwrap(),
            "quoted"
        );
    }

    #[test]
    fn skill_name_missing_or_unsafe() {
        assert!(skill_name(&skill("# No front matter\nname: x\n")).is_err());
        assert!(skill_name(&skill("---\ndescription: d\n---\nname: late\n")).is_err());
        assert!(skill_name(&skill("---\nname: ../escape\n---\n")).is_err());
    }

    #[test]
    fn skills_folder_must_stay_inside() {
        for folder in ["/etc/skills", "../skills", "a/../../b", ""] {
            let delivery = SkillDelivery::SkillsFolder {
                folder: PathBuf::from(folder),
                name: None,
            };
            let config = SubprocessConfig {
                skill_delivery: delivery,
                ..SubprocessConfig::new(vec!["cat".into()])
            };
            assert!(
                SubprocessAgent::new(config).is_err(),
                "{folder:?} should be rejected"
            );
        }
    }

    #[test]
    fn empty_command_rejected() {
        assert!(SubprocessAgent::new(SubprocessConfig::new(vec![])).is_err());
        assert!(SubprocessAgent::new(SubprocessConfig::new(vec![" ".into()])).is_err());
    }

    #[test]
    fn describe_leaves_out_arguments() {
        let config = SubprocessConfig::new(vec![
            "claude".into(),
            "--api-key".into(),
            "sk-secret".into(),
        ]);
        let description = SubprocessAgent::new(config).unwrap().describe();
        assert_eq!(
            description,
            "subprocess claude (skill in the prompt on stdin)"
        );
    }
}
