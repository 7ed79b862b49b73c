//! A real OCI registry for tests (distribution, Debian's `docker-registry`) on a free
//! loopback port with storage in a temp dir, killed when the guard drops, and a minimal
//! HTTP/1.0 GET for looking at what it serves. crates/oci's push/pull tests and the
//! CLI's ship-by-digest test start one each.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::Duration;

/// Where Debian's `docker-registry` package puts the binary.
const DEBIAN_BINARY: &str = "/usr/bin/docker-registry";

/// Polls of `/v2/` before giving up on a started registry; with the pause below, a
/// generous bound for a loaded machine, and a count, not a deadline.
const READY_POLLS: u32 = 600;

/// Pause between polls.
const POLL_PAUSE: Duration = Duration::from_millis(50);

/// Starts with a fresh port when the chosen one was taken between probe and bind.
const START_ATTEMPTS: u32 = 3;

static START: Mutex<()> = Mutex::new(());

/// A registry process, killed and reaped on drop.
pub struct TestRegistry {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl TestRegistry {
    /// Starts one, or prints why not and returns `None` when the binary is absent
    /// (unless `PRESCREEN_REQUIRE_REGISTRY` is set, as CI does: then it panics).
    pub fn start() -> Option<TestRegistry> {
        let Some(binary) = binary() else {
            let why = "no registry binary (apt-get install docker-registry, or set \
                       PRESCREEN_REGISTRY_BIN)";
            if std::env::var_os("PRESCREEN_REQUIRE_REGISTRY").is_some() {
                panic!("PRESCREEN_REQUIRE_REGISTRY is set but there is {why}");
            }
            eprintln!("skipping: {why}");
            return None;
        };
        // One start at a time in this test binary: between probing a free port and the
        // registry binding it, another test's registry could take it.
        let _serial = START.lock().unwrap_or_else(|e| e.into_inner());
        let mut last_log = String::new();
        for _ in 0..START_ATTEMPTS {
            match start_once(&binary) {
                Ok(registry) => return Some(registry),
                Err(log) => last_log = log,
            }
        }
        panic!("the registry did not start; its log:\n{last_log}");
    }

    /// `127.0.0.1:<port>`, the registry part of a reference.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Where the registry keeps the blob with this `sha256:<hex>` digest.
    pub fn blob_path(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").expect("a sha256 digest");
        self.dir
            .path()
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// GETs `path` from the registry: (status, body).
    pub fn get(&self, path: &str, accept: &str) -> (u16, Vec<u8>) {
        http_get(self.port, path, accept)
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary() -> Option<PathBuf> {
    // Named explicitly: that one or none (a wrong path skips, or fails under
    // PRESCREEN_REQUIRE_REGISTRY, rather than silently testing another binary).
    if let Some(path) = std::env::var_os("PRESCREEN_REGISTRY_BIN") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let debian = Path::new(DEBIAN_BINARY);
    if debian.exists() {
        return Some(debian.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| [dir.join("docker-registry"), dir.join("registry")])
        .find(|p| p.is_file())
}

/// One start: `Err` with the registry's log if it exited or never answered.
fn start_once(binary: &Path) -> Result<TestRegistry, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let config = dir.path().join("config.yml");
    // Filesystem storage in the temp dir, so a test can reach into it; delete enabled
    // like a real deployment; no auth (loopback only).
    std::fs::write(
        &config,
        format!(
            "version: 0.1\n\
             log:\n  level: warn\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
             http:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("storage").display()
        ),
    )
    .expect("write config");
    let log_path = dir.path().join("registry.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let child = Command::new(binary)
        .arg("serve")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log file"))
        .stderr(log)
        .spawn()
        .map_err(|e| format!("spawn {}: {e}", binary.display()))?;
    let mut registry = TestRegistry { child, port, dir };
    for _ in 0..READY_POLLS {
        if registry.child.try_wait().ok().flatten().is_some() {
            return Err(std::fs::read_to_string(&log_path).unwrap_or_default());
        }
        if http_get(port, "/v2/", "*/*").0 == 200 {
            return Ok(registry);
        }
        std::thread::sleep(POLL_PAUSE);
    }
    let _ = registry.child.kill();
    Err(std::fs::read_to_string(&log_path).unwrap_or_default())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// HTTP/1.0 GET on loopback: the server closes after the response, so reading to the
/// end reads it all. Status 0 when the request failed.
pub fn http_get(port: u16, path: &str, accept: &str) -> (u16, Vec<u8>) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return (0, Vec::new()) };
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\n\r\n");
    let mut response = Vec::new();
    if stream.write_all(request.as_bytes()).is_err() || stream.read_to_end(&mut response).is_err() {
        return (0, Vec::new());
    }
    let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return (0, Vec::new());
    };
    let head = String::from_utf8_lossy(&response[..end]);
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, response[end + 4..].to_vec())
}
