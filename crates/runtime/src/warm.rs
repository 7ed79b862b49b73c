//! A component instance reused across bounded requests: what `prescreen serve
//! --reuse-instances N` runs instead of a fresh instance per request.
//!
//! Why it exists: a fresh instance per request is wasmtime's and Spin's model, and
//! its cost grows with the package. After every request the pooling allocator scans
//! each page of the memory image that earlier requests read (`KEEP_RESIDENT_BYTES` in
//! `runtime.rs`); for a 100k-term package under varied traffic that reset alone is
//! ~140 us, ten times the screening (benches/README.md). A reused instance pays
//! neither the instantiation nor the reset.
//!
//! What it gives up: an upload no longer starts from the pristine snapshot. The guest
//! keeps nothing between calls (the matcher is read-only, a request's heap is freed
//! when the call returns), so verdicts are the same (`crates/runtime/tests/it/warm.rs`), but a
//! guest bug could carry state from one upload into the next, and heap an upload
//! grew stays with the instance. Hence the bounds: an instance is retired after a
//! number of uses, after any fault, and once it has grown [`RETIRE_GROWTH_BYTES`].

use crate::bindings::{Filter as Bindings, wit};
use crate::runtime::{Bounds, Ctx, Fault, Filter};
use prescreen_core::{Limits, ScreenError, Upload, Verdict};
use wasmtime::Store;

/// Growth of linear memory past the snapshot after which an instance is retired: a
/// large image upload grows the heap by its decoded pixels (~4 bytes a pixel), which
/// a reused instance would otherwise keep for good. 64 MiB is a 16-megapixel image.
pub const RETIRE_GROWTH_BYTES: usize = 64 << 20;

/// One instance and its store, serving bounded requests until retired.
pub struct WarmInstance {
    store: Store<Ctx>,
    instance: Bindings,
    /// Requests screened so far.
    uses: u32,
    /// Linear memory when instantiated (the snapshot's size).
    initial_memory: usize,
    /// A request ended in a fault: the instance may be mid-call state (a trap leaves
    /// wasmtime refusing further calls anyway) and must not serve again.
    faulted: bool,
}

impl Filter {
    /// Instantiates a [`WarmInstance`]; `bounds` apply to the instantiation.
    pub fn warm(&self, bounds: Bounds) -> Result<WarmInstance, Fault> {
        let mut store = self.bounded_store(bounds);
        match self.pre().instantiate(&mut store) {
            Ok(instance) => {
                let initial_memory = store.data().cap.current;
                Ok(WarmInstance { store, instance, uses: 0, initial_memory, faulted: false })
            }
            Err(e) => Err(Fault::classify(e, &store.data().cap)),
        }
    }
}

impl WarmInstance {
    /// Screens one upload under `bounds` (deadline counted from now, memory cap on
    /// the whole linear memory), as [`Filter::screen_bounded`] does in a fresh
    /// instance.
    pub fn screen_bounded(
        &mut self,
        upload: Upload,
        bounds: Bounds,
    ) -> Result<Result<Verdict, ScreenError>, Fault> {
        if let Err(e) = Limits::default().check(&upload) {
            return Ok(Err(e));
        }
        self.uses += 1;
        let cap = &mut self.store.data_mut().cap;
        cap.max = bounds.max_memory_bytes;
        cap.refused = None;
        self.store.set_epoch_deadline(bounds.deadline_ticks);
        let upload = wit::Upload::from(upload);
        match self.instance.prescreen_filter_screener().call_screen(&mut self.store, &upload) {
            Ok(answer) => Ok(answer.map(Verdict::from).map_err(ScreenError::from)),
            Err(e) => {
                self.faulted = true;
                Err(Fault::classify(e, &self.store.data().cap))
            }
        }
    }

    /// Requests screened by this instance.
    pub fn uses(&self) -> u32 {
        self.uses
    }

    /// Bytes the linear memory has grown since instantiation.
    pub fn growth(&self) -> usize {
        self.store.data().cap.current.saturating_sub(self.initial_memory)
    }

    /// Whether the instance must not serve another request: it faulted, served
    /// `max_uses` requests, or grew [`RETIRE_GROWTH_BYTES`].
    pub fn retired(&self, max_uses: u32) -> bool {
        self.faulted || self.uses >= max_uses || self.growth() >= RETIRE_GROWTH_BYTES
    }
}
