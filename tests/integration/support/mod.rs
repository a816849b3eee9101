//! Helpers shared by the integration tests.

pub mod cli;
pub mod mock_http;
pub mod mock_agent;
pub mod run_support;
