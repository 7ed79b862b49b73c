//! Which instance screens a request on a worker thread: a fresh one per request
//! (the default), or, with `--reuse-instances N`, a [`WarmInstance`] the worker
//! keeps per version and replaces after `N` requests, a fault, or too much growth
//! (`warm.rs` says what reuse trades away).

use prescreen_core::{ScreenError, Upload, Verdict};
use prescreen_runtime::{Bounds, Fault, Filter, WarmInstance};
use std::cell::RefCell;

/// Warm instances one worker keeps: the active version and a canary, plus one of a
/// version just replaced (dropped when the next one comes in). Each holds a slot of
/// the pooling allocator, which has room for 256.
const KEPT_PER_WORKER: usize = 3;

thread_local! {
    /// This worker's warm instances, by version digest, oldest first.
    static WARM: RefCell<Vec<(String, WarmInstance)>> = const { RefCell::new(Vec::new()) };
}

/// How a request's instance came about (for the metrics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Instance {
    /// Instantiated for this request.
    Fresh,
    /// A warm instance that had served before.
    Reused,
}

/// Screens `upload` with `filter` (the version with `digest`) under `bounds`. With
/// `max_uses` 1 every request gets a fresh instance; above it, this worker's warm
/// instance of the version serves until retired.
pub fn screen(
    filter: &Filter,
    digest: &str,
    upload: Upload,
    bounds: Bounds,
    max_uses: u32,
) -> (Result<Result<Verdict, ScreenError>, Fault>, Instance) {
    if max_uses <= 1 {
        return (filter.screen_bounded(upload, bounds), Instance::Fresh);
    }
    let kept = WARM
        .with_borrow_mut(|warm| warm.iter().position(|(d, _)| d == digest).map(|i| warm.remove(i)));
    // The key moves back with the instance: no allocation for a reused one.
    let (key, mut instance, how) = match kept {
        Some((key, instance)) => (key, instance, Instance::Reused),
        None => match filter.warm(bounds) {
            Ok(instance) => (digest.to_string(), instance, Instance::Fresh),
            Err(fault) => return (Err(fault), Instance::Fresh),
        },
    };
    let result = instance.screen_bounded(upload, bounds);
    if !instance.retired(max_uses) {
        WARM.with_borrow_mut(|warm| {
            if warm.len() >= KEPT_PER_WORKER {
                warm.remove(0);
            }
            warm.push((key, instance));
        });
    }
    (result, how)
}
