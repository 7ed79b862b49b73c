//! The shared table (`packages/testdata/cases.json`) through the built component in
//! wasmtime: the same cases `crates/core/tests/table.rs` runs natively.

use prescreen_testkit::cases;

use prescreen_core::Compiler;
use prescreen_runtime::{Runtime, compile};

#[test]
fn table_through_component() {
    let package = Compiler::new().compile_dir(&cases::package_dir()).unwrap();
    let runtime = Runtime::new().unwrap();
    let built = compile::compile(&runtime, &package).unwrap();
    let filter = runtime.load(&built.component).unwrap();
    let failures: Vec<String> = cases::load()
        .iter()
        .filter_map(|case| cases::check(case, &filter.screen(&case.upload).unwrap().unwrap()).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
