//! A small HTTP/1.1 client and load generator for `prescreen serve`: N keep-alive
//! connections, either as fast as the server answers (saturation) or at a fixed
//! total rate, reporting requests/s, latency percentiles, failures and which
//! versions answered (`x-prescreen-version`). Used by `prescreen-load` and the tests.
//!
//! Latency is measured from the moment a request is written to the moment its whole
//! response is read. At a fixed rate, one pacer thread releases send times evenly
//! spaced (with `nanosleep`, ~tens of microseconds late at most: tokio's timer has
//! millisecond resolution and would release requests in bursts at each tick) to
//! whichever connection is idle; a request sent later than its schedule, because
//! every connection was still waiting for an answer, is reported as send lag
//! rather than hidden (open-loop load, no coordinated omission).

use anyhow::{Context, Result, anyhow};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, HOST, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::sync::{Mutex, mpsc};

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// One keep-alive HTTP/1.1 connection.
pub struct Client {
    sender: SendRequest<Full<Bytes>>,
    host: HeaderValue,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Result<Client> {
        let stream =
            TcpStream::connect(addr).await.with_context(|| format!("cannot connect to {addr}"))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        // The connection task drives the socket; it ends when the sender is dropped.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Client { sender, host: HeaderValue::from_str(&addr.to_string())? })
    }

    /// Sends one request and reads the whole response.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<Reply> {
        let mut request =
            Request::builder().method(method).uri(path).header(HOST, self.host.clone());
        if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("content-type")) {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        for (k, v) in headers {
            request =
                request.header(HeaderName::from_bytes(k.as_bytes())?, HeaderValue::from_str(v)?);
        }
        self.sender.ready().await?;
        let response = self.sender.send_request(request.body(Full::new(body))?).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok(Reply { status: parts.status.as_u16(), headers: parts.headers, body })
    }
}

/// One request on a fresh connection.
pub async fn request(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Result<Reply> {
    Client::connect(addr).await?.send(method, path, headers, body.into()).await
}

/// What to send, how fast, for how long.
#[derive(Clone, Debug)]
pub struct Plan {
    pub addr: SocketAddr,
    pub path: String,
    /// Request bodies, sent round-robin.
    pub bodies: Vec<Bytes>,
    pub connections: usize,
    /// Total requests per second over all connections; `None`: each connection
    /// sends its next request as soon as it has the answer (saturation).
    pub rate: Option<f64>,
    pub duration: Duration,
}

/// What a run measured.
#[derive(Debug, Default)]
pub struct Report {
    pub elapsed: Duration,
    /// HTTP 200 with an `x-prescreen-version` header.
    pub ok: u64,
    /// Anything else: another status, a connection error, no version header.
    pub failed: u64,
    pub statuses: BTreeMap<u16, u64>,
    /// Connection errors by message.
    pub errors: BTreeMap<String, u64>,
    /// Answers per `x-prescreen-version` (the deciding package digest).
    pub versions: BTreeMap<String, u64>,
    /// Per-request latency in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    /// How late each request was sent against its schedule (fixed rate only), sorted.
    pub lag_us: Vec<u32>,
}

impl Report {
    pub fn requests(&self) -> u64 {
        self.ok + self.failed
    }

    pub fn rps(&self) -> f64 {
        self.requests() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `q` quantile (0..=1) of a sorted sample, in microseconds.
    pub fn quantile(sorted: &[u32], q: f64) -> u32 {
        if sorted.is_empty() {
            return 0;
        }
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }

    pub fn latency(&self, q: f64) -> u32 {
        Report::quantile(&self.latencies_us, q)
    }

    /// A human-readable summary.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "requests   {} in {:.2} s: {:.0} req/s; ok {}, failed {}",
            self.requests(),
            self.elapsed.as_secs_f64(),
            self.rps(),
            self.ok,
            self.failed
        );
        let q = |q| Report::quantile(&self.latencies_us, q);
        let _ = writeln!(
            s,
            "latency    p50 {} us, p90 {} us, p99 {} us, p99.9 {} us, max {} us",
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999),
            self.latencies_us.last().copied().unwrap_or(0)
        );
        if !self.lag_us.is_empty() {
            let l = |q| Report::quantile(&self.lag_us, q);
            let _ = writeln!(
                s,
                "send lag   p50 {} us, p99 {} us, max {} us (behind schedule)",
                l(0.5),
                l(0.99),
                l(1.0)
            );
        }
        for (status, n) in &self.statuses {
            let _ = writeln!(s, "status     {status}: {n}");
        }
        for (error, n) in &self.errors {
            let _ = writeln!(s, "error      {n}x {error}");
        }
        for (version, n) in &self.versions {
            let _ = writeln!(s, "version    {version}: {n}");
        }
        s
    }

    fn merge(&mut self, other: Report) {
        self.ok += other.ok;
        self.failed += other.failed;
        for (k, v) in other.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        for (k, v) in other.versions {
            *self.versions.entry(k).or_default() += v;
        }
        self.latencies_us.extend(other.latencies_us);
        self.lag_us.extend(other.lag_us);
    }
}

