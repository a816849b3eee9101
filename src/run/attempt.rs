//! One unit, start to finish: waits for the rate limiter, sends the request, and on a
//! transient error waits as long as the retry policy (or the provider's `Retry-After`)
//! requires and tries again, until the unit is answered or its last error is final.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use super::event::{FinishedUnit, RunEvent};
use super::runner::Message;
use super::plan::PendingUnit;
use super::rate_limit::RateLimiter;
use super::unit::{AnswerSource, UnitOutcome, UnitResult};
use crate::agent::{Agent, AgentAnswer, AgentError, RetryPolicy};

/// Runs one unit to its end and returns it; reports each retry on `messages`. Once
/// `stop` is raised the unit is not retried: it ends with its last error.
pub(crate) async fn run_unit(
    agent: &Agent,
    unit: PendingUnit,
    retry: &RetryPolicy,
    limiter: &RateLimiter,
    stop: &AtomicBool,
    messages: &UnboundedSender<Message>,
) -> FinishedUnit {
    let started = Instant::now();
    let mut attempts = 0;
    let last = loop {
        limiter.acquire(unit.estimated_tokens).await;
        let answer = agent.answer(&unit.request).await;
        attempts += 1;
        limiter.settle(unit.estimated_tokens, spent_tokens(&answer));

        let error = match answer {
            Ok(answer) => break Ok(answer),
            Err(error) => error,
        };
        if let Some(wait) = error.retry_after().filter(|wait| *wait <= retry.max_backoff) {
            limiter.pause_for(wait);
        }
        let delay = retry.delay_before_retry(attempts, &error).filter(|_| !stop.load(Ordering::SeqCst));
        let Some(delay) = delay else {
            break Err(error);
        };
        log_retry(&unit, attempts, delay, &error);
        let retrying = RunEvent::Retrying { key: unit.request.key.clone(), attempt: attempts, delay, error: error.to_string() };
        let _ = messages.send(Message { event: retrying, permit: None });
        tokio::time::sleep(delay).await;
    };

    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let result = unit_result(unit.request.key, last, latency_ms);
    FinishedUnit { result, fingerprint: unit.fingerprint, source: AnswerSource::Agent, attempts }
}

/// Tokens an attempt used: its reported usage, or nothing for a failed attempt.
fn spent_tokens(answer: &Result<AgentAnswer, AgentError>) -> u64 {
    match answer {
        Ok(AgentAnswer { usage: Some(usage), .. }) => usage.input_tokens + usage.output_tokens,
        _ => 0,
    }
}

fn unit_result(key: crate::agent::UnitKey, last: Result<AgentAnswer, AgentError>, latency_ms: u64) -> UnitResult {
    match last {
        Ok(answer) => UnitResult { key, outcome: UnitOutcome::Answered { response: answer.text }, latency_ms, usage: answer.usage },
        Err(error) => {
            tracing::warn!(scenario = %key.scenario, arm = key.arm.as_str(), sample = key.sample, %error, "unit errored");
            UnitResult { key, outcome: UnitOutcome::Errored { error: error.to_string() }, latency_ms, usage: None }
        }
    }
}

fn log_retry(unit: &PendingUnit, attempt: u32, delay: std::time::Duration, error: &AgentError) {
    let key = &unit.request.key;
    tracing::info!(
        scenario = %key.scenario,
        arm = key.arm.as_str(),
        sample = key.sample,
        attempt,
        delay_ms = delay.as_millis() as u64,
        %error,
        "retrying after a transient error"
    );
}
