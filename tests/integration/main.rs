//! The one integration test binary; each feature has its own module.

mod scorer_agreement;
mod support;
