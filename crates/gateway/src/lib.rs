//! `prescreen serve`: an HTTP gateway in front of filter components (SERVE.md).
//!
//! Two listeners: the public one (`POST /v1/screen`, `GET /healthz`, `GET /metrics`)
//! and the admin one (`/admin/*`: deploy, promote, rollback, status), loopback by
//! default and behind a bearer token when one is configured. Each request gets a
//! fresh component instance (or, when configured, a worker's reused one: [`reuse`])
//! on a worker pool sized to the cores, under the limits of
//! [`limits::RequestLimits`]; versions change atomically (`deploy.rs`).
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! let mut config = prescreen_gateway::ServeConfig::new("ad-policy.wasm");
//! config.listen = "127.0.0.1:0".parse()?; // any free port
//! let server = prescreen_gateway::start(config).await?;
//! println!("screening on http://{}/v1/screen", server.addr);
//! server.shutdown().await?;
//! # Ok(())
//! # }
//! ```

#![deny(missing_docs)]

mod admin;
mod args;
pub mod conn;
mod deploy;
pub mod limits;
mod metrics;
mod reuse;
mod screen;
mod shadow;
pub mod signing;
mod validate;
mod workers;

pub use args::{ServeArgs, VALIDATE_SUBCOMMAND};
pub use deploy::{Fetch, bucket as canary_bucket, is_pinned};
use prescreen_decision_log as decisions;
pub use validate::{VALIDATE_TIMEOUT, Validator, validate_main};

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use ed25519_dalek::VerifyingKey;
use limits::RequestLimits;
use metrics::Metrics;
use prescreen_runtime::EpochTicker;
use prescreen_runtime::Runtime;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use workers::Pool;

/// Largest component the admin API accepts as a request body: the pooling
/// allocator's largest memory; bigger packages would not instantiate anyway.
pub(crate) const MAX_COMPONENT_BYTES: usize = 1 << 30;
/// Queue of the shadow worker: short, since a shadow run that cannot start soon is
/// skipped rather than delayed.
const SHADOW_QUEUE: usize = 16;
/// Covers the pages a request touches in packages up to ~100k terms; measured in
/// crates/gateway/SERVE.md (a 3x throughput gain on the sample package).
pub const DEFAULT_KEEP_RESIDENT_BYTES: usize = 64 << 20;

/// Everything `prescreen serve` is configured with.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The component the server starts with (`.wasm`, or a `.cwasm` made by this
    /// server's engine configuration).
    pub component: PathBuf,
    /// Public listener.
    pub listen: SocketAddr,
    /// Admin listener; must be loopback unless `admin_token` is set.
    pub admin: SocketAddr,
    /// Bearer token the admin routes require.
    pub admin_token: Option<String>,
    /// When set, deploys must carry an ed25519 signature of the component bytes.
    pub public_key: Option<VerifyingKey>,
    /// Per-request limits and the fallback action.
    pub limits: RequestLimits,
    /// Threads that parse and screen (default: one per core).
    pub workers: usize,
    /// Requests that may wait for a worker before new ones get HTTP 503.
    pub queue: usize,
    /// Bytes of each instance slot's memory kept resident between requests (see
    /// [`Runtime::interruptible`]).
    pub keep_resident_bytes: usize,
    /// Bound on each request's wasm call stack: a guest recursing past it traps and
    /// the request gets the fallback ([`Runtime::interruptible_with_stack`]).
    pub max_wasm_stack_bytes: usize,
    /// Threads of the async runtime that moves bytes ([`run`] only; [`start`] uses
    /// the caller's runtime).
    pub io_threads: usize,
    /// SQLite database every answer is recorded in ([`decisions`]); none by default.
    pub decision_log: Option<PathBuf>,
    /// Requests one instance may screen before it is replaced: 1 (the default) is a
    /// fresh instance per request; more trades isolation for speed ([`reuse`]).
    pub reuse_instances: u32,
    /// The child process `.cwasm` deploys are tried in before they are mapped here
    /// ([`Validator`]); without one, only the starting component may be a `.cwasm`.
    pub validator: Option<Validator>,
    /// Fetches `{"oci": "repo@sha256:..."}` deploys; without one they are refused.
    pub fetch: Option<Arc<dyn Fetch>>,
}

impl ServeConfig {
    /// Defaults for a component: loopback listeners on 8080 and 8081, default limits,
    /// one worker per core, one I/O thread per two cores.
    pub fn new(component: impl Into<PathBuf>) -> ServeConfig {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        ServeConfig {
            component: component.into(),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin: SocketAddr::from(([127, 0, 0, 1], 8081)),
            admin_token: None,
            public_key: None,
            limits: RequestLimits::default(),
            workers: cores,
            queue: 1024,
            keep_resident_bytes: DEFAULT_KEEP_RESIDENT_BYTES,
            max_wasm_stack_bytes: prescreen_runtime::DEFAULT_MAX_WASM_STACK,
            // Moving bytes is a fraction of the work: measured on 2 cores, one I/O
            // thread gave the same throughput as two and a lower median latency
            // (fewer cross-thread wake-ups).
            io_threads: (cores / 2).max(1),
            decision_log: None,
            reuse_instances: 1,
            validator: None,
            fetch: None,
        }
    }
}

/// What every handler shares.
pub(crate) struct AppState {
    pub runtime: Runtime,
    pub deployments: deploy::Deployments,
    pub limits: RequestLimits,
    pub metrics: Metrics,
    pub workers: Pool,
    pub shadow_workers: Pool,
    pub admin_token: Option<String>,
    pub public_key: Option<VerifyingKey>,
    /// Where answers are recorded, when configured.
    pub decisions: Option<decisions::DecisionLog>,
    /// Requests one instance may screen (1: a fresh instance each, see [`reuse`]).
    pub reuse_instances: u32,
    /// Where `.cwasm` deploys are validated.
    pub validator: Option<validate::Validator>,
    /// Where OCI deploys are fetched from.
    pub fetch: Option<Arc<dyn Fetch>>,
    /// Drives request deadlines for as long as any handler can run.
    _ticker: EpochTicker,
}

