//! `prescreen lint` end to end: its exit codes (0 clean, 1 failing findings, 2 cannot
//! lint), `--deny warnings`, `--format json` and `--clean-corpus`, on temporary
//! packages and on the sample.

use std::process::Command;

/// `prescreen lint <args>` from the repository root: exit code, stdout, stderr.
fn lint(args: &[&str]) -> (Option<i32>, String, String) {
    let root = prescreen_testkit::root();
    let o = Command::new(env!("CARGO_BIN_EXE_prescreen"))
        .arg("lint")
        .args(args)
        .current_dir(root)
        .output()
        .unwrap();
    (o.status.code(), String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
}

/// A temporary package of one materials table.
fn package(materials: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.toml"), "name = \"t\"\nversion = \"1\"\n").unwrap();
    std::fs::write(dir.path().join("materials.tsv"), materials).unwrap();
    dir
}

const HEADER: &str = "id\tterm\tmode\tcategory\taction\n";

#[test]
fn warnings_pass_unless_denied_and_errors_fail() {
    // A duplicate is a warning.
    let dup = package(&format!(
        "{HEADER}a\tcasino\tword\tgambling\tblock\nb\tCasino\tword\tgambling\tblock\n"
    ));
    let dir = dup.path().to_str().unwrap();
    let (code, out, err) = lint(&[dir]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.starts_with("t: 2 materials, 0 error(s), 1 warning(s), 0 info\n"), "{out}");
    assert!(out.contains("materials.tsv:3: warning: duplicate of a (\"casino\", line 2)"), "{out}");
    assert_eq!(lint(&[dir, "--deny", "warnings"]).0, Some(1));

    // The same term with two actions is an error.
    let conflict = package(&format!(
        "{HEADER}a\tcasino\tword\tgambling\tblock\nb\tcasino\tword\tgambling\treview\n"
    ));
    let (code, out, err) = lint(&[conflict.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, Some(1), "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let f = &report["findings"][0];
    assert_eq!(
        (f["kind"].as_str(), f["severity"].as_str(), f["line"].as_u64()),
        (Some("conflict"), Some("error"), Some(3))
    );
    assert_eq!(f["related"][0]["id"], "a");
    assert!(f["fix"].as_str().unwrap().starts_with("keep one row"));
}

#[test]
fn clean_corpus_evidence_in_json() {
    let pkg = package(&format!("{HEADER}bet\tbet\tprefix\tgambling\treview\n"));
    let corpus = pkg.path().join("corpus.jsonl");
    std::fs::write(
        &corpus,
        r#"{"upload": {"id": "c1", "market": "US", "fields": [{"name": "body", "text": "A better way"}]}, "label": "clean"}"#,
    )
    .unwrap();
    let (code, out, err) = lint(&[
        pkg.path().to_str().unwrap(),
        "--clean-corpus",
        corpus.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["clean_uploads"], 1);
    let f = &report["findings"][0];
    assert_eq!(f["kind"], "clean_hits");
    assert_eq!(f["evidence"][0]["upload_id"], "c1");
    assert_eq!(f["evidence"][0]["matched"], "bet");
    assert_eq!(f["evidence"][0]["line"], 1);
}

/// Issue 16: `--clean-words` (a hunspell `.dic` as is) and `--spellings` as evidence:
/// info findings, so the exit code stays 0.
#[test]
fn dictionary_words_and_spellings_in_json() {
    let pkg = package(&format!(
        "{HEADER}milf\tmilf\tprefix\tadult\tblock\nbet\tsports betting\tword\tgambling\tblock\n"
    ));
    let dic = pkg.path().join("en.dic");
    std::fs::write(&dic, "3\nMilford/M\nmilf\nsportsman/MS\n").unwrap();
    let (code, out, err) = lint(&[
        pkg.path().to_str().unwrap(),
        "--clean-words",
        dic.to_str().unwrap(),
        "--spellings",
        "--format",
        "json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let kinds: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["material_id"].as_str().unwrap(), f["kind"].as_str().unwrap()))
        .collect();
    // Words are not sentences: the short-term heuristic stays without a clean corpus.
    assert_eq!(
        kinds,
        [("milf", "dictionary_hits"), ("milf", "short_term"), ("bet", "spellings")],
        "{out}"
    );
    let words = &report["findings"][0]["evidence"];
    assert_eq!(
        (words[0]["matched"].as_str(), words[0]["line"].as_u64()),
        (Some("Milford"), Some(2))
    );
    assert_eq!(words.as_array().unwrap().len(), 1, "the term itself is not evidence");
    assert_eq!(report["findings"][2]["spellings"][0], "sportsbetting");
    // A market needs word lists to judge.
    let (code, _, err) = lint(&[pkg.path().to_str().unwrap(), "--market", "US"]);
    assert_eq!(code, Some(2), "{err}");
}

#[test]
fn unreadable_package_or_corpus_exits_2() {
    let (code, _, err) = lint(&["/nonexistent/package"]);
    assert_eq!(code, Some(2));
    assert!(err.starts_with("error: cannot lint /nonexistent/package: cannot read"), "{err}");
    let pkg = package(&format!("{HEADER}a\tcasino\tword\tgambling\tblock\n"));
    let corpus = pkg.path().join("bad.jsonl");
    std::fs::write(&corpus, "{\"upload\": 1}\n").unwrap();
    let (code, _, err) =
        lint(&[pkg.path().to_str().unwrap(), "--clean-corpus", corpus.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(err.contains("bad.jsonl:1: invalid labeled upload"), "{err}");
}

#[test]
fn sample_package_lints_with_warnings_only() {
    let (code, out, err) = lint(&["packages/ad-policy"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with("ad-policy: 348 materials, 0 error(s), 7 warning(s), 4 info\n"),
        "{out}"
    );
    assert!(
        out.contains("\nvery short terms (7)\n") && out.contains("\ndisabled materials (4)\n"),
        "{out}"
    );
}
