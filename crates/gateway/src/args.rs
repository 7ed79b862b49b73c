//! `prescreen serve`'s flags, beside the server they configure: the CLI flattens
//! [`ServeArgs`] into its `serve` subcommand and calls [`ServeArgs::execute`].

use crate::limits::{self, RequestLimits};
use crate::{DEFAULT_KEEP_RESIDENT_BYTES, ServeConfig, Validator, signing};
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Serve a component over HTTP: `POST /v1/screen`, `GET /healthz`, `GET /metrics`,
/// and admin routes (deploy, canary, shadow, promote, rollback) on a separate listener.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The component to start with: a `.wasm` from `prescreen build` (compiled and
    /// mapped natively at load).
    pub component: PathBuf,
    /// Public address (screening, health, metrics).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Admin address; must be loopback unless an admin token is set.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub admin: SocketAddr,
    /// Bearer token the admin routes require.
    #[arg(long, env = "PRESCREEN_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Ed25519 public key (64 hex digits, base64, or a file holding either or the
    /// 32 raw bytes): deploys must then be signed.
    #[arg(long)]
    pub public_key: Option<String>,
    /// Action to tell the gateway to apply when there is no verdict.
    #[arg(long, default_value = "review", value_parser = ["pass", "review", "block"])]
    pub fallback: String,
    /// Wall-clock limit per request, in milliseconds (1 ms resolution).
    #[arg(long, default_value_t = limits::DEFAULT_TIMEOUT.as_millis() as u64)]
    pub timeout_ms: u64,
    /// Linear-memory limit per instance, in MiB (the package's memory image included).
    #[arg(long, default_value_t = limits::DEFAULT_MAX_MEMORY_BYTES >> 20)]
    pub max_memory_mib: usize,
    /// Largest request body, in bytes (default 24 MiB: a 16 MiB image in base64).
    #[arg(long, default_value_t = limits::DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,
    /// Screening threads (default: one per core).
    #[arg(long)]
    pub workers: Option<usize>,
    /// Requests that may wait for a worker; beyond it new requests get HTTP 503.
    #[arg(long, default_value_t = 1024)]
    pub queue: usize,
    /// MiB of each instance's memory kept mapped between requests, reset with the
    /// kernel's PAGEMAP_SCAN (Linux 6.7+, else 0): fewer page faults per request.
    #[arg(long, default_value_t = DEFAULT_KEEP_RESIDENT_BYTES >> 20)]
    pub keep_resident_mib: usize,
    /// Wasm call-stack bound per request, in KiB: a guest recursing past it traps
    /// and the request gets the fallback.
    #[arg(long, default_value_t = prescreen_runtime::DEFAULT_MAX_WASM_STACK >> 10)]
    pub max_stack_kib: usize,
    /// Async threads that move bytes (parse HTTP, write answers); default: one per
    /// two cores.
    #[arg(long)]
    pub io_threads: Option<usize>,
    /// Record every answer (upload id, outcome, action, hits, version, latency) in
    /// this SQLite database, written off the request path and flushed on shutdown.
    #[arg(long)]
    pub decision_log: Option<PathBuf>,
    /// Requests one component instance may screen before it is replaced. 1 (the
    /// default): a fresh instance per request, as Spin does. More: each worker
    /// keeps a warm instance per version, retired after N requests, any fault, or
    /// 64 MiB of growth; several times faster for large packages, at the cost of
    /// uploads no longer starting from a pristine instance (SERVE.md).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub reuse_instances: u32,
}

/// The hidden `prescreen` subcommand that validates a `.cwasm` in a child process
/// ([`crate::validate_main`]); [`ServeArgs::config`] points the server's [`Validator`]
/// at this executable with it.
pub const VALIDATE_SUBCOMMAND: &str = "validate-cwasm";

impl ServeArgs {
    /// The server configuration these flags describe.
    pub fn config(self) -> Result<ServeConfig> {
        let mib = |n: usize, flag: &str| {
            n.checked_mul(1 << 20).with_context(|| format!("--{flag} is too large"))
        };
        let mut config = ServeConfig::new(self.component);
        config.reuse_instances = self.reuse_instances;
        config.decision_log = self.decision_log;
        config.listen = self.listen;
        config.admin = self.admin;
        config.admin_token = self.admin_token.filter(|t| !t.is_empty());
        config.public_key =
            self.public_key.as_deref().map(signing::parse_public_key).transpose()?;
        config.limits = RequestLimits {
            timeout: Duration::from_millis(self.timeout_ms),
            max_memory_bytes: mib(self.max_memory_mib, "max-memory-mib")?,
            max_body_bytes: self.max_body_bytes,
            fallback: limits::parse_action(&self.fallback)?,
        };
        if let Some(w) = self.workers {
            config.workers = w.max(1);
        }
        config.queue = self.queue.max(1);
        if let Some(n) = self.io_threads {
            config.io_threads = n.max(1);
        }
        config.max_wasm_stack_bytes =
            self.max_stack_kib.checked_mul(1 << 10).context("--max-stack-kib is too large")?;
        config.keep_resident_bytes = mib(self.keep_resident_mib, "keep-resident-mib")?;
        let exe = std::env::current_exe().context("cannot find this executable")?;
        config.validator = Some(Validator::new(exe, [VALIDATE_SUBCOMMAND.into()]));
        Ok(config)
    }

    /// Serves until interrupted (Ctrl-C or SIGTERM).
    pub fn execute(self) -> Result<()> {
        crate::run(self.config()?)
    }
}
