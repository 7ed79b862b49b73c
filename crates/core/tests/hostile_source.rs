//! Package sources and uploads written by an attacker (issue #15): paths outside the
//! package, files that never end, bytes that are not text, control characters, names
//! that multiply the answer, and matches that would be collected without bound.

use prescreen_core::{Compiler, Limits, Screener, Upload};
use std::path::Path;

const MANIFEST: &str = "name = \"hostile\"\nversion = \"1\"\n";
const TABLE: &str = "id\tterm\tcategory\taction\ng1\tcasino\tgambling\tblock\n";

/// A package directory holding `package.toml` and `materials.tsv` (as given).
fn package(manifest: &str, table: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("package.toml"), manifest).unwrap();
    std::fs::write(dir.path().join("materials.tsv"), table).unwrap();
    dir
}

fn compile_err(dir: &Path) -> String {
    match Compiler::new().compile_dir(dir) {
        Ok(_) => panic!("{} compiled", dir.display()),
        Err(e) => e.to_string(),
    }
}

/// A file outside the package, whose first line must never appear in an error.
fn secret() -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, b"root:SECRET-HASH:0:0\nid\tterm\tcategory\n").unwrap();
    f
}

/// Item 9: absolute paths, `..`, and symlinks (to files and directories) out of the
/// package are refused, and what they point at is never read into the error.
#[test]
fn package_paths_stay_inside_the_package() {
    let outside = secret();
    let abs = outside.path().display().to_string();
    let cases: Vec<(&str, String)> = vec![
        ("absolute table", format!("{MANIFEST}materials = [{abs:?}]\n")),
        ("dot-dot table", format!("{MANIFEST}materials = [\"../{}\"]\n", file_name(&abs))),
        (
            "hash list outside",
            format!(
                "{MANIFEST}[[hash_lists]]\nfile = {abs:?}\nid_prefix = \"x\"\ncategory = \"c\"\n"
            ),
        ),
    ];
    for (name, manifest) in cases {
        let dir = package(&manifest, TABLE);
        let e = compile_err(dir.path());
        assert!(e.contains("relative path inside the package"), "{name}: {e}");
        assert!(!e.contains("SECRET"), "{name} echoed the file: {e}");
    }
    // A symlink inside the package to a file outside it.
    let dir = package(&format!("{MANIFEST}materials = [\"link.tsv\"]\n"), TABLE);
    std::os::unix::fs::symlink(outside.path(), dir.path().join("link.tsv")).unwrap();
    let e = compile_err(dir.path());
    assert!(e.contains("leads outside the package directory"), "{e}");
    assert!(!e.contains("SECRET"), "{e}");
    // A symlinked directory leading out, with a path through it.
    let out_dir = tempfile::tempdir().unwrap();
    std::fs::write(out_dir.path().join("t.tsv"), "root:SECRET\n").unwrap();
    let dir = package(&format!("{MANIFEST}materials = [\"sub/t.tsv\"]\n"), TABLE);
    std::os::unix::fs::symlink(out_dir.path(), dir.path().join("sub")).unwrap();
    let e = compile_err(dir.path());
    assert!(e.contains("leads outside the package directory"), "{e}");
    // A symlink that stays inside is fine.
    let dir = package(&format!("{MANIFEST}materials = [\"alias.tsv\"]\n"), TABLE);
    std::os::unix::fs::symlink("materials.tsv", dir.path().join("alias.tsv")).unwrap();
    assert_eq!(Compiler::new().compile_dir(dir.path()).unwrap().materials.len(), 1);
}

fn file_name(path: &str) -> String {
    Path::new(path).file_name().unwrap().to_string_lossy().into_owned()
}

/// Items 4 and 7: a FIFO (which would block `check` forever), `/dev/zero` (which never
/// ends) and a directory are refused as tables and media sources, without reading.
#[test]
fn only_regular_files_are_read() {
    let fifo_dir = tempfile::tempdir().unwrap();
    let fifo = fifo_dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    let mut targets = vec![Path::new("/dev/zero").to_path_buf(), fifo_dir.path().to_path_buf()];
    if made.is_ok_and(|s| s.success()) {
        targets.push(fifo);
    } else {
        eprintln!("notice: mkfifo unavailable, FIFO case skipped");
    }
    for target in targets {
        // As a table, through a symlink inside the package: refused as outside.
        let dir = package(&format!("{MANIFEST}materials = [\"t.tsv\"]\n"), TABLE);
        std::os::unix::fs::symlink(&target, dir.path().join("t.tsv")).unwrap();
        let e = compile_err(dir.path());
        assert!(e.contains("outside the package"), "{}: {e}", target.display());
    }
    // Inside the package: a FIFO and a directory are not regular files.
    let dir = package(&format!("{MANIFEST}materials = [\"d\"]\n"), TABLE);
    std::fs::create_dir(dir.path().join("d")).unwrap();
    let e = compile_err(dir.path());
    assert!(e.contains("is not a regular file"), "{e}");
    let dir = package(&format!("{MANIFEST}materials = [\"f.tsv\"]\n"), TABLE);
    if std::process::Command::new("mkfifo")
        .arg(dir.path().join("f.tsv"))
        .status()
        .is_ok_and(|s| s.success())
    {
        let e = compile_err(dir.path());
        assert!(e.contains("is not a regular file"), "{e}");
    }
    // An image material whose source is a directory in the package.
    let dir = package(&format!("{MANIFEST}materials = []\nimages = [\"images.tsv\"]\n"), TABLE);
    std::fs::create_dir(dir.path().join("pic.jpg")).unwrap();
    std::fs::write(dir.path().join("images.tsv"), "id\tsource\tcategory\ni1\tpic.jpg\tc\n")
        .unwrap();
    let e = compile_err(dir.path());
    assert!(e.contains("images.tsv:2") && e.contains("is not a regular file"), "{e}");
}

