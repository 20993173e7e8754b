//! Benchmarks of otc-jobs live in `benches/`; run them with `cargo bench -p otc-jobs-benches`.
//! This library holds what they share: the core's cases ([`cases`]).

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod cases;
