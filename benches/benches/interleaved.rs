//! The core's cases (`otc_jobs_benches::cases`, the same as `--bench core`) in turns: each
//! round runs every case for a short slice (about 2 ms), starting with a different case
//! each round, so that the machine's slow and fast moments fall on all of them alike.
//! Printed per case: the fastest slice, the median slice, and the median over rounds of
//! its ratio to the baselines of the same round (aws-sigv4 signing the DLI deletion; the
//! sum of the two floors of the same signed request, hashing it and building the same
//! `http::Request`: every signed operation has its own), and its fastest slice against
//! the sum of its floors' fastest slices (what a machine busy with other work disturbs
//! least).
//!
//! `cargo bench -p otc-jobs-benches --bench interleaved` (`INTERLEAVED_ROUNDS`, default 100).
//!
//! Criterion measures each case in a window of its own: on a shared virtual machine whose
//! speed moves by a quarter within seconds, two cases measured a minute apart are not
//! comparable; two slices of the same round are.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use otc_jobs_benches::cases::{self, names};

/// How long one case runs in a round.
const SLICE: Duration = Duration::from_millis(2);

/// Runs until `SLICE` has passed; the iterations that takes.
fn calibrate(run: &mut dyn FnMut()) -> u64 {
    let started = Instant::now();
    let mut iterations = 0;
    while started.elapsed() < SLICE {
        run();
        iterations += 1;
    }
    iterations
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn shown(nanoseconds: f64) -> String {
    if nanoseconds < 1000.0 {
        format!("{nanoseconds:.0} ns")
    } else {
        format!("{:.2} µs", nanoseconds / 1000.0)
    }
}

fn main() {
    let rounds: usize = std::env::var("INTERLEAVED_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
        .max(1);
    let mut cases = cases::all();
    // Warmed up and sized: each case's slice takes about `SLICE`.
    let iterations: Vec<u64> = cases.iter_mut().map(|c| calibrate(&mut c.run)).collect();
    // Nanoseconds per operation, per case and round.
    let mut times = vec![Vec::with_capacity(rounds); cases.len()];
    for round in 0..rounds {
        for k in 0..cases.len() {
            let i = (k + round) % cases.len();
            let started = Instant::now();
            for _ in 0..iterations[i] {
                (cases[i].run)();
            }
            times[i].push(started.elapsed().as_nanos() as f64 / iterations[i] as f64);
        }
    }
    let index = |name: &str| cases.iter().position(|c| c.name == name).unwrap();
    let aws = index(names::AWS_SIGV4);
    // Each case's floors: (hashing, building), by index.
    let floors: Vec<Option<(usize, usize)>> = cases
        .iter()
        .map(|c| {
            c.floors_of.map(|label| {
                let (hashing, building) = cases::floor_names(label);
                (index(&hashing), index(&building))
            })
        })
        .collect();
    let ratio_median = |i: usize, baseline: &dyn Fn(usize) -> f64| {
        let mut ratios: Vec<f64> = (0..rounds).map(|r| times[i][r] / baseline(r)).collect();
        median(&mut ratios)
    };
    println!(
        "core cases in turns: {rounds} rounds of a ~{} ms slice each",
        SLICE.as_millis()
    );
    println!(
        "| case | fastest | median | × aws-sigv4 | × its floors (hashing + request) | fastest × its fastest floors |\n|---|---|---|---|---|---|"
    );
    let fastest = |i: usize| times[i].iter().copied().fold(f64::INFINITY, f64::min);
    for (i, case) in cases.iter().enumerate() {
        let middle = median(&mut times[i].clone());
        let to_aws = ratio_median(i, &|r| times[aws][r]);
        let (to_floors, fastest_to_floors) = match floors[i] {
            Some((hashing, building)) => (
                format!(
                    "{:.2}",
                    ratio_median(i, &|r| times[hashing][r] + times[building][r])
                ),
                format!("{:.2}", fastest(i) / (fastest(hashing) + fastest(building))),
            ),
            None => ("—".to_owned(), "—".to_owned()),
        };
        println!(
            "| {} | {} | {} | {to_aws:.3} | {to_floors} | {fastest_to_floors} |",
            case.name,
            shown(fastest(i)),
            shown(middle),
        );
    }
    println!(
        "ratios: the median over rounds of this case's time / the baseline's in the same round \
         (the floors: those of the same signed request; verifying: of the request verified); \
         last column: this case's fastest slice / the sum of its floors' fastest slices (on a \
         loaded machine the slices least disturbed by others)"
    );
}
