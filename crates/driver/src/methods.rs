//! The clients' methods, declared once for both: the constructors and accessors, and
//! `send`. The per-operation methods are plain Rust files in each client
//! (`src/operations.rs`), written by `cargo xtask codegen` from the API pages in `specs/`.

/// Declares everything both clients offer, once: `builder`, `from_env`, `config`,
/// `project_id`, and [`operation_methods!`](crate::operation_methods)'s `send` and
/// per-operation methods. The first argument is where the client keeps its
/// [`Shared`](crate::Shared), e.g. `self.inner.shared`; `async await` after a `;` makes
/// the sending methods `async`. The client implements [`FromConfig`](crate::FromConfig)
/// and defines `send_impl`, as `operation_methods!` says.
///
/// ```text
/// impl Client {
///     otc_jobs_driver::client_methods!(self.inner.shared; async await);
/// }
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! client_methods {
    (self $(. $field:ident)+ $(; $async:ident $await:ident)?) => {
        /// An empty builder: every setting is on [`ClientBuilder`](ClientBuilder); the
        /// environment variables [`ClientBuilder::from_env`](ClientBuilder::from_env)
        /// reads are in [`ENV_VARS`](ENV_VARS).
        pub fn builder() -> $crate::ClientBuilder<Self> {
            $crate::ClientBuilder::new()
        }

        /// A client configured from the environment (`OS_*` variables, `OS_CLOUD` and
        /// `clouds.yaml`, `HTTPS_PROXY`/`NO_PROXY`; all listed in [`ENV_VARS`](ENV_VARS));
        /// see [`ClientBuilder::from_env`](ClientBuilder::from_env).
        pub fn from_env() -> ::std::result::Result<Self, $crate::ConfigError> {
            $crate::ClientBuilder::<Self>::from_env()?.build()
        }

        /// The configuration the client runs with.
        pub fn config(&self) -> &$crate::Config {
            $crate::Shared::config(&self $(.$field)+)
        }

        /// The project id, once known.
        pub fn project_id(&self) -> ::std::option::Option<&str> {
            $crate::Shared::project_id(&self $(.$field)+)
        }

        /// Every project the credentials may use, sorted by name, from IAM: with a token
        /// (a password login, or a fixed token) `GET /v3/auth/projects`, with AK/SK the
        /// signed `GET /v3/projects` ([`ProjectList`](ProjectList)). Each is
        /// [`for_project`](Self::for_project)'s by id, in the region its name says
        /// ([`AccountProject::region`](AccountProject::region)).
        pub $($async)? fn projects(&self) -> ::std::result::Result<::std::vec::Vec<$crate::AccountProject>, $crate::__core::Error> {
            match $crate::ProjectList::for_config(self.config()) {
                $crate::ProjectList::OfToken => $crate::projects_of_token(
                    self.send_impl(&$crate::ProjectList::of_token())$(.$await)??,
                ),
                $crate::ProjectList::ByCriteria => $crate::projects_by_criteria(
                    self.send_impl(&$crate::__core::iam::ListProjects::new())$(.$await)??,
                ),
            }
        }

        $crate::operation_methods!($($async $await)?);
    };
}

/// Declares `send` on a client type: with `async`, it is `async` and awaits `send_impl`;
/// without it, it calls `send_impl` directly. The client defines
/// `send_impl<O>(&self, &O) -> Result<O::Response, Error>`, which its generated
/// `operations.rs` also calls.
#[doc(hidden)]
#[macro_export]
macro_rules! operation_methods {
    ($($async:ident $await:ident)?) => {
        /// Sends any operation and returns its typed response, or the core's error with
        /// status, code, message, request id and the number of attempts made.
        pub $($async)? fn send<O>(&self, operation: &O) -> ::std::result::Result<O::Response, $crate::__core::Error>
        where
            O: $crate::__core::Operation + ::std::marker::Sync,
            O::Response: ::std::marker::Send,
        {
            self.send_impl(operation)$(.$await)?
        }
    };
}
