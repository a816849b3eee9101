//! skilleval: tests an agent skill the way skill authors test by hand (RED, GREEN,
//! REFACTOR), as one repeatable, gated command.
//!
//! Modules, leaves first; each uses only modules above it:
//! `stats` (intervals for pass rates), `suite` (YAML and validation), `planner`
//! (reference answers), `score` (checks, evidence and summaries), `agent` (providers and
//! replay), `run` (the async runner), `gate` (quality gates and skill lint), `snapshot`
//! (verdict snapshots and baseline comparison), `report` (result model and exporters),
//! `cli`.

pub mod agent;
pub mod cli;
pub mod gate;
pub mod matrix;
pub mod planner;
pub mod report;
pub mod run;
pub mod score;
pub mod snapshot;
pub mod stats;
pub mod suite;
