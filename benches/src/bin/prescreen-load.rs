//! `prescreen-load`: load generator for `prescreen serve` (crates/gateway/SERVE.md). Sends
//! upload JSON files round-robin over keep-alive connections, at a fixed rate or at
//! saturation, and prints requests/s, latency percentiles, failures and the
//! versions that answered. Exits 1 if any request failed.

use anyhow::{Context, Result, anyhow};
use clap::Parser;
use prescreen_benches::load::{self, Plan};
use std::net::ToSocketAddrs as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "prescreen-load", about = "Load generator for `prescreen serve`")]
struct Args {
    /// Screen endpoint, e.g. http://127.0.0.1:8080/v1/screen (plain HTTP only).
    #[arg(long, default_value = "http://127.0.0.1:8080/v1/screen")]
    url: String,
    /// Upload JSON files sent round-robin. Repeatable.
    #[arg(long, required = true)]
    upload: Vec<PathBuf>,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Total requests per second; omit for saturation (each connection sends as
    /// soon as it has its answer).
    #[arg(long)]
    rate: Option<f64>,
    /// Seconds to measure.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Seconds of load before measuring (connections, caches, page faults settle).
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Async threads of the generator. Keep it low on a machine shared with the
    /// server: the generator's CPU is taken from the server's.
    #[arg(long, default_value_t = 1)]
    threads: usize,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<bool> {
    let rest =
        args.url.strip_prefix("http://").ok_or_else(|| anyhow!("--url must start with http://"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/v1/screen"),
    };
    let addr = authority
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| anyhow!("{authority} does not resolve"))?;
    let bodies = args
        .upload
        .iter()
        .map(|p| {
            std::fs::read(p).map(Into::into).with_context(|| format!("cannot read {}", p.display()))
        })
        .collect::<Result<Vec<_>>>()?;
    let rt = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()?
    };
    let plan = |secs: f64| Plan {
        addr,
        path: path.to_string(),
        bodies: bodies.clone(),
        connections: args.connections,
        rate: args.rate,
        duration: Duration::from_secs_f64(secs),
    };
    rt.block_on(async {
        if args.warmup > 0.0 {
            load::run(&plan(args.warmup)).await?;
        }
        let report = load::run(&plan(args.duration)).await?;
        let mode = args.rate.map_or("saturation".to_string(), |r| format!("fixed rate {r} req/s"));
        println!("{addr}{path}, {} connections, {mode}", args.connections);
        print!("{}", report.summary());
        Ok(report.failed == 0)
    })
}
