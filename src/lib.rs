//! skilleval: tests an agent skill the way skill authors test by hand (RED, GREEN,
//! REFACTOR), as one repeatable, gated command.
//!
//! Modules, leaves first; each uses only modules above it:
//! `suite` (YAML and validation), `planner` (reference answers), `score` (checks and
//! evidence), `agent` (providers and replay), `run` (the async runner), `gate`
//! (quality gates and skill lint), `report` (result model and exporters), `cli`.

pub mod agent;
pub mod cli;
pub mod gate;
pub mod matrix;
pub mod planner;
pub mod report;
pub mod run;
pub mod score;
pub mod suite;