/// Runs `plan` and reports.
pub async fn run(plan: &Plan) -> Result<Report> {
    if plan.bodies.is_empty() || plan.connections == 0 {
        return Err(anyhow!("a load plan needs at least one body and one connection"));
    }
    let plan = Arc::new(plan.clone());
    // Connections first, so the measured time does not include connecting.
    let mut clients = Vec::with_capacity(plan.connections);
    for _ in 0..plan.connections {
        clients.push(Client::connect(plan.addr).await?);
    }
    let start = Instant::now();
    let end = start + plan.duration;
    let pace = match plan.rate {
        Some(rate) => Pace::Schedule(Arc::new(Mutex::new(pacer(rate, start, end)?))),
        None => Pace::Saturate(end),
    };
    let tasks: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, client)| tokio::spawn(connection(plan.clone(), client, i, pace.clone())))
        .collect();
    let mut report = Report::default();
    for task in tasks {
        report.merge(task.await.context("load task panicked")??);
    }
    report.elapsed = start.elapsed();
    report.latencies_us.sort_unstable();
    report.lag_us.sort_unstable();
    Ok(report)
}

fn micros(d: Duration) -> u32 {
    d.as_micros().min(u128::from(u32::MAX)) as u32
}

/// When connections send.
#[derive(Clone)]
enum Pace {
    /// Each send time from the pacer goes to the first idle connection.
    Schedule(Arc<Mutex<mpsc::UnboundedReceiver<Instant>>>),
    /// Send again as soon as the answer is in, until then.
    Saturate(Instant),
}

/// Starts the pacer thread: it sends `rate` evenly spaced instants per second from
/// `start` to `end`, each when it comes.
fn pacer(rate: f64, start: Instant, end: Instant) -> Result<mpsc::UnboundedReceiver<Instant>> {
    let (tx, rx) = mpsc::unbounded_channel();
    let period = Duration::from_secs_f64(1.0 / rate);
    std::thread::Builder::new().name("prescreen-load-pacer".into()).spawn(move || {
        let mut at = start;
        while at < end {
            let now = Instant::now();
            if at > now {
                std::thread::sleep(at - now);
            }
            if tx.send(at).is_err() {
                return;
            }
            at += period;
        }
    })?;
    Ok(rx)
}

async fn connection(
    plan: Arc<Plan>,
    mut client: Client,
    index: usize,
    pace: Pace,
) -> Result<Report> {
    let mut report = Report::default();
    let mut n = index;
    loop {
        match &pace {
            Pace::Schedule(times) => {
                let Some(at) = times.lock().await.recv().await else { break };
                report.lag_us.push(micros(Instant::now().saturating_duration_since(at)));
            }
            Pace::Saturate(end) => {
                if Instant::now() >= *end {
                    break;
                }
            }
        }
        let body = plan.bodies[n % plan.bodies.len()].clone();
        n += 1;
        let sent = Instant::now();
        match client.send(Method::POST, &plan.path, &[], body).await {
            Ok(reply) => {
                report.latencies_us.push(micros(sent.elapsed()));
                *report.statuses.entry(reply.status).or_default() += 1;
                match (reply.status, reply.header("x-prescreen-version")) {
                    (200, Some(version)) => {
                        report.ok += 1;
                        *report.versions.entry(version.to_string()).or_default() += 1;
                    }
                    _ => report.failed += 1,
                }
            }
            Err(e) => {
                report.failed += 1;
                *report.errors.entry(format!("{e:#}")).or_default() += 1;
                // The connection may be gone; a new one continues the run.
                client = Client::connect(plan.addr).await?;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles() {
        let v: Vec<u32> = (1..=1000).collect();
        assert_eq!(Report::quantile(&v, 0.5), 500);
        assert_eq!(Report::quantile(&v, 0.99), 990);
        assert_eq!(Report::quantile(&v, 0.999), 999);
        assert_eq!(Report::quantile(&v, 1.0), 1000);
        assert_eq!(Report::quantile(&[], 0.5), 0);
    }
}
