//! The suite: scenarios, rubrics, failure patterns and gate thresholds, loaded from
//! YAML and validated before anything else runs.

mod builtin;
mod contract;
mod files;
mod lazy_regex;
mod load;
mod model;
mod skill;
pub mod template;
mod variants;

pub use builtin::{builtin_sources, BUILTIN_FILES};
pub use contract::{fixed_scenario, FixedScenario, FIXED_SCENARIOS};
pub use lazy_regex::LazyRegex;
pub(crate) use lazy_regex::build_regex;
pub use load::{ascii_word_boundaries, load, read_dir, LoadError, SourceFile, SuiteSources};
pub use model::*;
pub use skill::{Skill, SkillError};

/// Loads the suite compiled into the binary.
pub fn load_builtin() -> Result<Suite, LoadError> {
    load(&builtin_sources())
}

/// Loads a suite folder from disk.
pub fn load_dir(dir: &std::path::Path) -> Result<Suite, LoadError> {
    load(&read_dir(dir)?)
}
