//! Both HTTP components under the real `wasmtime serve` CLI (issue #14): the sample
//! package built with `prescreen build --http` and `--http=p2`, served by `wasmtime
//! serve` on loopback, and the same route table as the in-process host test
//! (`prescreen_testkit::routes`) sent over TCP. Skips with a notice when no `wasmtime`
//! is on PATH, unless `PRESCREEN_REQUIRE_WASMTIME=1` (`.ci/run` installs one).

use super::served::wait_for_log;
use prescreen_benches::load;
use prescreen_testkit::routes::{MAX_BODY_BYTES, Route};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The CLI binary to run: `$PRESCREEN_WASMTIME`, else `wasmtime` from PATH.
fn wasmtime() -> Option<String> {
    let bin = std::env::var("PRESCREEN_WASMTIME").unwrap_or_else(|_| "wasmtime".to_string());
    let found = Command::new(&bin).arg("--version").output().is_ok_and(|o| o.status.success());
    if found {
        return Some(bin);
    }
    assert!(
        std::env::var("PRESCREEN_REQUIRE_WASMTIME").as_deref() != Ok("1"),
        "PRESCREEN_REQUIRE_WASMTIME=1 but `{bin} --version` did not run"
    );
    eprintln!("notice: no `wasmtime` CLI on PATH; the `wasmtime serve` test skips");
    None
}

/// A `wasmtime serve` child, killed when dropped.
struct Served {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `wasmtime serve` on an ephemeral loopback port and reads the address it
/// bound from its "Serving HTTP on http://ADDR/" line: the server accepts from then on.
fn serve(wasmtime: &str, wasi_flags: &str, component: &Path) -> Served {
    let mut child = Command::new(wasmtime)
        .args(["serve", "-S", wasi_flags, "--addr", "127.0.0.1:0"])
        .arg(component)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = wait_for_log(&mut child, "wasmtime serve", |line| {
        let at = line.find("http://")?;
        Some(line[at + "http://".len()..].trim().trim_end_matches('/').parse().unwrap())
    });
    Served { child, addr }
}

/// Sends `route`'s head with its body's length and no body, and reads the answer the
/// component gives from the length alone: (status, JSON body, chunked or not).
fn declared_only(addr: SocketAddr, route: &Route) -> (u16, serde_json::Value) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        route.method,
        route.path,
        route.body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer); // a reset after the answer is fine
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no answer: {text}"));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap();
    // Chunked or not, the JSON object is the one brace-delimited run in the body.
    let json = &body[body.find('{').unwrap()..=body.rfind('}').unwrap()];
    (status, serde_json::from_str(json).unwrap())
}

/// Builds the sample as an HTTP component; returns the package digest it printed.
fn build(flag: &str, out: &Path) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_prescreen"))
        .args(["build", "packages/ad-policy", "-o", out.to_str().unwrap(), flag])
        .current_dir(prescreen_testkit::root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = String::from_utf8_lossy(&o.stdout).into_owned();
    let digest = summary.lines().find_map(|l| l.trim().strip_prefix("digest     sha256:"));
    digest.unwrap_or_else(|| panic!("no digest in {summary}")).to_string()
}

#[test]
fn both_http_components_pass_the_route_table_under_wasmtime_serve() {
    let Some(wasmtime) = wasmtime() else { return };
    let dir = tempfile::tempdir().unwrap();
    // (build flag, `wasmtime serve -S` flags): WASI 0.3 needs `p3` beside `cli`.
    for (flag, wasi_flags) in [("--http", "cli,p3"), ("--http=p2", "cli")] {
        let component = dir.path().join(format!("ad-policy{}.wasm", flag.replace('=', "-")));
        let digest = build(flag, &component);
        let served = serve(&wasmtime, wasi_flags, &component);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        for route in prescreen_testkit::routes::routes() {
            if route.body.len() > MAX_BODY_BYTES {
                // wasmtime serve closes the connection once the component answered, so a
                // client still sending the body never reads the early 413: declare it only.
                let (status, json) = declared_only(served.addr, &route);
                if let Err(e) = route.check(status, None, &json, &digest) {
                    panic!("wasmtime serve {flag}: {e}");
                }
                continue;
            }
            let method = route.method.parse().unwrap();
            let reply = runtime
                .block_on(load::request(served.addr, method, route.path, &[], route.body.clone()))
                .unwrap_or_else(|e| panic!("{flag} {}: {e:#}", route.case));
            let json = reply.json();
            if let Err(e) = route.check(reply.status, reply.header("allow"), &json, &digest) {
                panic!("wasmtime serve {flag}: {e}");
            }
        }
    }
}
