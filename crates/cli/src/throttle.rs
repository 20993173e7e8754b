//! One throttle for the whole run: a token bucket of `--max-rate` requests per second,
//! shared by every task; a 429 pauses everybody for the `Retry-After` and halves the rate,
//! which then grows back by about one request per second each second (AIMD), up to the
//! cap. So the run as a whole slows down, instead of each task hammering on its own.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::cancel::Cancel;

/// The slowest a throttled run goes, requests per second.
const MIN_RATE: f64 = 0.5;
/// The pause after a 429 that gave no `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_secs(1);

/// The shared throttle.
#[derive(Debug)]
pub(crate) struct Throttle {
    cap: Option<f64>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Requests per second now; `None` = unlimited.
    rate: Option<f64>,
    /// When the next request may start under `rate`.
    next: Instant,
    /// Nobody starts before this (after a 429).
    paused_until: Instant,
    /// For the rate in effect before the first 429, when there was no cap.
    started: u64,
    since: Instant,
    /// The rate at which an uncapped run goes back to unlimited.
    ceiling: Option<f64>,
    /// How many 429s slowed the run down.
    slowdowns: u32,
}

impl Throttle {
    /// A throttle of `max_rate` requests per second (`None`: no limit until a 429).
    pub(crate) fn new(max_rate: Option<f64>) -> Throttle {
        let now = Instant::now();
        Throttle {
            cap: max_rate,
            state: Mutex::new(State {
                rate: max_rate,
                next: now,
                paused_until: now,
                started: 0,
                since: now,
                ceiling: None,
                slowdowns: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits for this task's turn to send a request; `false` if interrupted first.
    /// A turn that has come already is taken at once: no timer is set (a timer, even
    /// one already due, waits for the runtime's next millisecond tick and wakes its
    /// driver; at thousands of deletions a second that was most of the run).
    pub(crate) async fn acquire(&self, cancel: &Cancel) -> bool {
        loop {
            let (at, now) = {
                let mut s = self.lock();
                let now = Instant::now();
                let mut at = now.max(s.paused_until);
                if let Some(rate) = s.rate {
                    at = at.max(s.next);
                    s.next = at + Duration::from_secs_f64(1.0 / rate);
                }
                s.started += 1;
                (at, now)
            };
            if cancel.is_cancelled() {
                return false;
            }
            if at <= now {
                // Not paused (`at` is past `paused_until`) and within the rate.
                return true;
            }
            tokio::select! {
                biased;
                () = cancel.cancelled() => return false,
                () = tokio::time::sleep_until(at) => {}
            }
            // A 429 seen while this task slept moves the pause: go round again.
            if self.lock().paused_until <= Instant::now() {
                return true;
            }
        }
    }

    /// A 429: everybody pauses `retry_after` (1 s if none) and the rate halves, once per
    /// pause however many in-flight requests come back throttled.
    pub(crate) fn throttled(&self, retry_after: Option<Duration>) {
        let mut s = self.lock();
        let now = Instant::now();
        let already_paused = s.paused_until > now;
        s.paused_until = s
            .paused_until
            .max(now + retry_after.unwrap_or(DEFAULT_PAUSE));
        s.next = s.next.max(s.paused_until);
        if already_paused {
            return;
        }
        let current = s.rate.unwrap_or_else(|| {
            let elapsed = now.duration_since(s.since).as_secs_f64().max(1.0);
            let observed = (s.started as f64 / elapsed).max(MIN_RATE);
            s.ceiling = Some(observed);
            observed
        });
        s.rate = Some((current / 2.0).max(MIN_RATE));
        s.slowdowns += 1;
    }

    /// A request went through: the rate grows back by 1/rate (about one request per
    /// second each second), up to the cap, or back to unlimited.
    pub(crate) fn succeeded(&self) {
        let mut s = self.lock();
        let Some(rate) = s.rate else { return };
        let grown = rate + 1.0 / rate.max(1.0);
        s.rate = match (self.cap, s.ceiling) {
            (Some(cap), _) => Some(grown.min(cap)),
            (None, Some(ceiling)) if grown >= ceiling => None,
            _ => Some(grown),
        };
    }

    /// The rate in effect (`None`: unlimited).
    #[cfg(test)]
    pub(crate) fn rate(&self) -> Option<f64> {
        self.lock().rate
    }

    /// How many times a 429 slowed the run down.
    pub(crate) fn slowdowns(&self) -> u32 {
        self.lock().slowdowns
    }
}

/// The throttles of a whole-account run, one per service endpoint: the gateway counts
/// requests per user and API, so two projects' calls to one endpoint (a region's DLI)
/// share a budget, while another service, or the same service in another region, has
/// its own. Each has the run's `--max-rate`.
#[derive(Debug)]
pub(crate) struct Throttles {
    max_rate: Option<f64>,
    by_endpoint: Mutex<Vec<(Endpoint, std::sync::Arc<Throttle>)>>,
}

/// A service's base URL, and the service.
type Endpoint = (String, &'static str);

impl Throttles {
    /// No throttle yet; each made on first use, of `max_rate` requests per second.
    pub(crate) fn new(max_rate: Option<f64>) -> Throttles {
        Throttles {
            max_rate,
            by_endpoint: Mutex::new(Vec::new()),
        }
    }

    /// The throttle of `service` at the base URL `endpoint`.
    pub(crate) fn of(&self, endpoint: &str, service: &'static str) -> std::sync::Arc<Throttle> {
        let mut all = self
            .by_endpoint
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, throttle)) = all
            .iter()
            .find(|((e, s), _)| e == endpoint && *s == service)
        {
            return std::sync::Arc::clone(throttle);
        }
        let throttle = std::sync::Arc::new(Throttle::new(self.max_rate));
        all.push((
            (endpoint.to_owned(), service),
            std::sync::Arc::clone(&throttle),
        ));
        throttle
    }

    /// Each endpoint's slowdowns (429s), where there were any: `(endpoint, service, n)`.
    pub(crate) fn slowdowns(&self) -> Vec<(String, &'static str, u32)> {
        self.by_endpoint
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|((e, s), t)| (e.clone(), *s, t.slowdowns()))
            .filter(|(_, _, n)| *n > 0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn spaces_requests_at_the_rate() {
        let throttle = Throttle::new(Some(10.0));
        let cancel = Cancel::default();
        let start = Instant::now();
        for _ in 0..21 {
            assert!(throttle.acquire(&cancel).await);
        }
        // 21 requests at 10/s: the last starts at 2 s.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pauses_everybody_and_halves_the_rate_once() {
        let throttle = Throttle::new(Some(8.0));
        let cancel = Cancel::default();
        assert!(throttle.acquire(&cancel).await);
        let start = Instant::now();
        throttle.throttled(Some(Duration::from_secs(3)));
        // A second 429 from the same burst neither halves again nor shortens the pause.
        throttle.throttled(Some(Duration::from_secs(1)));
        assert_eq!(throttle.rate(), Some(4.0));
        assert_eq!(throttle.slowdowns(), 1);
        assert!(throttle.acquire(&cancel).await);
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        assert!(throttle.acquire(&cancel).await);
        assert_eq!(start.elapsed(), Duration::from_millis(3250));
        // Successes grow it back, never past the cap.
        for _ in 0..100 {
            throttle.succeeded();
        }
        assert_eq!(throttle.rate(), Some(8.0));
    }

    #[tokio::test(start_paused = true)]
    async fn an_uncapped_run_slows_down_then_returns_to_unlimited() {
        let throttle = Throttle::new(None);
        let cancel = Cancel::default();
        for _ in 0..40 {
            assert!(throttle.acquire(&cancel).await);
        }
        tokio::time::advance(Duration::from_secs(2)).await;
        throttle.throttled(None);
        // 40 requests in 2 s: 20/s observed, 10/s after the 429.
        assert_eq!(throttle.rate(), Some(10.0));
        for _ in 0..200 {
            throttle.succeeded();
        }
        assert_eq!(throttle.rate(), None);
    }

    // On the real clock: a due turn must not wait for the timer's next tick.
    #[tokio::test]
    async fn a_due_turn_is_taken_without_waiting() {
        let cancel = Cancel::default();
        let unlimited = Throttle::new(None);
        for _ in 0..1_000 {
            assert_eq!(unlimited.acquire(&cancel).now_or_never(), Some(true));
        }
        // A slow rate still spaces: the first turn is due, the second is not.
        let slow = Throttle::new(Some(0.5));
        assert_eq!(slow.acquire(&cancel).now_or_never(), Some(true));
        assert_eq!(slow.acquire(&cancel).now_or_never(), None);
        // A pause still holds everybody.
        unlimited.throttled(Some(Duration::from_secs(60)));
        assert_eq!(unlimited.acquire(&cancel).now_or_never(), None);
        // And an interruption still stops a due turn.
        let other = Throttle::new(None);
        cancel.cancel();
        assert_eq!(other.acquire(&cancel).now_or_never(), Some(false));
    }

    #[tokio::test(start_paused = true)]
    async fn an_interruption_ends_the_wait() {
        let throttle = Throttle::new(Some(1.0));
        let cancel = Cancel::default();
        assert!(throttle.acquire(&cancel).await);
        throttle.throttled(Some(Duration::from_secs(60)));
        let stopper = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            stopper.cancel();
        });
        let start = Instant::now();
        assert!(!throttle.acquire(&cancel).await);
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }
}
