//! Runs a [`RunPlan`]: reports the units that need no call, then sends the others with
//! at most `concurrency` in flight, and stops starting new ones once more than
//! `max_errored` have errored. Every unit that starts is reported once, answered or
//! errored; units never started are counted as not run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Semaphore;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::attempt::run_unit;
use super::event::{RunEvent, RunTally};
use super::plan::{PendingUnit, RunPlan};
use super::rate_limit::{RateLimiter, RateLimits};
use crate::agent::{Agent, RetryPolicy};

/// How the runner treats one agent.
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    /// Units in flight at once; at least 1.
    pub concurrency: usize,
    pub limits: RateLimits,
    pub retry: RetryPolicy,
    /// Errored units the run tolerates; one more stops it.
    pub max_errored: usize,
}

/// Runs the plan, calling `on_event` for every event on the caller's task, and returns
/// the tally that the final [`RunEvent::Finished`] also carries.
pub async fn run_plan(agent: Arc<Agent>, plan: RunPlan, settings: &RunnerSettings, mut on_event: impl FnMut(RunEvent)) -> RunTally {
    let calls = plan.to_call.len();
    on_event(RunEvent::Started { total: plan.done.len() + calls, calls });
    let mut tally = RunTally::default();
    for unit in plan.done {
        tally.answered += 1;
        on_event(RunEvent::UnitFinished(unit));
    }

    let stop = Arc::new(AtomicBool::new(false));
    let (sender, receiver) = mpsc::unbounded_channel();
    let dispatcher = tokio::spawn(dispatch(agent, plan.to_call, settings.clone(), Arc::clone(&stop), sender));
    collect(receiver, settings.max_errored, &stop, &mut tally, &mut on_event).await;

    let started = dispatcher.await.expect("the dispatcher does not panic");
    tally.not_run = calls - started;
    on_event(RunEvent::Finished(tally));
    tally
}

/// Starts units while permits last and the run is not stopping; returns how many started.
async fn dispatch(agent: Arc<Agent>, units: Vec<PendingUnit>, settings: RunnerSettings, stop: Arc<AtomicBool>, events: UnboundedSender<RunEvent>) -> usize {
    let permits = Arc::new(Semaphore::new(settings.concurrency.max(1)));
    let limiter = Arc::new(RateLimiter::new(settings.limits));
    let retry = Arc::new(settings.retry);
    let mut started = 0;
    for unit in units {
        let permit = Arc::clone(&permits).acquire_owned().await.expect("the semaphore is never closed");
        if stop.load(Ordering::SeqCst) {
            break;
        }
        started += 1;
        let (agent, limiter, retry, events) = (Arc::clone(&agent), Arc::clone(&limiter), Arc::clone(&retry), events.clone());
        tokio::spawn(async move {
            let finished = run_unit(&agent, unit, &retry, &limiter, &events).await;
            let _ = events.send(RunEvent::UnitFinished(finished));
            drop(permit);
        });
    }
    started
}

/// Passes events to `on_event` until every unit task has ended, counting outcomes and
/// raising `stop` once too many units have errored.
async fn collect(
    mut receiver: UnboundedReceiver<RunEvent>,
    max_errored: usize,
    stop: &AtomicBool,
    tally: &mut RunTally,
    on_event: &mut impl FnMut(RunEvent),
) {
    while let Some(event) = receiver.recv().await {
        let mut stopping = None;
        if let RunEvent::UnitFinished(unit) = &event {
            tally.calls += unit.attempts as usize;
            if unit.result.is_errored() {
                tally.errored += 1;
            } else {
                tally.answered += 1;
            }
            if tally.errored > max_errored && !stop.swap(true, Ordering::SeqCst) {
                tally.stopped = true;
                stopping = Some(RunEvent::Stopping { errored: tally.errored, max_errored });
            }
        }
        on_event(event);
        if let Some(stopping) = stopping {
            tracing::warn!(errored = tally.errored, max_errored, "too many units errored; starting no more");
            on_event(stopping);
        }
    }
}

/// Runs the plan on a new tokio runtime, for callers that are not async.
pub fn run_plan_blocking(agent: Arc<Agent>, plan: RunPlan, settings: &RunnerSettings, on_event: impl FnMut(RunEvent)) -> std::io::Result<RunTally> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    Ok(runtime.block_on(run_plan(agent, plan, settings, on_event)))
}
