//! The one integration test binary; each feature has its own module.

mod agent_anthropic;
mod agent_file;
mod agent_openai;
mod agent_replay;
mod agent_stream;
mod agent_subprocess;
mod gate_lint;
mod gate_phases;
mod planner_cli;
mod report_exports;
mod report_fixture;
mod run_agents;
mod run_cache;
mod run_faults;
mod run_resume;
mod scorer_agreement;
mod suite_load;
mod support;