/// A running server. Dropping it without [`Running::shutdown`] leaves it serving
/// until the async runtime ends.
pub struct Running {
    /// Where the public listener is bound (useful with port 0).
    pub addr: SocketAddr,
    /// Where the admin listener is bound.
    pub admin_addr: SocketAddr,
    state: Arc<AppState>,
    stop: watch::Sender<bool>,
    servers: Vec<JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// Stops accepting connections, lets in-flight requests finish, and waits.
    pub async fn shutdown(self) -> Result<()> {
        let _ = self.stop.send(true);
        for server in self.servers {
            server.await.context("server task failed")?.context("server error")?;
        }
        // In-flight requests have answered: write what the decision log still queues.
        if self.state.decisions.is_some() {
            let state = self.state.clone();
            let closed = tokio::task::spawn_blocking(move || {
                let log = state.decisions.as_ref().expect("checked above");
                log.close().map(|written| (written, log.dropped()))
            });
            let (written, dropped) = closed.await.context("decision log writer")??;
            tracing::info!(written, dropped, "decision log closed");
        }
        // What the state owns may block when dropped (the registry client behind
        // `fetch` owns a runtime of its own, which panics if dropped in async context).
        let state = self.state;
        tokio::task::spawn_blocking(move || drop(state)).await.context("dropping the state")?;
        Ok(())
    }
}

/// The public routes.
fn public_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/screen", post(screen::screen))
        .route("/healthz", get(screen::healthz))
        .route("/metrics", get(screen::metrics))
        .layer(DefaultBodyLimit::max(state.limits.max_body_bytes))
        .with_state(state)
}

/// The admin routes, all behind the token check.
fn admin_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/admin/deploy", post(admin::deploy))
        .route("/admin/promote", post(admin::promote))
        .route("/admin/rollback", post(admin::rollback))
        .route("/admin/status", get(admin::status))
        .layer(axum::middleware::from_fn_with_state(state.clone(), admin::authorize))
        .layer(DefaultBodyLimit::max(MAX_COMPONENT_BYTES))
        .with_state(state)
}

/// Loads the component, binds both listeners and serves on the current tokio
/// runtime until [`Running::shutdown`].
pub async fn start(config: ServeConfig) -> Result<Running> {
    if !config.admin.ip().is_loopback() && config.admin_token.is_none() {
        bail!(
            "the admin listener {} is not loopback: set --admin-token (or PRESCREEN_ADMIN_TOKEN)",
            config.admin
        );
    }
    let runtime =
        Runtime::interruptible_with_stack(config.keep_resident_bytes, config.max_wasm_stack_bytes)?;
    let ticker = EpochTicker::start(&runtime)?;
    let limits = config.limits;
    let (load_runtime, path) = (runtime.clone(), config.component.clone());
    let validator = config.validator.clone();
    let first = tokio::task::spawn_blocking(move || {
        deploy::initial(&load_runtime, &path, &limits, validator.as_ref())
    })
    .await??;
    let mut metrics = Metrics::new();
    let decisions = config.decision_log.as_deref().map(decisions::DecisionLog::open).transpose()?;
    if let Some(log) = &decisions {
        metrics.track_decision_log(log.dropped_counter());
    }
    let deployments = deploy::Deployments::new(first);
    metrics.set_versions(deployments.current().named());
    let state = Arc::new(AppState {
        runtime,
        deployments,
        limits,
        metrics,
        workers: Pool::new("prescreen-worker", config.workers, config.queue)?,
        shadow_workers: Pool::new("prescreen-shadow", 1, SHADOW_QUEUE)?,
        admin_token: config.admin_token.clone(),
        public_key: config.public_key,
        decisions,
        reuse_instances: config.reuse_instances.max(1),
        validator: config.validator.clone(),
        fetch: config.fetch.clone(),
        _ticker: ticker,
    });
    let public = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let admin = TcpListener::bind(config.admin)
        .await
        .with_context(|| format!("cannot listen on {} (admin)", config.admin))?;
    let (addr, admin_addr) = (public.local_addr()?, admin.local_addr()?);
    let (stop, stopped) = watch::channel(false);
    let servers = vec![
        spawn_server(public, public_router(state.clone()), stopped.clone()),
        spawn_server(admin, admin_router(state.clone()), stopped),
    ];
    let active = state.deployments.current();
    tracing::info!(
        %addr, %admin_addr, package = %active.active.info.name, version = %active.active.info.version,
        digest = %active.active.tag.digest, workers = config.workers, keep_resident = state.runtime.keep_resident(),
        reuse_instances = state.reuse_instances, "serving"
    );
    Ok(Running { addr, admin_addr, state, stop, servers })
}

fn spawn_server(
    listener: TcpListener,
    router: Router,
    stopped: watch::Receiver<bool>,
) -> JoinHandle<std::io::Result<()>> {
    tokio::spawn(conn::serve(listener, router, stopped, conn::ConnLimits::default()))
}

/// `prescreen serve`: runs until Ctrl-C or SIGTERM.
pub fn run(config: ServeConfig) -> Result<()> {
    // Logs go to stderr (stdout stays free for output a wrapper may parse), coloured
    // only on a terminal.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .try_init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.io_threads.max(1))
        .enable_all()
        .thread_name("prescreen-io")
        .build()?;
    rt.block_on(async {
        let running = start(config).await?;
        shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests");
        running.shutdown().await
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
