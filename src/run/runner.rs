//! Runs a [`RunPlan`]: reports the units that need no call, then sends the others with
//! at most `concurrency` in flight, and stops starting new ones once more than
//! `max_errored` have errored. Every unit that starts is reported once, answered or
//! errored; units never started are counted as not run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender, WeakUnboundedSender};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::attempt::run_unit;
use super::event::{RunEvent, RunTally};
use super::plan::{PendingUnit, RunPlan};
use super::rate_limit::{RateLimiter, RateLimits};
use crate::agent::{Agent, RetryPolicy};

/// Runner settings for one agent: concurrency, rate limits, retry policy and error budget.
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    /// Units in flight at once; at least 1.
    pub concurrency: usize,
    pub limits: RateLimits,
    pub retry: RetryPolicy,
    /// Errored units the run tolerates; one more stops it.
    pub max_errored: usize,
    /// Whether Ctrl-C (SIGINT) stops the run gracefully: no unit starts or retries after
    /// it, units in flight finish and are reported, and a second Ctrl-C ends the process
    /// with exit code 130.
    pub stop_on_interrupt: bool,
}

/// An event on its way to the caller, with the permit of the unit it finishes. The
/// permit is released only once the error count is updated, so a unit that starts
/// after another errored always finds out whether that error stopped the run.
pub(crate) struct Message {
    pub event: RunEvent,
    pub permit: Option<OwnedSemaphorePermit>,
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
    let interrupt_watch = settings.stop_on_interrupt.then(|| tokio::spawn(watch_interrupt(Arc::clone(&stop), sender.downgrade())));
    let dispatcher = tokio::spawn(dispatch(agent, plan.to_call, settings.clone(), Arc::clone(&stop), sender));
    collect(receiver, settings.max_errored, &stop, &mut tally, &mut on_event).await;
    if let Some(watch) = interrupt_watch {
        watch.abort();
    }

    let started = dispatcher.await.expect("the dispatcher does not panic");
    tally.not_run = calls - started;
    on_event(RunEvent::Finished(tally));
    tally
}

/// Starts units while permits last and the run is not stopping; returns how many started.
async fn dispatch(agent: Arc<Agent>, units: Vec<PendingUnit>, settings: RunnerSettings, stop: Arc<AtomicBool>, messages: UnboundedSender<Message>) -> usize {
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
        let (agent, limiter, retry, messages) = (Arc::clone(&agent), Arc::clone(&limiter), Arc::clone(&retry), messages.clone());
        let stop = Arc::clone(&stop);
        tokio::spawn(async move {
            let finished = run_unit(&agent, unit, &retry, &limiter, &stop, &messages).await;
            let _ = messages.send(Message { event: RunEvent::UnitFinished(finished), permit: Some(permit) });
        });
    }
    started
}

/// Passes events to `on_event` until every unit task has ended, counting outcomes and
/// raising `stop` once too many units have errored.
async fn collect(
    mut receiver: UnboundedReceiver<Message>,
    max_errored: usize,
    stop: &AtomicBool,
    tally: &mut RunTally,
    on_event: &mut impl FnMut(RunEvent),
) {
    while let Some(Message { event, permit }) = receiver.recv().await {
        let mut stopping = None;
        if let RunEvent::Interrupted = &event {
            tally.interrupted = true;
        }
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
        // The stop decision is made, so the next unit may start while this event is handled.
        drop(permit);
        on_event(event);
        if let Some(stopping) = stopping {
            tracing::warn!(errored = tally.errored, max_errored, "too many units errored; starting no more");
            on_event(stopping);
        }
    }
}

/// Waits for Ctrl-C, then stops the run and reports it; a second Ctrl-C ends the
/// process. The sender is weak so that this watch does not keep the run's event
/// channel open.
async fn watch_interrupt(stop: Arc<AtomicBool>, messages: WeakUnboundedSender<Message>) {
    if tokio::signal::ctrl_c().await.is_err() {
        return;
    }
    stop.store(true, Ordering::SeqCst);
    if let Some(sender) = messages.upgrade() {
        let _ = sender.send(Message { event: RunEvent::Interrupted, permit: None });
    }
    if tokio::signal::ctrl_c().await.is_ok() {
        tracing::warn!("interrupted twice; exiting without waiting for units in flight");
        std::process::exit(i32::from(INTERRUPTED_EXIT_CODE));
    }
}

