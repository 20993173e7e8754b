//! The otc-jobs spec pipeline: OTC API reference pages (reStructuredText, in `specs/`) are
//! read ([`rst`]), lowered to a model of each operation ([`page`]), corrected by
//! `specs/overrides.toml` ([`specs`]) and turned into Rust ([`codegen`]).

pub mod codegen;
pub mod emit;
pub mod emit_kinds;
pub mod kinds;
pub mod page;
pub mod readme;
pub mod rst;
pub mod scratch;
pub mod specs;
pub mod types;
