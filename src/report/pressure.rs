//! The pressure test of a REFACTOR run, worked out from the result model: pass rates per
//! pressure and scenario in both arms, the rationalizations found, the checks that
//! fold most under pressure, and the parametric variants. The Markdown and HTML
//! pressure-test reports both write this one structure.

use std::collections::BTreeMap;

use super::{RunReport, ScenarioInfo, VariantInfo};
use crate::gate::format_percent;
use crate::score::{ArmSummary, Rationalization};
use crate::suite::{Arm, CheckKind, VariantKind, BASE_VARIANT};

/// Most quotes shown per kind of rationalization.
pub const MAX_QUOTES: usize = 3;

/// Most checks listed as folding under pressure.
pub const MAX_FOLDING: usize = 10;

/// Answers that passed out of those answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: u32,
    pub answered: u32,
}

impl Tally {
    fn add(&mut self, summary: &ArmSummary) {
        self.passed += summary.passed;
        self.answered += summary.answered;
    }

    /// `passed / answered`, or `None` before any answer.
    pub fn rate(self) -> Option<f64> {
        (self.answered > 0).then(|| f64::from(self.passed) / f64::from(self.answered))
    }

    /// `2/3 (67%)`, or `–` before any answer.
    pub fn describe(self) -> String {
        match self.rate() {
            Some(rate) => format!("{}/{} ({})", self.passed, self.answered, format_percent(rate)),
            None => "–".to_string(),
        }
    }

    /// `2/3`, or `–` before any answer.
    pub fn short(self) -> String {
        if self.answered == 0 { "–".to_string() } else { format!("{}/{}", self.passed, self.answered) }
    }
}

/// Both arms' tallies of one cell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArmPair {
    pub without_skill: Tally,
    pub with_skill: Tally,
}

impl ArmPair {
    fn add(&mut self, summary: &ArmSummary) {
        match summary.arm {
            Arm::WithoutSkill => self.without_skill.add(summary),
            Arm::WithSkill => self.with_skill.add(summary),
        }
    }
}

/// One row of the matrix: a pressure, a combination, or a hand-written variant.
#[derive(Debug, Clone, PartialEq)]
pub struct PressureRow {
    /// The pressures' names joined with ` + `, or `<name> (hand-written: <id>)`.
    pub label: String,
    /// One cell per scenario of the report, in its order; `None` where the scenario
    /// has no such variant.
    pub cells: Vec<Option<ArmPair>>,
    /// The row summed over scenarios.
    pub total: ArmPair,
}

/// A rubric check whose with-skill hold rate drops under pressure.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldingCheck {
    pub scenario: String,
    pub check: String,
    pub kind: CheckKind,
    /// With the skill, on the question as written.
    pub base: Tally,
    /// With the skill, summed over the scenario's pressure variants.
    pub pressured: Tally,
}

impl FoldingCheck {
    /// Returns how far the hold rate falls under pressure, from 0 to 1.
    pub fn drop(&self) -> f64 {
        self.base.rate().unwrap_or(0.0) - self.pressured.rate().unwrap_or(0.0)
    }
}

/// The rationalizations of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct RationalizationGroup<'a> {
    pub kind: String,
    pub with_skill: usize,
    pub without_skill: usize,
    /// The first [`MAX_QUOTES`] found, with-skill answers first.
    pub examples: Vec<&'a Rationalization>,
}

/// One parametric variant of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ParametricRow<'a> {
    pub scenario: &'a str,
    pub variant: &'a VariantInfo,
    pub result: ArmPair,
}

/// Everything the pressure-test reports show.
#[derive(Debug, Clone, PartialEq)]
pub struct PressureTest<'a> {
    /// The question as written, for comparison: one cell per scenario.
    pub base: PressureRow,
    pub rows: Vec<PressureRow>,
    pub rationalizations: Vec<RationalizationGroup<'a>>,
    /// Checks whose hold rate drops under pressure, the largest drop first, at most
    /// [`MAX_FOLDING`] of them.
    pub folding: Vec<FoldingCheck>,
    /// How many checks drop in all.
    pub folding_total: usize,
    pub parametric: Vec<ParametricRow<'a>>,
}

