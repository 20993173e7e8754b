//! The operation abstraction: what every OTC API call is, and the one shared piece that
//! turns an operation into an `http::Request` and an `http::Response` into its result.
//!
//! Generated code (see `crate::generated`) only *declares* an operation: its service,
//! method, path template, path parameters and response type. Building and parsing live in
//! [`OperationExt`], implemented for every [`Operation`] by a blanket impl, so no operation
//! can change how requests are built or how answers are judged.

use http::header::{AUTHORIZATION, CONTENT_TYPE, HOST, HeaderName, HeaderValue, USER_AGENT};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::canonical::{
    HEADER_SDK_CONTENT_SHA256, HEADER_SDK_DATE, UNSIGNED_PAYLOAD, content_type_is_signed_const,
    value_is_canonical,
};
use crate::auth::{
    AkSk, Credentials, HEADER_SECURITY_TOKEN, SignatureForm, SigningParams, SigningTime, Unsigned,
    sign_unsigned,
};
use crate::endpoint::Target;
use crate::error::{BuildError, Envelope, Error, ResponseError, ServiceError, read_beside};
use crate::path::{PathPieces, PathValue, SplitTemplate};
use crate::query::Query;
use crate::service::Service;

/// The `User-Agent` the core puts on every request unless the caller replaces it.
pub const DEFAULT_USER_AGENT: &str = concat!("otc-jobs/", env!("CARGO_PKG_VERSION"));

/// The header OTC's gateways use for the project a request acts in.
pub const X_PROJECT_ID: &str = "x-project-id";

/// One OTC API operation, declared by its API reference page.
///
/// Implemented by the generated request types, e.g.
/// [`DeleteFlinkJob`](crate::dli::DeleteFlinkJob). Use [`OperationExt`] to build and parse.
pub trait Operation {
    /// What a successful call returns.
    type Response: OperationResponse;

    /// The operation's name, e.g. `"DeleteFlinkJob"`.
    const NAME: &'static str;
    /// The service that serves it.
    const SERVICE: Service;
    /// The HTTP method.
    const METHOD: http::Method;
    /// The path as documented, e.g. `/v1.0/{project_id}/streaming/jobs/{job_id}`.
    const PATH_TEMPLATE: &'static str;
    /// The 2xx status codes the page documents (informative: any 2xx is success).
    const SUCCESS_STATUS: &'static [u16];
    /// The operation only reads, whatever its method (ModelArts' training job search is a
    /// `POST`): sending it twice has the effect of sending it once, so the retry policy
    /// may resend it after a failure that left its fate unknown, as it resends a `GET`.
    /// Default `false`: the method decides ([`is_idempotent`](crate::is_idempotent)).
    const READ_ONLY: bool = false;
    /// The `Content-Type` the request is sent with (IAM's pages ask for a charset).
    const CONTENT_TYPE: &'static str = "application/json";

    /// The value of the path parameter `name`; `None` for a name it does not have.
    /// `project_id` comes from the [`Target`], never from the operation.
    fn path_param(&self, name: &str) -> Option<PathValue<'_>>;

    /// Adds the operation's query parameters to `query` (absent optionals are skipped).
    /// The default has none.
    fn query(&self, query: &mut Query) {
        let _ = query;
    }

    /// The request body as JSON bytes, or `None` for a request without a body (the
    /// default). Generated operations with a body serialise themselves with [`json_body`].
    fn body(&self) -> Result<Option<Vec<u8>>, BuildError> {
        Ok(None)
    }
}

/// `value` as compact JSON, for [`Operation::body`].
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Body { job_ids: Vec<i64> }
/// let bytes = otc_jobs_core::json_body(&Body { job_ids: vec![12, 232] })?;
/// assert_eq!(bytes.as_deref(), Some(&br#"{"job_ids":[12,232]}"#[..]));
/// # Ok::<(), otc_jobs_core::BuildError>(())
/// ```
pub fn json_body<T: Serialize + ?Sized>(value: &T) -> Result<Option<Vec<u8>>, BuildError> {
    serde_json::to_vec(value)
        .map(Some)
        .map_err(|e| BuildError::Body(e.to_string()))
}

