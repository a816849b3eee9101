//! The command line: clap commands and orchestration only.

pub mod lint;
