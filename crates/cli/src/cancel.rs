//! Interruption: a flag that Ctrl-C (or SIGTERM) sets and every task can wait on, and
//! the signals that set it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// Set once (Ctrl-C); cheap to clone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cancel {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    set: AtomicBool,
    notify: Notify,
}

impl Cancel {
    /// Sets the flag and wakes every waiter.
    pub(crate) fn cancel(&self) {
        self.inner.set.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// Whether the flag is set.
    pub(crate) fn is_cancelled(&self) -> bool {
        self.inner.set.load(Ordering::SeqCst)
    }

    /// Resolves once the flag is set.
    pub(crate) async fn cancelled(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// Ctrl-C (SIGINT) and SIGTERM on Unix, registered when made. SIGTERM is what a CI
/// job's cancellation, `kill` or a service manager sends: treated as Ctrl-C, so the
/// deletions in flight finish and the report is written.
pub(crate) struct Interrupts {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Interrupts {
    /// Registers the handlers (inside a tokio runtime).
    pub(crate) fn new() -> std::io::Result<Interrupts> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Interrupts {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Interrupts {})
    }

    /// The next interrupt, by name; `None` if none can come.
    pub(crate) async fn next(&mut self) -> Option<&'static str> {
        #[cfg(unix)]
        return tokio::select! {
            got = self.interrupt.recv() => got.map(|()| "SIGINT"),
            got = self.terminate.recv() => got.map(|()| "SIGTERM"),
        };
        #[cfg(not(unix))]
        return tokio::signal::ctrl_c().await.ok().map(|()| "Ctrl-C");
    }
}
