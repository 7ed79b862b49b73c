//! Accepting connections under bounds (issue #15): at most [`MAX_CONNECTIONS`] open
//! per listener, each request's head read within [`HEADER_READ_TIMEOUT`] (which also
//! closes keep-alive connections left idle that long), each body within
//! [`BODY_READ_TIMEOUT`], and a `content-length` over the body limit refused before
//! a byte of the body is read.
//!
//! `axum::serve` exposes none of hyper's connection settings, so this is the accept
//! loop instead: hyper's HTTP/1 connection with a timer, the router as its service,
//! graceful shutdown through hyper-util.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// Connections one listener keeps open at once; past it new ones are closed on
/// accept. Far above what a gateway's callers keep (a pool per upstream host), far
/// below the process's file-descriptor limit, so a flood of idle sockets cannot stop
/// `/v1/screen` from answering.
pub const MAX_CONNECTIONS: usize = 4096;
/// Time a client has to send a request's head once the server waits for one: also
/// how long an idle keep-alive connection stays open. Slowloris clients are closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a client has to send a request's body: a 24 MiB body at 10 MiB/s takes under
/// 3 s; a client that sends 2 bytes of a promised 100 GB is answered 408 long before.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The bounds [`serve`] keeps on a listener's connections.
#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    /// Connections open at once; past it new ones are closed on accept.
    pub max_connections: usize,
    /// Time a client has to send a request's head (and an idle keep-alive lasts).
    pub header_read_timeout: Duration,
}

impl Default for ConnLimits {
    /// [`MAX_CONNECTIONS`] and [`HEADER_READ_TIMEOUT`], what `prescreen serve` uses.
    fn default() -> ConnLimits {
        ConnLimits { max_connections: MAX_CONNECTIONS, header_read_timeout: HEADER_READ_TIMEOUT }
    }
}

/// Serves `router` on `listener` under `limits` until `stopped` turns true, then lets
/// in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    stopped: watch::Receiver<bool>,
    limits: ConnLimits,
) -> std::io::Result<()> {
    let stop = stop_requested(stopped);
    tokio::pin!(stop);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let service = TowerToHyperService::new(router);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).keep_alive(true);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let tcp = match accepted {
            Ok((tcp, _)) => tcp,
            // Out of file descriptors or a connection reset before accept: the listener
            // itself is fine, so keep accepting.
            Err(e) => {
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            // Dropping the socket closes it: the client sees a reset, not a hang.
            continue;
        };
        // Small JSON answers: without TCP_NODELAY, Nagle's algorithm holds them back
        // waiting for the client's delayed ACK (tens of milliseconds).
        let _ = tcp.set_nodelay(true);
        let connection = http.serve_connection(TokioIo::new(tcp), service.clone());
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    graceful.shutdown().await;
    Ok(())
}

/// Resolves once `stopped` turns true (or its sender is gone).
async fn stop_requested(mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow_and_update() {
        if stopped.changed().await.is_err() {
            return;
        }
    }
}

/// Why a request body was not read.
pub struct BodyRefused {
    /// 413, 408 or 400.
    pub status: StatusCode,
    /// The answer's `error` kind.
    pub kind: &'static str,
    /// What to tell the client.
    pub message: String,
}

/// Reads a request body of at most `max` bytes: a `content-length` over `max` is
/// refused before a byte of the body is read, the body must arrive within
/// [`BODY_READ_TIMEOUT`], and reading stops at `max` bytes whatever the headers said.
pub async fn read_body(headers: &HeaderMap, body: Body, max: usize) -> Result<Bytes, BodyRefused> {
    let too_large = || BodyRefused {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        kind: "body_too_large",
        message: format!("the request body is over the {max}-byte limit"),
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    match tokio::time::timeout(BODY_READ_TIMEOUT, axum::body::to_bytes(body, max)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) if is_length_limit(&e) => Err(too_large()),
        Ok(Err(e)) => Err(BodyRefused {
            status: StatusCode::BAD_REQUEST,
            kind: "bad_request",
            message: format!("cannot read the request body: {e}"),
        }),
        Err(_) => Err(BodyRefused {
            status: StatusCode::REQUEST_TIMEOUT,
            kind: "body_timeout",
            message: format!("the request body did not arrive within {BODY_READ_TIMEOUT:?}"),
        }),
    }
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = s.source();
    }
    false
}
