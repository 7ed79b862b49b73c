//! `Linter` on hand-written packages, one table row per case with the findings it
//! must produce on its own line; clean-corpus evidence; and the sample package's
//! findings as measured, so a change to lint or to the sample shows up here.

use prescreen_core::corpus::Corpus;
use prescreen_core::lint::{FindingKind, Linter, Report, Severity, WordList};
use std::path::Path;

/// 2026-01-01T00:00:00Z: "now" for every case, so expiry ages are fixed.
const NOW: i64 = 1_767_225_600;

/// A package directory holding `files` (name, contents), removed on drop.
fn package(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (file, text) in files {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn lint(dir: &Path) -> Report {
    Linter::new().now(NOW).unwrap().lint_dir(dir).unwrap()
}

/// Rows of one table and what each must produce, on its own line (header = line 1).
fn assert_table(report: &Report, file: &str, rows: &[(&str, &[(FindingKind, Severity)])]) {
    let mut want: Vec<(u64, FindingKind, Severity)> = Vec::new();
    for (i, (_, kinds)) in rows.iter().enumerate() {
        want.extend(kinds.iter().map(|&(k, s)| (i as u64 + 2, k, s)));
    }
    let mut got: Vec<(u64, FindingKind, Severity)> = report
        .findings
        .iter()
        .filter(|f| f.file.ends_with(file))
        .map(|f| (f.line, f.kind, f.severity))
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want, "{file}:\n{}", report.to_text());
}

fn tsv(header: &str, rows: &[(&str, &[(FindingKind, Severity)])]) -> String {
    let mut s = format!("{header}\n");
    for (row, _) in rows {
        s.push_str(row);
        s.push('\n');
    }
    s
}

use FindingKind::*;
use Severity::{Error as E, Info as I, Warning as W};

const TEXT_HEADER: &str =
    "id\tterm\tmode\tcategory\taction\tmarkets\tenabled\texpires_at\tdetection_only\texceptions";

/// Text rows: id, term, mode, category, action, markets, enabled, expires_at,
/// detection_only, exceptions.
const TEXT_ROWS: &[(&str, &[(FindingKind, Severity)])] = &[
    ("g-casino\tcasino\tword\tgambling\tblock", &[]),
    // Case folds away: the same term twice.
    ("g-casino-caps\tCASINO\tword\tgambling\tblock", &[(Duplicate, W)]),
    ("g-poker\tpoker\tword\tgambling\treview\tRU", &[]),
    // A Cyrillic `е` in a Latin word is read as `e`: the same term, stricter.
    ("g-poker-mixed\tpok\u{0435}r\tword\tgambling\tblock\tRU,KZ", &[(Conflict, E)]),
    // Same term in a market neither of the others covers: a market policy, fine.
    ("g-poker-us\tPOKER\tword\tgambling\tblock\tUS", &[]),
    ("g-slots\tslots\tword\tgambling\treview", &[]),
    // Punctuation is not part of a word term: same term, other category.
    ("g-slots-games\tSlots!\tword\tgames\treview", &[(Conflict, W)]),
    // `casino` (block) fires wherever `casino bonus` (review) does.
    ("g-bonus\tcasino bonus\tword\tgambling\treview", &[(Shadowed, W)]),
    // ... but not inside `casinos`: word edges.
    ("g-casinos\tcasinos\tword\tgambling\treview", &[]),
    ("f-kredit\tkredit\tprefix\tfinance\tblock", &[]),
    // A prefix covers every word it starts.
    ("f-kreditka\tkreditka\tword\tfinance\treview", &[(Shadowed, W)]),
    // ... and none it does not start.
    ("f-superkredit\tsuperkredit\tsubstring\tfinance\treview", &[]),
    // Its own exception is the term: every hit is suppressed.
    ("a-escort\tescort\tword\tadult\treview\t\t\t\t\tEscort", &[(NeverMatches, E)]),
    // A rule that forbids part of a term it needs.
    ("d-rule\tonline pharmacy + pills - pharmacy\trule\tdrugs\tblock", &[(NeverMatches, E)]),
    ("w-gun\tgun\tword\tweapons\tblock", &[(ShortTerm, W)]),
    ("t-vape\tvape shop\tword\ttobacco\treview\tDE", &[(OutsideMarkets, W)]),
    ("l-lottery\tlottery\tword\tgambling\tpass\t\t\t\ttrue", &[(NoEffect, W)]),
    ("l-bingo\tbingo\tword\tgambling\treview\t\tfalse", &[(Disabled, I)]),
    // Expired a year before NOW: stale. A month before: just expired.
    ("p-promo\tmega promo\tword\tspam\treview\t\t\t2025-01-01", &[(Expired, W)]),
    ("p-sale\twinter sale\tword\tspam\treview\t\t\t2025-12-01", &[(Expired, I)]),
    // A detection-only twin trials another action: neither duplicate nor conflict.
    ("g-casino-trial\tcasino\tword\tgambling\treview\t\t\t\ttrue", &[]),
    ("x-bad\tnuke\tword\tweapons\tnuke", &[(Invalid, E)]),
    // The same term as a prefix covers the word.
    ("g-roulette\troulette\tword\tgambling\treview", &[(Shadowed, W)]),
    ("g-roulette-stem\troulette\tprefix\tgambling\treview", &[]),
];

const IMAGE_HEADER: &str = "id\tsource\tcategory\taction";
const H1: &str = "c3a5b0f1e4d2968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f";
/// `H1` with its last digit `f` turned to `0`: distance 4.
const H1_NEAR: &str = "c3a5b0f1e4d2968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e00";
/// `H1` with every bit flipped: distance 256.
const H1_FAR: &str = "3c5a4f0e1b2d69878796a5b4c3d2e1f00f1e2d3c4b5a69878796a5b4c3d2e1f0";

fn image_rows() -> Vec<(String, &'static [(FindingKind, Severity)])> {
    vec![
        (format!("i-a\t{H1}\tcounterfeit\tblock"), &[]),
        (format!("i-b\t{H1}\tcounterfeit\tblock"), &[(Duplicate, W)]),
        (format!("i-c\t{H1_NEAR}\tcounterfeit\treview"), &[(Conflict, E)]),
        (format!("i-d\t{H1_FAR}\tcounterfeit\tblock"), &[]),
    ]
}

const VIDEO_ROWS: &[(&str, &[(FindingKind, Severity)])] = &[
    ("v-a\tclips/a.vpdq\tscam\tblock", &[]),
    // The same frames, in another order and one repeated.
    ("v-b\tclips/b.vpdq\tscam\tblock", &[(Duplicate, W)]),
    ("v-c\tclips/c.vpdq\tscam\tblock", &[]),
];

fn vpdq(frames: &[&str]) -> String {
    frames.iter().enumerate().map(|(i, h)| format!("{i},100,{h},{i}.000\n")).collect()
}

#[test]
fn each_finding_kind_on_its_own_row() {
    let images = image_rows();
    let image_refs: Vec<(&str, &[(FindingKind, Severity)])> =
        images.iter().map(|(r, k)| (r.as_str(), *k)).collect();
    let (f1, f2, g1, g2) = ("0f".repeat(32), "33".repeat(32), "f0".repeat(32), "cc".repeat(32));
    let dir = package(&[
        (
            "package.toml",
            "name = \"kinds\"\nversion = \"1\"\nmarkets = [\"RU\", \"KZ\", \"US\"]\nimages = [\"images.tsv\"]\nvideos = [\"videos.tsv\"]\n",
        ),
        ("materials.tsv", &tsv(TEXT_HEADER, TEXT_ROWS)),
        ("images.tsv", &tsv(IMAGE_HEADER, &image_refs)),
        ("videos.tsv", &tsv(IMAGE_HEADER, VIDEO_ROWS)),
        ("clips/a.vpdq", &vpdq(&[&f1, &f2])),
        ("clips/b.vpdq", &vpdq(&[&f2, &f1, &f2])),
        ("clips/c.vpdq", &vpdq(&[&g1, &g2])),
    ]);
    let report = lint(dir.path());
    assert_table(&report, "materials.tsv", TEXT_ROWS);
    assert_table(&report, "images.tsv", &image_refs);
    assert_table(&report, "videos.tsv", VIDEO_ROWS);
    assert!(report.fails(false));

    // Findings name the other row and say what to do.
    let find = |id: &str, kind| {
        report
            .findings
            .iter()
            .find(|f| f.material_id.as_deref() == Some(id) && f.kind == kind)
            .unwrap()
    };
    let dup = find("g-casino-caps", Duplicate);
    assert_eq!((dup.related[0].id.as_str(), dup.related[0].line), ("g-casino", 2));
    assert_eq!(dup.fix, "delete this row: g-casino already holds it");
    let shadowed = find("g-bonus", Shadowed);
    let ids: Vec<_> = shadowed.related.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["g-casino", "g-casino-caps"]);
    assert!(
        shadowed.message.contains("g-casino (\"casino\", line 2)")
            && shadowed.message.contains("and 1 more"),
        "{}",
        shadowed.message
    );
    let conflict = find("g-poker-mixed", Conflict);
    assert!(conflict.message.contains("block here and review there"), "{}", conflict.message);
    assert!(find("a-escort", NeverMatches).fix.contains("remove the exception \"Escort\""));
    assert!(find("i-c", Conflict).message.contains("pdq distance 4"));
    for f in &report.findings {
        assert!(
            !f.message.starts_with(char::is_uppercase) && !f.fix.starts_with(char::is_uppercase),
            "lowercase: {f:?}"
        );
    }
}

