//! Embedding prescreen in a gateway of your own: load a built filter component once,
//! then screen each upload in a fresh instance and act on the verdict.
//!
//! ```sh
//! cargo run --release -p prescreen -- build packages/ad-policy -o ad-policy.wasm
//! cargo run --release -p prescreen-runtime --example screen -- ad-policy.wasm \
//!     packages/ad-policy/uploads/risky-ru-en.json
//! ```
//!
//! Without an upload file it screens one line of text. Exit code: 0 pass, 1 review or
//! block, 2 a typed screening error (the upload was refused), 3 the component failed.

use anyhow::{Context, Result};
use prescreen_core::{Action, Upload};
use prescreen_runtime::Runtime;
use std::process::ExitCode;

fn main() -> Result<ExitCode> {
    let mut args = std::env::args().skip(1);
    let component = args.next().context("usage: screen <component.wasm> [upload.json]")?;

    // Once per process: the engine and linker. Once per component: compile and
    // pre-instantiate. (A server bounds each request's time and memory with
    // `Runtime::interruptible` and `Filter::screen_bounded`, as `prescreen serve` does.)
    let runtime = Runtime::new()?;
    let filter = runtime.load_file(component.as_ref())?;
    let info = filter.info().context("a loaded filter knows its package")?;
    eprintln!("{} {} (sha256:{})", info.name, info.version, info.digest);

    let upload: Upload = match args.next() {
        Some(path) => serde_json::from_slice(&std::fs::read(&path)?)
            .with_context(|| format!("{path}: not an upload"))?,
        None => Upload::text("example-1", "RU", "Лучшее онлайн казино, FREE SPINS"),
    };

    // Per request: a fresh store and instance. A typed error means the upload was
    // refused (too large, invalid); a failure of the component itself is the gateway's
    // to decide (`prescreen serve` answers it with its fallback action).
    let verdict = match filter.screen(&upload) {
        Ok(Ok(verdict)) => verdict,
        Ok(Err(refused)) => {
            eprintln!("refused: {refused}");
            return Ok(ExitCode::from(2));
        }
        Err(fault) => {
            eprintln!("component failed: {fault:#}; apply the fallback (review)");
            return Ok(ExitCode::from(3));
        }
    };
    for hit in &verdict.hits {
        println!("{} {:?} {} {:?}", hit.material_id, hit.action, hit.category, hit.evidence);
    }
    println!("action: {:?}", verdict.action);
    Ok(if verdict.action == Action::Pass { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
