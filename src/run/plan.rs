//! Planning a run before any call: which units the journal of a resumed run already
//! holds, which the response cache can answer, and which need a call, with an estimate
//! of the tokens those calls will use.

use std::collections::HashMap;

use super::cache::{CachedAnswer, Fingerprint, ResponseCache};
use super::event::FinishedUnit;
use super::journal::JournalLine;
use super::unit::{AnswerSource, UnitOutcome, UnitResult};
use super::RunError;
use crate::agent::{AgentRequest, UnitKey};

/// Characters per token used to estimate input tokens: a common rule of thumb for
/// English text with OpenAI-style tokenizers, not a measurement.
const CHARACTERS_PER_TOKEN: usize = 4;

/// Output tokens assumed per call when the agent sets no `max_tokens`, for the token
/// rate limit only.
// NOTE: a guess; the limiter corrects its bucket with the real usage after each call.
const ASSUMED_OUTPUT_TOKENS: u64 = 1_000;

/// A unit that needs a call.
#[derive(Debug, Clone)]
pub struct PendingUnit {
    pub request: AgentRequest,
    pub fingerprint: Fingerprint,
    /// Input tokens estimated from the prompt plus the output tokens allowed, charged to
    /// the token rate limit until the real usage is known.
    pub estimated_tokens: u64,
}

/// A run's plan: the units that need no call and the units to call.
#[derive(Debug, Clone, Default)]
pub struct RunPlan {
    /// Units finished without a call: answered in the journal, or found in the cache.
    pub done: Vec<FinishedUnit>,
    /// Units to send, in matrix order.
    pub to_call: Vec<PendingUnit>,
    pub estimate: CallEstimate,
}

/// The cost of a plan's calls, before retries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallEstimate {
    pub calls: usize,
    pub from_journal: usize,
    pub from_cache: usize,
    /// Estimated from prompt length at four characters per token.
    pub input_tokens: u64,
    /// Maximum output tokens of all calls together, `max_tokens` each, or `None` when
    /// the agent sets no `max_tokens`.
    pub max_output_tokens: Option<u64>,
}

/// The inputs of a plan.
#[derive(Debug, Clone, Copy)]
pub struct PlanSources<'a> {
    /// Describes the agent for fingerprints; see `agent_identity`.
    pub agent_identity: &'a serde_json::Value,
    /// The last journal line of each unit, when resuming.
    pub journal: Option<&'a HashMap<UnitKey, JournalLine>>,
    /// The response cache, unless bypassed.
    pub cache: Option<&'a ResponseCache>,
    /// The agent's `max_tokens`, if it has one.
    pub max_tokens: Option<u32>,
}

/// Sorts every request into done or to call. Rejects a journal that was written for
/// other requests, since resuming it would mix two runs.
pub fn plan_run(requests: Vec<AgentRequest>, sources: PlanSources<'_>) -> Result<RunPlan, RunError> {
    if let Some(journal) = sources.journal {
        check_journal_keys(&requests, journal)?;
    }
    let mut plan = RunPlan::default();
    for request in requests {
        let fingerprint = Fingerprint::of(sources.agent_identity, &request);
        if let Some(done) = from_journal(&request, &fingerprint, sources.journal)? {
            plan.estimate.from_journal += 1;
            plan.done.push(done);
        } else if let Some(cached) = sources.cache.and_then(|cache| cache.get(&fingerprint)) {
            plan.estimate.from_cache += 1;
            plan.done.push(from_cache(request.key, fingerprint, cached));
        } else {
            let input_tokens = estimate_input_tokens(&request);
            plan.estimate.input_tokens += input_tokens;
            let output_tokens = sources.max_tokens.map_or(ASSUMED_OUTPUT_TOKENS, u64::from);
            plan.to_call.push(PendingUnit { request, fingerprint, estimated_tokens: input_tokens + output_tokens });
        }
    }
    plan.estimate.calls = plan.to_call.len();
    plan.estimate.max_output_tokens = sources.max_tokens.map(|max| u64::from(max) * plan.to_call.len() as u64);
    Ok(plan)
}

/// Returns the journal's answer for a request, checking that it answered the same request.
fn from_journal(
    request: &AgentRequest,
    fingerprint: &Fingerprint,
    journal: Option<&HashMap<UnitKey, JournalLine>>,
) -> Result<Option<FinishedUnit>, RunError> {
    let Some(line) = journal.and_then(|journal| journal.get(&request.key)) else {
        return Ok(None);
    };
    if &line.request != fingerprint {
        return Err(RunError::journal_mismatch(&request.key, "its request differs (agent, prompt, skill or sample)"));
    }
    if let UnitOutcome::Errored { .. } = line.outcome {
        return Ok(None);
    }
    let unit = FinishedUnit { result: line.to_result(), fingerprint: fingerprint.clone(), source: AnswerSource::Journal, attempts: 0 };
    Ok(Some(unit))
}

fn from_cache(key: UnitKey, fingerprint: Fingerprint, cached: CachedAnswer) -> FinishedUnit {
    let outcome = UnitOutcome::Answered { response: cached.response };
    let result = UnitResult { key, outcome, latency_ms: cached.latency_ms, usage: cached.usage };
    FinishedUnit { result, fingerprint, source: AnswerSource::Cache, attempts: 0 }
}