/// Item 16: invalid UTF-8 names its file and line, and shows no bytes.
#[test]
fn invalid_utf8_names_file_and_line() {
    let dir = package(MANIFEST, TABLE);
    let mut bytes = TABLE.as_bytes().to_vec();
    bytes.extend_from_slice(b"g2\tpok\xFFer\tgambling\tblock\n");
    std::fs::write(dir.path().join("materials.tsv"), &bytes).unwrap();
    let e = compile_err(dir.path());
    assert!(e.contains("materials.tsv:3: not valid UTF-8 at byte 7 of the line"), "{e}");
    std::fs::write(dir.path().join("package.toml"), b"name = \"\xC3\"\n").unwrap();
    let e = compile_err(dir.path());
    assert!(e.contains("package.toml:1: not valid UTF-8"), "{e}");
}

/// Item 18 (text half) and item 14: control characters in any cell are refused by
/// column, and the refusal prints them escaped, never raw.
#[test]
fn control_characters_in_cells_are_refused() {
    for (cell, code) in
        [("cas\u{1b}[2Jino", "U+001B"), ("poker\u{7}", "U+0007"), ("a\u{85}b", "U+0085")]
    {
        let table = format!("{TABLE}g2\t{cell}\tgambling\tblock\n");
        let e = Compiler::new().compile_strs(MANIFEST, &table).unwrap_err().to_string();
        assert!(
            e.contains(&format!("materials.tsv:3: \"term\" holds control character {code}")),
            "{e}"
        );
        assert!(!e.chars().any(|c| c.is_control() && c != '\n'), "raw control character in {e:?}");
    }
    let table = format!("{TABLE}g2\tpoker\tgambling\tblock\n");
    let table = table.replace("category\taction", "category\taction\tnote")
        + "g3\tslots\tgambling\tblock\tsee \u{1b}]8;;x\n";
    let e = Compiler::new().compile_strs(MANIFEST, &table).unwrap_err().to_string();
    assert!(e.contains("\"note\" holds control character U+001B"), "{e}");
}

/// Item 15: a long cell is quoted in part, so an error is never a copy of its input.
#[test]
fn errors_quote_cells_in_part() {
    let long = "x".repeat(100_000);
    let table = format!("{TABLE}g2\tpoker\tgambling\t{long}\n");
    let e = Compiler::new().compile_strs(MANIFEST, &table).unwrap_err().to_string();
    assert!(e.len() < 300, "{} bytes: {}", e.len(), &e[..300]);
    let screener = Screener::new(Compiler::new().compile_strs(MANIFEST, TABLE).unwrap()).unwrap();
    let e = screener.screen(&Upload::text("u1", &long, "casino")).unwrap_err().to_string();
    assert!(e.len() < 200, "{} bytes", e.len());
}

/// Items 5 and 15: ids, field names and image names are bounded, so a name copied
/// into every hit cannot multiply the answer.
#[test]
fn names_are_bounded() {
    let screener = Screener::new(Compiler::new().compile_strs(MANIFEST, TABLE).unwrap()).unwrap();
    let long = "n".repeat(Limits::MAX_NAME_BYTES + 1);
    let mut upload = Upload::text(&long, "RU", "casino casino");
    let e = screener.screen(&upload).unwrap_err();
    assert_eq!(e.kind(), "too_large", "{e}");
    assert!(e.to_string().contains("id-bytes"), "{e}");
    upload.id = "u1".into();
    upload.fields[0].name = long.clone();
    let e = screener.screen(&upload).unwrap_err();
    assert!(e.to_string().contains("name-bytes"), "{e}");
    upload.fields[0].name = "n".repeat(Limits::MAX_NAME_BYTES);
    assert_eq!(screener.screen(&upload).unwrap().hits.len(), 2);
    upload.language = Some("l".repeat(Limits::MAX_LANGUAGE_BYTES + 1));
    assert!(screener.screen(&upload).unwrap_err().to_string().contains("language-bytes"));
}
