//! The one integration test binary; each feature has its own module.

mod agent_openai;
mod agent_replay;
mod planner_cli;
mod scorer_agreement;
mod suite_load;
mod support;
