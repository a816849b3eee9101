//! The one integration test binary; each feature has its own module.

mod gate_lint;
mod gate_phases;
mod report_exports;
mod report_fixture;
