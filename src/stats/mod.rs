//! Statistics for small samples of pass/fail verdicts: Wilson score intervals for one
//! pass rate, Newcombe's hybrid score interval for the difference of two, its MOVER
//! extension to a mean of differences, and the pass@k and pass^k estimators.
//!
//! Pure arithmetic on counts: nothing here knows about scenarios, arms or reports, so
//! every other module may use it.

mod difference;
mod interval;
mod pass_k;

pub use difference::{Difference, mean_difference, newcombe_difference, samples_to_exclude_zero};
pub use interval::{Interval, Proportion, Z_95, signed_points, wilson};
pub use pass_k::{pass_at_k, pass_hat_k};
