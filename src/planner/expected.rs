//! The planner's value for each numeric rubric quantity, computed from a scenario's
//! parameters, with the range the scorer accepts.

use super::accumulation::accumulation_steps;
use super::batch::bert_finetune_batch_range;
use super::lr::{ScalingRule, lr_multiplier};
use super::precision::{Optimizer, Precision};
use super::presets::{from_count, preset};
use super::units::BYTES_PER_GB;
use crate::suite::{ParamValue, Parameters, Quantity};

/// What a correct answer states for a quantity, and what the scorer accepts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Expected {
    /// The planner's value, in `unit`.
    pub value: f64,
    /// Lowest accepted value, in `unit`.
    pub low: f64,
    /// Highest accepted value, in `unit`.
    pub high: f64,
    pub unit: Unit,
    /// How the value follows from the parameters, for reports.
    pub derivation: String,
}

impl Expected {
    /// Whether a stated value lies in the accepted range.
    pub fn accepts(&self, stated: f64) -> bool {
        let slack = 1e-9 * self.high.abs().max(1.0);
        stated >= self.low - slack && stated <= self.high + slack
    }
}

/// Unit of an expected value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// A dimensionless factor such as a learning-rate multiplier.
    Factor,
    /// A count of steps or micro-batches.
    Steps,
    /// Gigabytes (10^9 bytes). Answers in GiB are compared by their number, since
    /// people round 44.7 GiB and 48 GB to the same estimate.
    Gigabytes,
    /// Examples per batch.
    Examples,
}

/// A scenario whose parameters do not let the planner compute a quantity.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlannerError {
    #[error("parameter `{0}` is missing")]
    MissingParameter(String),
    #[error("parameter `{name}` must be {expected}")]
    InvalidParameter {
        name: String,
        expected: &'static str,
    },
    #[error("no recommended batch range for model `{model}` and task `{task}`")]
    NoRecommendation { model: String, task: String },
}

/// Computes what a correct answer states for `quantity`, from a scenario's parameters.
pub fn expected(quantity: Quantity, parameters: &Parameters) -> Result<Expected, PlannerError> {
    match quantity {
        Quantity::LrMultiplier => lr_multiplier_expected(parameters),
        Quantity::AccumulationSteps => accumulation_expected(parameters),
        Quantity::ModelStateMemory => model_state_expected(parameters),
        Quantity::RecommendedBatch => recommended_batch_expected(parameters),
    }
}

/// Returns an expected value that only an exact match satisfies.
fn exact(value: f64, unit: Unit, derivation: String) -> Expected {
    Expected {
        value,
        low: value,
        high: value,
        unit,
        derivation,
    }
}

/// Computes the linear-rule multiplier for `old_batch` → `new_batch`.
fn lr_multiplier_expected(parameters: &Parameters) -> Result<Expected, PlannerError> {
    let old_batch = positive(parameters, "old_batch")?;
    let new_batch = positive(parameters, "new_batch")?;
    let multiplier = lr_multiplier(old_batch, new_batch, ScalingRule::Linear);
    Ok(exact(
        multiplier,
        Unit::Factor,
        format!("{new_batch} / {old_batch} = {multiplier} (linear scaling rule)"),
    ))
}

/// Computes the accumulation steps for `target_batch` from `micro_batch`.
fn accumulation_expected(parameters: &Parameters) -> Result<Expected, PlannerError> {
    let target = positive(parameters, "target_batch")?;
    let micro = positive(parameters, "micro_batch")?;
    let steps = accumulation_steps(target, micro);
    Ok(exact(
        steps as f64,
        Unit::Steps,
        format!("{target} / {micro} = {steps} micro-batches per optimizer step"),
    ))
}

/// Computes model-state memory of full training from `params` (or a preset `model`),
/// `optimizer` (default AdamW) and `precision` (default mixed).
fn model_state_expected(parameters: &Parameters) -> Result<Expected, PlannerError> {
    let params = parameter_count(parameters)?;
    let optimizer = match text(parameters, "optimizer") {
        Some("unspecified") | None => Optimizer::AdamW,
        Some(name) => Optimizer::parse(name).ok_or(PlannerError::InvalidParameter {
            name: "optimizer".into(),
            expected: "sgd, momentum, adamw, adam8bit, adafactor or adafactor-momentum",
        })?,
    };
    // With precision unspecified the planner takes mixed precision; for Adam-type
    // optimizers fp32 and mixed precision give the same 16 bytes per parameter.
    let precision = match text(parameters, "precision") {
        Some("unspecified") | None => Precision::Mixed,
        Some(name) => Precision::parse(name).ok_or(PlannerError::InvalidParameter {
            name: "precision".into(),
            expected: "fp32, mixed, bf16, amp or pure-bf16",
        })?,
    };
    let hidden = f64::from(from_count(params).architecture.hidden);
    let bytes_per_param = precision.model_state_bytes_per_param(optimizer, hidden);
    let gigabytes = params * bytes_per_param / BYTES_PER_GB;
    // Accept a sixth either side: 40-56 GB for 48 GB, which also covers 44.7 GiB.
    Ok(Expected {
        value: gigabytes,
        low: gigabytes * 5.0 / 6.0,
        high: gigabytes * 7.0 / 6.0,
        unit: Unit::Gigabytes,
        derivation: format!(
            "{params:e} parameters x {bytes_per_param} bytes (weights, gradients, {} states) = {gigabytes} GB",
            optimizer.name()
        ),
    })
}

