//! The [`Backend`] over otc-jobs-async: the client's generated dispatch over the kind
//! table (`list_rows`, `delete_id`, `wait_id_gone`, `batch_delete`). Nothing here names
//! a kind.
//!
//! Every call carries the SDK's retries (see [`crate::config`]); what comes back is final
//! except throttling, which the executor hands to the run's shared throttle.

use std::time::Duration;

use otc_jobs_async::{Client, Deleted, WaitOptions, WaitOutcome};
use otc_jobs_core::Error;
use otc_jobs_core::kinds::{BatchEntry, Filters, Kind, KindBatch, KindId, RowSink};
use otc_jobs_core::{Described, Service};

use crate::backend::Backend;
use crate::report::{Context, ProjectRef};

/// The services, through the SDK.
#[derive(Debug, Clone)]
pub(crate) struct SdkBackend {
    client: Client,
    /// How a deletion that kills a running job first waits for it to stop.
    stopping: WaitOptions,
}

impl SdkBackend {
    /// Over `client`.
    pub(crate) fn new(client: Client) -> SdkBackend {
        SdkBackend {
            client,
            stopping: WaitOptions::default(),
        }
    }

    /// The same, waiting at most `max_wait` (`--max-wait`) for a job its deletion killed
    /// to stop (the SDK's default backoff between looks).
    pub(crate) fn stopping_within(&self, max_wait: Duration) -> SdkBackend {
        SdkBackend {
            client: self.client.clone(),
            stopping: WaitOptions::default().max_wait(max_wait),
        }
    }

    /// Where the client acts: its region, and its project (`id:…` or `name:…`), as the
    /// journal records a run's selection.
    pub(crate) fn scope(&self) -> (String, String) {
        let config = self.client.config();
        let project = match config.project() {
            otc_jobs_async::Project::Id(id) => format!("id:{id}"),
            otc_jobs_async::Project::Name(name) => format!("name:{name}"),
        };
        (config.endpoints().region().as_str().to_owned(), project)
    }

    /// Where a run of `kind` acts, for its report: the project (its id once known: at
    /// once when given, after the first call when looked up by name), the region and the
    /// base URL of the kind's service (and of IAM, when it was asked for the project).
    pub(crate) fn context(&self, kind: Kind) -> Context {
        let config = self.client.config();
        let endpoints = config.endpoints();
        let mut used = vec![kind.service()];
        let name = match config.project() {
            otc_jobs_async::Project::Id(_) => None,
            otc_jobs_async::Project::Name(name) => {
                used.push(Service::Iam);
                Some(name.clone())
            }
        };
        let id = match config.project() {
            otc_jobs_async::Project::Id(id) => Some(id.clone()),
            otc_jobs_async::Project::Name(_) => self.client.project_id().map(str::to_owned),
        };
        Context {
            project: ProjectRef { id, name },
            region: endpoints.region().as_str().to_owned(),
            endpoints: used
                .into_iter()
                .map(|service| {
                    let url = endpoints.base_url(service).as_str().to_owned();
                    (service.host_label().to_owned(), url)
                })
                .collect(),
            ..Context::default()
        }
    }
}

impl Backend for SdkBackend {
    async fn list(&self, filters: &Filters, into: &mut dyn RowSink) -> Result<(), Error> {
        self.client.list_rows_into(filters, into).await
    }

    async fn delete(&self, id: &KindId) -> Result<Deleted, Error> {
        self.client.delete_id_with(id, self.stopping).await
    }

    async fn wait_gone(
        &self,
        id: &KindId,
        max_wait: Duration,
        poll: Duration,
    ) -> Result<WaitOutcome, Error> {
        let options = WaitOptions::default()
            .max_wait(max_wait)
            .delays(poll, poll.saturating_mul(10));
        self.client.wait_id_gone(id, options).await
    }

    async fn describe(&self, id: &KindId) -> Result<Option<Described>, Error> {
        self.client.describe_id(id).await
    }

    async fn batch_delete(&self, batch: &KindBatch) -> Result<Vec<BatchEntry>, Error> {
        self.client.batch_delete(batch).await
    }
}
