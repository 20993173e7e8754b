//! The sans-IO core: build + sign of every operation (both forms), verifying a signature,
//! parse of a success and of an error answer, and the `aws-sigv4` crate signing an
//! equivalent request, in the same run; the cases are `otc_jobs_benches::cases`.
//!
//! `cargo bench -p otc-jobs-benches --bench core` (criterion: each case in its own time
//! window). On a noisy machine, `--bench interleaved` runs the same cases in turns.

#![allow(missing_docs)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

fn core(c: &mut Criterion) {
    for mut case in otc_jobs_benches::cases::all() {
        c.bench_function(&case.name, |b| b.iter(&mut case.run));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = core
}
criterion_main!(benches);
