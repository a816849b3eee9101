//! Sends requests to an agent with bounded concurrency and reports each finished unit
//! as a `RunEvent`. Results come back in request order, whatever order they finish in.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::{UnitOutcome, UnitResult};
use crate::agent::{Agent, AgentRequest};

/// How to run the units.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Requests in flight at once; at least 1.
    pub concurrency: usize,
}

/// What the runner reports as it goes; every output (progress, journal, report)
/// consumes the same events.
#[derive(Debug, Clone)]
pub enum RunEvent {
    /// The run is about to send `total` requests.
    Started { total: usize },
    /// One unit finished, answered or errored.
    UnitFinished { index: usize, result: UnitResult },
}

/// Runs every request and returns one result per request, in request order.
pub async fn run_units(
    agent: Arc<Agent>,
    requests: Vec<AgentRequest>,
    options: &RunOptions,
    mut on_event: impl FnMut(RunEvent),
) -> Vec<UnitResult> {
    on_event(RunEvent::Started { total: requests.len() });
    let permits = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for (index, request) in requests.into_iter().enumerate() {
        let agent = Arc::clone(&agent);
        let permits = Arc::clone(&permits);
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("the semaphore is never closed");
            (index, answer_one(&agent, request).await)
        });
    }

    let mut results: Vec<Option<UnitResult>> = vec![None; tasks.len()];
    while let Some(joined) = tasks.join_next().await {
        let (index, result) = joined.expect("a unit task panicked");
        on_event(RunEvent::UnitFinished { index, result: result.clone() });
        results[index] = Some(result);
    }
    results.into_iter().map(|result| result.expect("every unit reports once")).collect()
}

/// Sends one request and turns the answer or the error into a unit result.
async fn answer_one(agent: &Agent, request: AgentRequest) -> UnitResult {
    let started = Instant::now();
    let answer = agent.answer(&request).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match answer {
        Ok(answer) => UnitResult {
            key: request.key,
            outcome: UnitOutcome::Answered { response: answer.text },
            latency_ms,
            usage: answer.usage,
        },
        Err(error) => {
            tracing::warn!(scenario = %request.key.scenario, arm = request.key.arm.as_str(), sample = request.key.sample, %error, "unit errored");
            UnitResult { key: request.key, outcome: UnitOutcome::Errored { error: error.to_string() }, latency_ms, usage: None }
        }
    }
}

/// Runs every request on a fresh tokio runtime, for callers that are not async.
pub fn run_blocking(
    agent: Arc<Agent>,
    requests: Vec<AgentRequest>,
    options: &RunOptions,
    on_event: impl FnMut(RunEvent),
) -> std::io::Result<Vec<UnitResult>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    Ok(runtime.block_on(run_units(agent, requests, options, on_event)))
}
