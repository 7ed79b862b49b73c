//! Running filter components: one [`Runtime`] per process (engine, linker, pooling
//! allocator), one [`Filter`] per loaded component (compiled once, pre-instantiated),
//! and a fresh store and instance per request, as Spin does per HTTP request.
//! Copy-on-write memory images make that fresh instance cheap: the package's matcher
//! is mapped, not copied.
//!
//! A gateway that must stay up whatever an upload does (`prescreen serve`) uses
//! [`Runtime::interruptible`] and [`Filter::screen_bounded`]: each request then runs
//! under a wall-clock deadline (epoch interruption) and a memory cap (a store
//! limiter), and a runaway request ends in a typed [`Fault`] instead of a stuck or
//! bloated worker.

use crate::bindings::{FilterPre, wit};
use anyhow::{Context, Result, bail};
use prescreen_core::{Limits, MaterialInfo, PackageInfo, ScreenError, Upload, Verdict};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{
    Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ResourceLimiter,
    Store, Trap,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// Instances that can be live at once; each reserves address space, not memory.
const POOL_INSTANCES: u32 = 256;
/// Largest linear memory of one instance: a 1M-term package's matcher plus room for
/// the largest upload the limits allow.
pub(crate) const MAX_MEMORY_BYTES: usize = 1 << 30;
/// Linear memory kept mapped per instance slot between fresh instances: the 100k-term
/// package's image (21 MiB) plus its per-request heap. Measured (`--bench latency`,
/// 100k terms, 2 KB ad, fresh instance from a `.cwasm`): none kept, p50 227 us / p99
/// 464 us; 32 MiB kept, p50 101 us / p99 150 us; 64 MiB, p50 101 us / p99 130 us.
/// The kernel's page-table scan of the kept range is then a fifth of the request.
/// That was one ad repeated: under varied traffic the pages read stay mapped until
/// they are most of the matcher, and the scan alone costs ~140 us per request for
/// that package (benches/README.md, session 4; `warm.rs` is the way around it).
/// Costs up to this much resident memory per slot in use.
pub const KEEP_RESIDENT_BYTES: usize = 32 << 20;

/// Epoch deadline of stores that have no request deadline (loading, the CLI, a
/// [`Session`]): far enough that it never fires, small enough that adding the
/// engine's current epoch cannot overflow.
const NO_DEADLINE_TICKS: u64 = 1 << 62;
/// wasmtime's own default wasm call-stack bound (512 KiB): the guest's deepest path
/// (image decoding) is far below it.
pub const DEFAULT_MAX_WASM_STACK: usize = 512 << 10;

/// Per-request host state: the guest imports WASI (as every wasm32-wasip2 program
/// does), so each store carries an empty WASI context: no files, no env, no network.
pub(crate) struct Ctx {
    wasi: WasiCtx,
    table: ResourceTable,
    /// Only consulted in stores `Filter::bounded_store` made (its limiter).
    pub(crate) cap: MemoryCap,
}

impl Ctx {
    pub(crate) fn new() -> Ctx {
        Ctx {
            wasi: WasiCtx::builder().build(),
            table: ResourceTable::new(),
            cap: MemoryCap::new(usize::MAX),
        }
    }
}

impl WasiView for Ctx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Refuses linear-memory growth past `max` bytes and remembers that it did, so a
/// trap that follows (the guest's allocator aborts when `memory.grow` fails) is
/// reported as what it is: the memory limit, not a bug in the guest.
pub(crate) struct MemoryCap {
    pub(crate) max: usize,
    /// The size the instance asked for when it was refused.
    pub(crate) refused: Option<usize>,
    /// The linear memory's size after the last growth allowed (the initial size
    /// counts as one): how much a reused instance has grown (`warm.rs`).
    pub(crate) current: usize,
}

impl MemoryCap {
    fn new(max: usize) -> MemoryCap {
        MemoryCap { max, refused: None, current: 0 }
    }
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Also called for the initial size when an instance is created, so a memory
        // image larger than the cap is refused at instantiation.
        if desired > self.max {
            self.refused = Some(desired);
            return Ok(false);
        }
        self.current = desired;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        _desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Tables hold function references: tiny, and bounded by the pooling allocator.
        Ok(true)
    }
}

