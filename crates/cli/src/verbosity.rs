//! How much the tool says on stderr: `-q` only errors and warnings, by default also notes,
//! progress and the summary line, `-v` also one line per request (the SDK's `tracing`
//! spans, [`RequestLog`]). Set once, from the flags, before anything is printed.

use std::fmt::Write as _;
use std::sync::OnceLock;

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Metadata, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// How much is said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verbosity {
    /// Errors and warnings only (`-q`).
    Quiet,
    /// Also notes, progress and the summary line.
    Normal,
    /// Also each request (`-v`).
    Verbose,
}

static LEVEL: OnceLock<Verbosity> = OnceLock::new();

impl Verbosity {
    /// From the flags (`--quiet` and `--verbose` exclude each other).
    pub(crate) fn from_flags(quiet: bool, verbose: bool) -> Verbosity {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, true) => Verbosity::Verbose,
            (false, false) => Verbosity::Normal,
        }
    }

    /// Makes `self` the process's verbosity; with `Verbose`, installs the request log.
    pub(crate) fn install(self) {
        let _ = LEVEL.set(self);
        if self == Verbosity::Verbose {
            let subscriber = tracing_subscriber::registry().with(RequestLog);
            // Only fails when one is installed already (a test's): that one stays.
            let _ = tracing::subscriber::set_global_default(subscriber);
        }
    }

    /// The process's verbosity (`Normal` until [`Verbosity::install`]).
    pub(crate) fn get() -> Verbosity {
        LEVEL.get().copied().unwrap_or(Verbosity::Normal)
    }

    /// Whether notes, progress and summaries are said.
    pub(crate) fn chatty() -> bool {
        Verbosity::get() >= Verbosity::Normal
    }
}

/// Prints a note (`note: …`, a summary) on stderr unless `-q`.
macro_rules! note {
    ($($arg:tt)*) => {
        if $crate::verbosity::Verbosity::chatty() {
            eprintln!($($arg)*);
        }
    };
}
pub(crate) use note;

/// The span of one HTTP request of the SDK (the driver's): its fields are the line.
const ATTEMPT: &str = "otc_jobs.attempt";

/// One line on stderr per request the SDK sends, when its span closes:
/// `request: DELETE /v1.0/…/streaming/jobs/5 -> 200 (request id …) 3 ms [DeleteFlinkJob, attempt 1]`.
/// The span's fields are the driver's (method, path, status, request id, duration):
/// never a header, so neither a key nor a signature.
struct RequestLog;

/// The fields of a request's span, as recorded so far.
#[derive(Default)]
struct Fields(Vec<(&'static str, String)>);

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn line(&self) -> String {
        let mut line = format!(
            "request: {} {} -> {}",
            self.get("method").unwrap_or("?"),
            self.get("path").unwrap_or("?"),
            self.get("status").unwrap_or("no answer"),
        );
        if let Some(id) = self.get("request_id") {
            let _ = write!(line, " (request id {id})");
        }
        if let Some(ms) = self.get("duration_ms") {
            let _ = write!(line, " {ms} ms");
        }
        let operation = self.get("operation").unwrap_or("?");
        // A request of the call other than the operation's own: IAM's token or project.
        let _ = match self.get("request") {
            Some("operation") | None => write!(line, " [{operation}"),
            Some(phase) => write!(line, " [{operation}: {phase}"),
        };
        let _ = write!(line, ", attempt {}]", self.get("attempt").unwrap_or("?"));
        line
    }
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name(), value.to_owned()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name(), format!("{value:?}")));
    }
}

impl<S> Layer<S> for RequestLog
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        metadata.name() == ATTEMPT
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().name() != ATTEMPT {
            return;
        }
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id)
            && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
        {
            values.record(fields);
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(&id)
            && let Some(fields) = span.extensions().get::<Fields>()
        {
            eprintln!("{}", fields.line());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_line_has_method_path_status_request_id_and_time() {
        let fields = Fields(vec![
            ("operation", "DeleteFlinkJob".into()),
            ("request", "operation".into()),
            ("attempt", "1".into()),
            ("method", "DELETE".into()),
            ("path", "/v1.0/p/streaming/jobs/5".into()),
            ("status", "200".into()),
            ("request_id", "req-1".into()),
            ("duration_ms", "3".into()),
        ]);
        assert_eq!(
            fields.line(),
            "request: DELETE /v1.0/p/streaming/jobs/5 -> 200 (request id req-1) 3 ms [DeleteFlinkJob, attempt 1]"
        );
        assert_eq!(
            Fields(vec![("method", "GET".into()), ("path", "/x".into())]).line(),
            "request: GET /x -> no answer [?, attempt ?]"
        );
    }

    #[test]
    fn quiet_and_verbose_from_the_flags() {
        assert_eq!(Verbosity::from_flags(true, false), Verbosity::Quiet);
        assert_eq!(Verbosity::from_flags(false, true), Verbosity::Verbose);
        assert_eq!(Verbosity::from_flags(false, false), Verbosity::Normal);
    }
}
