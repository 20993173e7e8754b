//! The otc-jobs spec pipeline, one way: pages → model → Rust → files. OTC API reference
//! pages (reStructuredText, in `specs/`) are read ([`rst`]) and lowered to a model of each
//! operation ([`page`]); `specs/operations.toml` and `specs/overrides.toml` resolve them
//! into operations with their types ([`specs`], [`types`], [`names`]), and
//! `specs/kinds.toml` into the kind table ([`kinds`]); [`emit`] and [`emit_kinds`] write
//! the Rust; [`codegen`] formats it and writes (or checks) the files.

pub mod codegen;
pub mod emit;
pub mod emit_kinds;
pub mod kinds;
pub mod names;
pub mod page;
pub mod readme;
pub mod rst;
pub mod scratch;
pub mod specs;
pub mod types;