/// Rejects journal lines for units that this run does not have.
fn check_journal_keys(requests: &[AgentRequest], journal: &HashMap<UnitKey, JournalLine>) -> Result<(), RunError> {
    let planned: std::collections::HashSet<&UnitKey> = requests.iter().map(|request| &request.key).collect();
    let mut extra: Vec<&UnitKey> = journal.keys().filter(|key| !planned.contains(key)).collect();
    extra.sort();
    match extra.first() {
        Some(key) => Err(RunError::journal_mismatch(key, "this run has no such unit (another suite, fewer samples, or another --phase?)")),
        None => Ok(()),
    }
}

/// Estimates a prompt's tokens from its length in characters.
fn estimate_input_tokens(request: &AgentRequest) -> u64 {
    let characters = request.prompt.system.chars().count() + request.prompt.user.chars().count();
    characters.div_ceil(CHARACTERS_PER_TOKEN) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::journal::Journal;
    use crate::suite::Arm;

    fn requests(count: u32) -> Vec<AgentRequest> {
        (0..count)
            .map(|sample| {
                let key = UnitKey::base("lr", Arm::WithoutSkill, sample);
                AgentRequest::new(key, "12345678", None, "1234")
            })
            .collect()
    }

    fn sources<'a>(identity: &'a serde_json::Value, max_tokens: Option<u32>) -> PlanSources<'a> {
        PlanSources { agent_identity: identity, journal: None, cache: None, max_tokens }
    }

    #[test]
    fn fresh_plan_calls_every_unit() {
        let identity = serde_json::json!({"kind": "test"});
        let plan = plan_run(requests(3), sources(&identity, Some(100))).unwrap();
        assert_eq!(plan.to_call.len(), 3);
        assert_eq!(plan.estimate.calls, 3);
        assert_eq!(plan.estimate.input_tokens, 9, "12 characters is 3 tokens per call");
        assert_eq!(plan.estimate.max_output_tokens, Some(300));
        assert_eq!(plan.to_call[0].estimated_tokens, 103);
    }

    #[test]
    fn cache_hits_need_no_call() {
        let identity = serde_json::json!({"kind": "test"});
        let folder = tempfile::tempdir().unwrap();
        let cache = ResponseCache::new(folder.path());
        let first = requests(2).remove(1);
        let cached = CachedAnswer { response: "Use 32.".to_string(), usage: None, latency_ms: 3 };
        cache.put(&Fingerprint::of(&identity, &first), &cached).unwrap();

        let plan = plan_run(requests(2), PlanSources { cache: Some(&cache), ..sources(&identity, None) }).unwrap();
        assert_eq!(plan.estimate.from_cache, 1);
        assert_eq!(plan.done[0].source, AnswerSource::Cache);
        assert_eq!(plan.done[0].result.key.sample, 1);
        assert_eq!(plan.to_call.len(), 1);
        assert_eq!(plan.estimate.max_output_tokens, None);
    }

    fn journal_of(identity: &serde_json::Value, outcomes: Vec<(u32, UnitOutcome)>) -> HashMap<UnitKey, JournalLine> {
        let folder = tempfile::tempdir().unwrap();
        let mut journal = Journal::create(folder.path()).unwrap();
        let all = requests(10);
        for (sample, outcome) in outcomes {
            let request = &all[sample as usize];
            let result = UnitResult { key: request.key.clone(), outcome, latency_ms: 1, usage: None };
            let fingerprint = Fingerprint::of(identity, request);
            journal.append(&FinishedUnit { result, fingerprint, source: AnswerSource::Agent, attempts: 1 }).unwrap();
        }
        Journal::resume(folder.path()).unwrap().1
    }

    #[test]
    fn resume_skips_answered_and_retries_errored() {
        let identity = serde_json::json!({"kind": "test"});
        let answered = UnitOutcome::Answered { response: "a".to_string() };
        let errored = UnitOutcome::Errored { error: "HTTP 503".to_string() };
        let journal = journal_of(&identity, vec![(0, answered), (1, errored)]);

        let plan = plan_run(requests(3), PlanSources { journal: Some(&journal), ..sources(&identity, None) }).unwrap();
        assert_eq!(plan.estimate.from_journal, 1);
        let called: Vec<u32> = plan.to_call.iter().map(|unit| unit.request.key.sample).collect();
        assert_eq!(called, [1, 2]);
    }

    #[test]
    fn resume_rejects_other_requests() {
        let identity = serde_json::json!({"kind": "test"});
        let journal = journal_of(&identity, vec![(0, UnitOutcome::Answered { response: "a".to_string() })]);
        let other = serde_json::json!({"kind": "other"});
        let error = plan_run(requests(3), PlanSources { journal: Some(&journal), ..sources(&other, None) }).unwrap_err();
        assert!(error.to_string().contains("request differs"), "{error}");
    }

    #[test]
    fn resume_rejects_units_not_in_run() {
        let identity = serde_json::json!({"kind": "test"});
        let journal = journal_of(&identity, vec![(5, UnitOutcome::Answered { response: "a".to_string() })]);
        let error = plan_run(requests(3), PlanSources { journal: Some(&journal), ..sources(&identity, None) }).unwrap_err();
        assert!(error.to_string().contains("sample 5"), "{error}");
    }
}