/// Per-request bounds for [`Filter::screen_bounded`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// Epoch ticks the request may run: the caller increments the engine's epoch
    /// (see [`Runtime::interruptible`]) and picks the tick length.
    pub deadline_ticks: u64,
    /// Largest linear memory the instance may have, in bytes (its initial memory
    /// image included).
    pub max_memory_bytes: usize,
}

/// Why a bounded request ended without an answer from the component. Never the
/// upload's fault in a way the component could report: those are `ScreenError`s.
#[derive(Debug)]
pub enum Fault {
    /// The deadline passed (epoch interruption).
    Timeout,
    /// The instance asked for more linear memory than the cap allows.
    Memory {
        /// The cap, in bytes.
        limit: usize,
        /// The memory size the instance asked for, in bytes.
        requested: usize,
    },
    /// The guest trapped for another reason (a bug in the component).
    Trap(String),
    /// The host could not run the request (e.g. no free instance slot).
    Host(anyhow::Error),
}

impl Fault {
    /// Short name of the fault, as used in JSON errors and metric labels.
    pub fn kind(&self) -> &'static str {
        match self {
            Fault::Timeout => "timeout",
            Fault::Memory { .. } => "memory",
            Fault::Trap(_) => "trap",
            Fault::Host(_) => "host",
        }
    }

    pub(crate) fn classify(error: wasmtime::Error, cap: &MemoryCap) -> Fault {
        // The memory refusal comes first: the trap it causes (an abort in the guest's
        // allocator) is only its consequence.
        if let Some(requested) = cap.refused {
            return Fault::Memory { limit: cap.max, requested };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => Fault::Timeout,
            Some(trap) => Fault::Trap(trap.to_string()),
            None => Fault::Host(anyhow::Error::from(error)),
        }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Timeout => f.write_str("the request ran past its deadline"),
            Fault::Memory { limit, requested } => {
                write!(
                    f,
                    "the instance asked for {requested} bytes of memory, over the {limit}-byte limit"
                )
            }
            Fault::Trap(trap) => write!(f, "the component trapped: {trap}"),
            Fault::Host(e) => write!(f, "the host could not run the request: {e:#}"),
        }
    }
}

impl std::error::Error for Fault {}

/// The process-wide engine and linker. Build once; load any number of filters.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    linker: Linker<Ctx>,
    /// Bytes of each memory slot kept resident between instances (0: all released).
    keep_resident: usize,
}

impl Runtime {
    /// An engine with the pooling allocator and copy-on-write memory images, keeping
    /// [`KEEP_RESIDENT_BYTES`] of each instance slot resident between instances.
    pub fn new() -> Result<Runtime> {
        Runtime::build(false, KEEP_RESIDENT_BYTES, DEFAULT_MAX_WASM_STACK)
    }

    /// Like [`Runtime::new`], plus epoch interruption compiled into every component,
    /// so [`Filter::screen_bounded`] can stop a request at its deadline. The caller
    /// drives time by calling `engine().increment_epoch()` (e.g. every millisecond).
    ///
    /// A separate configuration rather than the default because the instrumented
    /// code checks the epoch at every function entry and loop back-edge, and every
    /// store must then carry a deadline. Precompiled files must come from the same
    /// configuration: a `.cwasm` from [`Runtime::new`] is refused by this engine and
    /// the other way round (wasmtime checks).
    ///
    /// `keep_resident_bytes` of each instance slot's linear memory stay mapped
    /// between instances, and only the pages an instance wrote are restored from the
    /// memory image, found with the kernel's `PAGEMAP_SCAN` (Linux 6.7+; without it
    /// nothing is kept, since restoring the whole range by copy costs milliseconds
    /// for a large package). Pages merely read (the matcher) then stay mapped and a
    /// fresh instance takes no page faults on them. Measured under `prescreen
    /// serve` load on the project's 2-core VM (crates/gateway/SERVE.md): 64 MiB kept took the
    /// sample package from 8.1k to 23.6k requests/s and a 100k-term package from
    /// 3.2k to 9.7k. The cost is resident memory: up to that much per slot in use.
    pub fn interruptible(keep_resident_bytes: usize) -> Result<Runtime> {
        Runtime::build(true, keep_resident_bytes, DEFAULT_MAX_WASM_STACK)
    }

    /// [`Runtime::interruptible`] with another bound on the wasm call stack of each
    /// request: a guest that recurses past it traps (stack overflow), and the
    /// request gets a `trap` fault rather than the host running out of stack.
    pub fn interruptible_with_stack(
        keep_resident_bytes: usize,
        max_wasm_stack: usize,
    ) -> Result<Runtime> {
        Runtime::build(true, keep_resident_bytes, max_wasm_stack)
    }

