//! Start-up: one function opens the store, applies migrations, loads the keys, starts the sealer and the
//! projection runners, and binds the listener; `main` and the tests use the same path.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api;
use crate::config::Config;
use crate::event_log::seal::{self, Sealer};
use crate::event_log::store;
use crate::state::AppState;

/// Why Lots could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The store could not be opened or migrated.
    #[error("{0}")]
    Store(#[from] store::StoreError),
    /// A key could not be had.
    #[error("{0}")]
    Key(#[from] crate::keyfile::KeyError),
    /// The address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: String,
        /// Why.
        source: std::io::Error,
    },
}

/// A started Lots: listener bound, background tasks running.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    port: u16,
    state: Arc<AppState>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Application {
    /// Opens the store named by `config`, migrates it, loads (or, for the embedded store, creates) the keys,
    /// starts the sealer and one runner per projection, and binds `config.bind`.
    pub async fn build(config: &Config) -> Result<Self, StartError> {
        let db = store::connect(config).await?;
        store::migrate(&db).await?;
        let signing = seal::load_signing_key(&config.signing_key_path(), config.may_create_master_key())?;
        let master = crate::personal::load_master_key(&config.master_key_path(), config.may_create_master_key())?;
        let vault = crate::personal::Vault::new(db.clone(), master);
        let verifying_key = signing.verifying_key();
        let listener = TcpListener::bind(&config.bind)
            .await
            .map_err(|source| StartError::Bind { address: config.bind.clone(), source })?;
        let port =
            listener.local_addr().map_err(|source| StartError::Bind { address: config.bind.clone(), source })?.port();
        let (stop, stopped) = watch::channel(false);
        let mut tasks = vec![tokio::spawn(
            Sealer::new(db.clone(), signing, 1000, Duration::from_secs(60))
                .keeping_heads_in(config.head_dir())
                .follow(stopped.clone()),
        )];
        for projection in projections::all() {
            tasks.push(tokio::spawn(projections::runner::run(
                db.clone(),
                projection,
                watch::channel(0).0,
                stopped.clone(),
            )));
        }
        let metrics = Arc::new(crate::metrics::Metrics::default());
        let bus = Arc::new(crate::event_log::commands::CommandBus::new(db.clone()).with_metrics(Arc::clone(&metrics)));
        let verifier = Arc::new(crate::audit::Verifier::new(db.clone(), verifying_key));
        let state = Arc::new(AppState {
            db,
            vault,
            bus,
            metrics,
            verifier: Arc::clone(&verifier),
            digests: Default::default(),
        });
        tasks.push(tokio::spawn(verifier.follow(stopped.clone())));
        Ok(Self { listener, port, state, stop, tasks })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` completes; requests under way finish; then the background tasks stop.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The JSON API and the web pages are siblings that never import each other; they meet here.
        let router = api::router(Arc::clone(&self.state)).merge(crate::web::router().with_state(self.state));
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let served = axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await;
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        served
    }
}

/// Completes on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