/// The body of a successful answer.
pub trait OperationResponse: DeserializeOwned {
    /// What an empty body reads as: `{}` for an object (the default), `[]` for an answer
    /// that is a top-level JSON array (DLI's batch deletion), so that an empty 2xx answer
    /// is an empty result rather than a malformed one.
    const EMPTY_BODY: &'static [u8] = b"{}";

    /// The member that holds the body's own verdict, where the type has one (ModelArts
    /// and DLI answers: every page names it `is_success`, the member the core reads). A
    /// body whose verdict is `false` (or `"false"`) is then a [`ServiceError`] even with
    /// a 2xx status, its code and message read in the same pass as the typed answer.
    const SUCCESS_FLAG: Option<&'static str> = None;
}

/// Building and parsing, the same for every [`Operation`] (blanket-implemented; cannot be
/// overridden).
///
/// ```
/// use otc_jobs_core::{Endpoints, OperationExt, Region, Target};
/// use otc_jobs_core::dli::DeleteFlinkJob;
///
/// let endpoints = Endpoints::new(Region::EU_DE);
/// let target = Target::new(&endpoints, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
/// let request = DeleteFlinkJob::new(148).build_request(&target)?;
/// assert_eq!(request.method(), http::Method::DELETE);
/// assert_eq!(
///     request.uri().to_string(),
///     "https://dli.eu-de.otc.t-systems.com/v1.0/0a1b2c3d4e5f60718293a4b5c6d7e8f9/streaming/jobs/148"
/// );
///
/// let answer = http::Response::builder()
///     .status(200)
///     .body(br#"{"is_success": "true", "message": "The job is successfully deleted."}"#.to_vec())?;
/// let parsed = DeleteFlinkJob::parse_response(&answer)?;
/// assert_eq!(parsed.is_success, Some(true));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait OperationExt: Operation {
    /// Builds the unsigned request for `target`: method, URL (with the query sorted and
    /// encoded exactly as the signer canonicalises it), the JSON body if any, `Host`,
    /// [`Content-Type`](Operation::CONTENT_TYPE), `User-Agent` and, for an operation in a project,
    /// `X-Project-Id`. Sign it with [`crate::auth::sign`] (or let a
    /// client do it).
    fn build_request(&self, target: &Target<'_>) -> Result<http::Request<Vec<u8>>, BuildError> {
        let prepared = prepare(self, target)?;
        let mut request = http::Request::new(prepared.body);
        *request.method_mut() = Self::METHOD;
        *request.uri_mut() = prepared.uri;
        let headers = request.headers_mut();
        // Room for these and the signature's three without growing.
        headers.reserve(8);
        // In the order of their names: the signer sorts them, and a sorted list costs it
        // one comparison per header.
        headers.insert(
            CONTENT_TYPE,
            const { HeaderValue::from_static(Self::CONTENT_TYPE) },
        );
        if let Some(host) = prepared.host {
            headers.insert(HOST, host);
        }
        headers.insert(
            USER_AGENT,
            const { HeaderValue::from_static(DEFAULT_USER_AGENT) },
        );
        if let Some(project) = prepared.project {
            headers.insert(
                const { HeaderName::from_static(X_PROJECT_ID) },
                project.value,
            );
        }
        Ok(request)
    }

    /// Builds the request for `target` and authenticates it with `credentials` at `time`
    /// (see [`crate::auth::sign`]); the derived-key form is scoped to the target's region
    /// and this operation's service.
    fn signed_request(
        &self,
        target: &Target<'_>,
        credentials: &Credentials,
        time: SigningTime,
        form: SignatureForm,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let params = SigningParams {
            time,
            form,
            region: target.endpoints().region().as_str(),
            service: Self::SERVICE.host_label(),
        };
        self.authenticated_request(target, credentials, &params, None)
    }

    /// Builds the request for `target` with `user_agent` (the default when `None`) and
    /// authenticates it with `credentials` and `params`: the same request, to the byte, as
    /// [`build_request`](OperationExt::build_request), replacing its `User-Agent`, then
    /// [`crate::auth::authenticate`], made in one pass (AK/SK: the canonical request is
    /// written from the values as they are made, not read back from the header map).
    ///
    /// ```
    /// use otc_jobs_core::auth::{authenticate, AkSk, Credentials, SigningParams};
    /// use otc_jobs_core::{dli::DeleteFlinkJob, Endpoints, OperationExt, Region, Target, UtcTime};
    /// let endpoints = Endpoints::new(Region::EU_DE);
    /// let target = Target::new(&endpoints, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    /// let credentials = Credentials::AkSk(AkSk::new("HPUAEXAMPLEAK0000001", "ExampleSecretKey0123456789abcdefghijklmnopq"));
    /// let params = SigningParams::access(UtcTime::from_unix(1_716_286_830));
    /// let agent = http::HeaderValue::from_static("my-tool/1.0");
    /// let op = DeleteFlinkJob::new(148);
    /// let at_once = op.authenticated_request(&target, &credentials, &params, Some(&agent))?;
    /// let mut in_steps = op.build_request(&target)?;
    /// in_steps.headers_mut().insert(http::header::USER_AGENT, agent);
    /// authenticate(&mut in_steps, &credentials, &params)?;
    /// assert_eq!(at_once.headers(), in_steps.headers());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn authenticated_request(
        &self,
        target: &Target<'_>,
        credentials: &Credentials,
        params: &SigningParams<'_>,
        user_agent: Option<&HeaderValue>,
    ) -> Result<http::Request<Vec<u8>>, Error> {
        let mut request = http::Request::new(Vec::new());
        let keys = match credentials {
            Credentials::AkSk(keys) => Some((keys, params)),
            Credentials::Token(_) => None,
        };
        let signed = fill_request(self, target, &mut request, user_agent, keys)?;
        if !signed {
            // A token, or no ready `Host`: signed as any request is.
            crate::auth::authenticate(&mut request, credentials, params)?;
        }
        Ok(request)
    }

    /// Judges an answer: a 2xx answer whose body parses (an empty body reads as
    /// [`OperationResponse::EMPTY_BODY`], `{}` for objects, `[]` for arrays)
    /// and whose `is_success` is not false gives the typed response; anything else an
    /// error of kind [`ErrorKind::Service`](crate::ErrorKind::Service) (the service said
    /// no) or [`ErrorKind::Response`](crate::ErrorKind::Response) (the answer could not be
    /// read), both keeping the status, the request id and the raw body.
    fn parse_response<B: AsRef<[u8]>>(
        response: &http::Response<B>,
    ) -> Result<Self::Response, Error> {
        let status = response.status();
        let headers = response.headers();
        let body = response.body().as_ref();
        if !status.is_success() {
            return Err(ServiceError::from_answer(Self::SERVICE, status, headers, body).into());
        }
        let trimmed = body.trim_ascii();
        let text = if trimmed.is_empty() {
            <Self::Response as OperationResponse>::EMPTY_BODY
        } else {
            trimmed
        };
        // One pass over the body: the typed answer or, for a type with a verdict, the
        // refusal the body says it is, its error fields read beside (not read again).
        let read = if <Self::Response as OperationResponse>::SUCCESS_FLAG.is_some() {
            read_beside::<Self::Response>(text)
        } else {
            crate::json::from_body(text).map(Ok)
        };
        let refusal = match read {
            Ok(Ok(parsed)) => return Ok(parsed),
            Ok(Err(refusal)) => refusal,
            // A body that does not fit the type may still say no (a refusal without the
            // success fields): read as the error body it may be.
            Err(e) => {
                let envelope = Envelope::read(trimmed);
                if !envelope.refused {
                    return Err(
                        ResponseError::malformed(status, headers, body, &e, envelope).into(),
                    );
                }
                envelope
            }
        };
        Err(ServiceError::from_envelope(Self::SERVICE, status, headers, body, refusal).into())
    }
}

