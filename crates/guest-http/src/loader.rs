//! The `prescreen:filter/loader` export (world `loadable` in `wit/filter.wit`), which
//! `prescreen build --http` calls once before snapshotting the instance.

// Generated with spin-sdk's own wit-bindgen, so the component carries one
// wit-bindgen runtime; wasm-component-ld merges this world with spin-sdk's.
spin_sdk::wit_bindgen::generate!({
    world: "loadable",
    path: "../wit/wit",
    runtime_path: "spin_sdk::wit_bindgen::rt",
});

struct Loader;

impl exports::prescreen::filter::loader::Guest for Loader {
    fn load(prebuilt: Vec<u8>) -> Result<(), String> {
        prescreen_guest_common::load(prebuilt)
    }
}

export!(Loader);
