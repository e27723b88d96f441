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
    /// The operations address's listener, when they have one of their own.
    ops: Option<(TcpListener, u16)>,
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
        move_keys_out_of_the_data_folder(config)?;
        let signing = seal::load_signing_key(&config.signing_key_path(), config.may_create_master_key())?;
        let master = crate::personal::load_master_key(&config.master_key_path(), config.may_create_master_key())?;
        let vault = crate::personal::Vault::new(db.clone(), master);
        // Keys written before 2026-12 are wrapped under the master key itself; both kinds open, so a service role
        // without the right to re-wrap (an older grant script) serves on, and `lots migrate` re-wraps as the owner.
        match vault.rewrap_keys().await {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "re-wrapped subject keys under the derived wrapping key"),
            Err(error) => tracing::warn!(%error, "could not re-wrap subject keys now; run lots migrate as the owner"),
        }
        let verifying_key = signing.verifying_key();
        let listener = TcpListener::bind(&config.bind)
            .await
            .map_err(|source| StartError::Bind { address: config.bind.clone(), source })?;
        let port =
            listener.local_addr().map_err(|source| StartError::Bind { address: config.bind.clone(), source })?.port();
        let ops = match &config.ops_bind {
            Some(address) => {
                let bind_error = |source| StartError::Bind { address: address.clone(), source };
                let listener = TcpListener::bind(address).await.map_err(bind_error)?;
                let port = listener.local_addr().map_err(bind_error)?.port();
                Some((listener, port))
            }
            None => None,
        };
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
        let verifier =
            Arc::new(crate::audit::Verifier::new(db.clone(), verifying_key).checking_heads_in(&config.head_dir()));
        let state = Arc::new(AppState {
            db,
            vault,
            bus,
            metrics,
            verifier: Arc::clone(&verifier),
            digests: Default::default(),
            sign_ins: tokio::sync::Semaphore::new(crate::accounts::CONCURRENT_SIGN_INS),
            outcome_minimum: config.outcome_minimum,
            figures: Default::default(),
        });
        tasks.push(tokio::spawn(verifier.follow(stopped.clone())));
        Ok(Self { listener, port, ops, state, stop, tasks })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port of the operations address, when it has one of its own.
    pub fn ops_port(&self) -> Option<u16> {
        self.ops.as_ref().map(|(_, port)| *port)
    }

    /// Serves until `shutdown` completes; requests under way finish; then the background tasks stop.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        // The JSON API and the web pages are siblings that never import each other; they meet here.
        let router = api::router(Arc::clone(&self.state), self.ops.is_none())
            .merge(crate::web::router().with_state(Arc::clone(&self.state)))
            .layer(axum::middleware::from_fn(security_headers));
        // One shutdown for both addresses.
        let (ended, end) = watch::channel(false);
        let ending = |mut end: watch::Receiver<bool>| async move {
            let _ = end.wait_for(|ended| *ended).await;
        };
        let ops = self.ops.map(|(listener, _)| {
            let router = api::ops_router(Arc::clone(&self.state)).layer(axum::middleware::from_fn(security_headers));
            tokio::spawn(serve_connections(listener, router, ending(end.clone())))
        });
        let main = tokio::spawn(serve_connections(self.listener, router, ending(end)));
        shutdown.await;
        let _ = ended.send(true);
        let served = main.await.map_err(std::io::Error::other).and_then(|served| served);
        if let Some(ops) = ops {
            if let Err(error) = ops.await.map_err(std::io::Error::other).and_then(|served| served) {
                tracing::error!(%error, "the operations address failed");
            }
        }
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

/// How long a client may take to send a request's headers (the first request's, and each next one's on a kept-alive
/// connection) before the connection is closed: a client trickling one header line every few seconds holds no
/// connection longer than this.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How many connections are served at once; the next waits in the listener's backlog until one closes.
pub const MAX_CONNECTIONS: usize = 1024;

/// Serves HTTP/1.1 on `listener` until `shutdown` completes, then lets the requests under way finish. What
/// `axum::serve` does, with what it leaves out: a header-read timeout (hyper's, which needs a timer) and a cap on
/// connections. Each request carries the client's address as `ConnectInfo`.
async fn serve_connections(
    listener: TcpListener,
    router: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    // Every connection holds a receiver; closing the sender asks them to finish, and their ending drops them.
    let (closing, closed) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors and the like: wait a moment instead of spinning.
                Err(error) => {
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router.clone().map_request(move |request: axum::http::Request<hyper::body::Incoming>| {
            let mut request = request.map(axum::body::Body::new);
            request.extensions_mut().insert(axum::extract::ConnectInfo(remote));
            request
        });
        let service = hyper_util::service::TowerToHyperService::new(service);
        let mut closed = closed.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, %remote, "connection ended with an error");
                    }
                }
                _ = closed.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(closed);
        });
    }
    drop(closed);
    // Ask every connection to finish its request under way, and wait until the last has.
    let _ = closing.send(());
    closing.closed().await;
    Ok(())
}

/// Headers every answer carries: no MIME sniffing; no caching of what may hold personal data (unless the answer
/// says otherwise); a Content-Security-Policy that allows only Lots' own scripts, styles and images and no
/// framing; no referrer; and HSTS when the request reached the proxy in front of Lots over TLS
/// (`X-Forwarded-Proto: https`).
async fn security_headers(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::header::{self, HeaderValue};
    let over_tls = request
        .headers()
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if over_tls {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}

/// Moves keys an earlier Lots generated into the data folder to the key folder beside it, saying so.
pub fn move_keys_out_of_the_data_folder(config: &Config) -> Result<(), crate::keyfile::KeyError> {
    let moves = config.keys_to_move_out_of_the_data_folder();
    let moved = crate::keyfile::move_keys(&moves).map_err(|source| crate::keyfile::KeyError::CannotCreate {
        what: "key folder",
        path: config.key_dir().display().to_string(),
        source,
    })?;
    for (from, to) in moved {
        tracing::warn!(from = %from.display(), to = %to.display(), "moved a key out of the data folder");
    }
    Ok(())
}
