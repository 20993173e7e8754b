//! Progress of a run on stderr: on a terminal a bar that says what it is doing
//! (`deleting flink-job`, `waiting for flink-job`) with a rounded rate; without one (CI)
//! a line every [`ProgressSettings::interval`] (done, failed, in flight, rate), so a long
//! run is never silent; nothing with `-q`. Stdout is left to the data.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressState, ProgressStyle};
use tokio::task::JoinHandle;

use crate::report::Outcome;
use crate::verbosity::Verbosity;

/// How progress is shown, decided once from the flags and the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProgressSettings {
    /// A bar (stderr is a terminal), or lines.
    pub(crate) terminal: bool,
    /// Without a terminal: how often a line is printed.
    pub(crate) interval: Duration,
    /// Nothing at all (`-q`).
    pub(crate) silent: bool,
}

impl ProgressSettings {
    /// From `--progress-interval` (`OTC_JOBS_PROGRESS_INTERVAL`), the verbosity and stderr.
    pub(crate) fn new(interval: Duration) -> ProgressSettings {
        ProgressSettings {
            terminal: std::io::stderr().is_terminal(),
            interval: interval.max(Duration::from_millis(10)),
            silent: !Verbosity::chatty(),
        }
    }
}

/// The counts shown.
#[derive(Debug, Default)]
struct Counts {
    done: AtomicU64,
    failed: AtomicU64,
    in_flight: AtomicU64,
    total: AtomicU64,
    /// A whole-account run: its parts (a project's kind) done, of how many.
    parts_done: AtomicU64,
    parts: AtomicU64,
}

/// The progress of one run: counts updated by the executor, shown as its settings say.
#[derive(Debug)]
pub(crate) struct Progress {
    bar: ProgressBar,
    counts: Arc<Counts>,
    lines: Option<JoinHandle<()>>,
    /// A part of a whole run's progress ([`Progress::part`]): the whole sets the length
    /// and finishes.
    part: bool,
}

impl Progress {
    /// Shows nothing (tests, `-q`).
    pub(crate) fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
            counts: Arc::default(),
            lines: None,
            part: false,
        }
    }

    /// The progress of `doing` (`"deleting flink-job"`) `total` jobs. Without a terminal
    /// it starts a task printing a line every interval (call from within the runtime).
    pub(crate) fn start(doing: String, total: usize, settings: ProgressSettings) -> Progress {
        if settings.silent {
            return Progress::hidden();
        }
        let counts = Arc::new(Counts::default());
        counts.total.store(total as u64, Ordering::Relaxed);
        let bar = if settings.terminal {
            ProgressBar::new(total as u64)
        } else {
            ProgressBar::hidden()
        };
        // A terminal indicatif will not draw on (`TERM` unset or `dumb`) gets the lines.
        if !bar.is_hidden() {
            let style = ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} {rate} eta {eta}")
                .map(|style| {
                    style.with_key(
                        "rate",
                        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                            let _ = w.write_str(&rate(state.per_sec()));
                        },
                    )
                });
            if let Ok(style) = style {
                bar.set_style(style);
            }
            bar.set_message(doing);
            return Progress {
                bar,
                counts,
                lines: None,
                part: false,
            };
        }
        let shown = Arc::clone(&counts);
        let started = Instant::now();
        let lines = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(settings.interval);
            ticks.tick().await;
            loop {
                ticks.tick().await;
                eprintln!("{}", line(&doing, &shown, started.elapsed()));
            }
        });
        Progress {
            bar: ProgressBar::hidden(),
            counts,
            lines: Some(lines),
            part: false,
        }
    }

    /// The progress of a part of this run (one project's kind, of `parts`): its counts
    /// add to this one's.
    pub(crate) fn part(&self, parts: usize) -> Progress {
        self.counts.parts.store(parts as u64, Ordering::Relaxed);
        Progress {
            bar: self.bar.clone(),
            counts: Arc::clone(&self.counts),
            lines: None,
            part: true,
        }
    }

    /// A part of the run is done.
    pub(crate) fn part_done(&self) {
        self.counts.parts_done.fetch_add(1, Ordering::Relaxed);
    }

    /// The number of jobs the run acts on, once known.
    pub(crate) fn set_length(&self, total: usize) {
        if self.part {
            return;
        }
        self.counts.total.store(total as u64, Ordering::Relaxed);
        self.bar.set_length(total as u64);
    }

    /// A job's request started.
    pub(crate) fn started(&self) {
        self.counts.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    /// A started job's requests ended (its outcome follows with [`Progress::done`]).
    pub(crate) fn ended(&self) {
        let _ = self
            .counts
            .in_flight
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                Some(n.saturating_sub(1))
            });
    }

    /// Jobs that have their outcome.
    pub(crate) fn done<'a>(&self, outcomes: impl IntoIterator<Item = &'a Outcome>) {
        let (mut done, mut failed) = (0, 0);
        for outcome in outcomes {
            done += 1;
            // As the summary counts them (a wait that timed out is not a failure).
            if matches!(outcome, Outcome::Failed { .. }) {
                failed += 1;
            }
        }
        self.counts.done.fetch_add(done, Ordering::Relaxed);
        self.counts.failed.fetch_add(failed, Ordering::Relaxed);
        self.bar.inc(done);
    }

    /// Runs `f` (which prints on stderr) with the bar out of the way.
    pub(crate) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// The run is over: the bar goes, the lines stop.
    pub(crate) fn finish(&self) {
        if self.part {
            self.part_done();
            return;
        }
        if let Some(lines) = &self.lines {
            lines.abort();
        }
        self.bar.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(lines) = &self.lines {
            lines.abort();
        }
    }
}

