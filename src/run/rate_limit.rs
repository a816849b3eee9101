//! Request and token rate limits, as token buckets shared by every unit of a run, and
//! the pause that a provider's `Retry-After` imposes on all of them.
//!
//! Each bucket is kept as a theoretical arrival time (the generic cell rate algorithm):
//! the instant at which the bucket would be full again. A reservation moves it forward
//! by its cost, so units are admitted in the order they ask, and the lock is held only
//! for arithmetic, never across a wait.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Rate limits of one agent; `None` means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimits {
    pub requests_per_minute: Option<u32>,
    /// Input and output tokens together, per minute.
    pub tokens_per_minute: Option<u64>,
}

/// The shared limiter: both buckets and the `Retry-After` pause.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    requests: Option<Bucket>,
    tokens: Option<Bucket>,
    paused_until: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// Builds a limiter whose buckets contain one second's worth of their rate, at least
    /// one request, so that no minute-long window gets much more than the limit.
    pub fn new(limits: RateLimits) -> RateLimiter {
        RateLimiter {
            requests: limits.requests_per_minute.map(|rate| Bucket::per_minute(f64::from(rate))),
            tokens: limits.tokens_per_minute.map(|rate| Bucket::per_minute(rate as f64)),
            paused_until: Mutex::new(None),
        }
    }

    /// Waits until one request that is expected to cost `estimated_tokens` may be sent.
    pub async fn acquire(&self, estimated_tokens: u64) {
        self.wait_out_pause().await;
        let now = Instant::now();
        let mut start_at = now;
        if let Some(bucket) = &self.requests {
            start_at = start_at.max(bucket.reserve(1.0, now));
        }
        if let Some(bucket) = &self.tokens {
            start_at = start_at.max(bucket.reserve(estimated_tokens as f64, now));
        }
        if start_at > now {
            tokio::time::sleep_until(start_at.into()).await;
        }
    }

    /// Corrects the token bucket once a request's real cost is known. A failed attempt
    /// costs nothing, and an answer costs the usage its provider reported.
    pub fn settle(&self, estimated_tokens: u64, actual_tokens: u64) {
        if let Some(bucket) = &self.tokens {
            bucket.adjust(actual_tokens as f64 - estimated_tokens as f64);
        }
    }

    /// Holds every request back for `wait`, as a provider's `Retry-After` requests.
    pub fn pause_for(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut paused = self.paused_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *paused = Some(paused.map_or(until, |current| current.max(until)));
    }

    async fn wait_out_pause(&self) {
        let until = *self.paused_until.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(until) = until.filter(|until| *until > Instant::now()) {
            tokio::time::sleep_until(until.into()).await;
        }
    }
}

/// One token bucket.
#[derive(Debug)]
struct Bucket {
    per_second: f64,
    /// Largest cost admitted at once.
    capacity: f64,
    /// Instant at which the bucket would be full again.
    full_at: Mutex<Instant>,
}

impl Bucket {
    fn per_minute(rate: f64) -> Bucket {
        let per_second = rate / 60.0;
        Bucket { per_second, capacity: per_second.max(1.0), full_at: Mutex::new(Instant::now()) }
    }

    /// Reserves `cost` and returns when it may be spent. A cost above the capacity
    /// waits for a full bucket but still moves the bucket by its whole cost, so the
    /// long-run rate holds.
    fn reserve(&self, cost: f64, now: Instant) -> Instant {
        let mut full_at = self.full_at.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let base = (*full_at).max(now);
        let headroom = self.capacity - cost.min(self.capacity);
        let start_at = base.checked_sub(self.seconds(headroom)).unwrap_or(now).max(now);
        *full_at = base + self.seconds(cost);
        start_at
    }

    /// Moves the bucket by a cost correction: positive takes tokens, negative gives back.
    fn adjust(&self, delta: f64) {
        let mut full_at = self.full_at.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if delta >= 0.0 {
            *full_at += self.seconds(delta);
        } else {
            *full_at = full_at.checked_sub(self.seconds(-delta)).unwrap_or(*full_at);
        }
    }

    fn seconds(&self, cost: f64) -> Duration {
        Duration::try_from_secs_f64(cost / self.per_second).unwrap_or(Duration::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_spaces_requests_at_rate() {
        let bucket = Bucket::per_minute(120.0);
        let now = Instant::now();
        let starts: Vec<Duration> = (0..5).map(|_| bucket.reserve(1.0, now) - now).collect();
        let millis: Vec<u128> = starts.iter().map(Duration::as_millis).collect();
        assert_eq!(millis, [0, 0, 500, 1000, 1500], "capacity 2, then one per 500 ms");
    }

    #[test]
    fn bucket_refills_while_idle() {
        let bucket = Bucket::per_minute(60.0);
        let start = Instant::now();
        assert_eq!(bucket.reserve(1.0, start), start);
        let later = start + Duration::from_secs(5);
        assert_eq!(bucket.reserve(1.0, later), later, "an idle bucket admits at once");
    }

    #[test]
    fn oversized_cost_keeps_long_run_rate() {
        let bucket = Bucket::per_minute(600.0);
        let now = Instant::now();
        assert_eq!(bucket.reserve(100.0, now), now, "a full bucket admits a large cost");
        let next = bucket.reserve(100.0, now) - now;
        assert_eq!(next.as_millis(), 10_000, "the next waits until the 100 tokens are refilled");
    }

    #[test]
    fn settle_gives_back_unused_tokens() {
        let bucket = Bucket::per_minute(60.0);
        let now = Instant::now();
        bucket.reserve(10.0, now);
        bucket.adjust(-9.0);
        let next = bucket.reserve(1.0, now) - now;
        assert_eq!(next.as_millis(), 1_000, "one token spent, not ten");
    }

    #[tokio::test(start_paused = true)]
    async fn pause_holds_requests_back() {
        let limiter = RateLimiter::new(RateLimits::default());
        limiter.pause_for(Duration::from_secs(3));
        let started = tokio::time::Instant::now();
        limiter.acquire(0).await;
        assert!(started.elapsed() >= Duration::from_secs(3));
    }
}
