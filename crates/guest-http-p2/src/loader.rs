//! The `prescreen:filter/loader` export (world `loadable` in `wit/filter.wit`), which
//! `prescreen build --http=p2` calls once before snapshotting the instance.

wit_bindgen::generate!({
    world: "loadable",
    path: "../wit/wit",
});

struct Loader;

impl exports::prescreen::filter::loader::Guest for Loader {
    fn load(prebuilt: Vec<u8>) -> Result<(), String> {
        prescreen_guest_common::load(prebuilt)
    }
}

export!(Loader);
