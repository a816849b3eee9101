//! `skilleval plan tradeoff`: steps and examples to reach a loss at each batch size,
//! relative to their minimums (McCandlish et al. 2018).

use serde::Serialize;

use super::PlanError;
use super::args::TradeoffArgs;
use super::table::Table;
use super::text::format_number;
use crate::planner::{
    GradientNormSample, TradeoffPoint, batches_around, noise_scale_from_norms, tradeoff,
};

/// Everything `plan tradeoff` reports.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TradeoffReport {
    pub noise_scale: f64,
    /// Whether the noise scale was estimated from gradient norms rather than given.
    pub noise_scale_estimated: bool,
    pub min_steps: Option<f64>,
    pub points: Vec<TradeoffPoint>,
}

/// Computes the report for the flags.
pub(crate) fn tradeoff_report(args: &TradeoffArgs) -> Result<TradeoffReport, PlanError> {
    let (noise_scale, noise_scale_estimated) = match (args.noise_scale, args.grad_norm.as_slice()) {
        (Some(noise_scale), _) => (noise_scale, false),
        (None, [small, big]) => {
            let sample = |(batch, squared_norm): (f64, f64)| GradientNormSample {
                batch,
                squared_norm,
            };
            (noise_scale_from_norms(sample(*small), sample(*big))?, true)
        }
        (None, samples) => {
            return Err(PlanError::InvalidFlag {
                flag: "--grad-norm",
                message: format!(
                    "give exactly two samples at different batch sizes, got {}",
                    samples.len()
                ),
            });
        }
    };
    let batches: Vec<f64> = if args.batch.is_empty() {
        batches_around(noise_scale)
    } else {
        args.batch.iter().map(|&batch| f64::from(batch)).collect()
    };
    Ok(TradeoffReport {
        noise_scale,
        noise_scale_estimated,
        min_steps: args.min_steps,
        points: tradeoff(noise_scale, &batches, args.min_steps),
    })
}

/// Renders the report as text.
pub(crate) fn render_tradeoff(report: &TradeoffReport) -> String {
    let source = if report.noise_scale_estimated {
        "estimated from gradient norms"
    } else {
        "given"
    };
    let mut text = format!(
        "Steps versus examples by batch size (McCandlish et al. 2018), noise scale B_noise = {} ({source})\n\n",
        format_number(report.noise_scale)
    );
    text.push_str(&points_table(report).render());
    text.push_str(&format!(
        "\nAt batch {} both steps and examples are twice their minimum. Below it, a larger batch mostly saves steps; above it, a larger batch mostly spends more examples for few saved steps.\n",
        format_number(report.noise_scale)
    ));
    if let (Some(first), Some(last)) = (report.points.first(), report.points.last()) {
        if report.points.len() >= 2 && first.batch != last.batch {
            text.push_str(&format!(
                "From batch {} to {} ({}× the batch): steps fall {}×, examples grow {}×.\n",
                format_number(first.batch),
                format_number(last.batch),
                format_number(last.batch / first.batch),
                format_number(first.steps_ratio / last.steps_ratio),
                format_number(last.examples_ratio / first.examples_ratio)
            ));
        }
    }
    text
}

/// Builds the table of batch sizes.
fn points_table(report: &TradeoffReport) -> Table {
    let absolute = report.min_steps.is_some();
    let header: &[&str] = if absolute {
        &[
            "batch",
            "steps / S_min",
            "examples / E_min",
            "steps",
            "examples",
        ]
    } else {
        &["batch", "steps / S_min", "examples / E_min"]
    };
    let mut table = Table::new(header, &[0, 1, 2, 3, 4]);
    for point in &report.points {
        let mut row = vec![
            format_number(point.batch),
            format_number(point.steps_ratio),
            format_number(point.examples_ratio),
        ];
        if let (Some(steps), Some(examples)) = (point.steps, point.examples) {
            row.push(format_number(steps.round()));
            row.push(format_number(examples.round()));
        }
        table.row(row);
    }
    table
}