    /// Bytes of each memory slot kept resident between instances (0 when the
    /// kernel has no `PAGEMAP_SCAN` or none were asked for).
    pub fn keep_resident(&self) -> usize {
        self.keep_resident
    }

    fn build(epochs: bool, keep_resident: usize, max_wasm_stack: usize) -> Result<Runtime> {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(POOL_INSTANCES)
            .total_core_instances(POOL_INSTANCES * 4)
            .total_memories(POOL_INSTANCES)
            .total_tables(POOL_INSTANCES * 4)
            .total_stacks(POOL_INSTANCES)
            .max_memory_size(MAX_MEMORY_BYTES);
        // Memory is kept resident with `pagemap_scan` switched on explicitly: wasmtime's
        // default is off, and then every reset copies the whole kept range back from
        // the image (issue #2's first try measured that: 64 MiB kept cost 3 ms per
        // reset for a 100k-term package). With it on, a reset restores only the pages
        // the instance wrote, and pages it only read (the matcher) stay mapped.
        let keep_resident =
            if keep_resident > 0 && PoolingAllocationConfig::is_pagemap_scan_available() {
                pool.pagemap_scan(Enabled::Yes).linear_memory_keep_resident(keep_resident);
                keep_resident
            } else {
                0
            };
        let mut config = Config::new();
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        config.memory_init_cow(true);
        // A snapshot's live data sits at both ends of the heap the matcher build grew
        // (a 100k-term package: 37 MiB of data over 160 MiB). Past 16 MiB wasmtime
        // would refuse such a sparse image and copy the data segments on every
        // instantiation (measured: 18 ms per request instead of microseconds); an
        // image's zero pages cost nothing, so always use one.
        config.memory_guaranteed_dense_image_size(MAX_MEMORY_BYTES as u64);
        config.epoch_interruption(epochs);
        config.max_wasm_stack(max_wasm_stack);
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Ok(Runtime { engine, linker, keep_resident })
    }

