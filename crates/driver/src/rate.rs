//! Adaptive rate: a client-side limit that finds the API gateway's limit by itself.
//!
//! OTC's gateway answers 429 `APIG.0308` when a user's calls of an API go over a limit it
//! does not publish ("policy user over ratelimit,limit:XX,time:1 second", or `1 minute`),
//! mostly without `Retry-After`. [`AdaptiveRate`] starts unlimited (or at a cap), and on
//! the first throttle begins to space requests: each throttle of a request sent since the
//! last cut cuts the rate to `β` times what the gateway let through, and the rate then grows
//! back along a cubic curve (CUBIC, as TCP and aws-sdk's adaptive retry mode do) that is
//! concave up to the rate of the last cut and convex beyond it: it lingers near the limit
//! found and probes above it slowly, so few requests are throttled. AIMD's linear growth
//! would spend either long stretches far below the limit (small steps) or many requests
//! throttled (large steps); CUBIC's shape needs neither.
//!
//! It is a sans-IO state machine like the rest of the driver: the caller passes the time
//! (a [`Duration`] since any fixed instant of its choosing) and sleeps itself. One value is
//! shared by every call to one service, so all in-flight calls follow one rate.
//!
//! ```
//! use std::time::Duration;
//! use otc_jobs_driver::AdaptiveRate;
//!
//! let mut rate = AdaptiveRate::new(None);
//! let t = |ms| Duration::from_millis(ms);
//! // Unlimited until the gateway says otherwise.
//! let first = rate.acquire(t(0)).expect("a turn at once");
//! for ms in 1..=100 {
//!     rate.succeeded(t(ms));
//! }
//! // 100 requests went through in 100 ms, then one is throttled: about 1000/s got through,
//! // so the rate becomes β = 0.7 times that.
//! rate.throttled(first, t(100), None, None);
//! assert_eq!(rate.rate(t(100)).map(f64::round), Some(700.0));
//! // Requests are now spaced 1/700 s apart. The schedule may run up to 20 ms behind the
//! // clock (a caller woken a tick late loses no turn), so about 20 ms' worth of turns go at
//! // once, then the next must wait.
//! let mut at_once = 0;
//! let wait = loop {
//!     match rate.acquire(t(100)) {
//!         Ok(_) => at_once += 1,
//!         Err(wait) => break wait,
//!     }
//! };
//! assert_eq!(at_once, 15);
//! assert!(wait <= Duration::from_micros(1429));
//! ```

use std::time::Duration;

/// The rate after a cut, as a share of the rate cut from (aws-sdk's and CUBIC's 0.7).
pub const BETA: f64 = 0.7;
/// How long the rate takes to grow back to where it was cut: two of the gateway's
/// one-second windows.
pub const REGROWTH: Duration = Duration::from_secs(2);
/// The slowest rate, requests per second.
pub const MIN_RATE: f64 = 0.5;

/// How far behind its schedule the rate may fall and still catch up: a timer that wakes a
/// waiting caller a tick late costs no turn.
const CATCH_UP: Duration = Duration::from_millis(20);

/// The width of one bucket of the success counter, and how many make its window (1 s).
const BUCKET: Duration = Duration::from_millis(100);
const BUCKETS: usize = 10;

/// A request's turn, taken by [`AdaptiveRate::acquire`]: give it back to
/// [`AdaptiveRate::throttled`] if its answer is a throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    /// How many cuts had been made when it was taken: a request sent under an older rate
    /// does not cut again.
    epoch: u64,
}

/// The adaptive rate of one service's calls; see the module documentation.
#[derive(Debug, Clone)]
pub struct AdaptiveRate {
    cap: Option<f64>,
    /// The rate at the last cut and when it was made; `None` before the first throttle.
    cut: Option<(f64, Duration)>,
    /// When the next request may start.
    next: Duration,
    /// Nobody starts before this (a `Retry-After`).
    paused_until: Duration,
    /// When the first request started.
    first: Option<Duration>,
    successes: Counter,
    throttles: u64,
    cuts: u64,
}

