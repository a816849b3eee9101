//! A skill document: the markdown guidance an agent gets in its context. The harness
//! reads, injects and lints it; it never edits it.

use std::path::{Path, PathBuf};

/// A skill read from disk.
#[derive(Debug, Clone)]
pub struct Skill {
    pub path: PathBuf,
    pub text: String,
}

/// A skill file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read skill {}: {source}", path.display())]
pub struct SkillError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl Skill {
    /// Reads a skill file; a folder is taken to hold a `SKILL.md`.
    pub fn read(path: &Path) -> Result<Skill, SkillError> {
        let file = if path.is_dir() { path.join("SKILL.md") } else { path.to_path_buf() };
        let text = std::fs::read_to_string(&file).map_err(|source| SkillError { path: file.clone(), source })?;
        Ok(Skill { path: file, text })
    }
}
