//! The pass@k and pass^k estimators: from n answers of which c passed, the chance that at
//! least one of k fresh answers passes (pass@k), and that all k pass (pass^k).
//!
//! pass@k = 1 − C(n−c, k) / C(n, k) is the unbiased estimator of Chen et al. (2021),
//! "Evaluating Large Language Models Trained on Code", arXiv:2107.03374. pass^k =
//! C(c, k) / C(n, k) is the estimator of Yao et al. (2024), "τ-bench: A Benchmark for
//! Tool-Agent-User Interaction in Real-World Domains", arXiv:2406.12045. With k = n they
//! are 1 when any (pass@k) or every (pass^k) answer passed, and 0 otherwise.

/// Returns pass@k for `passed` of `answered`, or `None` when `k` is 0 or exceeds `answered`.
pub fn pass_at_k(answered: u32, passed: u32, k: u32) -> Option<f64> {
    if k == 0 || k > answered || passed > answered {
        return None;
    }
    Some(1.0 - choose_ratio(answered - passed, answered, k))
}

/// Returns pass^k for `passed` of `answered`, or `None` when `k` is 0 or exceeds `answered`.
pub fn pass_hat_k(answered: u32, passed: u32, k: u32) -> Option<f64> {
    if k == 0 || k > answered || passed > answered {
        return None;
    }
    Some(choose_ratio(passed, answered, k))
}

/// Returns C(m, k) / C(n, k) for m ≤ n as a running product, which stays within 0–1 and
/// never forms the large binomials themselves.
fn choose_ratio(m: u32, n: u32, k: u32) -> f64 {
    if k > m {
        return 0.0;
    }
    (0..k).map(|i| f64::from(m - i) / f64::from(n - i)).product()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_equal_to_n_is_any_and_all() {
        assert_eq!(pass_at_k(5, 0, 5), Some(0.0));
        assert_eq!(pass_at_k(5, 1, 5), Some(1.0));
        assert_eq!(pass_hat_k(5, 4, 5), Some(0.0));
        assert_eq!(pass_hat_k(5, 5, 5), Some(1.0));
    }

    #[test]
    fn k_of_one_is_the_pass_rate() {
        assert_eq!(pass_at_k(5, 2, 1), Some(0.4));
        assert_eq!(pass_hat_k(5, 2, 1), Some(0.4));
    }

    #[test]
    fn hand_computed_values() {
        // 3 of 5 pass, k = 2: pass@2 = 1 − C(2,2)/C(5,2) = 0.9; pass^2 = C(3,2)/C(5,2) = 0.3.
        assert!((pass_at_k(5, 3, 2).unwrap() - 0.9).abs() < 1e-12);
        assert!((pass_hat_k(5, 3, 2).unwrap() - 0.3).abs() < 1e-12);
    }

    #[test]
    fn undefined_k_is_none() {
        assert_eq!(pass_at_k(3, 1, 0), None);
        assert_eq!(pass_at_k(3, 1, 4), None);
        assert_eq!(pass_hat_k(0, 0, 1), None);
    }
}
