//! What several fuzz targets share: a request written as text.

use http::{HeaderName, HeaderValue, Method, Uri};

/// The request `method` `origin``target` with `body` and every `Name: value` line of
/// `header_lines` that makes a header, except the names in `skip`; `None` when the method
/// or the URI does not parse.
pub fn request<'t>(
    method: &str,
    origin: &str,
    target: &str,
    header_lines: impl Iterator<Item = &'t str>,
    body: &str,
    skip: &[&str],
) -> Option<http::Request<Vec<u8>>> {
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    let uri = format!("{origin}{target}").parse::<Uri>().ok()?;
    let mut request = http::Request::new(body.as_bytes().to_vec());
    *request.method_mut() = method;
    *request.uri_mut() = uri;
    for line in header_lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_str(value.trim()),
        ) else {
            continue;
        };
        if skip.contains(&name.as_str()) {
            continue;
        }
        request.headers_mut().append(name, value);
    }
    Some(request)
}