#[test]
fn clean_corpus_evidence_replaces_the_short_term_heuristic() {
    let dir = package(&[
        ("package.toml", "name = \"clean\"\nversion = \"1\"\n"),
        (
            "materials.tsv",
            "id\tterm\tmode\tcategory\taction\n\
                 bet\tbet\tprefix\tgambling\treview\n\
                 casino\tcasino\tword\tgambling\tblock\n\
                 pills\tpills\tword\tdrugs\treview\n",
        ),
    ]);
    let corpus = Corpus::parse(
        "corpus.jsonl",
        concat!(
            r#"{"upload": {"id": "c1", "market": "US", "fields": [{"name": "body", "text": "A better way to save"}]}, "label": "clean"}"#,
            "\n",
            r#"{"upload": {"id": "r1", "market": "US", "fields": [{"name": "title", "text": "casino bonus"}]}, "label": "risky"}"#,
            "\n",
            r#"{"upload": {"id": "c2", "market": "US", "fields": [{"name": "title", "text": "Visit the Casino museum"}]}, "label": "clean"}"#,
            "\n",
            // Not screenable (an HTML page as an image): evidence neither way, skipped and named.
            r#"{"upload": {"id": "c3", "market": "US", "images": [{"name": "x.jpg", "encoded": "PGh0bWw+"}]}, "label": "clean"}"#,
            "\n",
        ),
    )
    .unwrap();
    let report = Linter::new().now(NOW).unwrap().clean_corpus(corpus).lint_dir(dir.path()).unwrap();
    assert_eq!(report.clean_uploads, Some(2));
    assert_eq!(report.skipped.len(), 1);
    assert!(
        report.skipped[0].starts_with("corpus.jsonl:4: clean upload \"c3\" cannot be screened: "),
        "{:?}",
        report.skipped
    );
    assert!(
        report.to_text().contains("\nskipped corpus.jsonl:4: clean upload \"c3\""),
        "{}",
        report.to_text()
    );
    let got: Vec<_> = report.findings.iter().map(|f| (f.line, f.kind, f.severity)).collect();
    // `bet` is short, but the corpus is the judge now; `pills` hit nothing clean.
    assert_eq!(got, [(2, CleanHits, W), (3, CleanHits, E)], "{}", report.to_text());

    let bet = &report.findings[0];
    let e = &bet.evidence[0];
    assert_eq!(
        (e.corpus.as_str(), e.line, e.upload_id.as_str(), e.field.as_str(), e.matched.as_str()),
        ("corpus.jsonl", 1, "c1", "body", "bet")
    );
    assert_eq!(bet.fix, "narrow to word mode: it matched inside \"better\"");
    let casino = &report.findings[1];
    let e = &casino.evidence[0];
    assert_eq!(
        (e.line, e.upload_id.as_str(), e.field.as_str(), e.matched.as_str()),
        (3, "c2", "title", "Casino")
    );
    assert_eq!(
        casino.fix,
        "add the clean phrase \"the Casino\" as an exception, lower the action to review, or delete it if it stops no risky upload"
    );
    assert!(
        report.to_text().contains("    clean corpus.jsonl:3 c2 title: \"Casino\""),
        "{}",
        report.to_text()
    );
}