/// Returns `params` (a number, or a count such as `3B`), or the parameter count of the
/// preset named by `model`.
fn parameter_count(parameters: &Parameters) -> Result<f64, PlannerError> {
    if let Some(ParamValue::Text(count)) = parameters.get("params") {
        return super::units::parse_count(count).ok().filter(|count| *count > 0.0).ok_or(PlannerError::InvalidParameter {
            name: "params".into(),
            expected: "a positive number, or a count such as 3B or 350M",
        });
    }
    if parameters.contains_key("params") {
        return positive(parameters, "params");
    }
    let model =
        text(parameters, "model").ok_or_else(|| PlannerError::MissingParameter("params".into()))?;
    preset(model)
        .map(|spec| spec.parameters)
        .ok_or(PlannerError::InvalidParameter {
            name: "model".into(),
            expected: "a known model preset when `params` is absent",
        })
}

/// Looks up the published batch range for `model` and `task` (default fine-tuning).
fn recommended_batch_expected(parameters: &Parameters) -> Result<Expected, PlannerError> {
    let model =
        text(parameters, "model").ok_or_else(|| PlannerError::MissingParameter("model".into()))?;
    let task = text(parameters, "task").unwrap_or("fine-tuning");
    let range =
        bert_finetune_batch_range(model, task).ok_or_else(|| PlannerError::NoRecommendation {
            model: model.into(),
            task: task.into(),
        })?;
    Ok(Expected {
        value: range.recommended_high,
        low: range.accepted_low,
        high: range.accepted_high,
        unit: Unit::Examples,
        derivation: format!(
            "{model} {task}: {}-{} recommended, {}-{} accepted",
            range.recommended_low, range.recommended_high, range.accepted_low, range.accepted_high
        ),
    })
}

/// Returns a parameter that must be a positive, finite number.
fn positive(parameters: &Parameters, name: &str) -> Result<f64, PlannerError> {
    match parameters.get(name) {
        None => Err(PlannerError::MissingParameter(name.into())),
        Some(ParamValue::Number(value)) if *value > 0.0 && value.is_finite() => Ok(*value),
        Some(_) => Err(PlannerError::InvalidParameter {
            name: name.into(),
            expected: "a positive number",
        }),
    }
}

/// Returns a text parameter, if present.
fn text<'a>(parameters: &'a Parameters, name: &str) -> Option<&'a str> {
    parameters.get(name).and_then(ParamValue::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, ParamValue)]) -> Parameters {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone()))
            .collect()
    }

    #[test]
    fn lr_multiplier_from_scenario() {
        let parameters = params(&[
            ("old_batch", ParamValue::Number(64.0)),
            ("new_batch", ParamValue::Number(256.0)),
        ]);
        let expected = expected(Quantity::LrMultiplier, &parameters).unwrap();
        assert_eq!(expected.value, 4.0);
        assert!(expected.accepts(4.0));
        assert!(!expected.accepts(2.0));
    }

    #[test]
    fn lr_multiplier_128_to_512() {
        let parameters = params(&[
            ("old_batch", ParamValue::Number(128.0)),
            ("new_batch", ParamValue::Number(512.0)),
        ]);
        assert_eq!(
            expected(Quantity::LrMultiplier, &parameters).unwrap().value,
            4.0
        );
    }

    #[test]
    fn accumulation_from_scenario() {
        let parameters = params(&[
            ("target_batch", ParamValue::Number(512.0)),
            ("micro_batch", ParamValue::Number(64.0)),
        ]);
        let expected = expected(Quantity::AccumulationSteps, &parameters).unwrap();
        assert_eq!(expected.value, 8.0);
        assert!(!expected.accepts(7.0));
    }

    #[test]
    fn model_state_for_3b_adamw() {
        let parameters = params(&[
            ("params", ParamValue::Number(3.0e9)),
            ("optimizer", ParamValue::Text("adamw".into())),
            ("precision", ParamValue::Text("unspecified".into())),
        ]);
        let expected = expected(Quantity::ModelStateMemory, &parameters).unwrap();
        assert_eq!(expected.value, 48.0);
        assert!(expected.accepts(40.0));
        assert!(expected.accepts(44.7));
        assert!(expected.accepts(56.0));
        assert!(!expected.accepts(12.0));
        assert!(!expected.accepts(24.0));
    }

    #[test]
    fn model_state_from_preset_name() {
        let parameters = params(&[("model", ParamValue::Text("bert-base".into()))]);
        let expected = expected(Quantity::ModelStateMemory, &parameters).unwrap();
        assert!((expected.value - 109_482_240.0 * 16.0 / 1e9).abs() < 1e-9);
    }

    #[test]
    fn recommended_batch_for_bert() {
        let parameters = params(&[
            ("model", ParamValue::Text("bert-base".into())),
            ("task", ParamValue::Text("fine-tuning".into())),
        ]);
        let expected = expected(Quantity::RecommendedBatch, &parameters).unwrap();
        for accepted in [8.0, 16.0, 32.0, 64.0] {
            assert!(expected.accepts(accepted), "{accepted}");
        }
        assert!(!expected.accepts(128.0));
        assert!(!expected.accepts(4.0));
    }

    #[test]
    fn missing_parameter_is_named() {
        let error = expected(Quantity::AccumulationSteps, &Parameters::new()).unwrap_err();
        assert_eq!(error.to_string(), "parameter `target_batch` is missing");
    }
}
