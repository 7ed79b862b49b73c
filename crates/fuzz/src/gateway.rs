//! `prescreen serve`'s request handling, end to end: raw bytes on a TCP connection to
//! a gateway serving the sample package's component in this process, through hyper,
//! the routes, the worker pool, a wasmtime instance per request and the decision log.
//!
//! The first input byte picks the listener (even: public, odd: admin); the rest is
//! written as is, the write side closed, and the answer read to its end. A 500 (a
//! worker or a deploy job that panicked, a guest trap) or a connection that does not
//! finish within [`ANSWER_TIMEOUT`] is a finding.

use crate::fixtures::sample_dir;
use prescreen_gateway::{Running, ServeConfig};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

/// Longer than any request may take (the screen timeout is 3 s, a deploy validates a
/// component in seconds): a connection still open after this hangs.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);
/// Bytes of an answer read before it counts as read: the verdicts are capped far
/// below this, so more is a finding too.
const MAX_ANSWER_BYTES: u64 = 16 << 20;

struct Gateway {
    public: SocketAddr,
    admin: SocketAddr,
    // Kept for the process's lifetime: the server runs on this runtime and logs to
    // this directory.
    _running: Running,
    _runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

fn started() -> &'static Gateway {
    static GATEWAY: OnceLock<Gateway> = OnceLock::new();
    GATEWAY.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let component = prescreen_testkit::sample_component(|package| {
            let runtime = prescreen_runtime::Runtime::new().expect("an engine");
            prescreen_runtime::compile::compile(&runtime, package)
                .expect("the sample package builds into a component")
                .component
        });
        let mut config = ServeConfig::new(&component);
        config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
        config.admin = SocketAddr::from(([127, 0, 0, 1], 0));
        config.decision_log = Some(dir.path().join("decisions.sqlite"));
        config.workers = 1;
        let tokio = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let running = tokio.block_on(prescreen_gateway::start(config)).expect("the gateway starts");
        Gateway {
            public: running.addr,
            admin: running.admin_addr,
            _running: running,
            _runtime: tokio,
            _dir: dir,
        }
    })
}

/// Starts the gateway (see [`crate::init`]).
pub(crate) fn warm_up() {
    started();
}

pub(crate) fn gateway(data: &[u8]) {
    let Some((&which, request)) = data.split_first() else { return };
    let g = started();
    let addr = if which % 2 == 0 { g.public } else { g.admin };
    let mut stream = TcpStream::connect(addr).expect("the gateway accepts");
    stream.set_read_timeout(Some(ANSWER_TIMEOUT)).expect("a timeout");
    // The server may answer (and close) before it has read everything, e.g. a 413
    // for a length over the limit: a failed write is an answer, not a finding.
    if stream.write_all(request).is_ok() {
        let _ = stream.shutdown(Shutdown::Write);
    }
    let mut answer = Vec::new();
    match stream.take(MAX_ANSWER_BYTES + 1).read_to_end(&mut answer) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return,
        Err(e) => panic!("no answer within {ANSWER_TIMEOUT:?}: {e}"),
    }
    assert!(answer.len() as u64 <= MAX_ANSWER_BYTES, "an answer over {MAX_ANSWER_BYTES} bytes");
    for status in statuses(&answer) {
        assert_ne!(status, 500, "the gateway answered 500: {}", String::from_utf8_lossy(&answer));
    }
}

/// The status codes of the HTTP/1.1 answers in `bytes` (pipelined requests get one
/// each).
fn statuses(bytes: &[u8]) -> Vec<u16> {
    let text = String::from_utf8_lossy(bytes);
    text.match_indices("HTTP/1.1 ")
        .filter_map(|(i, _)| text.get(i + 9..i + 12)?.parse().ok())
        .collect()
}

/// Requests of every route, valid and not, as seeds.
pub(crate) fn seeds() -> Vec<(String, Vec<u8>)> {
    let post = |path: &str, body: &[u8]| {
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: fuzz\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        [head.as_bytes(), body].concat()
    };
    let get = |path: &str| format!("GET {path} HTTP/1.1\r\nhost: fuzz\r\n\r\n").into_bytes();
    let with = |listener: u8, request: Vec<u8>| [&[listener][..], &request].concat();
    let mut out = Vec::new();
    for name in ["risky-ru-en.json", "clean-en.json", "risky-image.json"] {
        let body = std::fs::read(sample_dir().join("uploads").join(name)).expect("sample upload");
        out.push((format!("screen-{name}"), with(0, post("/v1/screen", &body))));
    }
    let chunked = b"POST /v1/screen HTTP/1.1\r\nhost: fuzz\r\ntransfer-encoding: chunked\r\n\r\n\
        1c\r\n{\"id\":\"c\",\"market\":\"RU\",\"fi\r\n1d\r\nelds\":[{\"name\":\"t\",\"text\":\"x\"}]}\r\n0\r\n\r\n";
    out.push(("screen-chunked".into(), with(0, chunked.to_vec())));
    out.push(("healthz".into(), with(0, get("/healthz"))));
    out.push(("metrics".into(), with(0, get("/metrics"))));
    out.push(("status".into(), with(1, get("/admin/status"))));
    out.push((
        "deploy-path".into(),
        with(1, post("/admin/deploy?mode=canary&percent=5", br#"{"path":"missing.wasm"}"#)),
    ));
    out.push(("promote".into(), with(1, post("/admin/promote", b""))));
    out.push(("rollback".into(), with(1, post("/admin/rollback", b""))));
    out
}
