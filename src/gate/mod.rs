//! Quality gates and the skill lint. The lint computes the figures that the document
//! gates read from a skill. Pure and synchronous.

mod examples;
mod lint;
mod markdown;
#[cfg(test)]
pub(crate) mod test_support;

pub use examples::{ConcreteExample, ExampleKind};
pub use lint::{PatternCoverage, SkillLint, TableLocation, TermFound, TermMatch, lint_skill};
