//! The instance state wasmtime-wizer snapshots, read from our own store. wizer ships
//! such an adapter behind its `wasmtime` feature, but that feature turns on wasmtime's
//! compilation cache (zstd, built from C), GC, threads and WAVE for every crate that
//! links wasmtime, none of which prescreen uses (issue #12: a faster cold build).

use wasmtime::Store;
use wasmtime::component::{Instance, Lift, WasmList};
use wasmtime_wizer::ComponentInstanceState;

/// The pre-initialized instance wizer reads globals and memories from, through the
/// accessor functions it instrumented the component with.
pub(crate) struct InstanceState<'a, T: 'static> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Instance,
}

impl<T: Send> InstanceState<'_, T> {
    /// Calls the instrumented accessor `instance#func` and hands its result to `read`.
    /// The accessors are wizer's own exports: one missing is a wizer bug, not bad input,
    /// and the trait's calls cannot return an error, hence the panics.
    async fn call<R, Out>(
        &mut self,
        instance: &str,
        func: &str,
        read: impl FnOnce(&mut Store<T>, R) -> Out,
    ) -> Out
    where
        R: Lift + Send + Sync + 'static,
    {
        let store = &mut *self.store;
        let exported = self.instance.get_export_index(&mut *store, None, instance);
        let exported = exported.unwrap_or_else(|| panic!("wizer's accessor {instance} is missing"));
        let func_index = self.instance.get_export_index(&mut *store, Some(&exported), func);
        let func_index =
            func_index.unwrap_or_else(|| panic!("wizer's accessor {instance}#{func} is missing"));
        let typed = self.instance.get_typed_func::<(), (R,)>(&mut *store, func_index);
        let typed = typed.unwrap_or_else(|e| panic!("wizer's accessor {instance}#{func}: {e}"));
        let (ret,) = typed
            .call_async(&mut *store, ())
            .await
            .unwrap_or_else(|e| panic!("wizer's accessor {instance}#{func} trapped: {e}"));
        read(store, ret)
    }
}

impl<T: Send> ComponentInstanceState for InstanceState<'_, T> {
    async fn call_func_ret_list_u8(
        &mut self,
        instance: &str,
        func: &str,
        contents: impl FnOnce(&[u8]) + Send,
    ) {
        self.call(instance, func, |store, list: WasmList<u8>| contents(list.as_le_slice(&store)))
            .await
    }

    async fn call_func_ret_s32(&mut self, instance: &str, func: &str) -> i32 {
        self.call(instance, func, |_, v: i32| v).await
    }

    async fn call_func_ret_s64(&mut self, instance: &str, func: &str) -> i64 {
        self.call(instance, func, |_, v: i64| v).await
    }

    async fn call_func_ret_f32(&mut self, instance: &str, func: &str) -> u32 {
        self.call(instance, func, |_, v: f32| v.to_bits()).await
    }

    async fn call_func_ret_f64(&mut self, instance: &str, func: &str) -> u64 {
        self.call(instance, func, |_, v: f64| v.to_bits()).await
    }
}
