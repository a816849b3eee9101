//! Differences of pass rates with 95% intervals: one scenario's with-skill rate minus its
//! without-skill rate, and the mean of such differences over scenarios.
//!
//! One difference uses Newcombe's hybrid score interval (method 10 of Newcombe, R. G.
//! (1998), "Interval estimation for the difference between independent proportions:
//! comparison of eleven methods", Statistics in Medicine 17:873–890). It combines the two
//! Wilson intervals: with d = p₁ − p₂, L = d − √((p₁ − l₁)² + (u₂ − p₂)²) and
//! U = d + √((u₁ − p₁)² + (p₂ − l₂)²).
//!
//! The mean over scenarios uses the same recovery of variance from each Wilson interval,
//! summed over every term of the linear combination: the MOVER method of Zou, G. Y. and
//! Donner, A. (2008), "Construction of confidence limits about effect measures: a general
//! approach", Statistics in Medicine 27:1693–1702. With one scenario it is Newcombe's.

use serde::{Deserialize, Serialize};

use super::interval::{Interval, Proportion, wilson_for_rate};

/// Largest sample count per arm that [`samples_to_exclude_zero`] tries.
const MAX_SAMPLES_SEARCHED: u32 = 10_000;

/// A difference of pass rates with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// The point estimate, from −1 to 1.
    pub estimate: f64,
    pub interval: Interval,
}

/// One term of a difference: an observed rate and its Wilson interval.
#[derive(Debug, Clone, Copy)]
struct Term {
    rate: f64,
    interval: Interval,
}

impl Term {
    /// Builds the term of a proportion, or `None` when it has no trials.
    fn of(proportion: Proportion) -> Option<Term> {
        Some(Term { rate: proportion.rate()?, interval: proportion.interval()? })
    }
}

/// Returns `first − second` with Newcombe's hybrid score interval, or `None` when either
/// has no trials. The two samples must be independent.
pub fn newcombe_difference(first: Proportion, second: Proportion) -> Option<Difference> {
    mean_difference(&[(first, second)])
}

/// Returns the mean over pairs of `first − second` with its MOVER interval, or `None` when
/// no pair has trials on both sides. Pairs with no trials on a side are left out.
pub fn mean_difference(pairs: &[(Proportion, Proportion)]) -> Option<Difference> {
    let terms: Vec<(Term, Term)> =
        pairs.iter().filter_map(|(first, second)| Some((Term::of(*first)?, Term::of(*second)?))).collect();
    if terms.is_empty() {
        return None;
    }
    Some(combine(&terms))
}

/// Combines (first, second) terms into the mean difference and its interval.
fn combine(terms: &[(Term, Term)]) -> Difference {
    let count = terms.len() as f64;
    let mut sum = 0.0;
    let (mut below, mut above) = (0.0, 0.0);
    for (first, second) in terms {
        sum += first.rate - second.rate;
        below += (first.rate - first.interval.lower).powi(2) + (second.interval.upper - second.rate).powi(2);
        above += (first.interval.upper - first.rate).powi(2) + (second.rate - second.interval.lower).powi(2);
    }

    let estimate = sum / count;
    let lower = (estimate - below.sqrt() / count).max(-1.0);
    let upper = (estimate + above.sqrt() / count).min(1.0);
    Difference { estimate, interval: Interval { lower, upper } }
}

