//! A fixed pool of OS threads for the blocking work of a request (JSON parsing and
//! the wasm call), sized to the cores, with a bounded queue: the async runtime only
//! moves bytes, and a burst beyond the queue is refused at once (HTTP 503) instead of
//! piling up latency for everyone.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The queue is full: the caller should answer "overloaded".
#[derive(Debug)]
pub struct Full;

pub struct Pool {
    tx: SyncSender<Job>,
}

impl Pool {
    /// `threads` workers named `name-N`, taking jobs from a queue of `queue` slots.
    /// The threads end when the pool is dropped and the queue drains.
    pub fn new(name: &str, threads: usize, queue: usize) -> std::io::Result<Pool> {
        let (tx, rx) = sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new().name(format!("{name}-{i}")).spawn(move || work(&rx))?;
        }
        Ok(Pool { tx })
    }

    /// Queues `job`, or refuses it when the queue is full.
    pub fn submit(&self, job: impl FnOnce() + Send + 'static) -> Result<(), Full> {
        match self.tx.try_send(Box::new(job)) {
            Ok(()) => Ok(()),
            // Disconnected cannot happen while `self` holds the sender and the
            // workers hold the receiver; treat it as full all the same.
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Full),
        }
    }
}

fn work(rx: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while waiting for the next job: one idle worker waits
        // in `recv`, the others wait for the lock.
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        // A panicking job must not take the worker with it; its caller sees the
        // dropped reply channel and answers 500.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
    }
}
