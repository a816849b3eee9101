//! The one integration test binary; each feature has its own module.

mod planner_cli;
