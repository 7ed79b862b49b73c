//! `prescreen eval` on the sample package and its labeled corpus, through the real
//! built component: the exact figures the README quotes, what explains them, and the
//! three output formats from the binary.

use prescreen_core::corpus::{Corpus, Label};
use prescreen_ops::eval::metrics::{Evaluation, evaluate};
use prescreen_ops::eval::screen_corpus;
use prescreen_runtime::Runtime;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn root() -> PathBuf {
    prescreen_testkit::root()
}

fn corpus_path() -> PathBuf {
    root().join("packages/ad-policy/corpus.jsonl")
}

fn component() -> &'static Path {
    crate::fixture::sample_component()
}

fn evaluation() -> &'static (Corpus, Evaluation) {
    static EVAL: OnceLock<(Corpus, Evaluation)> = OnceLock::new();
    EVAL.get_or_init(|| {
        let corpus = Corpus::read(&corpus_path()).unwrap();
        let filter = Runtime::new().unwrap().load_file(component()).unwrap();
        let screened = screen_corpus(&filter, &corpus.entries);
        let e = evaluate(&corpus.entries, &screened);
        (corpus, e)
    })
}

fn prescreen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prescreen")).args(args).current_dir(root()).output().unwrap()
}

/// The corpus: 283 uploads, 163 risky and 120 clean. Of the risky, 132 are stopped
/// and 31 leak: German-language ads (no German terms), Russian ads outside the
/// markets the Russian terms are scoped to, slang and spellings no material lists,
/// ads whose only hit is a monitoring (`pass`) material, and a mirrored creative
/// sent as a gateway hash (which cannot be turned). Of the clean, 37 are overkilled
/// by near misses (a school's casino night, a pharmacy's "no prescription needed", a
/// cancer charity's "cure for cancer", Milford Sound under the prefix `milf`...),
/// 82 pass (the walk-in clinic's "X-ray" among them since issue #5's fix of the
/// stretched term `xxx`), and one is a screen error (an HTML page sent as an image).
#[test]
fn sample_corpus_figures() {
    let (corpus, e) = evaluation();
    assert_eq!(corpus.entries.len(), 283);
    let c = e.overall.counts;
    assert_eq!((c.uploads, c.risky, c.clean), (283, 163, 120));
    assert_eq!(
        (c.true_positives, c.leaks, c.overkill, c.true_negatives, c.errors),
        (132, 31, 37, 82, 1)
    );
    let pct = |r: Option<f64>| (r.unwrap() * 1000.0).round() / 10.0;
    assert_eq!(pct(e.overall.precision), 78.1); // 132 / 169
    assert_eq!(pct(e.overall.recall), 81.0); // 132 / 163
    assert_eq!(pct(e.overall.leakage_rate), 19.0); // 31 / 163
    assert_eq!(pct(e.overall.overkill_rate), 31.1); // 37 / 119
}

#[test]
fn per_category_and_market() {
    let (_, e) = evaluation();
    let row = |key: Option<&str>| {
        e.by_category.iter().find(|g| g.key.as_deref() == key).unwrap().summary.counts
    };
    // Gambling: 23 of 29 risky stopped; 7 of its 11 near misses overkilled.
    let g = row(Some("gambling"));
    assert_eq!((g.true_positives, g.leaks, g.overkill, g.true_negatives), (23, 6, 7, 4));
    // Everyday ads with no policy area all pass; the HTML page sent as an image is the error.
    let none = row(None);
    assert_eq!((none.uploads, none.true_negatives, none.overkill, none.errors), (52, 51, 0, 1));
    assert_eq!(e.by_category.last().unwrap().key, None, "uncategorised uploads come last");
    // Germany: every risky ad leaks (three in German, one in Russian: the Russian
    // gambling terms are scoped to RU, BY and KZ).
    let de = e.by_market.iter().find(|g| g.key.as_deref() == Some("DE")).unwrap().summary.counts;
    assert_eq!((de.true_positives, de.leaks, de.true_negatives), (0, 4, 6));
}

