//! The adaptive rate (`ClientBuilder::adaptive_rate`) on both clients, against the
//! emulator's gateway throttling (`RateLimit`): every deletion gets through, and far fewer
//! requests are throttled than without it, in the same run. Counts, not times: the
//! machine's speed changes neither.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use otc_jobs_conformance::ClientSpec;
use otc_jobs_core::RetryPolicy;
use otc_jobs_emulator::{Emulator, EmulatorConfig, GatewayCounts, RateLimit, SeedJob};

const JOBS: i64 = 160;
const IN_FLIGHT: usize = 8;
const LIMIT: u32 = 40;

fn spec() -> ClientSpec {
    ClientSpec {
        // Enough attempts that a throttled deletion is not given up.
        retry: RetryPolicy {
            max_attempts: 30,
            base: Duration::from_millis(5),
            cap: Duration::from_millis(200),
        },
        ..ClientSpec::default()
    }
}

fn emulator() -> Emulator {
    let emulator = Emulator::start(EmulatorConfig {
        rate_limit: Some(RateLimit::per_second(LIMIT)),
        ..EmulatorConfig::default()
    })
    .unwrap();
    emulator.seed_many((1..=JOBS).map(|n| SeedJob::flink_job(n as u64)));
    emulator
}

fn run_async(adaptive: bool) -> GatewayCounts {
    let emulator = emulator();
    let client: otc_jobs_async::Client = spec()
        .builder(&emulator)
        .adaptive_rate(adaptive)
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let next = Arc::new(std::sync::atomic::AtomicI64::new(1));
        let mut tasks = Vec::new();
        for _ in 0..IN_FLIGHT {
            let (client, next) = (client.clone(), Arc::clone(&next));
            tasks.push(tokio::spawn(async move {
                loop {
                    let id = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if id > JOBS {
                        return;
                    }
                    client.delete_flink_job(id).await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    });
    assert!(emulator.jobs().is_empty(), "every deletion got through");
    emulator.gateway_counts()
}

fn run_blocking(adaptive: bool) -> GatewayCounts {
    let emulator = emulator();
    let client: otc_jobs_blocking::Client = spec()
        .builder(&emulator)
        .adaptive_rate(adaptive)
        .build()
        .unwrap();
    let next = Arc::new(std::sync::atomic::AtomicI64::new(1));
    std::thread::scope(|scope| {
        for _ in 0..IN_FLIGHT {
            let (client, next) = (client.clone(), Arc::clone(&next));
            scope.spawn(move || {
                loop {
                    let id = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if id > JOBS {
                        return;
                    }
                    client.delete_flink_job(id).unwrap();
                }
            });
        }
    });
    assert!(emulator.jobs().is_empty(), "every deletion got through");
    emulator.gateway_counts()
}

#[test]
fn both_clients_find_the_limit_and_are_throttled_far_less_than_without() {
    let (without, async_adaptive, blocking_adaptive) = std::thread::scope(|scope| {
        let without = scope.spawn(|| run_async(false));
        let async_adaptive = scope.spawn(|| run_async(true));
        let blocking_adaptive = scope.spawn(|| run_blocking(true));
        (
            without.join().unwrap(),
            async_adaptive.join().unwrap(),
            blocking_adaptive.join().unwrap(),
        )
    });
    eprintln!("without: {without:?}\nasync: {async_adaptive:?}\nblocking: {blocking_adaptive:?}");
    for counts in [&without, &async_adaptive, &blocking_adaptive] {
        assert_eq!(counts.passed, JOBS as u64, "{counts:?}");
    }
    // Retrying with backoff alone keeps hammering the gateway; the adaptive rate spaces
    // the requests once it has been throttled.
    for adaptive in [&async_adaptive, &blocking_adaptive] {
        assert!(
            adaptive.throttled * 10 <= without.throttled,
            "adaptive {adaptive:?} against {without:?}"
        );
        assert!(
            adaptive.throttled * 100 <= 10 * (adaptive.passed + adaptive.throttled),
            "{adaptive:?}"
        );
    }
}
