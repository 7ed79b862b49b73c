//! The built component as a gateway sees it: typed errors for bad uploads, package
//! info, fresh instances per request, reproducible and compact builds.

use prescreen_core::{Compiler, Package, ScreenError, Screener, Upload};
use prescreen_runtime::{Filter, Runtime, compile};
use std::sync::OnceLock;

const MANIFEST: &str = "name = \"t\"\nversion = \"1\"\n";
const TABLE: &str = "id\tterm\tcategory\taction\ncasino\tcasino\tgambling\tblock\nkazino\tказино\tgambling\tblock\n";

fn package() -> Package {
    Compiler::new().built_at(1_700_000_000).unwrap().compile_strs(MANIFEST, TABLE).unwrap()
}

fn filter() -> &'static (Runtime, Filter, Vec<u8>) {
    static FILTER: OnceLock<(Runtime, Filter, Vec<u8>)> = OnceLock::new();
    FILTER.get_or_init(|| {
        let runtime = Runtime::new().unwrap();
        let built = compile::compile(&runtime, &package()).unwrap();
        let filter = runtime.load(&built.component).unwrap();
        (runtime, filter, built.component)
    })
}

#[test]
fn info_reports_the_baked_package() {
    let info = filter().1.info().unwrap();
    let native = Screener::new(package()).unwrap();
    assert_eq!(info.name, "t");
    assert_eq!(info.text_materials, 2);
    assert_eq!(info.built_at, "2023-11-14T22:13:20Z");
    assert_eq!(info.digest, native.info().digest);
}

#[test]
fn fresh_instance_per_request_keeps_answering() {
    let f = &filter().1;
    for i in 0..200 {
        let v = f.screen(&Upload::text(&format!("u{i}"), "RU", "Казино!")).unwrap().unwrap();
        assert_eq!(v.upload_id, format!("u{i}"));
        assert_eq!(v.hits[0].material_id, "kazino");
    }
}

#[test]
fn oversized_field_is_a_typed_error_from_host_and_guest() {
    let (_, f, _) = filter();
    let upload = Upload::text("big", "US", &"casino ".repeat(20_000));
    let want = ScreenError::TooLarge { limit: "field-bytes".into(), max: 65_536, actual: 140_000 };
    // The host refuses before copying into the guest...
    assert_eq!(f.screen(&upload).unwrap().unwrap_err(), want);
    // ...and the guest refuses on its own when called directly.
    let mut session = f.session().unwrap();
    assert_eq!(session.screen(&upload).unwrap().unwrap_err(), want);
    // The instance survives and keeps answering.
    assert!(session.screen(&Upload::text("ok", "US", "casino")).unwrap().is_ok());
}

#[test]
fn invalid_upload_fields_are_typed_errors() {
    let f = &filter().1;
    assert!(matches!(
        f.screen(&Upload::text("", "US", "x")).unwrap(),
        Err(ScreenError::InvalidInput { .. })
    ));
    assert!(matches!(
        f.screen(&Upload::text("u", "not a market", "x")).unwrap(),
        Err(ScreenError::InvalidInput { .. })
    ));
}

#[test]
fn same_inputs_give_the_same_bytes() {
    let (runtime, _, first) = filter();
    let again = compile::compile(runtime, &package()).unwrap();
    assert!(again.component == *first, "two builds of the same package differ");
}

#[test]
fn the_unloaded_guest_says_so() {
    let runtime = &filter().0;
    let err = runtime.load(prescreen_runtime::GUEST_WASM).err().expect("an empty guest is refused");
    assert!(format!("{err:#}").contains("holds no package"), "{err:#}");
    let empty = runtime.load_empty(prescreen_runtime::GUEST_WASM).unwrap();
    assert_eq!(empty.screen(&Upload::text("u", "US", "x")).unwrap(), Err(ScreenError::NotLoaded));
}

#[test]
fn a_built_component_refuses_a_second_load() {
    let mut session = filter().1.session().unwrap();
    let prebuilt = Screener::new(package()).unwrap().to_prebuilt();
    let err = session.load(&prebuilt).unwrap_err().to_string();
    assert!(err.contains("already loaded"), "{err}");
}

#[test]
fn corrupt_prebuilt_bytes_are_refused_at_build() {
    let runtime = &filter().0;
    let mut session = runtime.load_empty(prescreen_runtime::GUEST_WASM).unwrap().session().unwrap();
    let mut bytes = Screener::new(package()).unwrap().to_prebuilt();
    bytes[50] ^= 0xff;
    let err = session.load(&bytes).unwrap_err().to_string();
    assert!(err.contains("checksum mismatch"), "{err}");
}

#[test]
fn snapshot_stays_close_to_the_matcher_size() {
    // Regression for issue #2: a naive snapshot of a large matcher came out many
    // times its live size (147 MiB for 25 MiB measured). The bound: matcher plus
    // the guest's own code and data, within 2x.
    let (manifest, table) = prescreen_core::synth::package(20_000, 7);
    let package =
        Compiler::new().built_at(1_700_000_000).unwrap().compile_strs(&manifest, &table).unwrap();
    let built = compile::compile(&filter().0, &package).unwrap();
    let guest = prescreen_runtime::GUEST_WASM.len();
    assert!(
        built.component.len() <= 2 * built.matcher_bytes + guest,
        "component {} bytes for a {}-byte matcher (guest {guest})",
        built.component.len(),
        built.matcher_bytes
    );
}

#[test]
fn precompiled_file_screens_like_the_component() {
    let (runtime, f, component) = filter();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.cwasm");
    std::fs::write(&path, runtime.precompile(component).unwrap()).unwrap();
    let g = runtime.load_file(&path).unwrap();
    let u = Upload::text("u", "RU", "к а з и н о и casino");
    assert_eq!(f.screen(&u).unwrap(), g.screen(&u).unwrap());
    assert_eq!(f.info(), g.info());
}