#[test]
fn per_material_precision() {
    let (_, e) = evaluation();
    let m = |id: &str| {
        e.materials
            .iter()
            .find(|m| m.material_id == id)
            .unwrap_or_else(|| panic!("{id} never fired"))
    };
    let counts = |id: &str| {
        let m = m(id);
        (m.hits, m.confirmed, m.unconfirmed, m.false_hits)
    };
    // "roulette": the live-roulette ad (confirmed) and the school casino night (false).
    assert_eq!(counts("gam-en-015"), (2, 1, 0, 1));
    assert_eq!(m("gam-en-015").precision, Some(0.5));
    // "казино" alone fires on 5 risky casino ads, but reviewers listed it on only 2
    // (the others list the sharper phrase that blocked them); the Scorsese film and
    // the themed party are false hits.
    assert_eq!(counts("gam-ru-001"), (7, 2, 3, 2));
    // "milf" as a prefix: only Milford Sound.
    assert_eq!(counts("adt-en-016"), (1, 0, 0, 1));
    // "xxx" fires on the porn ad only, not on a lone "X" ("X-ray on site"): the
    // regression of issue #5, where the stretched term was indexed as "x".
    assert_eq!(counts("adt-en-008"), (1, 1, 0, 0));
    // Media materials count like text ones.
    assert_eq!(counts("vid-fast-loans"), (1, 1, 0, 0));
    assert_eq!(counts("img-casino-banner"), (1, 1, 0, 0));
}

#[test]
fn leaks_and_overkill_name_lines_and_hits() {
    let (corpus, e) = evaluation();
    let line_of = |id: &str| corpus.entries.iter().find(|x| x.upload.id == id).unwrap().line;
    let leak = e.leaks.iter().find(|c| c.upload_id == "gam-r25").unwrap();
    assert_eq!(leak.line, line_of("gam-r25"));
    // The jackpot ad leaks because its only material is monitoring-only.
    assert_eq!(
        leak.hits.iter().map(|h| (h.material_id.as_str(), h.action.as_str())).collect::<Vec<_>>(),
        [("gam-en-024", "pass")]
    );
    assert!(e.leaks.iter().find(|c| c.upload_id == "gam-r22").unwrap().hits.is_empty());
    let milford = e.overkill.iter().find(|c| c.upload_id == "adt-c01").unwrap();
    assert_eq!(milford.hits[0].material_id, "adt-en-016");
    assert_eq!(milford.hits[0].evidence, "title: \"Milf\"");
    assert_eq!(e.errors.len(), 1);
    assert_eq!(e.errors[0].upload_id, "med-e01");
    assert_eq!(e.errors[0].label, Label::Clean);
    assert!(e.errors[0].error.starts_with("invalid upload:"), "{}", e.errors[0].error);
}

#[test]
fn json_table_and_html_from_the_binary() {
    let wasm = component().to_str().unwrap();
    let corpus = corpus_path();
    let corpus = corpus.to_str().unwrap();

    let o = prescreen(&["eval", wasm, corpus, "--format", "json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "prescreen-eval/1");
    assert_eq!(v["component"]["name"], "ad-policy");
    assert_eq!(v["overall"]["true_positives"], 132);
    assert_eq!(v["overall"]["leaks"], 31);
    assert_eq!(
        v["by_category"].as_array().unwrap().last().unwrap()["key"],
        serde_json::Value::Null
    );
    assert_eq!(v["leaks"].as_array().unwrap().len(), 31);
    assert!(v["materials"][0]["precision"].is_number());

    let o = prescreen(&["eval", wasm, corpus]);
    assert!(o.status.success());
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.contains("Leaks: risky uploads that passed (31)"), "{table}");
    assert!(table.contains("78.1%"));

    let out = std::env::temp_dir().join(format!("prescreen-eval-{}.html", std::process::id()));
    let o = prescreen(&["eval", wasm, corpus, "--format", "html", "-o", out.to_str().unwrap()]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty(), "the report goes to the file");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 2, "confusion bars and precision scatter");
    // Self-contained: nothing for a browser to fetch or run.
    for external in ["<script", "<link", " src=", "url("] {
        assert!(!html.contains(external), "{external}");
    }
}

#[test]
fn a_bad_corpus_line_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"upload\": {\"id\": \"a\", \"market\": \"US\"}, \"label\": \"risky\"}\n{\"upload\": {}, \"label\": \"clean\"}\n").unwrap();
    let o = prescreen(&["eval", component().to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.jsonl:2: invalid labeled upload"), "{err}");
}