    /// The wasmtime engine (epoch ticks, precompilation checks).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub(crate) fn linker(&self) -> &Linker<Ctx> {
        &self.linker
    }

    /// Compiles a built component and asks it what it holds. Fails if it is not a
    /// prescreen filter or holds no package.
    pub fn load(&self, component: &[u8]) -> Result<Filter> {
        self.filter_of(&self.compile(component)?)
    }

    /// Compiles a component to native code once, for [`Runtime::load_precompiled`].
    pub fn precompile(&self, component: &[u8]) -> Result<Vec<u8>> {
        Ok(self.engine.precompile_component(component)?)
    }

    /// Loads a component [`Runtime::precompile`] wrote to `path`, by mapping the
    /// file: no compilation, and the memory image is backed by the file itself.
    ///
    /// # Safety
    /// `path` must hold the output of `precompile` by this build of prescreen: the
    /// file is trusted as native code (wasmtime's `deserialize_file` contract), and
    /// must not change while loaded.
    pub unsafe fn load_precompiled(&self, path: &std::path::Path) -> Result<Filter> {
        // SAFETY: the caller's contract.
        let compiled = unsafe { Component::deserialize_file(&self.engine, path) }
            .map_err(anyhow::Error::from)?;
        self.filter_of(&compiled)
    }

    /// Compiles a component without asking for its package: for the guest as built,
    /// before `prescreen build` loads a package into it (benchmarks measure what
    /// pre-initialization saves with it).
    pub fn load_empty(&self, component: &[u8]) -> Result<Filter> {
        Ok(Filter { pre: self.pre_of(&self.compile(component)?)?, info: None })
    }

    fn compile(&self, component: &[u8]) -> Result<Component> {
        // Clear answers for what people actually pass by mistake (issue #15).
        if component.is_empty() {
            bail!("the file is empty, not a component");
        }
        if !component.starts_with(b"\0asm") {
            bail!("not a WebAssembly component (no `\\0asm` header)");
        }
        Component::new(&self.engine, component)
            .map_err(anyhow::Error::from)
            .context("not a valid component")
    }

    fn pre_of(&self, compiled: &Component) -> Result<FilterPre<Ctx>> {
        let not_a_filter = "the component does not implement the prescreen:filter world";
        let exports_http = compiled
            .component_type()
            .exports(&self.engine)
            .any(|(name, _)| name.starts_with("wasi:http/"));
        if exports_http {
            bail!(
                "{not_a_filter}: it is an HTTP component (`prescreen build --http`); serve it with `wasmtime serve` or Spin (`prescreen info` reads it)"
            );
        }
        let pre = self
            .linker
            .instantiate_pre(compiled)
            .map_err(anyhow::Error::from)
            .context(not_a_filter)?;
        FilterPre::new(pre).map_err(anyhow::Error::from).context(not_a_filter)
    }

    fn filter_of(&self, compiled: &Component) -> Result<Filter> {
        let mut filter = Filter { pre: self.pre_of(compiled)?, info: None };
        let info = {
            let mut store = filter.store();
            let instance = filter.pre.instantiate(&mut store)?;
            match instance.prescreen_filter_screener().call_info(&mut store)? {
                Ok(info) => PackageInfo::from(info),
                Err(wit::ScreenError::NotLoaded) => {
                    bail!("the component holds no package (not built by `prescreen build`)")
                }
                Err(e) => bail!("info failed: {}", ScreenError::from(e)),
            }
        };
        filter.info = Some(info);
        Ok(filter)
    }

    /// Loads a component file: a `.wasm` from `prescreen build`, or a precompiled
    /// `.cwasm` from `prescreen precompile`, told by its name (trusted like any native
    /// binary you run, see [`Runtime::load_precompiled`]). Native code in a file not
    /// named `.cwasm` is refused (issue #15).
    pub fn load_file(&self, path: &std::path::Path) -> Result<Filter> {
        let bytes = read_component_file(path)?;
        let named_cwasm = path.extension().is_some_and(|e| e == "cwasm");
        let native = bytes.starts_with(b"\x7fELF");
        if named_cwasm && native {
            // SAFETY: the documented contract of `prescreen precompile` files;
            // wasmtime still refuses files from another version or configuration.
            return unsafe { self.load_precompiled(path) }
                .with_context(|| format!("cannot load {}", path.display()));
        }
        let why = if native {
            "holds native code: only files named .cwasm are loaded as precompiled components"
        } else if named_cwasm {
            "is named .cwasm but does not hold `prescreen precompile` output"
        } else {
            return self.load(&bytes).with_context(|| format!("cannot load {}", path.display()));
        };
        bail!("{} {why}", path.display())
    }
}

/// Largest component file [`Runtime::load_file`] reads: the pooling allocator's
/// largest memory, so a bigger component would not instantiate anyway.
pub const MAX_COMPONENT_FILE_BYTES: u64 = 1 << 30;

/// Reads a component file (`.wasm` or `.cwasm`), counting while reading: `/dev/zero`
/// or a pipe has no size to check beforehand (issue #15).
pub fn read_component_file(path: &std::path::Path) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let cannot = || format!("cannot read {}", path.display());
    let mut file = std::fs::File::open(path).with_context(cannot)?;
    // The header first: random bytes or a device are refused before the rest is read.
    let mut bytes = Vec::new();
    (&mut file).take(4).read_to_end(&mut bytes).with_context(cannot)?;
    if bytes.is_empty() {
        bail!("{} is empty, not a component", path.display());
    }
    if bytes != b"\0asm" && bytes != b"\x7fELF" {
        bail!("{} is not a WebAssembly component (no `\\0asm` header)", path.display());
    }
    file.take(MAX_COMPONENT_FILE_BYTES + 1 - 4).read_to_end(&mut bytes).with_context(cannot)?;
    if bytes.len() as u64 > MAX_COMPONENT_FILE_BYTES {
        bail!("{} is over the {MAX_COMPONENT_FILE_BYTES}-byte component limit", path.display());
    }
    Ok(bytes)
}

/// A loaded filter component, ready to screen uploads. Cheap to share across threads.
#[derive(Clone)]
pub struct Filter {
    pre: FilterPre<Ctx>,
    info: Option<PackageInfo>,
}

impl Filter {
    fn store(&self) -> Store<Ctx> {
        let mut store = Store::new(self.pre.engine(), Ctx::new());
        // Without effect unless the engine is interruptible; there, a store without a
        // deadline would trap at the first function call.
        store.set_epoch_deadline(NO_DEADLINE_TICKS);
        store
    }

