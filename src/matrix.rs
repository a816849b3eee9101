//! The run matrix: every scenario in every arm, `samples` times, as units of work in a
//! fixed order (suite order, then baseline before skill, then sample index).

use std::sync::Arc;

use crate::agent::{AgentRequest, UnitKey};
use crate::suite::{Arm, Skill, Suite};

/// The arms, samples, system prompt and skill that a suite expands into.
#[derive(Debug, Clone)]
pub struct MatrixSpec<'a> {
    pub arms: &'a [Arm],
    pub samples: u32,
    pub system_prompt: &'a str,
    pub skill: Option<&'a Arc<Skill>>,
}

/// Expands a suite into one request per scenario, arm and sample.
pub fn expand(suite: &Suite, spec: &MatrixSpec) -> Vec<AgentRequest> {
    let mut requests = Vec::new();
    for scenario in &suite.scenarios {
        for &arm in spec.arms {
            for sample in 0..spec.samples {
                let key = UnitKey { scenario: scenario.id.clone(), arm, sample };
                requests.push(AgentRequest::new(key, spec.system_prompt, spec.skill, &scenario.query));
            }
        }
    }
    requests
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_every_scenario_arm_and_sample() {
        let suite = crate::suite::load_builtin().unwrap();
        let spec = MatrixSpec { arms: &Arm::BOTH, samples: 3, system_prompt: "system", skill: None };
        let requests = expand(&suite, &spec);

        assert_eq!(requests.len(), suite.scenarios.len() * 2 * 3);
        assert_eq!(requests[0].key.arm, Arm::WithoutSkill);
        assert_eq!(requests[3].key.arm, Arm::WithSkill);
        assert_eq!(requests[5].key.sample, 2);
        assert_eq!(requests[6].key.scenario, suite.scenarios[1].id);
    }
}
