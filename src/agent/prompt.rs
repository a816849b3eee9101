//! The messages an agent receives in each arm. Both arms get the same system prompt;
//! the with-skill arm gets the skill's full text appended to it, so the skill is the
//! only difference between the arms.

use crate::suite::{Arm, Skill};

/// The system prompt both arms start from, unless the user gives another.
pub const DEFAULT_SYSTEM_PROMPT: &str =
    "You are a helpful assistant for machine-learning engineers.";

/// A system and a user message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub system: String,
    pub user: String,
}

/// Builds the prompt for one arm: the system prompt, then for the with-skill arm a blank
/// line and the skill's text exactly as in its file; the query is the user message.
pub fn build_prompt(system_prompt: &str, skill: Option<&Skill>, arm: Arm, query: &str) -> Prompt {
    let system = match (arm, skill) {
        (Arm::WithSkill, Some(skill)) => format!("{system_prompt}\n\n{}", skill.text),
        _ => system_prompt.to_string(),
    };
    Prompt {
        system,
        user: query.to_string(),
    }
}
