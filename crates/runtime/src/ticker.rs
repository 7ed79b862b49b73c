//! Request deadlines for an interruptible [`Runtime`]: a thread that advances the
//! engine's epoch every [`TICK`], so a store's epoch deadline (in ticks) expires.

use crate::Runtime;
use anyhow::Result;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Length of one epoch tick: the deadline's resolution.
pub const TICK: Duration = Duration::from_millis(1);

/// A thread that advances the engine's epoch every [`TICK`], which is what makes
/// request deadlines expire. Stops when dropped.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    /// Starts ticking `runtime`'s engine (made by [`Runtime::interruptible`]).
    pub fn start(runtime: &Runtime) -> Result<EpochTicker> {
        let engine = runtime.engine().clone();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread =
            std::thread::Builder::new().name("prescreen-epoch".into()).spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(TICK);
                    engine.increment_epoch();
                }
            })?;
        Ok(EpochTicker { stop, thread: Some(thread) })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
