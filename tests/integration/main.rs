//! The one integration test binary; each feature has its own module.

mod agent_anthropic;
mod agent_file;
mod agent_openai;
mod agent_replay;
mod agent_stream;
mod agent_subprocess;
mod support;