#[test]
fn an_unreadable_manifest_is_one_finding() {
    let dir = package(&[("package.toml", "name = \"m\"\nversion = \"1\"\ncolour = \"red\"\n")]);
    let report = lint(dir.path());
    assert_eq!(report.package, None);
    assert_eq!(report.findings.len(), 1);
    assert_eq!((report.findings[0].kind, report.findings[0].line), (Invalid, 3));
}

/// The sample package, as measured: its short terms and retired rows. A new finding
/// here is either a sample bug to fix or a lint change to look at.
#[test]
fn sample_package_findings_as_measured() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packages/ad-policy");
    let report = lint(&dir);
    let mut counts: Vec<(FindingKind, Severity, usize)> = Vec::new();
    for f in &report.findings {
        match counts.iter_mut().find(|(k, s, _)| (*k, *s) == (f.kind, f.severity)) {
            Some(c) => c.2 += 1,
            None => counts.push((f.kind, f.severity, 1)),
        }
    }
    counts.sort();
    assert_eq!(counts, [(ShortTerm, W, 7), (Disabled, I, 4)], "{}", report.to_text());
    let short: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == ShortTerm)
        .map(|f| f.material_id.clone().unwrap())
        .collect();
    assert_eq!(
        short,
        [
            "gam-en-018",
            "drg-en-007",
            "adt-en-007",
            "adt-en-008",
            "adt-en-016",
            "tob-ru-001",
            "tob-ru-004"
        ]
    );
    assert!(!report.fails(false));
    assert!(report.fails(true));
}

