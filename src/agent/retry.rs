//! Retry decisions, kept as data and pure functions: which errors are transient, how
//! long a provider asked us to wait, and the backoff policy. The runner does the waiting.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::AgentError;

/// The runner's retry schedule for transient errors: attempt count and backoff delays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per unit, the first included; 1 means no retry.
    pub max_attempts: u32,
    /// Delay after the first failed attempt; each later one doubles it.
    pub base_backoff: Duration,
    /// Upper bound for the doubled delay, and for a provider's `Retry-After`.
    pub max_backoff: Duration,
    /// Fraction of each delay that is random, from 0 (fixed delays) to 1 (anywhere
    /// between zero and the full delay), so that parallel units do not retry in step.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    /// Four attempts, 1 s doubling up to 60 s, half of each delay random.
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            jitter: 0.5,
        }
    }
}

impl RetryPolicy {
    /// Returns how long to wait before the next attempt, or `None` when the unit should
    /// be recorded as errored now. `failed_attempts` counts attempts made so far, all
    /// failed. No retry follows a permanent error, the last allowed attempt, or a
    /// `Retry-After` longer than `max_backoff`, since waiting that long would stall the run.
    pub fn delay_before_retry(&self, failed_attempts: u32, error: &AgentError) -> Option<Duration> {
        if !is_transient(error) || failed_attempts >= self.max_attempts {
            return None;
        }
        let backoff = self.backoff(failed_attempts, random_fraction());
        match error.retry_after() {
            Some(wait) if wait > self.max_backoff => None,
            Some(wait) => Some(wait.max(backoff)),
            None => Some(backoff),
        }
    }

    /// Computes the delay after `failed_attempts` failures: `base_backoff` doubled for
    /// each failure after the first, capped at `max_backoff`, then shortened by up to
    /// `jitter` of itself in proportion to `random`, a number in [0, 1).
    pub fn backoff(&self, failed_attempts: u32, random: f64) -> Duration {
        let doublings = failed_attempts.saturating_sub(1).min(31);
        let full = self
            .base_backoff
            .saturating_mul(1 << doublings)
            .min(self.max_backoff);
        let jitter = self.jitter.clamp(0.0, 1.0) * random.clamp(0.0, 1.0);
        full.mul_f64(1.0 - jitter)
    }
}

/// Returns a random number in [0, 1) from the standard library's per-instance random
/// hash keys. Backoff jitter needs no better randomness than that.
fn random_fraction() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Returns whether another attempt at the same request could succeed.
pub fn is_transient(error: &AgentError) -> bool {
    match error {
        // Recordings do not change during a run.
        AgentError::MissingRecording { .. } => false,
        AgentError::Status {
            status, error_type, ..
        } => is_transient_status(*status, error_type.as_deref()),
        // A slow or overloaded server may answer in time on the next attempt.
        AgentError::Timeout { .. } => true,
        // Refused or reset connections are usually a restarting or overloaded server.
        AgentError::Connection { .. } => true,
        // The same request would get the same unparseable body.
        AgentError::MalformedResponse { .. } => false,
        // An empty answer comes from the model or a content filter, not from the network.
        AgentError::EmptyChoices { .. } | AgentError::NoText { .. } => false,
        AgentError::StreamError { error_type, .. } => !is_request_error_type(error_type.as_deref()),
        // The connection dropped mid-answer, like a reset.
        AgentError::TruncatedStream { .. } => true,
        // A missing program or an unwritable temporary directory stays that way.
        AgentError::Subprocess { .. } => false,
        // An exit status does not say whether the failure is temporary, and a wrong
        // command line would fail every attempt.
        AgentError::ProcessFailed { .. } => false,
    }
}

/// Returns whether a mid-stream error type blames the request. The server accepted the
/// request before streaming, so any other error (`overloaded_error`, `api_error`, or an
/// unnamed one) is its own failure and worth another attempt.
fn is_request_error_type(error_type: Option<&str>) -> bool {
    matches!(
        error_type,
        Some(
            "invalid_request_error"
                | "authentication_error"
                | "permission_error"
                | "not_found_error"
        )
    )
}

/// Classifies an HTTP error status, with the provider's error type when it has one.
fn is_transient_status(status: u16, error_type: Option<&str>) -> bool {
    match (status, error_type) {
        // Anthropic names these in the body; trust the name even under another status.
        (_, Some("overloaded_error" | "rate_limit_error")) => true,
        // 408 Request Timeout and 429 Too Many Requests ask the client to come back later.
        (408 | 429, _) => true,
        // 5xx is the server's fault (500, 502, 503, 504, Anthropic's 529 overloaded).
        (500..=599, _) => true,
        // Any other 4xx means the request itself is wrong: key, model name, body.
        _ => false,
    }
}

