//! Running filter components: one [`Runtime`] per process (engine, linker, pooling
//! allocator), one [`Filter`] per loaded component (compiled once, pre-instantiated),
//! and a fresh store and instance per request, as Spin does per HTTP request.
//! Copy-on-write memory images make that fresh instance cheap: the package's matcher
//! is mapped, not copied.

use crate::bindings::{FilterPre, wit};
use anyhow::{Context, Result, bail};
use prescreen_core::{Limits, PackageInfo, ScreenError, Upload, Verdict};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// Instances that can be live at once; each reserves address space, not memory.
const POOL_INSTANCES: u32 = 256;
/// Largest linear memory of one instance: a 1M-term package's matcher plus room for
/// the largest upload the limits allow.
const MAX_MEMORY_BYTES: usize = 1 << 30;

/// Per-request host state: the guest imports WASI (as every wasm32-wasip2 program
/// does), so each store carries an empty WASI context: no files, no env, no network.
pub(crate) struct Ctx {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl Ctx {
    pub(crate) fn new() -> Ctx {
        Ctx { wasi: WasiCtx::builder().build(), table: ResourceTable::new() }
    }
}

impl WasiView for Ctx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// The process-wide engine and linker. Build once; load any number of filters.
#[derive(Clone)]
pub struct Runtime {
    engine: Engine,
    linker: Linker<Ctx>,
}

impl Runtime {
    /// An engine with the pooling allocator and copy-on-write memory images.
    pub fn new() -> Result<Runtime> {
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(POOL_INSTANCES)
            .total_core_instances(POOL_INSTANCES * 4)
            .total_memories(POOL_INSTANCES)
            .total_tables(POOL_INSTANCES * 4)
            .total_stacks(POOL_INSTANCES)
            .max_memory_size(MAX_MEMORY_BYTES);
        // `linear_memory_keep_resident` is left at 0 on purpose: measured with the
        // kernel's PAGEMAP_SCAN (6.18 here), keeping 4 MiB resident cost ~20 us per
        // reset and more with size (64 MiB: 3 ms for a 100k-term package), more than
        // the page faults it saves.
        let mut config = Config::new();
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        config.memory_init_cow(true);
        // A snapshot's live data sits at both ends of the heap the matcher build grew
        // (a 100k-term package: 37 MiB of data over 160 MiB). Past 16 MiB wasmtime
        // would refuse such a sparse image and copy the data segments on every
        // instantiation (measured: 18 ms per request instead of microseconds); an
        // image's zero pages cost nothing, so always use one.
        config.memory_guaranteed_dense_image_size(MAX_MEMORY_BYTES as u64);
        let engine = Engine::new(&config)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Ok(Runtime { engine, linker })
    }

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
        let compiled = unsafe { Component::deserialize_file(&self.engine, path) }.map_err(anyhow::Error::from)?;
        self.filter_of(&compiled)
    }

    /// Compiles a component without asking for its package: for the guest as built,
    /// before `prescreen build` loads a package into it (benchmarks measure what
    /// pre-initialization saves with it).
    pub fn load_empty(&self, component: &[u8]) -> Result<Filter> {
        Ok(Filter { pre: self.pre_of(&self.compile(component)?)?, info: None })
    }

    fn compile(&self, component: &[u8]) -> Result<Component> {
        Component::new(&self.engine, component).map_err(anyhow::Error::from).context("not a valid component")
    }

    fn pre_of(&self, compiled: &Component) -> Result<FilterPre<Ctx>> {
        FilterPre::new(self.linker.instantiate_pre(compiled)?)
            .map_err(anyhow::Error::from)
            .context("the component does not implement the prescreen:filter world")
    }

    fn filter_of(&self, compiled: &Component) -> Result<Filter> {
        let mut filter = Filter { pre: self.pre_of(compiled)?, info: None };
        let info = {
            let mut store = filter.store();
            let instance = filter.pre.instantiate(&mut store)?;
            match instance.prescreen_filter_screener().call_info(&mut store)? {
                Ok(info) => PackageInfo::from(info),
                Err(wit::ScreenError::NotLoaded) => bail!("the component holds no package (not built by `prescreen build`)"),
                Err(e) => bail!("info failed: {}", ScreenError::from(e)),
            }
        };
        filter.info = Some(info);
        Ok(filter)
    }

    /// Loads a component file: a `.wasm` from `prescreen build`, or a precompiled
    /// `.cwasm` from `prescreen precompile` (recognised by its ELF header; trusted
    /// like any native binary you run, see [`Runtime::load_precompiled`]).
    pub fn load_file(&self, path: &std::path::Path) -> Result<Filter> {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        if bytes.starts_with(b"\x7fELF") {
            // SAFETY: the documented contract of `prescreen precompile` files;
            // wasmtime still refuses files from another version or configuration.
            return unsafe { self.load_precompiled(path) }.with_context(|| format!("cannot load {}", path.display()));
        }
        self.load(&bytes).with_context(|| format!("cannot load {}", path.display()))
    }
}

/// A loaded filter component, ready to screen uploads. Cheap to share across threads.
#[derive(Clone)]
pub struct Filter {
    pre: FilterPre<Ctx>,
    info: Option<PackageInfo>,
}

impl Filter {
    fn store(&self) -> Store<Ctx> {
        Store::new(self.pre.engine(), Ctx::new())
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
    pub fn screen(&mut self, upload: &Upload) -> Result<Result<Verdict, ScreenError>> {
        let upload = wit::Upload::from(upload.clone());
        let answer = self.instance.prescreen_filter_screener().call_screen(&mut self.store, &upload)?;
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