/// Returns the smallest number of samples per arm at which the same two pass rates would
/// give a Newcombe interval that excludes zero, or `None` when the rates are equal or no
/// count up to 10,000 would do. It answers "how many samples would settle this?" for a
/// result whose interval still contains zero.
pub fn samples_to_exclude_zero(first_rate: f64, second_rate: f64) -> Option<u32> {
    if first_rate == second_rate {
        return None;
    }
    (1..=MAX_SAMPLES_SEARCHED).find(|&samples| {
        let trials = f64::from(samples);
        let first = Term { rate: first_rate, interval: wilson_for_rate(first_rate, trials) };
        let second = Term { rate: second_rate, interval: wilson_for_rate(second_rate, trials) };
        combine(&[(first, second)]).interval.excludes_zero()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 5e-5, "{actual} is not {expected}");
    }

    /// Checks one of the worked examples in Newcombe (1998), table II, method 10.
    fn assert_newcombe(first: (u32, u32), second: (u32, u32), lower: f64, upper: f64) {
        let difference =
            newcombe_difference(Proportion::new(first.0, first.1), Proportion::new(second.0, second.1)).unwrap();
        assert_close(difference.interval.lower, lower);
        assert_close(difference.interval.upper, upper);
    }

    #[test]
    fn newcombe_worked_examples() {
        assert_newcombe((56, 70), (48, 80), 0.0524, 0.3339);
        assert_newcombe((9, 10), (3, 10), 0.1705, 0.8090);
        assert_newcombe((6, 7), (2, 7), 0.0582, 0.8062);
        assert_newcombe((5, 56), (0, 29), -0.0381, 0.1926);
        assert_newcombe((0, 10), (0, 20), -0.1611, 0.2775);
        assert_newcombe((10, 10), (0, 10), 0.6075, 1.0);
    }

    #[test]
    fn newcombe_is_antisymmetric() {
        let (a, b) = (Proportion::new(3, 5), Proportion::new(1, 5));
        let forward = newcombe_difference(a, b).unwrap();
        let backward = newcombe_difference(b, a).unwrap();
        assert_close(forward.estimate, -backward.estimate);
        assert_close(forward.interval.lower, -backward.interval.upper);
        assert_close(forward.interval.upper, -backward.interval.lower);
    }

    #[test]
    fn no_trials_gives_none() {
        assert_eq!(newcombe_difference(Proportion::new(0, 0), Proportion::new(1, 2)), None);
        assert_eq!(mean_difference(&[]), None);
    }

    #[test]
    fn mean_of_one_pair_is_newcombe() {
        let pair = (Proportion::new(4, 5), Proportion::new(1, 5));
        assert_eq!(mean_difference(&[pair]), newcombe_difference(pair.0, pair.1));
    }

    #[test]
    fn mean_is_narrower_than_each_pair() {
        let pair = (Proportion::new(4, 5), Proportion::new(1, 5));
        let one = newcombe_difference(pair.0, pair.1).unwrap();
        let six = mean_difference(&[pair; 6]).unwrap();
        assert_close(six.estimate, one.estimate);
        assert!(six.interval.lower > one.interval.lower);
        assert!(six.interval.upper < one.interval.upper);
        assert!(six.interval.excludes_zero());
        assert!(!one.interval.excludes_zero());
    }

    #[test]
    fn mean_skips_pairs_without_trials() {
        let kept = (Proportion::new(5, 5), Proportion::new(0, 5));
        let empty = (Proportion::new(0, 0), Proportion::new(3, 5));
        assert_eq!(mean_difference(&[kept, empty]), mean_difference(&[kept]));
    }

    #[test]
    fn samples_needed_to_exclude_zero() {
        // 5/5 against 0/5 already excludes zero; two samples per arm suffice for 100% vs 0%.
        assert_eq!(samples_to_exclude_zero(1.0, 0.0), Some(2));
        // 60% against 20% does not exclude zero at 5 samples per arm.
        let needed = samples_to_exclude_zero(0.6, 0.2).unwrap();
        assert!(needed > 5);
        let at = |samples: u32| {
            newcombe_difference(Proportion::new(3 * samples / 5, samples), Proportion::new(samples / 5, samples))
                .unwrap()
        };
        assert!(at(needed.div_ceil(5) * 5 + 5).interval.excludes_zero());
        assert!(!at(5).interval.excludes_zero());
        assert_eq!(samples_to_exclude_zero(0.4, 0.4), None);
    }
}