    /// A store under `bounds`: the memory cap installed as its limiter, the deadline
    /// counted from now.
    pub(crate) fn bounded_store(&self, bounds: Bounds) -> Store<Ctx> {
        let mut store = self.store();
        store.data_mut().cap = MemoryCap::new(bounds.max_memory_bytes);
        store.limiter(|ctx| &mut ctx.cap);
        store.set_epoch_deadline(bounds.deadline_ticks);
        store
    }

    pub(crate) fn pre(&self) -> &FilterPre<Ctx> {
        &self.pre
    }

    /// What the component holds (`None` for [`Runtime::load_empty`]).
    pub fn info(&self) -> Option<&PackageInfo> {
        self.info.as_ref()
    }

    /// Screens one upload in a fresh instance, which is dropped afterwards. The outer
    /// error is the host's (e.g. a trap); the inner one is the component's typed answer.
    pub fn screen(&self, upload: &Upload) -> Result<Result<Verdict, ScreenError>> {
        // Checked before copying the upload into the guest, so an oversized upload
        // costs the host nothing; the guest checks the same limits again.
        if let Err(e) = Limits::default().check(upload) {
            return Ok(Err(e));
        }
        let mut store = self.store();
        let instance = self.pre.instantiate(&mut store)?;
        let upload = wit::Upload::from(upload.clone());
        let answer = instance.prescreen_filter_screener().call_screen(&mut store, &upload)?;
        Ok(answer.map(Verdict::from).map_err(ScreenError::from))
    }

    /// Screens one upload in a fresh instance under `bounds`: the deadline applies
    /// from the moment the store is created (instantiation included), the memory cap
    /// to the instance's whole linear memory. Takes the upload by value: it is moved,
    /// not copied, into the guest's types.
    ///
    /// `Ok` holds the component's answer (a verdict or its typed error), `Err` a
    /// [`Fault`]; the filter stays usable after either.
    pub fn screen_bounded(
        &self,
        upload: Upload,
        bounds: Bounds,
    ) -> std::result::Result<Result<Verdict, ScreenError>, Fault> {
        if let Err(e) = Limits::default().check(&upload) {
            return Ok(Err(e));
        }
        let mut store = self.bounded_store(bounds);
        let upload = wit::Upload::from(upload);
        let answer = self.pre.instantiate(&mut store).and_then(|instance| {
            instance.prescreen_filter_screener().call_screen(&mut store, &upload)
        });
        match answer {
            Ok(answer) => Ok(answer.map(Verdict::from).map_err(ScreenError::from)),
            Err(e) => Err(Fault::classify(e, &store.data().cap)),
        }
    }

    /// Every material the component holds, in source order (one fresh instance).
    pub fn materials(&self) -> Result<Vec<MaterialInfo>> {
        let mut store = self.store();
        let instance = self.pre.instantiate(&mut store)?;
        let answer = instance.prescreen_filter_screener().call_materials(&mut store)?;
        let list = answer.map_err(|e| {
            anyhow::anyhow!("the component cannot list its materials: {}", ScreenError::from(e))
        })?;
        Ok(list.into_iter().map(MaterialInfo::from).collect())
    }

    /// An instance kept warm for repeated requests: what a long-lived worker would
    /// do instead of instantiating per request (benchmarks compare the two).
    pub fn session(&self) -> Result<Session> {
        let mut store = self.store();
        let instance = self.pre.instantiate(&mut store)?;
        Ok(Session { store, instance })
    }
}

/// One instance, reused across requests.
pub struct Session {
    store: Store<Ctx>,
    instance: crate::bindings::Filter,
}

impl Session {
    /// Screens `upload` in this session's instance, like [`Filter::screen`].
    pub fn screen(&mut self, upload: &Upload) -> Result<Result<Verdict, ScreenError>> {
        let upload = wit::Upload::from(upload.clone());
        let answer =
            self.instance.prescreen_filter_screener().call_screen(&mut self.store, &upload)?;
        Ok(answer.map(Verdict::from).map_err(ScreenError::from))
    }

    /// Calls the component's `load` with prebuilt matcher bytes
    /// (`Screener::to_prebuilt`): for the empty guest, to measure what
    /// pre-initialization saves.
    pub fn load(&mut self, prebuilt: &[u8]) -> Result<()> {
        self.instance
            .prescreen_filter_loader()
            .call_load(&mut self.store, prebuilt)?
            .map_err(|e| anyhow::anyhow!("load failed: {e}"))
    }
}
