//! The one integration test binary; each feature has its own module.
