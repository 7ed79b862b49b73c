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
