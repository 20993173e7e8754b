//! The seam between the commands and the services: the few calls the commands make, in
//! the SDK's types (a kind's [`Filters`], a [`KindId`] that carries its kind, the SDK's
//! [`Error`] and [`WaitOutcome`]). [`crate::sdk`] implements it with otc-jobs-async; the
//! executor's tests implement it in memory.
//!
//! Retries are the SDK's (inside each call); throttling across the run and how many
//! deletions are in flight are the executor's, for every backend alike. What a failed
//! call means for the executor is read from [`Error`] here, once ([`verdict`]).

use std::future::Future;
use std::time::{Duration, SystemTime};

use otc_jobs_async::{Deleted, WaitOutcome};
use otc_jobs_core::Error;
use otc_jobs_core::auth::SigningTime;
use otc_jobs_core::kinds::{BatchEntry, Filters, KindBatch, KindId, RowSink};
use otc_jobs_core::{Described, RetryAfter, is_throttled};

/// The calls the commands need. Each is one SDK call, with the SDK's retries.
pub(crate) trait Backend: Send + Sync + 'static {
    /// Every job of the filters' kind the service lists with them (all pages), each
    /// item given to `into` as it is read.
    fn list(
        &self,
        filters: &Filters,
        into: &mut dyn RowSink,
    ) -> impl Future<Output = Result<(), Error>> + Send;

    /// Deletes one job (a running job of a kind stopped first: stopped, waited for, then
    /// deleted); what was done on the way is the SDK's [`Deleted`].
    fn delete(&self, id: &KindId) -> impl Future<Output = Result<Deleted, Error>> + Send;

    /// Waits, at most `max_wait`, polling every `poll` or more, until a deleted job is
    /// gone (the SDK's waiter: "not found" is gone, decided there).
    fn wait_gone(
        &self,
        id: &KindId,
        max_wait: Duration,
        poll: Duration,
    ) -> impl Future<Output = Result<WaitOutcome, Error>> + Send;

    /// One request for a job's details (the kind's detail operation): there, with its name
    /// and status, or gone; `None` for a kind without a detail operation (nothing sent).
    fn describe(
        &self,
        id: &KindId,
    ) -> impl Future<Output = Result<Option<Described>, Error>> + Send;

    /// Deletes the ids of `batch` in one request (the kind's batch deletion).
    fn batch_delete(
        &self,
        batch: &KindBatch,
    ) -> impl Future<Output = Result<Vec<BatchEntry>, Error>> + Send;
}

/// What a failed call means for the executor. The SDK has already retried what it
/// retries (5xx, lost connections, timeouts, cut-short answers: its rules, not ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The service says the job does not exist.
    NotFound,
    /// Throttled (429 / `APIG.0308`) beyond what the SDK waited out: the whole run slows
    /// down (this long, if the service said) and the id is tried again.
    Throttled(Option<Duration>),
    /// Not the service's answer but the setup's (credentials, endpoint, nothing
    /// listening): on the first calls of a run it stops the run. What to check.
    Misconfigured(&'static str),
    /// The service said no, or no clear answer came after the SDK's retries.
    Fatal,
}

/// What `error` means for the executor, from its own methods: the one place it is read.
pub(crate) fn verdict(error: &Error) -> Verdict {
    if error.is_misconfiguration() {
        Verdict::Misconfigured(error.hint().unwrap_or_default())
    } else if error.is_not_found() {
        Verdict::NotFound
    } else if is_throttled(error) {
        let now = SigningTime::from_system_time(SystemTime::now());
        Verdict::Throttled(
            error
                .as_service()
                .and_then(|e| e.retry_after)
                .map(|r: RetryAfter| r.wait_from(now)),
        )
    } else {
        Verdict::Fatal
    }
}

/// A list call that failed: a wrong setup (exit 2, with what to check), or a failure
/// (exit 1).
pub(crate) fn list_failed(
    kind: otc_jobs_core::kinds::Kind,
    error: &Error,
    hint: &str,
) -> crate::exit::CliError {
    let problem = format!("cannot list {kind}s: {}", one_line(error));
    match verdict(error) {
        Verdict::Misconfigured(check) => {
            crate::exit::CliError::usage(problem, format!("{check}; {hint}").trim_end_matches("; "))
        }
        _ => crate::exit::CliError::failed(problem, hint),
    }
}

