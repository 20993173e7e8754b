//! The clients' methods, declared once for both: the constructors and accessors, `send`,
//! and the per-operation methods, generated from the operations the core lists
//! (`otc_jobs_core::__for_each_operation!`, written by `cargo xtask codegen` from the API
//! pages in `specs/`).

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

        $crate::operation_methods!($($async $await)?);
    };
}

/// Declares `send` and one method per generated operation on a client type: with `async`,
/// each method is `async` and awaits `send_impl`; without it, each calls `send_impl`
/// directly. The client defines `send_impl<O>(&self, &O) -> Result<O::Response, Error>`.
///
/// A method is the operation's module name (`delete_flink_job`), takes the arguments of
/// the operation's `new()` and returns its response type; no operation is named here.
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

        $crate::__core::__for_each_operation!([$crate::__operation_methods_each] ($($async $await)?));
    };
}

/// The callback of `otc_jobs_core::__for_each_operation!`: one `__operation_method!` per
/// operation, each with the client's `(async await)` or `()`.
#[doc(hidden)]
#[macro_export]
macro_rules! __operation_methods_each {
    ($mode:tt $($operation:tt)*) => {
        $($crate::__operation_method!($mode $operation);)*
    };
}

/// One client method: `name(&self, args...) -> Result<Response, Error>`, sending the
/// operation built by its `new(args...)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __operation_method {
    (
        ($($async:ident $await:ident)?)
        {
            method: $method:ident,
            service: $service:ident,
            operation: $operation:ident,
            response: $response:ident,
            args: ($($arg:ident: $ty:ty),* $(,)?),
            doc: $doc:literal $(,)?
        }
    ) => {
        #[doc = $doc]
        ///
        #[doc = concat!(
            "Sends [`", stringify!($operation), "`](otc_jobs_core::", stringify!($service), "::",
            stringify!($operation), ") and returns its response."
        )]
        pub $($async)? fn $method(
            &self,
            $($arg: $ty),*
        ) -> ::std::result::Result<$crate::__core::$service::$response, $crate::__core::Error> {
            self.send_impl(&$crate::__core::$service::$operation::new($($arg),*))$(.$await)?
        }
    };
}
