//! Helpers shared by the integration tests.

pub mod cli;
pub mod mock_http;
