//! The steps-versus-examples trade-off of batch size, from McCandlish et al. 2018,
//! "An Empirical Model of Large-Batch Training".
//!
//! Reaching a given loss takes S optimizer steps and E = B·S examples at batch B, with
//! `(S/S_min − 1)(E/E_min − 1) = 1`, so that `S = S_min·(1 + B_noise/B)` and
//! `E = E_min·(1 + B/B_noise)`, where the gradient noise scale `B_noise = E_min/S_min`
//! approximates the critical batch. At `B = B_noise` steps and examples are each twice
//! their minimum. Well below it, doubling the batch nearly halves the steps; well above
//! it, doubling the batch nearly doubles the examples and barely cuts the steps.

use serde::Serialize;

/// Returns S / S_min at `batch` for a noise scale `noise_scale`.
pub fn steps_over_min(batch: f64, noise_scale: f64) -> f64 {
    1.0 + noise_scale / batch
}

/// Returns E / E_min at `batch` for a noise scale `noise_scale`.
pub fn examples_over_min(batch: f64, noise_scale: f64) -> f64 {
    1.0 + batch / noise_scale
}

/// One batch size on the trade-off curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TradeoffPoint {
    pub batch: f64,
    /// S / S_min.
    pub steps_ratio: f64,
    /// E / E_min.
    pub examples_ratio: f64,
    /// Steps, when S_min is known.
    pub steps: Option<f64>,
    /// Examples, when S_min is known (E_min = B_noise × S_min).
    pub examples: Option<f64>,
}

/// Computes the trade-off at each of `batches`, with absolute numbers when the
/// minimum step count `min_steps` is known.
pub fn tradeoff(noise_scale: f64, batches: &[f64], min_steps: Option<f64>) -> Vec<TradeoffPoint> {
    batches
        .iter()
        .map(|&batch| {
            let steps_ratio = steps_over_min(batch, noise_scale);
            let examples_ratio = examples_over_min(batch, noise_scale);
            TradeoffPoint {
                batch,
                steps_ratio,
                examples_ratio,
                steps: min_steps.map(|minimum| minimum * steps_ratio),
                examples: min_steps.map(|minimum| minimum * noise_scale * examples_ratio),
            }
        })
        .collect()
}

/// Returns batch sizes around the noise scale, powers of two from an eighth of it to
/// eight times it, for a default table.
pub fn batches_around(noise_scale: f64) -> Vec<f64> {
    let center = noise_scale.log2().round() as i32;
    let mut batches: Vec<f64> = (center - 3..=center + 3)
        .map(|exponent| 2f64.powi(exponent.max(0)))
        .collect();
    batches.dedup();
    batches
}

/// A squared gradient norm measured at one batch size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GradientNormSample {
    pub batch: f64,
    /// |G_B|², the squared norm of the gradient averaged over a batch of `batch`.
    pub squared_norm: f64,
}

/// A noise scale that cannot be estimated from the given samples.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NoiseScaleError {
    #[error("the two gradient-norm samples need different batch sizes, both were {0}")]
    SameBatch(f64),
    #[error(
        "the estimated true gradient norm |G|² is {0}, not positive: measure over more steps or with batches further apart"
    )]
    NonPositiveGradient(f64),
}

/// Estimates the simple noise scale `B_simple = tr(Σ)/|G|²` from squared gradient norms
/// at two batch sizes, with the unbiased estimators of McCandlish et al. 2018,
/// appendix A.1.
pub fn noise_scale_from_norms(
    small: GradientNormSample,
    big: GradientNormSample,
) -> Result<f64, NoiseScaleError> {
    if small.batch == big.batch {
        return Err(NoiseScaleError::SameBatch(small.batch));
    }
    let true_norm = (big.batch * big.squared_norm - small.batch * small.squared_norm)
        / (big.batch - small.batch);
    if true_norm <= 0.0 {
        return Err(NoiseScaleError::NonPositiveGradient(true_norm));
    }
    let trace = (small.squared_norm - big.squared_norm) / (1.0 / small.batch - 1.0 / big.batch);
    Ok(trace / true_norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hyperbola_holds() {
        for point in tradeoff(1000.0, &[10.0, 100.0, 1000.0, 10_000.0], None) {
            let product = (point.steps_ratio - 1.0) * (point.examples_ratio - 1.0);
            assert!((product - 1.0).abs() < 1e-12, "{point:?}");
        }
    }

    #[test]
    fn noise_scale_batch_doubles_both() {
        let point = tradeoff(512.0, &[512.0], Some(1000.0))[0];
        assert_eq!(point.steps_ratio, 2.0);
        assert_eq!(point.examples_ratio, 2.0);
        assert_eq!(point.steps, Some(2000.0));
        assert_eq!(point.examples, Some(2.0 * 512.0 * 1000.0));
    }

    #[test]
    fn quadrupled_batch_cuts_steps_less() {
        let points = tradeoff(1000.0, &[128.0, 512.0], None);
        let fewer_steps = points[0].steps_ratio / points[1].steps_ratio;
        assert!(fewer_steps > 2.0, "{fewer_steps}");
        assert!(fewer_steps < 4.0, "{fewer_steps}");
    }

    #[test]
    fn noise_scale_recovered_from_norms() {
        // |G|² = 2 and tr(Σ) = 1000 give |G_B|² = 2 + 1000/B and B_simple = 500.
        let sample = |batch: f64| GradientNormSample {
            batch,
            squared_norm: 2.0 + 1000.0 / batch,
        };
        let estimate = noise_scale_from_norms(sample(32.0), sample(1024.0)).unwrap();
        assert!((estimate - 500.0).abs() < 1e-9, "{estimate}");
    }

    #[test]
    fn default_batches_are_powers_of_two() {
        assert_eq!(
            batches_around(1000.0),
            vec![128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0]
        );
        assert_eq!(batches_around(2.0), vec![1.0, 2.0, 4.0, 8.0, 16.0]);
    }
}
