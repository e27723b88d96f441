//! Lots' end-to-end tests: one binary, so the workspace links one test executable for all of them.

/// Runs each test body once on a fresh PostgreSQL database and once on a fresh SQLite file: one conformance
/// suite for both stores.
macro_rules! on_both_stores {
    ($(#[doc = $doc:literal])* async fn $name:ident($store:ident) $body:block $($rest:tt)*) => {
        $(#[doc = $doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn scenario($store: tests::TestStore) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                scenario(tests::TestStore::new(tests::Backend::Postgres).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                scenario(tests::TestStore::new(tests::Backend::Sqlite).await).await;
            }
        }
        on_both_stores! { $($rest)* }
    };
    () => {};
}

mod access;
mod api;
mod architecture;
mod contract;
mod domain_flow;
mod fixed_log;
mod log;
mod matrix;
mod personal;
mod projections;
mod serve;
mod side_doors;
mod sign_in;
mod tamper;
mod web;