/// Parses a `Retry-After` value: delay seconds (`120`) or an HTTP date such as
/// `Wed, 21 Oct 2015 07:28:00 GMT`. A date in the past gives zero; an invalid value
/// gives `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = parse_http_date(value)?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses the three date forms that HTTP/1.1 clients must accept (RFC 2068, section
/// 3.3.1): `Sun, 06 Nov 1994 08:49:37 GMT`, `Sunday, 06-Nov-94 08:49:37 GMT` and
/// `Sun Nov  6 08:49:37 1994`, all in GMT.
fn parse_http_date(value: &str) -> Option<SystemTime> {
    let tokens: Vec<&str> = value
        .split([' ', ',', '-'])
        .filter(|token| !token.is_empty())
        .collect();
    let (day, month, year, time) = match tokens.as_slice() {
        [_, day, month, year, time, "GMT"] => (*day, *month, *year, *time),
        [_, month, day, time, year] => (*day, *month, *year, *time),
        _ => return None,
    };

    let day: u32 = day.parse().ok().filter(|day| (1..=31).contains(day))?;
    let month = month_number(month)?;
    let year = full_year(year)?;
    let seconds_of_day = parse_clock(time)?;

    let days = days_since_epoch(year, month, day);
    let seconds = u64::try_from(days).ok()? * 86_400 + seconds_of_day;
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let index = MONTHS.iter().position(|month| *month == name)?;
    Some(index as u32 + 1)
}

/// Reads a four-digit year, or a two-digit RFC 850 year: 70–99 as 19xx, 00–69 as 20xx.
fn full_year(text: &str) -> Option<i64> {
    let year: i64 = text.parse().ok()?;
    match text.len() {
        4 => Some(year),
        2 if year >= 70 => Some(1900 + year),
        2 => Some(2000 + year),
        _ => None,
    }
}

/// Parses `HH:MM:SS` into seconds since midnight.
fn parse_clock(text: &str) -> Option<u64> {
    let mut parts = text.split(':').map(|part| part.parse::<u64>().ok());
    let (hours, minutes, seconds) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() || hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    Some(hours * 3600 + minutes * 60 + seconds)
}

