//! Package-level normalizer options (issue #3): diacritic stripping is on by
//! default and can be turned off for languages where accents tell words apart.

use prescreen_core::{Compiler, Screener, Upload};

fn hits(manifest_extra: &str, text: &str) -> usize {
    let manifest = format!("name = \"o\"\nversion = \"1\"\n{manifest_extra}");
    let package =
        Compiler::new().compile_strs(&manifest, "id\tterm\tcategory\nc\tcafé\tfood\n").unwrap();
    Screener::new(package).unwrap().screen(&Upload::text("u", "FR", text)).unwrap().hits.len()
}

#[test]
fn accents_are_stripped_by_default() {
    assert_eq!(hits("", "le cafe"), 1);
    assert_eq!(hits("", "LE CAFÉ"), 1);
}

#[test]
fn accents_can_be_kept() {
    let keep = "strip_diacritics = false\n";
    assert_eq!(hits(keep, "LE CAFÉ"), 1);
    assert_eq!(hits(keep, "le cafe\u{301}"), 1, "decomposed accent");
    assert_eq!(hits(keep, "le cafe"), 0);
}

/// Issue #16: `default_mode` sets the mode of rows whose `mode` cell is empty, so a
/// package of an inflected language sets `stem` once; a row's own cell still wins.
#[test]
fn default_mode_applies_to_rows_without_a_mode() {
    let table =
        "id\tterm\tmode\tcategory\nd\tгарантированный доход\t\tscam\nw\tзакладка\tword\tdrugs\n";
    let ids = |manifest_extra: &str, text: &str| -> Vec<String> {
        let manifest = format!("name = \"o\"\nversion = \"1\"\n{manifest_extra}");
        let package = Compiler::new().compile_strs(&manifest, table).unwrap();
        let v = Screener::new(package).unwrap().screen(&Upload::text("u", "RU", text)).unwrap();
        v.hits.into_iter().map(|h| h.material_id).collect()
    };
    let text = "гарантированного дохода и закладки";
    assert!(ids("", text).is_empty(), "word mode by default");
    assert_eq!(ids("default_mode = \"stem\"\n", text), ["d"]);
    assert_eq!(ids("default_mode = \"stem\"\n", "закладка"), ["w"]);
    let err = Compiler::new()
        .compile_strs("name = \"o\"\nversion = \"1\"\ndefault_mode = \"rule\"\n", table)
        .unwrap_err();
    assert!(err.to_string().contains("default_mode cannot be rule"), "{err}");
}
