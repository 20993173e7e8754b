//! The OTC services otc-jobs talks to.

use std::fmt;

/// An Open Telekom Cloud service, as it appears in endpoint host names
/// (`https://{service}.{region}.otc.t-systems.com`).
///
/// ```
/// use otc_jobs_core::Service;
/// assert_eq!(Service::Dli.host_label(), "dli");
/// assert_eq!(Service::ModelArts.to_string(), "modelarts");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Service {
    /// ModelArts (training and visualization jobs).
    ModelArts,
    /// Data Lake Insight (Flink jobs).
    Dli,
    /// MapReduce Service (job executions).
    Mrs,
    /// Identity and Access Management (tokens, projects).
    Iam,
}

impl Service {
    /// Every service, in a fixed order.
    pub const ALL: [Service; 4] = [Service::ModelArts, Service::Dli, Service::Mrs, Service::Iam];

    /// The position of the service in [`Service::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The label of the service in endpoint host names and signing scopes.
    pub const fn host_label(self) -> &'static str {
        match self {
            Service::ModelArts => "modelarts",
            Service::Dli => "dli",
            Service::Mrs => "mrs",
            Service::Iam => "iam",
        }
    }

    /// Parses a host label (`"modelarts"`, `"dli"`, `"mrs"`, `"iam"`), ignoring ASCII case.
    ///
    /// ```
    /// use otc_jobs_core::Service;
    /// assert_eq!(Service::from_label("MRS"), Some(Service::Mrs));
    /// assert_eq!(Service::from_label("ecs"), None);
    /// ```
    pub fn from_label(label: &str) -> Option<Service> {
        Service::ALL
            .into_iter()
            .find(|s| s.host_label().eq_ignore_ascii_case(label))
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.host_label())
    }
}
