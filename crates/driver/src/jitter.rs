//! The jitter draws of a client: a small generator the client seeds (from its clock, or a
//! fixed seed in a test) and draws from at each step of a call or a wait. It holds no
//! entropy of its own: the same seed gives the same draws.

use std::sync::atomic::{AtomicU64, Ordering};

/// Uniform draws from `[0, 1)` for backoff jitter (splitmix64: jitter needs no more),
/// shared by the calls of one client (draws from several threads at once are fine).
///
/// ```
/// use otc_jobs_driver::Jitter;
///
/// let jitter = Jitter::new(42);
/// let draws: Vec<f64> = (0..3).map(|_| jitter.draw()).collect();
/// assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
/// // The same seed, the same draws.
/// let again = Jitter::new(42);
/// assert!(draws.iter().all(|d| *d == again.draw()));
/// ```
#[derive(Debug)]
pub struct Jitter {
    state: AtomicU64,
}

impl Jitter {
    /// A generator starting from `seed` (a client seeds it from the time it starts).
    pub fn new(seed: u64) -> Jitter {
        Jitter {
            state: AtomicU64::new(seed),
        }
    }

    /// The next draw, uniform in `[0, 1)`.
    pub fn draw(&self) -> f64 {
        let mut z = self
            .state
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}