impl AdaptiveRate {
    /// Unlimited until the first throttle, never faster than `cap` requests per second.
    pub fn new(cap: Option<f64>) -> AdaptiveRate {
        AdaptiveRate {
            cap: cap.map(|c| c.max(MIN_RATE)),
            cut: None,
            next: Duration::ZERO,
            paused_until: Duration::ZERO,
            first: None,
            successes: Counter::default(),
            throttles: 0,
            cuts: 0,
        }
    }

    /// The rate in force at `now`, requests per second (`None`: unlimited).
    pub fn rate(&self, now: Duration) -> Option<f64> {
        let Some((w_max, at)) = self.cut else {
            return self.cap;
        };
        // W(t) = W_max · (1 − (1−β)(1 − t/K)³): β·W_max at the cut, W_max after K, convex beyond.
        let x = now.saturating_sub(at).as_secs_f64() / REGROWTH.as_secs_f64();
        let grown = w_max * (1.0 - (1.0 - BETA) * (1.0 - x).powi(3));
        let capped = self.cap.map_or(grown, |cap| grown.min(cap));
        Some(capped.max(MIN_RATE))
    }

    /// A turn to send one request now, or how long to wait before asking again (a turn is
    /// never reserved ahead: after a cut, a waiting request waits under the new rate).
    pub fn acquire(&mut self, now: Duration) -> Result<Turn, Duration> {
        self.first.get_or_insert(now);
        let rate = self.rate(now);
        let start = match rate {
            Some(_) => self.paused_until.max(self.next),
            None => self.paused_until,
        };
        if start > now {
            return Err(start - now);
        }
        if let Some(rate) = rate {
            // The turns follow a schedule, so that a caller who wakes late (a timer's tick)
            // loses no turn; idle time gives at most `CATCH_UP` of credit, never a burst.
            self.next =
                self.next.max(now.saturating_sub(CATCH_UP)) + Duration::from_secs_f64(1.0 / rate);
        }
        Ok(Turn { epoch: self.cuts })
    }

    /// A request's answer came, and was not a throttle.
    pub fn succeeded(&mut self, now: Duration) {
        self.successes.add(now);
    }

    /// The request of `turn` was throttled at `now`. `retry_after` pauses every request
    /// until then; `limit`, the requests per second the gateway said it allows (see
    /// [`otc_jobs_core::throttle_limit`]), bounds the rate from above. Only a request
    /// sent since the last cut cuts again: the ones in flight then were sent under the old
    /// rate.
    pub fn throttled(
        &mut self,
        turn: Turn,
        now: Duration,
        retry_after: Option<Duration>,
        limit: Option<f64>,
    ) {
        self.throttles += 1;
        if let Some(wait) = retry_after {
            self.paused_until = self.paused_until.max(now + wait);
        }
        if turn.epoch < self.cuts {
            return;
        }
        let window = now
            .saturating_sub(self.first.unwrap_or(now))
            .min(Counter::span(now))
            .max(BUCKET);
        let accepted = f64::from(self.successes.count(now)) / window.as_secs_f64();
        let base = match limit {
            // The gateway's word: what got through, at most what it says it allows. Not
            // lowered by a cut before: requests retried right after a cut meet a bucket
            // that is still empty, and would cut again and again.
            Some(limit) => accepted.min(limit),
            // Without it, each cut goes below the rate in force, so that a start far above
            // the limit comes down quickly.
            None => self.rate(now).map_or(accepted, |r| r.min(accepted)),
        };
        // W_max; the rate right after the cut is β·W_max, the curve's value at the cut.
        self.cut = Some((base.max(MIN_RATE), now));
        self.cuts += 1;
    }

    /// Requests throttled so far.
    pub fn throttles(&self) -> u64 {
        self.throttles
    }

    /// How many times the rate was cut.
    pub fn cuts(&self) -> u64 {
        self.cuts
    }
}

/// Successes in the last second, in buckets of 100 ms.
#[derive(Debug, Clone, Default)]
struct Counter {
    counts: [u32; BUCKETS],
    /// The bucket `counts[newest]` is for, as a number of buckets since time zero.
    newest: u64,
}