/// `45/s`, `2.5/s`: a rate rounded to what a reader can use.
fn rate(per_sec: f64) -> String {
    if !per_sec.is_finite() || per_sec <= 0.0 {
        "0/s".to_owned()
    } else if per_sec >= 10.0 {
        format!("{per_sec:.0}/s")
    } else {
        format!("{per_sec:.1}/s")
    }
}

/// `progress: deleting flink-job: 120/1000 done (3 failed), 8 in flight, 45/s, 12s`.
fn line(doing: &str, counts: &Counts, elapsed: Duration) -> String {
    let done = counts.done.load(Ordering::Relaxed);
    let secs = elapsed.as_secs_f64();
    let parts = counts.parts.load(Ordering::Relaxed);
    let parts = if parts > 0 {
        format!(
            " {}/{parts} project kinds done,",
            counts.parts_done.load(Ordering::Relaxed)
        )
    } else {
        String::new()
    };
    format!(
        "progress: {doing}:{parts} {done}/{} done ({} failed), {} in flight, {}, {}s",
        counts.total.load(Ordering::Relaxed),
        counts.failed.load(Ordering::Relaxed),
        counts.in_flight.load(Ordering::Relaxed),
        rate(if secs > 0.0 { done as f64 / secs } else { 0.0 }),
        elapsed.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_rounded_and_lines_say_what_is_done() {
        assert_eq!(rate(45.678), "46/s");
        assert_eq!(rate(2.54), "2.5/s");
        assert_eq!(rate(f64::NAN), "0/s");
        let counts = Counts::default();
        counts.total.store(10, Ordering::Relaxed);
        let progress = Progress {
            bar: ProgressBar::hidden(),
            counts: Arc::new(counts),
            lines: None,
            part: false,
        };
        progress.started();
        progress.started();
        progress.ended();
        progress.done([
            &Outcome::Deleted {
                attempts: 1,
                note: None,
            },
            &Outcome::Failed {
                answer: crate::report::Answer::none(String::new()),
                attempts: 1,
            },
        ]);
        assert_eq!(
            line(
                "deleting flink-job",
                &progress.counts,
                Duration::from_secs(4)
            ),
            "progress: deleting flink-job: 2/10 done (1 failed), 1 in flight, 0.5/s, 4s"
        );
        let part = progress.part(6);
        part.set_length(99);
        part.finish();
        assert_eq!(
            line("cleaning", &progress.counts, Duration::from_secs(4)),
            "progress: cleaning: 1/6 project kinds done, 2/10 done (1 failed), 1 in flight, 0.5/s, 4s"
        );
    }
}