/// What a report says of `error`: the service's own message, else the error's text,
/// without the hint (the executor gives it once, with the reason the run stopped).
pub(crate) fn message(error: &Error) -> String {
    if let Some(message) = error.as_service().and_then(|e| e.message.clone()) {
        return message;
    }
    let text = error.to_string();
    match error.hint() {
        Some(hint) => text
            .strip_suffix(&format!(" ({hint})"))
            .map_or_else(|| text.clone(), str::to_owned),
        None => text,
    }
}

/// `error` in one line: `HTTP 403 ModelArts.0210 wrong project (request id req-9)`.
pub(crate) fn one_line(error: &Error) -> String {
    let mut line = String::new();
    if let Some(status) = error.status() {
        line.push_str(&format!("HTTP {} ", status.as_u16()));
    }
    if let Some(code) = error.code() {
        line.push_str(code);
        line.push(' ');
    }
    line.push_str(&message(error));
    if let Some(id) = error.request_id() {
        line.push_str(&format!(" (request id {id})"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use otc_jobs_core::{Service, ServiceError, TransportError, TransportErrorKind};

    fn answer(status: u16, retry_after: Option<&str>, body: &str) -> Error {
        answer_of(Service::Dli, status, retry_after, body)
    }

    fn answer_of(service: Service, status: u16, retry_after: Option<&str>, body: &str) -> Error {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-request-id", http::HeaderValue::from_static("req-9"));
        if let Some(value) = retry_after.and_then(|v| http::HeaderValue::from_str(v).ok()) {
            headers.insert("retry-after", value);
        }
        let status = http::StatusCode::from_u16(status).unwrap_or_default();
        ServiceError::from_answer(service, status, &headers, body.as_bytes()).into()
    }

    #[test]
    fn reads_what_the_services_answer() {
        let throttled = answer(
            429,
            Some("3"),
            r#"{"error_code":"APIG.0308","error_msg":"slow down"}"#,
        );
        assert_eq!(
            verdict(&throttled),
            Verdict::Throttled(Some(Duration::from_secs(3)))
        );
        assert_eq!(message(&throttled), "slow down");
        let gone = answer(
            400,
            None,
            r#"{"error_code":"DLI.0002","error_msg":"no such job"}"#,
        );
        assert_eq!(verdict(&gone), Verdict::NotFound);
        let mrs_gone = answer_of(
            Service::Mrs,
            500,
            None,
            r#"{"error_code":"0176","error_msg":"The job does not exist."}"#,
        );
        assert_eq!(verdict(&mrs_gone), Verdict::NotFound);
        // The SDK already retried a 503: what comes back is final.
        assert_eq!(
            verdict(&answer(503, None, "").with_attempts(4)),
            Verdict::Fatal
        );
        let refused = answer_of(
            Service::ModelArts,
            403,
            None,
            r#"{"error_code":"ModelArts.0210","error_msg":"wrong project"}"#,
        );
        assert_eq!(verdict(&refused), Verdict::Fatal);
        assert_eq!(
            one_line(&refused),
            "HTTP 403 ModelArts.0210 wrong project (request id req-9)"
        );
        // Not the service's word: never "gone", the setup is wrong; the hint is the
        // verdict's, said once (the message has none).
        let typo = answer(
            404,
            None,
            r#"{"error_code":"APIG.0101","error_msg":"The API does not exist or has not been published in the environment"}"#,
        );
        assert_eq!(
            verdict(&typo),
            Verdict::Misconfigured(
                "the endpoint does not serve this API: check --endpoint or the region's endpoint"
            )
        );
        let empty = answer(404, None, "");
        assert_eq!(
            message(&empty),
            "service error (HTTP 404 Not Found, request id req-9): Not Found (the answer had no error message)"
        );
    }

    #[test]
    fn a_wrong_setup_is_told_apart_from_a_missing_job() {
        let misconfigured = |e: &Error| matches!(verdict(e), Verdict::Misconfigured(_));
        for (status, body) in [
            (
                401,
                r#"{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}"#,
            ),
            (403, r#"{"error_code":"APIG.0302","error_msg":"denied"}"#),
            (404, "<html><body>Not Found</body></html>"),
            (404, ""),
        ] {
            assert!(
                misconfigured(&answer(status, None, body)),
                "{status} {body}"
            );
        }
        let nobody = Error::from(TransportError::new(
            TransportErrorKind::Refused,
            "error sending request: client error (Connect): tcp connect error: Connection refused (os error 111)",
        ));
        assert!(
            matches!(verdict(&nobody), Verdict::Misconfigured(hint) if hint.contains("--endpoint"))
        );
        let timeout = Error::from(TransportError::new(
            TransportErrorKind::Timeout,
            "timed out",
        ));
        assert_eq!(verdict(&timeout), Verdict::Fatal);
    }
}
