//! The per-operation methods, declared once for both clients.

/// Declares `send` and the five per-operation methods on a client type: with `async`,
/// each method is `async` and awaits `send_impl`; without it, each calls `send_impl`
/// directly. The client defines `send_impl<O>(&self, &O) -> Result<O::Response, Error>`.
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

        /// Deletes a ModelArts training job and all its versions
        /// (`DELETE /v1/{project_id}/training-jobs/{job_id}`).
        pub $($async)? fn delete_training_job(
            &self,
            job_id: i64,
        ) -> ::std::result::Result<$crate::__core::modelarts::DeleteTrainingJobResponse, $crate::__core::Error> {
            self.send_impl(&$crate::__core::modelarts::DeleteTrainingJob::new(job_id))$(.$await)?
        }

        /// Deletes one version of a ModelArts training job
        /// (`DELETE /v1/{project_id}/training-jobs/{job_id}/versions/{version_id}`).
        pub $($async)? fn delete_training_job_version(
            &self,
            job_id: i64,
            version_id: i64,
        ) -> ::std::result::Result<$crate::__core::modelarts::DeleteTrainingJobVersionResponse, $crate::__core::Error> {
            self.send_impl(&$crate::__core::modelarts::DeleteTrainingJobVersion::new(job_id, version_id))$(.$await)?
        }

        /// Deletes a ModelArts visualization job
        /// (`DELETE /v1/{project_id}/visualization-jobs/{job_id}`).
        pub $($async)? fn delete_visualization_job(
            &self,
            job_id: $crate::__core::PathId,
        ) -> ::std::result::Result<$crate::__core::modelarts::DeleteVisualizationJobResponse, $crate::__core::Error> {
            self.send_impl(&$crate::__core::modelarts::DeleteVisualizationJob::new(job_id))$(.$await)?
        }

        /// Deletes a DLI Flink job (`DELETE /v1.0/{project_id}/streaming/jobs/{job_id}`).
        pub $($async)? fn delete_flink_job(
            &self,
            job_id: i64,
        ) -> ::std::result::Result<$crate::__core::dli::DeleteFlinkJobResponse, $crate::__core::Error> {
            self.send_impl(&$crate::__core::dli::DeleteFlinkJob::new(job_id))$(.$await)?
        }

        /// Deletes an MRS job execution
        /// (`DELETE /v1.1/{project_id}/job-executions/{job_execution_id}`).
        pub $($async)? fn delete_job_execution(
            &self,
            job_execution_id: $crate::__core::PathId,
        ) -> ::std::result::Result<$crate::__core::mrs::DeleteJobExecutionResponse, $crate::__core::Error> {
            self.send_impl(&$crate::__core::mrs::DeleteJobExecution::new(job_execution_id))$(.$await)?
        }
    };
}
