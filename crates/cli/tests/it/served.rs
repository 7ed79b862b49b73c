//! `prescreen serve` as a child process on ephemeral loopback ports, for the tests that
//! need the real binary (its own RSS, its registry client): started, its addresses read
//! from its "serving" log line, killed when dropped.

use prescreen_benches::load::{self, Reply};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

/// A running `prescreen serve`.
pub struct Served {
    child: Child,
    /// Screening, health and metrics.
    pub addr: SocketAddr,
    /// Admin routes.
    pub admin: SocketAddr,
}

impl Served {
    /// `prescreen serve <args...> --listen 127.0.0.1:0 --admin 127.0.0.1:0`; returns once
    /// the server logged both bound addresses, so it accepts from then on.
    pub fn start(args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_prescreen"))
            .arg("serve")
            .args(args)
            .args(["--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"])
            .current_dir(prescreen_testkit::root())
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (addr, admin) = wait_for_log(&mut child, "prescreen serve", |line| {
            (line.contains("serving") && line.contains(" addr="))
                .then(|| (field(line, "addr"), field(line, "admin_addr")))
        });
        Served { child, addr, admin }
    }

    /// The server's process id (for /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stops the server with SIGTERM, as an orchestrator would, and waits for it: the
    /// decision log is flushed on that path.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "prescreen serve exited with {status}");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads `child`'s stderr line by line until `found` recognizes one (a server's "bound
/// to" line: it accepts from then on), then keeps draining the log on a thread so the
/// child never blocks on a full pipe.
pub fn wait_for_log<T>(child: &mut Child, what: &str, found: impl Fn(&str) -> Option<T>) -> T {
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr piped"));
    let mut line = String::new();
    let value = loop {
        line.clear();
        let read = stderr.read_line(&mut line).unwrap();
        assert!(read > 0, "{what} exited before serving");
        if let Some(value) = found(&line) {
            break value;
        }
    };
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    value
}

/// `name=<socket address>` from a log line.
fn field(line: &str, name: &str) -> SocketAddr {
    let at = line.find(&format!(" {name}=")).unwrap_or_else(|| panic!("no {name} in {line}"));
    line[at + name.len() + 2..].split_whitespace().next().unwrap().parse().unwrap()
}

/// One request on a fresh connection, answered whole.
pub fn request(addr: SocketAddr, method: &str, path: &str, body: impl Into<Vec<u8>>) -> Reply {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let body: Vec<u8> = body.into();
    runtime.block_on(load::request(addr, method.parse().unwrap(), path, &[], body)).unwrap()
}
