//! Benchmarks of otc-jobs live in `benches/`; run them with `cargo bench -p otc-jobs-benches`.
