//! Throughput bench (filled in later).

fn main() {}
