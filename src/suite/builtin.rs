//! The built-in suite, compiled into the binary so that `skilleval run` works with no
//! files around it. The same files sit at the top of the repository.

use super::load::{SourceFile, SuiteSources};

/// Every file of the built-in suite: its path relative to the repository, and its text.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("suite.yaml", include_str!("../../suite.yaml")),
    ("gates.yaml", include_str!("../../gates.yaml")),
    ("pressures.yaml", include_str!("../../pressures.yaml")),
    ("rationalizations.yaml", include_str!("../../rationalizations.yaml")),
    ("scenarios/convergence-vs-speed.yaml", include_str!("../../scenarios/convergence-vs-speed.yaml")),
    ("scenarios/gradient-accumulation.yaml", include_str!("../../scenarios/gradient-accumulation.yaml")),
    ("scenarios/linear-scaling-rule.yaml", include_str!("../../scenarios/linear-scaling-rule.yaml")),
    ("scenarios/max-batch-assumption.yaml", include_str!("../../scenarios/max-batch-assumption.yaml")),
    ("scenarios/memory-estimation.yaml", include_str!("../../scenarios/memory-estimation.yaml")),
    ("scenarios/time-pressure-convergence.yaml", include_str!("../../scenarios/time-pressure-convergence.yaml")),
    ("rubrics/convergence-vs-speed.yaml", include_str!("../../rubrics/convergence-vs-speed.yaml")),
    ("rubrics/gradient-accumulation.yaml", include_str!("../../rubrics/gradient-accumulation.yaml")),
    ("rubrics/linear-scaling-rule.yaml", include_str!("../../rubrics/linear-scaling-rule.yaml")),
    ("rubrics/max-batch-assumption.yaml", include_str!("../../rubrics/max-batch-assumption.yaml")),
    ("rubrics/memory-estimation.yaml", include_str!("../../rubrics/memory-estimation.yaml")),
    ("rubrics/time-pressure-convergence.yaml", include_str!("../../rubrics/time-pressure-convergence.yaml")),
];

/// Returns the built-in suite's files, as `load` takes them.
pub fn builtin_sources() -> SuiteSources {
    let file = |path: &str| {
        let (path, text) = BUILTIN_FILES.iter().find(|(name, _)| *name == path).copied().unwrap_or((path, ""));
        SourceFile { path: format!("<built-in>/{path}"), text: text.to_string() }
    };
    let folder = |prefix: &str| {
        BUILTIN_FILES
            .iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(name, _)| file(name))
            .collect()
    };
    SuiteSources {
        suite: file("suite.yaml"),
        gates: file("gates.yaml"),
        scenarios: folder("scenarios/"),
        rubrics: folder("rubrics/"),
        pressures: Some(file("pressures.yaml")),
        rationalizations: Some(file("rationalizations.yaml")),
    }
}