/// Issue 16: a word list (a hunspell `.dic` as is) lists the dictionary words each
/// material fires on besides its own term, in the markets asked for.
#[test]
fn dictionary_words_each_term_hits() {
    let dir = package(&[
        ("package.toml", "name = \"words\"\nversion = \"1\"\n"),
        (
            "materials.tsv",
            "id\tterm\tmode\tcategory\taction\tmarkets\n\
                 milf\tmilf\tprefix\tadult\tblock\t\n\
                 casino\tcasino\tword\tgambling\tblock\tUS\n\
                 geroin\tгероин\tstem\tdrugs\tblock\tRU\n",
        ),
    ]);
    // The count line and the flags of a hunspell entry are not words.
    let dic = "5\nMilford/M\ncasino/S\nheroism\nгероиням/A\nгероин\n";
    let words = WordList::parse("t.dic", dic);
    assert_eq!(words.words.len(), 5);
    assert_eq!(words.words[0], (2, "Milford".to_string()));
    let report =
        Linter::new().now(NOW).unwrap().clean_words(words.clone()).lint_dir(dir.path()).unwrap();
    let got: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == DictionaryHits)
        .map(|f| {
            let words: Vec<_> = f.evidence.iter().map(|e| (e.line, e.matched.as_str())).collect();
            (f.material_id.clone().unwrap(), f.severity, words)
        })
        .collect();
    // `casino` hits only itself; `героиням` has the stem of `героин`.
    assert_eq!(
        got,
        [
            ("milf".to_string(), I, vec![(2, "Milford")]),
            ("geroin".to_string(), I, vec![(5, "героиням")]),
        ],
        "{}",
        report.to_text()
    );
    assert!(report.to_text().contains("    first word at t.dic:2\n"), "{}", report.to_text());
    // In the US market the RU-only term is not judged.
    let report = Linter::new()
        .now(NOW)
        .unwrap()
        .clean_words(words.market("US"))
        .lint_dir(dir.path())
        .unwrap();
    let ids: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind == DictionaryHits)
        .map(|f| f.material_id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["milf"]);
}

/// Issue 16: `spellings` lists what each term also catches, from the functions that
/// build the index: respaced phrases, Latin spellings, stems, numbers written apart.
#[test]
fn spellings_each_term_also_catches() {
    let dir = package(&[
        ("package.toml", "name = \"sp\"\nversion = \"1\"\n"),
        (
            "materials.tsv",
            "id\tterm\tmode\tcategory\taction\ttransliterate\n\
                 plain\tcasino\tword\tgambling\tblock\tfalse\n\
                 phrase\tsports betting\tword\tgambling\tblock\tfalse\n\
                 kazino\tказино\tword\tgambling\tblock\ttrue\n\
                 dohod\tгарантированный доход\tstem\tscam\tblock\tfalse\n\
                 profit\t100% profit\tword\tscam\tblock\tfalse\n",
        ),
    ]);
    let report = Linter::new().now(NOW).unwrap().spellings(true).lint_dir(dir.path()).unwrap();
    let found: Vec<_> = report.findings.iter().filter(|f| f.kind == Spellings).collect();
    let ids: Vec<_> = found.iter().map(|f| f.material_id.clone().unwrap()).collect();
    assert_eq!(ids, ["plain", "phrase", "kazino", "dohod", "profit"], "{}", report.to_text());
    // A term's number written apart or glued (issue 16, `numbers.rs`).
    for form in ["1 00 profit", "10 0 profit", "iooprofit"] {
        assert!(found[4].spellings.iter().any(|s| s == form), "{form}: {:?}", found[4].spellings);
    }
    assert!(found[4].message.contains("its number written apart or glued"), "{}", found[4].message);
    assert_eq!(found[0].spellings, ["ca sino", "cas ino", "casi no"]);
    assert_eq!(found[1].spellings[0], "sportsbetting");
    assert!(found[1].spellings.iter().any(|s| s == "sports bet ting"), "{:?}", found[1].spellings);
    assert!(found[2].spellings.iter().any(|s| s == "kazino"), "{:?}", found[2].spellings);
    assert!(found[2].message.contains("latin spelling(s)"), "{}", found[2].message);
    // A stem-mode term is matched by its stems and bases, and as written with the
    // word-mode spellings (issue 16).
    let stem = &found[3].message;
    assert!(stem.contains("every inflection stemmed as") && stem.contains("split"), "{stem}");
    assert!(stem.contains("\"гарантированн\"") && stem.contains("case ending"), "{stem}");
    assert!(found.iter().all(|f| f.severity == I));
    // Off by default.
    assert_eq!(lint(dir.path()).count_kind(Spellings), 0);
}
