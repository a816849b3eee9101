//! Pass counts and their 95% Wilson score intervals.
//!
//! Wilson, E. B. (1927), "Probable inference, the law of succession, and statistical
//! inference", Journal of the American Statistical Association 22:209–212. Newcombe,
//! R. G. (1998), "Two-sided confidence intervals for the single proportion: comparison
//! of seven methods", Statistics in Medicine 17:857–872, recommends it over the Wald
//! interval for small samples: it stays inside 0–1 and is not empty at 0/n or n/n.

use serde::{Deserialize, Serialize};

/// The standard normal quantile for a two-sided 95% interval, Φ⁻¹(0.975).
pub const Z_95: f64 = 1.959_963_984_540_054;

/// A count of successes among trials, such as answers that passed among answers given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proportion {
    pub successes: u32,
    pub trials: u32,
}

impl Proportion {
    /// Creates a proportion; `successes` must not exceed `trials`.
    pub fn new(successes: u32, trials: u32) -> Self {
        debug_assert!(successes <= trials, "{successes} successes of {trials} trials");
        Proportion { successes, trials }
    }

    /// Returns `successes / trials`, or `None` when there were no trials.
    pub fn rate(self) -> Option<f64> {
        (self.trials > 0).then(|| f64::from(self.successes) / f64::from(self.trials))
    }

    /// Returns the 95% Wilson interval, or `None` when there were no trials.
    pub fn interval(self) -> Option<Interval> {
        wilson(self.successes, self.trials)
    }
}

/// A two-sided 95% confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub lower: f64,
    pub upper: f64,
}

impl Interval {
    /// Returns whether the interval contains `value`, bounds included.
    pub fn contains(self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }

    /// Returns whether the whole interval lies above zero or below it.
    pub fn excludes_zero(self) -> bool {
        self.lower > 0.0 || self.upper < 0.0
    }

    /// Formats a rate interval in whole percent, e.g. `12–77%`.
    pub fn format_percent(self) -> String {
        format!("{:.0}–{:.0}%", self.lower * 100.0, self.upper * 100.0)
    }

    /// Formats a difference interval in signed percentage points, e.g. `−5 to +88 pp`.
    pub fn format_points(self) -> String {
        format!("{} to {} pp", signed_points(self.lower), signed_points(self.upper))
    }
}

/// Formats a difference of rates as signed whole percentage points, e.g. `+60` or `−5`.
/// A value that rounds to zero keeps its side (`+0`, `−0`), so that a bound just below
/// zero does not read as zero; only an exact zero is `0`.
pub fn signed_points(difference: f64) -> String {
    let points = (difference.abs() * 100.0).round();
    if difference > 0.0 {
        format!("+{points:.0}")
    } else if difference < 0.0 {
        format!("−{points:.0}")
    } else {
        "0".to_string()
    }
}

/// Returns the 95% Wilson score interval for `successes` of `trials`, or `None` when
/// there were no trials.
pub fn wilson(successes: u32, trials: u32) -> Option<Interval> {
    let rate = Proportion::new(successes, trials).rate()?;
    Some(wilson_for_rate(rate, f64::from(trials)))
}

/// Returns the Wilson interval for an observed `rate` over `trials` (which may be
/// fractional, for asking what a larger sample with the same rate would give). Rounding
/// can leave a bound a hair off the rate at 0/n and n/n, where the exact bound is the
/// rate itself, so each bound is clamped to include the rate.
pub(crate) fn wilson_for_rate(rate: f64, trials: f64) -> Interval {
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / trials;
    let centre = (rate + z2 / (2.0 * trials)) / denominator;
    let half_width = Z_95 * (rate * (1.0 - rate) / trials + z2 / (4.0 * trials * trials)).sqrt() / denominator;
    Interval { lower: (centre - half_width).clamp(0.0, rate), upper: (centre + half_width).clamp(rate, 1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 5e-5, "{actual} is not {expected}");
    }

    #[test]
    fn wilson_matches_newcombe_example() {
        // Newcombe (1998), single proportion, example 81/263: 0.2553 to 0.3662.
        let interval = wilson(81, 263).unwrap();
        assert_close(interval.lower, 0.2553);
        assert_close(interval.upper, 0.3662);
    }

    #[test]
    fn wilson_at_the_edges() {
        let none = wilson(0, 10).unwrap();
        assert_eq!(none.lower, 0.0);
        assert_close(none.upper, 0.2775);
        let all = wilson(5, 5).unwrap();
        assert_close(all.lower, 0.5655);
        assert_eq!(all.upper, 1.0);
    }

    #[test]
    fn wilson_of_nothing_is_none() {
        assert_eq!(wilson(0, 0), None);
        assert_eq!(Proportion::new(0, 0).rate(), None);
    }

    #[test]
    fn wilson_contains_the_rate() {
        for trials in 1..=20 {
            for successes in 0..=trials {
                let proportion = Proportion::new(successes, trials);
                let interval = proportion.interval().unwrap();
                assert!(interval.contains(proportion.rate().unwrap()), "{successes}/{trials}: {interval:?}");
            }
        }
    }

    #[test]
    fn formats() {
        let interval = wilson(2, 5).unwrap();
        assert_eq!(interval.format_percent(), "12–77%");
        assert_eq!(Interval { lower: -0.054, upper: 0.876 }.format_points(), "−5 to +88 pp");
        assert_eq!(signed_points(0.0001), "+0");
        assert_eq!(signed_points(-0.0003), "−0");
        assert_eq!(signed_points(0.0), "0");
    }
}