impl<T: Operation + ?Sized> OperationExt for T {}

/// What building a request computes before its headers go into the map.
struct Prepared {
    /// How many first bytes of the URI's path are their own canonical URI.
    canonical_prefix: usize,
    body: Vec<u8>,
    uri: http::Uri,
    host: Option<HeaderValue>,
    /// Whether `host` is its own canonical form for signing.
    host_canonical: bool,
    /// The `X-Project-Id` value, and whether it is its own canonical form.
    project: Option<crate::header_memo::Project>,
}

/// Makes `op`'s URI for `target` (its path, and query, written once into a `String` of
/// exactly their length, which the URI takes over as it is), its body and header values.
fn prepare<O: Operation + ?Sized>(op: &O, target: &Target<'_>) -> Result<Prepared, BuildError> {
    let project_id = target.project_id();
    // A request acts in a project when its path names one (every job API); IAM's token
    // and project calls are made before the project id is known, and carry none.
    let in_project = const { names_project(O::PATH_TEMPLATE) };
    if in_project && matches!(project_id, "" | "." | "..") {
        return Err(BuildError::InvalidProjectId);
    }
    let project = if in_project {
        Some(crate::header_memo::project(project_id).ok_or(BuildError::InvalidProjectId)?)
    } else {
        None
    };
    let base = target.endpoints().base_url(O::SERVICE);
    let value = |name: &str| match name {
        "project_id" => Some(PathValue::Raw(project_id)),
        _ => op.path_param(name),
    };
    let pieces = PathPieces::new(
        base.path_prefix(),
        O::PATH_TEMPLATE,
        const { &SplitTemplate::new(O::PATH_TEMPLATE) },
        value,
        // Checked by the memo.
        project.as_ref().filter(|p| p.segment).map(|_| project_id),
    )
    .transpose()?;
    let mut query = Query::new();
    op.query(&mut query);
    let query = (!query.is_empty()).then(|| {
        // Sorted and encoded as the signer canonicalises it: sent byte for byte.
        let mut text = String::new();
        query.write_to(&mut text);
        text
    });
    let query_len = query.as_ref().map_or(0, |q| 1 + q.len());
    let mut path = String::with_capacity(pieces.as_ref().map_or(0, PathPieces::len) + query_len);
    let canonical_prefix = match &pieces {
        Some(pieces) => {
            pieces.write(&mut path);
            pieces.canonical_prefix()
        }
        None => {
            path.push_str(base.path_prefix());
            crate::path::expand_into(O::PATH_TEMPLATE, &mut path, value)?;
            0
        }
    };
    if let Some(query) = query {
        path.push('?');
        path.push_str(&query);
    }
    let body = op.body()?.unwrap_or_default();
    let uri = base.uri(path)?;
    Ok(Prepared {
        canonical_prefix,
        body,
        uri,
        // The signer would add it from the URI; the base URL has it ready.
        host: base.host().cloned(),
        host_canonical: base.host_is_canonical(),
        project,
    })
}

