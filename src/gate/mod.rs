//! Quality gates and the skill lint. Each of the ten gates reads the suite, the run's
//! summaries or the skill's lint, and returns holds, fails or not evaluated with the
//! figure behind it. Pure and synchronous: gates never see an agent.

mod answer_gates;
mod document_gates;
mod evaluate;
mod examples;
mod lint;
mod markdown;
mod model;
mod pressure_gates;
mod suite_gates;
#[cfg(test)]
pub(crate) mod test_support;

pub use evaluate::evaluate;
pub(crate) use suite_gates::plural;
pub use examples::{ConcreteExample, ExampleKind};
pub use lint::{PatternCoverage, SkillLint, TableLocation, TermFound, TermMatch, lint_skill};
pub use model::{GateId, GateInputs, GateResult, GateStatus, format_percent};
