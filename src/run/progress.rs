//! The progress display on stderr, fed by [`RunEvent`]s: a progress bar on a terminal,
//! one plain line per event otherwise, and nothing decorative when `NO_COLOR` is set.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::event::{FinishedUnit, RunEvent, RunTally};
use super::unit::{AnswerSource, UnitOutcome};
use crate::agent::UnitKey;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A redrawn progress bar, for a terminal.
    Bar,
    /// One plain line per finished call, retry and stop, for logs.
    Lines,
    /// Nothing.
    Hidden,
}

impl ProgressMode {
    /// Picks a bar when stderr is a terminal and `NO_COLOR` is unset or empty, else lines.
    pub fn detect() -> ProgressMode {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        if std::io::stderr().is_terminal() && !no_color { ProgressMode::Bar } else { ProgressMode::Lines }
    }
}

/// The progress display of one run.
pub struct Progress {
    mode: ProgressMode,
    bar: Option<ProgressBar>,
    total: usize,
    finished: usize,
    errored: usize,
    retries: usize,
}

impl Progress {
    /// Creates a display; the bar appears on the `Started` event.
    pub fn new(mode: ProgressMode) -> Progress {
        Progress { mode, bar: None, total: 0, finished: 0, errored: 0, retries: 0 }
    }

    /// Shows one event.
    pub fn handle(&mut self, event: &RunEvent) {
        match event {
            RunEvent::Started { total, calls } => self.start(*total, *calls),
            RunEvent::Retrying { key, attempt, delay, error } => {
                self.retries += 1;
                self.line(&format!("retrying {} after attempt {attempt} in {:.1} s: {error}", unit_name(key), delay.as_secs_f64()));
                self.refresh();
            }
            RunEvent::UnitFinished(unit) => self.finish_unit(unit),
            RunEvent::Stopping { errored, max_errored } => {
                self.line(&format!("stopping: {errored} units errored, more than the {max_errored} allowed; units in flight still finish"));
            }
            RunEvent::Interrupted => {
                self.line("interrupted: starting no more units; units in flight still finish (Ctrl-C again to quit at once)");
            }
            RunEvent::Finished(tally) => self.finish(tally),
        }
    }

    fn start(&mut self, total: usize, calls: usize) {
        self.total = total;
        let reused = total - calls;
        self.line(&format!("{total} units: {calls} to call, {reused} from the journal or cache"));
        if self.mode == ProgressMode::Bar {
            let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{bar:40.cyan/blue} {pos}/{len} {msg} [{elapsed}, about {eta} left]")
                .expect("the template is valid")
                .progress_chars("=> ");
            bar.set_style(style);
            self.bar = Some(bar);
        }
    }

    fn finish_unit(&mut self, unit: &FinishedUnit) {
        self.finished += 1;
        if unit.result.is_errored() {
            self.errored += 1;
        }
        if unit.source == AnswerSource::Agent {
            let outcome = match &unit.result.outcome {
                UnitOutcome::Answered { .. } => "answered".to_string(),
                UnitOutcome::Errored { error } => format!("errored: {error}"),
            };
            let seconds = unit.result.latency_ms as f64 / 1000.0;
            let width = self.total.to_string().len();
            let text = format!(
                "[{:>width$}/{}] {} {outcome} in {seconds:.1} s, {} attempt(s)",
                self.finished,
                self.total,
                unit_name(&unit.result.key),
                unit.attempts
            );
            if self.mode == ProgressMode::Lines || unit.result.is_errored() {
                self.line(&text);
            }
        }
        self.refresh();
    }

    fn finish(&mut self, tally: &RunTally) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.line(&format!(
            "finished: {} answered, {} errored, {} not run, {} calls",
            tally.answered, tally.errored, tally.not_run, tally.calls
        ));
    }

    fn refresh(&self) {
        if let Some(bar) = &self.bar {
            bar.set_position(self.finished as u64);
            bar.set_message(format!("errored {}, retries {}", self.errored, self.retries));
        }
    }

    /// Prints a line above the bar, or on its own.
    fn line(&self, text: &str) {
        match (&self.bar, self.mode) {
            (_, ProgressMode::Hidden) => {}
            (Some(bar), _) => bar.println(text),
            (None, _) => {
                let _ = writeln!(std::io::stderr(), "{text}");
            }
        }
    }
}

fn unit_name(key: &UnitKey) -> String {
    match key.is_base() {
        true => format!("{} {} sample {}", key.scenario, key.arm.as_str(), key.sample),
        false => format!("{} {} {} sample {}", key.scenario, key.variant, key.arm.as_str(), key.sample),
    }
}
