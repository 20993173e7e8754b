//! The answer body: whole, truncated on purpose, or large and streamed.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};

use crate::flush::FlushWatch;

/// A chunk of padding for oversized bodies.
static PADDING: [u8; 64 * 1024] = [b'a'; 64 * 1024];

/// The error that aborts a truncated body (hyper then closes the connection).
#[derive(Debug)]
pub(crate) struct Truncated;

impl std::fmt::Display for Truncated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("body truncated on purpose")
    }
}

impl std::error::Error for Truncated {}

/// A response body.
#[derive(Debug)]
pub(crate) enum AnswerBody {
    /// The whole body at once.
    Full(Option<Bytes>),
    /// Sends `part`, waits until the connection has written it and the head to the socket,
    /// then fails: the client sees fewer bytes than `Content-Length`, then the connection
    /// closes.
    Truncated {
        part: Option<Bytes>,
        announced: u64,
        flushed: Arc<FlushWatch>,
    },
    /// `prefix`, then `padding` bytes of `a`, then `suffix`.
    Padded {
        prefix: Option<Bytes>,
        padding: u64,
        suffix: Option<Bytes>,
        total: u64,
    },
}

impl AnswerBody {
    pub(crate) fn full(bytes: impl Into<Bytes>) -> AnswerBody {
        let bytes = bytes.into();
        AnswerBody::Full((!bytes.is_empty()).then_some(bytes))
    }

    /// A valid JSON object of exactly `total` bytes (at least the size of its frame).
    pub(crate) fn oversized_json(total: u64) -> AnswerBody {
        const PREFIX: &[u8] = br#"{"is_success": true, "padding": ""#;
        const SUFFIX: &[u8] = br#""}"#;
        let frame = (PREFIX.len() + SUFFIX.len()) as u64;
        let padding = total.saturating_sub(frame);
        AnswerBody::Padded {
            prefix: Some(Bytes::from_static(PREFIX)),
            padding,
            suffix: Some(Bytes::from_static(SUFFIX)),
            total: frame + padding,
        }
    }
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = Truncated;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Truncated>>> {
        let this = self.get_mut();
        Poll::Ready(match this {
            AnswerBody::Full(data) => data.take().map(|d| Ok(Frame::data(d))),
            AnswerBody::Truncated { part, flushed, .. } => {
                if let Some(d) = part.take() {
                    Some(Ok(Frame::data(d)))
                } else {
                    // hyper has buffered the head and the part by now; failing at once would
                    // drop them with its buffer.
                    if flushed.poll_flushed(cx).is_pending() {
                        return Poll::Pending;
                    }
                    Some(Err(Truncated))
                }
            }
            AnswerBody::Padded {
                prefix,
                padding,
                suffix,
                ..
            } => {
                if let Some(p) = prefix.take() {
                    Some(Ok(Frame::data(p)))
                } else if *padding > 0 {
                    let n = (*padding).min(PADDING.len() as u64);
                    *padding -= n;
                    let chunk = &PADDING[..usize::try_from(n).unwrap_or(PADDING.len())];
                    Some(Ok(Frame::data(Bytes::from_static(chunk))))
                } else {
                    suffix.take().map(|s| Ok(Frame::data(s)))
                }
            }
        })
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, AnswerBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            AnswerBody::Full(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            AnswerBody::Truncated { announced, .. } => SizeHint::with_exact(*announced),
            AnswerBody::Padded { total, .. } => SizeHint::with_exact(*total),
        }
    }
}