impl Counter {
    fn slot(now: Duration) -> u64 {
        (now.as_nanos() / BUCKET.as_nanos()) as u64
    }

    /// The time the buckets cover at `now`: the nine before the current one, and the
    /// current one as far as it has gone.
    fn span(now: Duration) -> Duration {
        let into_current = Duration::from_nanos((now.as_nanos() % BUCKET.as_nanos()) as u64);
        BUCKET * (BUCKETS as u32 - 1) + into_current
    }

    /// Forgets the buckets older than a second before `now`.
    fn advance(&mut self, now: Duration) {
        let slot = Self::slot(now);
        if slot <= self.newest {
            return;
        }
        let stale = (slot - self.newest).min(BUCKETS as u64);
        for step in 1..=stale {
            self.counts[((self.newest + step) % BUCKETS as u64) as usize] = 0;
        }
        self.newest = slot;
    }

    fn add(&mut self, now: Duration) {
        self.advance(now);
        let slot = Self::slot(now).min(self.newest);
        if self.newest - slot < BUCKETS as u64 {
            let count = &mut self.counts[(slot % BUCKETS as u64) as usize];
            *count = count.saturating_add(1);
        }
    }

    fn count(&mut self, now: Duration) -> u32 {
        self.advance(now);
        self.counts.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn unlimited_until_throttled_and_capped_throughout() {
        let mut free = AdaptiveRate::new(None);
        for _ in 0..1000 {
            assert!(free.acquire(ms(5)).is_ok());
        }
        let mut capped = AdaptiveRate::new(Some(10.0));
        assert!(capped.acquire(ms(0)).is_ok());
        assert_eq!(capped.acquire(ms(0)), Err(ms(100)));
        assert_eq!(capped.acquire(ms(40)), Err(ms(60)));
        assert!(capped.acquire(ms(100)).is_ok());
        // Idle time gives no burst: after a pause the next two are spaced again (up to
        // the catch-up allowance: 20 ms of the 100).
        assert!(capped.acquire(ms(5_000)).is_ok());
        assert_eq!(capped.acquire(ms(5_000)), Err(ms(80)));
        // A caller who wakes a little late keeps to the schedule: no turn is lost.
        assert!(capped.acquire(ms(5_083)).is_ok());
        assert_eq!(capped.acquire(ms(5_083)), Err(ms(97)));
    }

    #[test]
    fn a_throttle_cuts_to_beta_of_what_got_through_and_it_grows_back_cubically() {
        let mut rate = AdaptiveRate::new(None);
        let turn = rate.acquire(ms(0)).unwrap();
        // 500 went through in the first second.
        for i in 0..500 {
            rate.succeeded(ms(i * 2));
        }
        rate.throttled(turn, ms(1_000), None, None);
        let at = |t| rate.rate(ms(t)).unwrap();
        assert!((at(1_000) - 350.0).abs() < 1.0, "{}", at(1_000));
        // Concave: most of the way back after half of the regrowth time.
        assert!(
            (at(2_000) - 500.0 * (1.0 - 0.3 / 8.0)).abs() < 1.0,
            "{}",
            at(2_000)
        );
        assert!((at(3_000) - 500.0).abs() < 1e-6, "{}", at(3_000));
        // Convex beyond: slowly above the rate of the cut.
        assert!(
            at(4_000) > 500.0 && at(4_000) < 500.0 * 1.04,
            "{}",
            at(4_000)
        );
        assert_eq!(rate.cuts(), 1);
    }

    #[test]
    fn requests_in_flight_at_the_cut_do_not_cut_again() {
        let mut rate = AdaptiveRate::new(None);
        let early: Vec<Turn> = (0..32).map(|_| rate.acquire(ms(0)).unwrap()).collect();
        for i in 0..100 {
            rate.succeeded(ms(i));
        }
        rate.throttled(early[0], ms(100), None, None);
        let after_one = rate.rate(ms(100)).unwrap();
        for turn in &early[1..] {
            rate.throttled(*turn, ms(101), None, None);
        }
        assert_eq!(rate.cuts(), 1);
        assert_eq!(rate.throttles(), 32);
        assert!((rate.rate(ms(101)).unwrap() - after_one).abs() < 1.0);
        // A request sent after the cut and throttled cuts again.
        let late = rate.acquire(ms(102)).unwrap();
        rate.throttled(late, ms(103), None, None);
        assert_eq!(rate.cuts(), 2);
        assert!(rate.rate(ms(103)).unwrap() < after_one);
    }

    #[test]
    fn retry_after_pauses_everybody_and_the_gateways_limit_bounds_the_rate() {
        let mut rate = AdaptiveRate::new(None);
        let turn = rate.acquire(ms(0)).unwrap();
        for i in 0..200 {
            rate.succeeded(ms(i));
        }
        // The gateway said "limit:30,time:1 minute": half a request per second.
        rate.throttled(turn, ms(200), Some(Duration::from_secs(3)), Some(0.5));
        assert_eq!(rate.acquire(ms(300)), Err(ms(2_900)));
        assert!(rate.acquire(ms(3_200)).is_ok());
        // β·0.5 is below the slowest rate; it grows back to about the gateway's limit.
        assert_eq!(rate.rate(ms(200)), Some(MIN_RATE));
        assert!(rate.rate(ms(3_200)).unwrap() < 0.53);
    }

    /// A gateway of `limit`/s (a token bucket that starts full), halved at 10 s, and 32
    /// requests in flight each answered 1 ms after it is sent, for 16 s: what passed in each
    /// second, and how many were throttled of how many sent.
    fn against_a_gateway(limit: f64) -> (Vec<u32>, u32, u32) {
        let mut rate = AdaptiveRate::new(None);
        let (mut limit, mut tokens, mut last) = (limit, limit, Duration::ZERO);
        // (answered at, turn, sent at)
        let mut in_flight: Vec<(Duration, Turn, Duration)> = Vec::new();
        let mut waiting_until = Duration::ZERO;
        let mut now = Duration::ZERO;
        let mut passed = vec![0u32; 16];
        let (mut throttled, mut sent) = (0, 0);
        while now < Duration::from_secs(16) {
            while in_flight.len() < 32 && waiting_until <= now {
                match rate.acquire(now) {
                    Ok(turn) => in_flight.push((now + ms(1), turn, now)),
                    Err(wait) => waiting_until = now + wait,
                }
            }
            in_flight.sort_by_key(|(done, ..)| *done);
            let next_answer = in_flight.first().map(|(done, ..)| *done);
            match next_answer {
                Some(done) if in_flight.len() == 32 || done <= waiting_until => {
                    let (done, turn, at) = in_flight.remove(0);
                    now = done;
                    if at >= Duration::from_secs(10) && limit > 250.0 {
                        limit = 250.0;
                        tokens = tokens.min(limit);
                    }
                    tokens = (tokens + at.saturating_sub(last).as_secs_f64() * limit).min(limit);
                    last = last.max(at);
                    sent += 1;
                    if tokens >= 1.0 {
                        tokens -= 1.0;
                        rate.succeeded(now);
                        if let Some(count) = passed.get_mut(now.as_secs() as usize) {
                            *count += 1;
                        }
                    } else {
                        throttled += 1;
                        rate.throttled(turn, now, None, None);
                    }
                }
                _ => now = waiting_until,
            }
        }
        (passed, throttled, sent)
    }

    #[test]
    fn it_finds_the_limit_and_follows_it_when_it_halves() {
        let (passed, throttled, sent) = against_a_gateway(500.0);
        assert!(
            f64::from(throttled) < 0.03 * f64::from(sent),
            "{throttled} of {sent}: {passed:?}"
        );
        // Close to the limit before the halving (the first second has the full bucket too),
        // and at the new limit within 3 s after it.
        for second in 1..10 {
            assert!((440..=540).contains(&passed[second]), "{passed:?}");
        }
        for second in 13..16 {
            assert!((220..=270).contains(&passed[second]), "{passed:?}");
        }
    }
}
