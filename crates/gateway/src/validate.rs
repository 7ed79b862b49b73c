//! Native code from a deploy is tried in a child process first (issue #15): wasmtime
//! checks a `.cwasm`'s header and engine fingerprint, but not its machine code, so a
//! corrupted file can pass those checks and then crash whatever runs it (SIGILL,
//! SIGSEGV). The child loads the candidate with the serving engine's configuration and
//! screens an empty upload; only if it exits cleanly does the gateway map the file.

use anyhow::{Result, bail};
use prescreen_core::Upload;
use prescreen_runtime::Runtime;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// How long a validating child may take: loading maps the file and the smoke screen
/// of an empty upload takes microseconds, so this only ends a child that hangs.
pub const VALIDATE_TIMEOUT: Duration = Duration::from_secs(60);
/// Bytes of the child's stderr kept for the reason it gives.
const MAX_REASON_BYTES: usize = 1024;
/// Pause between looks at a running child.
const POLL: Duration = Duration::from_millis(5);

/// The program a gateway runs to validate a `.cwasm`: `program args... <file>`, which
/// must run [`validate_main`] on the file (`prescreen` does, as a hidden subcommand).
#[derive(Clone, Debug)]
pub struct Validator {
    program: PathBuf,
    args: Vec<OsString>,
}

impl Validator {
    /// `program` with `args` before the file's path.
    pub fn new(program: impl Into<PathBuf>, args: impl IntoIterator<Item = OsString>) -> Self {
        Validator { program: program.into(), args: args.into_iter().collect() }
    }

    /// Runs the child on `cwasm`; an error says how it ended, never what it printed.
    pub fn check(&self, cwasm: &Path) -> Result<()> {
        let mut child = Command::new(&self.program)
            .args(&self.args)
            .arg(cwasm)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()?;
        // The child's own one-line reason (our program's message, never file
        // contents), read on a thread so a chatty child cannot block on a full pipe.
        let stderr = child.stderr.take().map(|pipe| std::thread::spawn(move || first_bytes(pipe)));
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait()? {
                break status;
            }
            if started.elapsed() > VALIDATE_TIMEOUT {
                let _ = child.kill();
                let _ = child.wait();
                bail!("the validating process did not finish within {VALIDATE_TIMEOUT:?}");
            }
            std::thread::sleep(POLL);
        };
        if status.success() {
            return Ok(());
        }
        let reason = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
        let reason = reason.lines().next().unwrap_or("").trim_start_matches("error: ").trim();
        #[cfg(unix)]
        if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
            bail!(
                "the component crashed the validating process (signal {signal}): corrupt native code"
            );
        }
        bail!("the component failed validation in a child process ({status}): {reason}")
    }
}

/// The first [`MAX_REASON_BYTES`] of `pipe`, as text, reading (and dropping) the rest
/// so the writer never blocks on a full pipe.
fn first_bytes(mut pipe: impl std::io::Read) -> String {
    let (mut kept, mut buf) = (Vec::new(), [0u8; 4096]);
    while let Ok(n @ 1..) = pipe.read(&mut buf) {
        let room = MAX_REASON_BYTES.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// The child's side: loads `cwasm` as `prescreen serve` would and screens an empty
/// upload. Exit 0 when it answers; 1 when it is refused; a crash is the parent's answer.
pub fn validate_main(cwasm: &Path) -> ExitCode {
    let check = || -> Result<()> {
        let runtime = Runtime::interruptible(0)?;
        // SAFETY: this process exists to run untrusted native code; whatever it does
        // ends with this process.
        let filter = unsafe { runtime.load_precompiled(cwasm) }?;
        let upload = Upload::text("prescreen-validate", "US", "");
        match filter.screen(&upload)? {
            Ok(_) => Ok(()),
            Err(e) => bail!("smoke screen failed: {e}"),
        }
    };
    match check() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
