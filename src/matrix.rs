//! The run matrix: every scenario in every arm, `samples` times, and in the REFACTOR
//! phase every variant of it too. Units come in a fixed order: suite order, the base
//! question before its variants, baseline before skill, then sample index.

use std::sync::Arc;

use crate::agent::{AgentRequest, UnitKey};
use crate::suite::{Arm, Skill, Suite, BASE_VARIANT};

/// The arms, samples, system prompt and skill that a suite expands into.
#[derive(Debug, Clone)]
pub struct MatrixSpec<'a> {
    pub arms: &'a [Arm],
    pub samples: u32,
    /// Samples of each variant per arm. `None` asks only the base questions.
    pub variant_samples: Option<u32>,
    pub system_prompt: &'a str,
    pub skill: Option<&'a Arc<Skill>>,
}

/// Expands a suite into one request per scenario, variant, arm and sample.
pub fn expand(suite: &Suite, spec: &MatrixSpec) -> Vec<AgentRequest> {
    let mut requests = Vec::new();
    for scenario in &suite.scenarios {
        let variants = spec.variant_samples.map_or(&[][..], |_| scenario.variants.as_slice());
        let asked = std::iter::once((BASE_VARIANT, scenario.query.as_str(), spec.samples))
            .chain(variants.iter().map(|variant| (variant.id.as_str(), variant.query.as_str(), spec.variant_samples.unwrap_or(0))));
        for (variant, query, samples) in asked {
            for &arm in spec.arms {
                for sample in 0..samples {
                    let key = UnitKey { scenario: scenario.id.clone(), variant: variant.to_string(), arm, sample };
                    requests.push(AgentRequest::new(key, spec.system_prompt, spec.skill, query));
                }
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
        let spec = MatrixSpec { arms: &Arm::BOTH, samples: 3, variant_samples: None, system_prompt: "system", skill: None };
        let requests = expand(&suite, &spec);

        assert_eq!(requests.len(), suite.scenarios.len() * 2 * 3);
        assert_eq!(requests[0].key.arm, Arm::WithoutSkill);
        assert_eq!(requests[3].key.arm, Arm::WithSkill);
        assert_eq!(requests[5].key.sample, 2);
        assert_eq!(requests[6].key.scenario, suite.scenarios[1].id);
        assert!(requests.iter().all(|request| request.key.is_base()));
    }

    #[test]
    fn variants_follow_their_base_question() {
        let suite = crate::suite::load_builtin().unwrap();
        let spec = MatrixSpec { arms: &Arm::BOTH, samples: 2, variant_samples: Some(1), system_prompt: "system", skill: None };
        let requests = expand(&suite, &spec);

        let first = &suite.scenarios[0];
        let per_scenario = 2 * 2 + first.variants.len() * 2;
        assert_eq!(requests[..per_scenario].iter().filter(|request| request.key.scenario == first.id).count(), per_scenario);
        let variant = &first.variants[0];
        assert_eq!(requests[4].key.variant, variant.id);
        assert_eq!(requests[4].prompt.user, variant.query);
        assert_eq!((requests[4].key.arm, requests[5].key.arm), (Arm::WithoutSkill, Arm::WithSkill));
        let total_variants: usize = suite.scenarios.iter().map(|scenario| scenario.variants.len()).sum();
        assert_eq!(requests.len(), suite.scenarios.len() * 4 + total_variants * 2);
    }
}