/// Builds `op`'s request for `target` into `request` (a new one): in place, because a
/// request is a few hundred bytes that each move would copy. With `keys`, signs it as it
/// is built (as [`crate::auth::authenticate`] would once built, to the byte); whether it
/// was signed (not without a ready `Host`).
fn fill_request<O: Operation + ?Sized>(
    op: &O,
    target: &Target<'_>,
    request: &mut http::Request<Vec<u8>>,
    user_agent: Option<&HeaderValue>,
    keys: Option<(&AkSk, &SigningParams<'_>)>,
) -> Result<bool, Error> {
    let prepared = prepare(op, target)?;
    // The request's own headers, in the order of their names: the signer's order.
    let content_type = const { HeaderValue::from_static(O::CONTENT_TYPE) };
    let (agent, agent_canonical) = match user_agent {
        Some(agent) => (agent.clone(), false),
        None => (
            const { HeaderValue::from_static(DEFAULT_USER_AGENT) },
            const { value_is_canonical(DEFAULT_USER_AGENT.as_bytes()) },
        ),
    };
    let added = match (keys, &prepared.host) {
        // Without a ready `Host`, the signer takes it from the URI, after the build.
        (Some((keys, params)), Some(host)) => {
            let (project, project_canonical) = match &prepared.project {
                Some(project) => (&project.value, project.canonical),
                None => (&content_type, true),
            };
            let all = [
                (
                    "content-type",
                    &content_type,
                    const { value_is_canonical(O::CONTENT_TYPE.as_bytes()) },
                ),
                ("host", host, prepared.host_canonical),
                ("user-agent", &agent, agent_canonical),
                (X_PROJECT_ID, project, project_canonical),
            ];
            let (own, signed_names) = if prepared.project.is_some() {
                (&all[..], &SIGNED_IN_PROJECT)
            } else {
                (all.get(..3).unwrap_or_default(), &SIGNED)
            };
            let unsigned = Unsigned {
                method: &O::METHOD,
                path: prepared.uri.path().as_bytes(),
                canonical_prefix: prepared.canonical_prefix,
                query: prepared.uri.query().unwrap_or(""),
                headers: own,
                signed_names: Some(signed_names),
                body: &prepared.body,
                content_type_signed: const { content_type_is_signed_const(O::CONTENT_TYPE) },
            };
            Some(sign_unsigned(&unsigned, keys, params)?)
        }
        _ => None,
    };
    let headers = request.headers_mut();
    // Room for these and the signature's three without growing (filled in place).
    headers.reserve(8);
    headers.insert(CONTENT_TYPE, content_type);
    if let Some(host) = prepared.host {
        headers.insert(HOST, host);
    }
    headers.insert(USER_AGENT, agent);
    if let Some(project) = prepared.project {
        headers.insert(
            const { HeaderName::from_static(X_PROJECT_ID) },
            project.value,
        );
    }
    let signed = added.is_some();
    if let Some(added) = added {
        headers.insert(HEADER_SDK_DATE, added.date);
        if let Some(token) = added.security_token {
            headers.insert(HEADER_SECURITY_TOKEN, token);
        }
        if added.unsigned_payload {
            headers.insert(
                HEADER_SDK_CONTENT_SHA256,
                HeaderValue::from_static(UNSIGNED_PAYLOAD),
            );
        }
        headers.insert(AUTHORIZATION, added.authorization);
    }
    *request.body_mut() = prepared.body;
    *request.method_mut() = O::METHOD;
    *request.uri_mut() = prepared.uri;
    Ok(signed)
}

/// The signed header names of a request [`fill_request`] signs, without and with
/// `X-Sdk-Content-Sha256` (index bit 0) and `X-Security-Token` (bit 1), written at once.
const SIGNED: [&str; 4] = [
    "content-type;host;user-agent;x-sdk-date",
    "content-type;host;user-agent;x-sdk-content-sha256;x-sdk-date",
    "content-type;host;user-agent;x-sdk-date;x-security-token",
    "content-type;host;user-agent;x-sdk-content-sha256;x-sdk-date;x-security-token",
];
/// [`SIGNED`] of a request in a project (with `X-Project-Id`).
const SIGNED_IN_PROJECT: [&str; 4] = [
    "content-type;host;user-agent;x-project-id;x-sdk-date",
    "content-type;host;user-agent;x-project-id;x-sdk-content-sha256;x-sdk-date",
    "content-type;host;user-agent;x-project-id;x-sdk-date;x-security-token",
    "content-type;host;user-agent;x-project-id;x-sdk-content-sha256;x-sdk-date;x-security-token",
];

/// Whether a path template names the project (`{project_id}`), at compile time.
const fn names_project(template: &str) -> bool {
    let (text, name) = (template.as_bytes(), b"{project_id}");
    let mut start = 0;
    while start + name.len() <= text.len() {
        let mut i = 0;
        while i < name.len() && text[start + i] == name[i] {
            i += 1;
        }
        if i == name.len() {
            return true;
        }
        start += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signed names written at once are the names of what `fill_request` inserts and
    /// signing adds, sorted and `;`-joined.
    #[test]
    fn signed_names_written_at_once_are_the_sorted_names() {
        for (table, project) in [(&SIGNED, None), (&SIGNED_IN_PROJECT, Some(X_PROJECT_ID))] {
            for (index, names) in table.iter().enumerate() {
                let mut expected = vec!["content-type", "host", "user-agent", "x-sdk-date"];
                expected.extend(project);
                if index & 1 != 0 {
                    expected.push(crate::auth::canonical::X_SDK_CONTENT_SHA256);
                }
                if index & 2 != 0 {
                    expected.push(crate::auth::X_SECURITY_TOKEN);
                }
                expected.sort_unstable();
                assert_eq!(*names, expected.join(";"), "{index}");
            }
        }
    }
}
