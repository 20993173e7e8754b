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

    /// The error codes with which this service says "no such job" (from its error-code
    /// page; DLI.16001 as the Huawei Terraform provider reads it): one of them means the
    /// job is gone, whatever the status (DLI answers 400, MRS 500).
    ///
    /// ```
    /// use otc_jobs_core::Service;
    /// assert!(Service::Dli.not_found_codes().contains(&"DLI.0002"));
    /// assert!(!Service::Mrs.not_found_codes().contains(&"DLI.0002"));
    /// assert!(Service::Mrs.not_found_codes().contains(&"12000003"));
    /// ```
    pub const fn not_found_codes(self) -> &'static [&'static str] {
        match self {
            // DLI answers 400 with DLI.0002 "The object does not exist."; DLI.16001 for a
            // Flink job that does not exist.
            Service::Dli => &["DLI.0002", "DLI.16001"],
            // TrainingJobNotFound, TrainingExperimentNotFound (400).
            Service::ModelArts => &["ModelArts.2775", "ModelArts.2842"],
            // MRS answers 500 with 0176 / 0201 "The job does not exist."; 12000003: the
            // cluster does not exist (v2 job executions live in a cluster: gone with it).
            Service::Mrs => &["0176", "0201", "12000003"],
            Service::Iam => &[],
        }
    }

    /// The error codes with which this service refuses to cancel a run because the run is
    /// already over (finished, failed or cancelled): DLI's `DLI.0007` ("the operation is
    /// not supported", its error-code table), which it answers (400) to the cancellation of
    /// a SQL job or Spark batch that is no longer running. The cancellation pages say only
    /// that such a run "cannot be canceled"; the code is the table's that fits (decision
    /// recorded with the cancellations in specs/operations.toml).
    ///
    /// ```
    /// use otc_jobs_core::Service;
    /// assert_eq!(Service::Dli.already_finished_codes(), ["DLI.0007"]);
    /// assert!(Service::Mrs.already_finished_codes().is_empty());
    /// ```
    pub const fn already_finished_codes(self) -> &'static [&'static str] {
        match self {
            Service::Dli => &["DLI.0007"],
            Service::ModelArts | Service::Mrs | Service::Iam => &[],
        }
    }

    /// Whether `code` is one of this service's own error codes, as opposed to the API
    /// gateway's (`APIG.0101`, `APIG.0301`, …), another service's, or a proxy's: `DLI.*`,
    /// `ModelArts.*`, `IAM.*`, and MRS's `MRS.*`, four-digit (`0176`, job APIs v1) and
    /// eight-digit (`12000001`) codes. Only the service's own word makes a 404 mean "no
    /// such job" (see [`ServiceError::is_not_found`](crate::ServiceError::is_not_found)).
    ///
    /// ```
    /// use otc_jobs_core::Service;
    /// assert!(Service::Dli.owns_code("DLI.0001"));
    /// assert!(Service::Mrs.owns_code("0176"));
    /// assert!(!Service::Mrs.owns_code("404"));
    /// assert!(!Service::ModelArts.owns_code("APIG.0101"));
    /// ```
    pub fn owns_code(self, code: &str) -> bool {
        let prefix = match self {
            Service::ModelArts => "ModelArts.",
            Service::Dli => "DLI.",
            Service::Mrs => "MRS.",
            Service::Iam => "IAM.",
        };
        let numeric = |len: usize| code.len() == len && code.bytes().all(|b| b.is_ascii_digit());
        code.strip_prefix(prefix)
            .is_some_and(|rest| !rest.is_empty())
            || (self == Service::Mrs && (numeric(4) || numeric(8)))
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
