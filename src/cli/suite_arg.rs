//! The `--suite` option shared by commands that read a suite.

use std::path::PathBuf;

use crate::suite::{self, LoadError, Suite};

/// Where the suite comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct SuiteArg {
    /// Suite folder with suite.yaml, gates.yaml, scenarios/ and rubrics/, and optionally pressures.yaml and rationalizations.yaml [default: the built-in suite]
    #[arg(long, value_name = "DIR")]
    pub suite: Option<PathBuf>,
}

impl SuiteArg {
    /// Loads and validates the suite.
    pub fn load(&self) -> Result<Suite, LoadError> {
        match &self.suite {
            Some(dir) => suite::load_dir(dir),
            None => suite::load_builtin(),
        }
    }
}