/// Counts days from 1970-01-01 to a proleptic Gregorian date, using 400-year eras of
/// 146,097 days and years that start in March so that the leap day comes last.
fn days_since_epoch(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (i64::from(month) + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16, error_type: Option<&str>) -> AgentError {
        AgentError::Status {
            provider: "test",
            status: code,
            error_type: error_type.map(str::to_string),
            message: String::new(),
            retry_after: None,
        }
    }

    #[test]
    fn transient_statuses() {
        for code in [408, 429, 500, 502, 503, 504, 529] {
            assert!(
                is_transient(&status(code, None)),
                "HTTP {code} should be transient"
            );
        }
    }

    #[test]
    fn permanent_statuses() {
        for code in [400, 401, 403, 404, 422] {
            assert!(
                !is_transient(&status(code, None)),
                "HTTP {code} should not be transient"
            );
        }
    }

    #[test]
    fn anthropic_error_types_are_transient() {
        assert!(is_transient(&status(400, Some("overloaded_error"))));
        assert!(is_transient(&status(400, Some("rate_limit_error"))));
        assert!(!is_transient(&status(400, Some("invalid_request_error"))));
    }

    #[test]
    fn other_errors_classified() {
        let timeout = AgentError::Timeout {
            provider: "test",
            after: Duration::from_secs(1),
        };
        let reset = AgentError::Connection {
            provider: "test",
            message: "reset".into(),
        };
        let malformed = AgentError::MalformedResponse {
            provider: "test",
            message: "x".into(),
        };
        let empty = AgentError::EmptyChoices { provider: "test" };
        let truncated = AgentError::TruncatedStream {
            provider: "test",
            detail: "x".into(),
        };
        assert!(is_transient(&truncated));
        assert!(is_transient(&timeout));
        assert!(is_transient(&reset));
        assert!(!is_transient(&malformed));
        assert!(!is_transient(&empty));
    }

    #[test]
    fn stream_errors_classified() {
        let stream_error = |error_type: Option<&str>| AgentError::StreamError {
            provider: "test",
            error_type: error_type.map(str::to_string),
            message: String::new(),
        };
        assert!(is_transient(&stream_error(Some("overloaded_error"))));
        assert!(is_transient(&stream_error(Some("api_error"))));
        assert!(is_transient(&stream_error(None)));
        assert!(!is_transient(&stream_error(Some("invalid_request_error"))));
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(10),
            jitter: 0.5,
        }
    }

    #[test]
    fn backoff_doubles_up_to_max() {
        let policy = policy();
        let delays: Vec<u64> = (1..=6)
            .map(|failures| policy.backoff(failures, 0.0).as_secs())
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 10, 10]);
        assert_eq!(
            policy.backoff(1000, 0.0),
            Duration::from_secs(10),
            "no overflow on many failures"
        );
    }

    #[test]
    fn backoff_jitter_shortens_delay() {
        let policy = policy();
        assert_eq!(policy.backoff(2, 0.5), Duration::from_millis(1500));
        assert_eq!(
            RetryPolicy {
                jitter: 0.0,
                ..policy
            }
            .backoff(2, 0.9),
            Duration::from_secs(2)
        );
        assert_eq!(
            RetryPolicy {
                jitter: 1.0,
                ..policy
            }
            .backoff(2, 0.75),
            Duration::from_millis(500)
        );
    }

    #[test]
    fn delay_stops_after_max_attempts() {
        let error = status(503, None);
        let policy = policy();
        assert!(policy.delay_before_retry(1, &error).is_some());
        assert!(policy.delay_before_retry(2, &error).is_some());
        assert_eq!(policy.delay_before_retry(3, &error), None);
    }

    #[test]
    fn delay_none_for_permanent_error() {
        assert_eq!(policy().delay_before_retry(1, &status(401, None)), None);
    }

    #[test]
    fn delay_within_jitter_bounds() {
        let policy = policy();
        for _ in 0..100 {
            let delay = policy.delay_before_retry(2, &status(500, None)).unwrap();
            assert!(
                delay > Duration::from_secs(1) && delay <= Duration::from_secs(2),
                "{delay:?}"
            );
        }
    }

    #[test]
    fn delay_honours_retry_after() {
        let policy = RetryPolicy {
            jitter: 0.0,
            ..policy()
        };
        let asking = |seconds| AgentError::Status {
            provider: "test",
            status: 429,
            error_type: None,
            message: String::new(),
            retry_after: Some(Duration::from_secs(seconds)),
        };
        assert_eq!(
            policy.delay_before_retry(1, &asking(7)),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            policy.delay_before_retry(2, &asking(0)),
            Some(Duration::from_secs(2)),
            "backoff wins when longer"
        );
        assert_eq!(
            policy.delay_before_retry(1, &asking(11)),
            None,
            "longer than max_backoff: give up"
        );
    }

    #[test]
    fn retry_after_seconds() {
        assert_eq!(
            parse_retry_after(" 120 ", UNIX_EPOCH),
            Some(Duration::from_secs(120))
        );
    }

    #[test]
    fn retry_after_imf_date() {
        // 2015-10-21T07:28:00Z is 1445412480 s after the epoch.
        let now = UNIX_EPOCH + Duration::from_secs(1_445_412_480 - 30);
        let wait = parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now);
        assert_eq!(wait, Some(Duration::from_secs(30)));
    }

    #[test]
    fn retry_after_obsolete_date_forms() {
        // 1994-11-06T08:49:37Z is 784111777 s after the epoch.
        let expected = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(expected)
        );
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(expected));
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(expected)
        );
    }

    #[test]
    fn retry_after_past_date_is_zero() {
        let now = UNIX_EPOCH + Duration::from_secs(2_000_000_000);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn retry_after_leap_day() {
        // 2024-02-29T00:00:00Z is 1709164800 s after the epoch.
        let expected = UNIX_EPOCH + Duration::from_secs(1_709_164_800);
        assert_eq!(
            parse_http_date("Thu, 29 Feb 2024 00:00:00 GMT"),
            Some(expected)
        );
    }

    #[test]
    fn retry_after_invalid_values() {
        for value in [
            "",
            "-5",
            "soon",
            "Wed, 21 Foo 2015 07:28:00 GMT",
            "Wed, 21 Oct 2015 25:28:00 GMT",
        ] {
            assert_eq!(
                parse_retry_after(value, UNIX_EPOCH),
                None,
                "{value:?} should be rejected"
            );
        }
    }
}
