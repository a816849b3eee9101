//! Exit codes, as `--help` documents them.

/// Every gate that was evaluated holds.
pub const SUCCESS: u8 = 0;
/// A quality gate failed, or a run regressed against its `--baseline`.
pub const GATE_FAILED: u8 = 1;
/// Bad input: a YAML file, a flag or a file that cannot be read.
pub const BAD_INPUT: u8 = 2;
/// The agent could not be reached, or too many units errored.
pub const AGENT_FAILED: u8 = 3;
/// Ctrl-C stopped a run; what finished is kept and `--resume` completes it.
pub const INTERRUPTED: u8 = crate::run::INTERRUPTED_EXIT_CODE;

/// The exit-code table printed at the end of `--help`.
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0  every evaluated gate holds
  1  a quality gate failed, or the run regressed against --baseline
  2  bad input: YAML, flags or files (nothing was sent to an agent)
  3  the agent could not be reached, or too many units errored
  130  a run was stopped with Ctrl-C; finish it with --resume";
