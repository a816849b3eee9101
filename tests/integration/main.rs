//! The one integration test binary; each feature has its own module.

mod agent_anthropic;
mod agent_file;
mod agent_openai;
mod agent_replay;
mod agent_stream;
mod agent_subprocess;
mod default_run;
mod gate_lint;
mod gate_phases;
mod planner_cli;
mod report_browser;
mod report_exports;
mod report_fixture;
mod report_formats;
mod score_cli;
mod scorer_agreement;
mod snapshot_baseline;
mod stats_default_run;
mod suite_load;
mod support;