/// The exit code of a process ended by SIGINT, as shells report it: 128 + 2.
pub const INTERRUPTED_EXIT_CODE: u8 = 130;

/// Runs the plan on a new tokio runtime, for callers that are not async.
pub fn run_plan_blocking(agent: Arc<Agent>, plan: RunPlan, settings: &RunnerSettings, on_event: impl FnMut(RunEvent)) -> std::io::Result<RunTally> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    Ok(runtime.block_on(run_plan(agent, plan, settings, on_event)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{AgentRequest, ReplayAgent, UnitKey};
    use crate::run::{Fingerprint, FinishedUnit, UnitOutcome};
    use crate::suite::Arm;

    /// A replay agent with answers for samples below `recorded`, and a plan of `units` units.
    fn replay_plan(recorded: u32, units: u32) -> (Arc<Agent>, RunPlan) {
        let lines: String = (0..recorded)
            .map(|sample| format!("{{\"scenario\": \"lr\", \"arm\": \"without-skill\", \"sample\": {sample}, \"response\": \"answer {sample}\"}}\n"))
            .collect();
        let agent = Agent::Replay(ReplayAgent::from_jsonl_str(&lines, "test").unwrap());
        let to_call = (0..units)
            .map(|sample| {
                let key = UnitKey::base("lr", Arm::WithoutSkill, sample);
                let request = AgentRequest::new(key, "s", None, "q");
                let fingerprint = Fingerprint::of(&serde_json::json!({}), &request);
                PendingUnit { request, fingerprint, estimated_tokens: 1 }
            })
            .collect();
        (Arc::new(agent), RunPlan { to_call, ..RunPlan::default() })
    }

    fn settings(concurrency: usize, max_errored: usize) -> RunnerSettings {
        RunnerSettings { concurrency, limits: RateLimits::default(), retry: RetryPolicy::default(), max_errored, stop_on_interrupt: false }
    }

    #[tokio::test]
    async fn every_unit_reported_once() {
        let (agent, plan) = replay_plan(40, 50);
        let mut finished = Vec::new();
        let tally = run_plan(agent, plan, &settings(8, 50), |event| {
            if let RunEvent::UnitFinished(unit) = event {
                finished.push(unit.result);
            }
        })
        .await;

        assert_eq!(finished.len(), 50);
        let mut samples: Vec<u32> = finished.iter().map(|result| result.key.sample).collect();
        samples.sort_unstable();
        assert_eq!(samples, (0..50).collect::<Vec<_>>());
        assert_eq!(tally, RunTally { answered: 40, errored: 10, not_run: 0, calls: 50, stopped: false, interrupted: false });
        let missing = finished.iter().find(|result| result.key.sample == 45).unwrap();
        assert!(matches!(&missing.outcome, UnitOutcome::Errored { error } if error.contains("no recording")));
    }

    #[tokio::test]
    async fn too_many_errored_stops_dispatch() {
        let (agent, plan) = replay_plan(0, 30);
        let mut events = Vec::new();
        let tally = run_plan(agent, plan, &settings(1, 2), |event| events.push(event)).await;

        assert!(tally.stopped);
        assert_eq!(tally.errored, 3, "one unit at a time, so none is in flight at the stop");
        assert_eq!(tally.not_run, 27);
        let stopping = events.iter().filter(|event| matches!(event, RunEvent::Stopping { .. })).count();
        assert_eq!(stopping, 1);
        assert!(matches!(events.last(), Some(RunEvent::Finished(_))));
    }

    #[tokio::test]
    async fn done_units_reported_first() {
        let (agent, mut plan) = replay_plan(2, 1);
        let done = plan.to_call.pop().unwrap();
        let result = crate::run::UnitResult {
            key: done.request.key.clone(),
            outcome: UnitOutcome::Answered { response: "cached".to_string() },
            latency_ms: 0,
            usage: None,
        };
        plan.done.push(FinishedUnit { result, fingerprint: done.fingerprint, source: crate::run::AnswerSource::Cache, attempts: 0 });

        let mut events = Vec::new();
        let tally = run_plan(agent, plan, &settings(1, 0), |event| events.push(event)).await;
        assert!(matches!(events[0], RunEvent::Started { total: 1, calls: 0 }));
        assert!(matches!(&events[1], RunEvent::UnitFinished(unit) if unit.attempts == 0));
        assert_eq!(tally.calls, 0);
        assert_eq!(tally.answered, 1);
    }
}