impl<'a> PressureTest<'a> {
    /// Works out the pressure test, or `None` when the run asked no variants.
    pub fn of(report: &'a RunReport) -> Option<PressureTest<'a>> {
        if report.scenarios.iter().all(|scenario| scenario.variants.is_empty()) {
            return None;
        }
        let mut folding = folding_checks(report);
        let folding_total = folding.len();
        folding.truncate(MAX_FOLDING);
        Some(PressureTest {
            base: base_row(report),
            rows: pressure_rows(report),
            rationalizations: rationalization_groups(&report.rationalizations),
            folding,
            folding_total,
            parametric: parametric_rows(report),
        })
    }
}

/// Sums the variant summaries of one scenario and variant into a pair of tallies.
fn pair_of(summaries: &[ArmSummary], scenario: &str, variant: &str) -> Option<ArmPair> {
    let mut pair = ArmPair::default();
    let mut found = false;
    for summary in summaries.iter().filter(|summary| summary.scenario == scenario && summary.variant == variant) {
        pair.add(summary);
        found = true;
    }
    found.then_some(pair)
}

fn total_of(cells: &[Option<ArmPair>]) -> ArmPair {
    let mut total = ArmPair::default();
    for pair in cells.iter().flatten() {
        total.without_skill.passed += pair.without_skill.passed;
        total.without_skill.answered += pair.without_skill.answered;
        total.with_skill.passed += pair.with_skill.passed;
        total.with_skill.answered += pair.with_skill.answered;
    }
    total
}

fn base_row(report: &RunReport) -> PressureRow {
    let cells: Vec<Option<ArmPair>> =
        report.scenarios.iter().map(|scenario| pair_of(&report.summaries, &scenario.id, BASE_VARIANT)).collect();
    PressureRow { label: "No pressure (the question as written)".to_string(), total: total_of(&cells), cells }
}

/// Builds one row per distinct pressure set, in the order the suite lists them: single
/// pressures, combinations, then hand-written variants.
fn pressure_rows(report: &RunReport) -> Vec<PressureRow> {
    let mut order: Vec<(String, String)> = Vec::new();
    for variant in report.scenarios.iter().flat_map(|scenario| &scenario.variants) {
        if variant.kind != VariantKind::Pressure {
            continue;
        }
        let key = row_key(variant);
        if !order.iter().any(|(known, _)| *known == key) {
            order.push((key, row_label(report, variant)));
        }
    }
    order
        .into_iter()
        .map(|(key, label)| {
            let cells: Vec<Option<ArmPair>> = report
                .scenarios
                .iter()
                .map(|scenario| {
                    let variant = scenario.variants.iter().find(|variant| variant.kind == VariantKind::Pressure && row_key(variant) == key)?;
                    pair_of(&report.variant_summaries, &scenario.id, &variant.id)
                })
                .collect();
            PressureRow { label, total: total_of(&cells), cells }
        })
        .collect()
}

/// Generated variants share a row per pressure set; a hand-written one has its own.
fn row_key(variant: &VariantInfo) -> String {
    let generated = format!("pressure/{}", variant.pressures.join("+"));
    if variant.id == generated { generated } else { variant.id.clone() }
}

fn row_label(report: &RunReport, variant: &VariantInfo) -> String {
    let names: Vec<&str> = variant
        .pressures
        .iter()
        .map(|id| report.pressures.iter().find(|pressure| pressure.id == *id).map_or(id.as_str(), |pressure| pressure.name.as_str()))
        .collect();
    let label = names.join(" + ");
    let generated = variant.id == format!("pressure/{}", variant.pressures.join("+"));
    if generated { label } else { format!("{label} (hand-written: {})", variant.id.trim_start_matches("pressure/")) }
}

fn rationalization_groups(found: &[Rationalization]) -> Vec<RationalizationGroup<'_>> {
    let mut groups: BTreeMap<&str, Vec<&Rationalization>> = BTreeMap::new();
    for item in found {
        groups.entry(item.kind.as_str()).or_default().push(item);
    }
    let mut groups: Vec<RationalizationGroup<'_>> = groups
        .into_iter()
        .map(|(kind, mut items)| {
            let with_skill = items.iter().filter(|item| item.arm == Arm::WithSkill).count();
            items.sort_by_key(|item| item.arm != Arm::WithSkill);
            RationalizationGroup {
                kind: kind.to_string(),
                with_skill,
                without_skill: items.len() - with_skill,
                examples: items.into_iter().take(MAX_QUOTES).collect(),
            }
        })
        .collect();
    groups.sort_by(|a, b| (b.with_skill + b.without_skill).cmp(&(a.with_skill + a.without_skill)).then(a.kind.cmp(&b.kind)));
    groups
}

/// With the skill: each rubric check's hold rate on the question as written against
/// its rate summed over the scenario's pressure variants, for every check that drops.
fn folding_checks(report: &RunReport) -> Vec<FoldingCheck> {
    let mut folding = Vec::new();
    for scenario in &report.scenarios {
        let Some(base) = report.summary(&scenario.id, Arm::WithSkill) else { continue };
        let pressured: Vec<&ArmSummary> = pressured_summaries(report, scenario).collect();
        for check in &scenario.checks {
            let Some(base_tally) = base.checks.iter().find(|tally| tally.id == check.id) else { continue };
            let mut under = Tally::default();
            for summary in &pressured {
                if let Some(tally) = summary.checks.iter().find(|tally| tally.id == check.id) {
                    under.passed += tally.held;
                    under.answered += summary.answered;
                }
            }
            let entry = FoldingCheck {
                scenario: scenario.id.clone(),
                check: check.id.clone(),
                kind: check.kind,
                base: Tally { passed: base_tally.held, answered: base.answered },
                pressured: under,
            };
            if under.answered > 0 && entry.drop() > 0.0 {
                folding.push(entry);
            }
        }
    }
    folding.sort_by(|a, b| b.drop().total_cmp(&a.drop()).then(a.scenario.cmp(&b.scenario)).then(a.check.cmp(&b.check)));
    folding
}

fn pressured_summaries<'a>(report: &'a RunReport, scenario: &'a ScenarioInfo) -> impl Iterator<Item = &'a ArmSummary> {
    report.variant_summaries.iter().filter(move |summary| {
        summary.scenario == scenario.id
            && summary.arm == Arm::WithSkill
            && scenario.variants.iter().any(|variant| variant.id == summary.variant && variant.kind == VariantKind::Pressure)
    })
}

fn parametric_rows(report: &RunReport) -> Vec<ParametricRow<'_>> {
    report
        .scenarios
        .iter()
        .flat_map(|scenario| scenario.variants.iter().map(move |variant| (scenario, variant)))
        .filter(|(_, variant)| variant.kind == VariantKind::Parametric)
        .filter_map(|(scenario, variant)| {
            let result = pair_of(&report.variant_summaries, &scenario.id, &variant.id)?;
            Some(ParametricRow { scenario: &scenario.id, variant, result })
        })
        .collect()
}
