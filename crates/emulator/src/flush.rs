//! Tells a truncated body when everything hyper buffered before it has reached the socket.
//!
//! hyper writes an answer's head and body frames into its own buffer and drops that buffer
//! when a body fails, so a body that fails right after its part loses the head too. hyper
//! only calls its transport's `poll_flush` once its buffer is empty (every buffered byte has
//! been handed to the transport), so a transport that reports its flushes to the body lets
//! the body fail only after the head and the part are in the kernel, without any timer.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use hyper::rt::{Read, ReadBufCursor, Write};

/// Shared by one connection's transport and the body of its current answer.
#[derive(Debug, Default)]
pub(crate) struct FlushWatch {
    state: Mutex<WatchState>,
}

#[derive(Debug, Default)]
struct WatchState {
    /// The body waiting for a flush (armed).
    waiting: Option<Waker>,
    /// A flush happened while armed.
    flushed: bool,
}

impl FlushWatch {
    fn lock(&self) -> MutexGuard<'_, WatchState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Ready once the transport has flushed after the first `Pending` of this call
    /// sequence, that is once everything hyper had buffered by then has been written.
    pub(crate) fn poll_flushed(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.lock();
        if state.flushed {
            *state = WatchState::default();
            return Poll::Ready(());
        }
        state.waiting = Some(cx.waker().clone());
        Poll::Pending
    }

    fn on_flushed(&self) {
        let waker = {
            let mut state = self.lock();
            let waker = state.waiting.take();
            if waker.is_some() {
                state.flushed = true;
            }
            waker
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// A transport that reports its completed flushes to a [`FlushWatch`].
#[derive(Debug)]
pub(crate) struct Watched<T> {
    inner: T,
    watch: Arc<FlushWatch>,
}

impl<T> Watched<T> {
    pub(crate) fn new(inner: T, watch: Arc<FlushWatch>) -> Watched<T> {
        Watched { inner, watch }
    }
}

impl<T: Read + Unpin> Read for Watched<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for Watched<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let flushed = Pin::new(&mut this.inner).poll_flush(cx);
        if let Poll::Ready(Ok(())) = flushed {
            this.watch.on_flushed();
        }
        flushed
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
