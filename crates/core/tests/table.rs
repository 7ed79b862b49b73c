//! The shared table (`packages/testdata/cases.json`) against the native core.

#[path = "../../../packages/testdata/cases.rs"]
mod cases;

use prescreen_core::{Compiler, Screener};

#[test]
fn table_native() {
    let package = Compiler::new().compile_dir(&cases::package_dir()).unwrap();
    assert_eq!(package.disabled, 1);
    let screener = Screener::new(package).unwrap();
    let failures: Vec<String> = cases::load()
        .iter()
        .filter_map(|case| cases::check(case, &screener.screen(&case.upload).unwrap()).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
