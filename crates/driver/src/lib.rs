//! # otc-jobs-driver
//!
//! What [`otc-jobs-async`](https://docs.rs/otc-jobs-async) and
//! [`otc-jobs-blocking`](https://docs.rs/otc-jobs-blocking) share, written once so that
//! both behave identically:
//!
//! - [`ClientBuilder`]: credentials, project, region, endpoints, timeouts, retries, size
//!   limit, user agent, root certificates and proxy, from the setters, the `OS_*`
//!   environment variables and `clouds.yaml`, validated into a [`Config`] with errors that
//!   name the setting ([`ConfigError`]);
//! - [`Shared`] and [`Call`]: the sans-IO call driver, a state machine that obtains and
//!   refreshes IAM tokens, resolves project names, signs each attempt, retries as the
//!   core's [`RetryPolicy`](otc_jobs_core::RetryPolicy) decides and records `tracing` spans;
//! - [`Paginator`]: the sans-IO walk over the pages of any
//!   [`Paginated`](otc_jobs_core::Paginated) list operation, each page one call;
//! - [`ChildWalks`]: the sans-IO walk of one list for many parents (a paginator of
//!   paginators: MRS clusters' job executions), several at once, items in order;
//! - [`Waiter`]: the sans-IO wait for a [`Deletion`](otc_jobs_core::Deletion) to take
//!   effect, polling its probe with backoff ([`WaitOptions`], [`WaitOutcome`]);
//! - [`StopThenDelete`]: the sans-IO deletion of a job that may still run (look, stop,
//!   wait until it has stopped, delete; a "still running" refusal retried, bounded);
//! - [`AdaptiveRate`]: the sans-IO client-side rate that finds the gateway's limit
//!   (CUBIC after each throttle), shared by the calls to one service;
//! - [`BodySink`]: reading an answer under the size limit, and [`io_kind`] /
//!   [`chain_kind`] for mapping I/O failures to the core's errors.
//!
//! A client only sends each [`Exchange`] and sleeps each [`Step::Wait`]; it owns the
//! clock and the random source ([`Jitter`], seeded by the client) and passes the time and
//! a draw in at each step, so nothing here reads a clock or draws at random (clippy's
//! `disallowed-methods` checks it: `crates/driver/clippy.toml`). This crate is an
//! implementation detail of the two clients; use them instead.

// Where other crates' docs link to this one when it is not documented beside them (a
// cold `cargo doc --no-deps`); keep the version in step with Cargo.toml.
#![doc(html_root_url = "https://docs.rs/otc-jobs-driver/0.1.0")]

mod body;
mod call;
mod children;
mod config;
mod jitter;
mod methods;
mod paginate;
mod projects;
mod rate;
mod stop;
mod wait;
mod window;

#[doc(hidden)]
pub use otc_jobs_core as __core;

pub use body::{BodySink, chain_kind, error_chain, io_kind, naming_host, transport_error};
pub use call::{Answer, Call, Exchange, Phase, Shared, Step, TOKEN_EXPIRED_CODE};
pub use children::{ChildEvent, ChildStep, ChildWalks};
pub use config::{
    Auth, ClientBuilder, Config, ConfigError, ENV_VARS, EnvVar, FromConfig, Project, ProxyScheme,
    ProxySettings, TransportSettings,
};
pub use jitter::Jitter;
pub use paginate::{DEFAULT_MAX_PAGES, PageStep, Paginator};
pub use projects::{AccountProject, ProjectList, projects_by_criteria, projects_of_token};
pub use rate::{AdaptiveRate, BETA, MIN_RATE, REGROWTH, Turn};
pub use stop::{Deleted, MAX_DELETIONS, StopAnswer, StopStep, StopThenDelete};
pub use wait::{WaitOptions, WaitOutcome, WaitStep, Waiter};
pub use window::WindowWalk;
