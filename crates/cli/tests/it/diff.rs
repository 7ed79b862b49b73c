//! `prescreen diff` between two builds of the sample package: the released one and a
//! candidate edited the way operators do (add terms, retire one, switch one to
//! detection-only, change an action, disable one), replayed over the sample corpus,
//! with the gate's exit code.

use prescreen_core::Compiler;
use prescreen_runtime::{Runtime, compile};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn root() -> PathBuf {
    prescreen_testkit::root()
}

fn prescreen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prescreen")).args(args).current_dir(root()).output().unwrap()
}

fn build(dir: &Path, out: &Path) {
    let package = Compiler::new().built_at(1_700_000_000).unwrap().compile_dir(dir).unwrap();
    let built = compile::compile(&Runtime::new().unwrap(), &package).unwrap();
    std::fs::write(out, &built.component).unwrap();
}

/// Replaces the whole line of material `id` in `table` (it must exist).
fn edit_line(table: &mut String, id: &str, new_line: &str) {
    let start = table.find(&format!("\n{id}\t")).unwrap_or_else(|| panic!("no line for {id}")) + 1;
    let end = start + table[start..].find('\n').unwrap();
    table.replace_range(start..end, new_line);
}

/// The candidate's edits to materials.tsv, each with what it does to the corpus:
///
/// - add `казик` (gambling, RU/BY/KZ) and `slotz`: the two slang casino ads stop leaking;
/// - retire `parlay` (removed): the bootcamp's "parlay your hobby" is no longer overkill;
/// - `milf` goes detection-only (revision 2): Milford Sound passes, still reported;
/// - `stun gun` is disabled: the stun-gun ad leaks;
/// - `реплики часов` goes from block to review (revision 3): the watch ad's verdict
///   keeps blocking (another block material fires) but its hit changes.
fn candidate_table() -> String {
    let mut t = std::fs::read_to_string(root().join("packages/ad-policy/materials.tsv")).unwrap();
    // Detection-only needs its column: appended to the header, empty (false) elsewhere.
    let header =
        "id\trevision\tterm\tmode\tcategory\taction\tmarkets\tenabled\tadded_by\tadded_at\tnote";
    assert!(t.contains(header));
    t = t.replacen(header, &format!("{header}\tdetection_only"), 1);
    edit_line(&mut t, "gam-en-023", "# gam-en-023 parlay retired: mostly hit 'parlay your skills'");
    edit_line(
        &mut t,
        "adt-en-016",
        "adt-en-016\t2\tmilf\tprefix\tadult\tblock\t\ttrue\tj.smith\t2026-12-01\tshadow: prefix hits Milford\ttrue",
    );
    edit_line(
        &mut t,
        "wpn-en-013",
        "wpn-en-013\t1\tstun gun\tprefix\tweapons\treview\t\tfalse\tj.smith\t2026-12-01\tlegal in most states",
    );
    edit_line(
        &mut t,
        "cnt-ru-001",
        "cnt-ru-001\t3\tреплики часов\tword\tcounterfeit\treview\t\ttrue\tt.volkova\t2026-12-01\tsoftened",
    );
    t.push_str("gam-ru-029\t1\tказик\tword\tgambling\treview\tRU,BY,KZ\ttrue\tt.volkova\t2026-12-01\tslang for casino\n");
    t.push_str("gam-en-026\t1\tslotz\tword\tgambling\treview\t\ttrue\tj.smith\t2026-12-01\tslang spelling\n");
    t
}

/// (released, candidate) components, built once.
fn components() -> &'static (PathBuf, PathBuf, tempfile::TempDir) {
    static BUILT: OnceLock<(PathBuf, PathBuf, tempfile::TempDir)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let sample = root().join("packages/ad-policy");
        let old = tmp.path().join("old.wasm");
        build(&sample, &old);
        // The candidate: a copy of the package directory with the edited table.
        let dir = tmp.path().join("ad-policy-v2");
        copy_dir(&sample, &dir);
        std::fs::write(dir.join("materials.tsv"), candidate_table()).unwrap();
        let manifest = std::fs::read_to_string(dir.join("package.toml"))
            .unwrap()
            .replace("2026.11.1", "2026.12.0");
        std::fs::write(dir.join("package.toml"), manifest).unwrap();
        let new = tmp.path().join("new.wasm");
        build(&dir, &new);
        (old, new, tmp)
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn diff_json(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let (old, new, _) = components();
    let mut all = vec!["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "json"];
    all.extend_from_slice(args);
    let o = prescreen(&all);
    let v = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    (o.status.code(), v)
}

fn ids(list: &serde_json::Value) -> Vec<&str> {
    list.as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect()
}

#[test]
fn materials_added_removed_and_changed() {
    let (code, v) = diff_json(&[]);
    assert_eq!(code, Some(0), "no corpus, no gate");
    assert_eq!(v["format"], "prescreen-diff/1");
    assert_eq!(
        (v["old"]["version"].as_str(), v["new"]["version"].as_str()),
        (Some("2026.11.1"), Some("2026.12.0"))
    );
    let m = &v["materials"];
    assert_eq!(ids(&m["added"]), ["gam-en-026", "gam-ru-029"]);
    // Retired and disabled materials are both gone from the build.
    assert_eq!(ids(&m["removed"]), ["gam-en-023", "wpn-en-013"]);
    let changed: Vec<(&str, u64, u64, Vec<&str>)> = m["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let fields =
                c["fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
            (
                c["id"].as_str().unwrap(),
                c["old_revision"].as_u64().unwrap(),
                c["new_revision"].as_u64().unwrap(),
                fields,
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("adt-en-016", 1, 2, vec!["detection_only: false -> true"]),
            ("cnt-ru-001", 2, 3, vec!["action: block -> review"]),
        ]
    );
    assert_eq!(v["corpus"], serde_json::Value::Null);
}

#[test]
fn corpus_replay_lists_changed_verdicts_and_passes_the_gate() {
    let (code, v) = diff_json(&["--corpus", "packages/ad-policy/corpus.jsonl"]);
    let c = &v["corpus"];
    assert_eq!(code, Some(0), "{c}");
    let changes: Vec<(&str, &str, &str)> = c["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["upload_id"].as_str().unwrap(),
                x["old_outcome"].as_str().unwrap(),
                x["new_outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("gam-r03", "true_positive", "true_positive"), // loses parlay, still stopped by sports betting
            ("gam-r23", "leak", "true_positive"),          // казик
            ("gam-r24", "leak", "true_positive"),          // slotz
            ("gam-c02", "overkill", "true_negative"),      // parlay retired
            ("cnt-r09", "true_positive", "true_positive"), // реплики часов now review; копия 1:1 still blocks
            ("wpn-r07", "true_positive", "leak"),          // stun gun disabled
            ("adt-c01", "overkill", "true_negative"),      // milf detection-only
        ]
    );
    let by_id = |id: &str| {
        c["changes"].as_array().unwrap().iter().find(|x| x["upload_id"] == id).unwrap().clone()
    };
    assert_eq!(by_id("gam-r23")["gained"][0]["material_id"], "gam-ru-029");
    assert_eq!(by_id("wpn-r07")["lost"][0]["material_id"], "wpn-en-013");
    let milford = by_id("adt-c01");
    assert_eq!(milford["changed"][0]["new"]["detection_only"], true);
    assert_eq!(
        (milford["old_action"].as_str(), milford["new_action"].as_str()),
        (Some("block"), Some("pass"))
    );
    // Leaks 31 -> 30 of 163 risky, overkill 37 -> 35 of 119 clean.
    assert_eq!((c["old"]["leaks"].as_u64(), c["new"]["leaks"].as_u64()), (Some(31), Some(30)));
    assert_eq!(
        (c["old"]["overkill"].as_u64(), c["new"]["overkill"].as_u64()),
        (Some(37), Some(35))
    );
    let pp = |k: &str| (c[k].as_f64().unwrap() * 100.0).round() / 100.0;
    assert_eq!(pp("leakage_change_pp"), -0.61); // -1/163
    assert_eq!(pp("overkill_change_pp"), -1.68); // -2/119
    assert_eq!(c["gate"]["passed"], true);
}

#[test]
fn gate_fails_with_exit_code_3_when_leakage_or_overkill_rises() {
    // Going back from the candidate to the release: +1 leak and +2 overkill.
    let (old, new, _) = components();
    let back = |extra: &[&str]| {
        let mut args = vec![
            "diff",
            new.to_str().unwrap(),
            old.to_str().unwrap(),
            "--corpus",
            "packages/ad-policy/corpus.jsonl",
        ];
        args.extend_from_slice(extra);
        prescreen(&args)
    };
    let o = back(&[]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("gate failed: leakage rose by 0.61 percentage points (allowed: 0)"),
        "{err}"
    );
    assert!(
        err.contains("gate failed: overkill rose by 1.68 percentage points (allowed: 0)"),
        "{err}"
    );
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("gate (leakage +0 pp, overkill +0 pp at most): FAILED"), "{table}");
    // Thresholds above the rises let it through; one below fails on that measure only.
    assert_eq!(
        back(&["--max-leakage-increase", "1", "--max-overkill-increase", "2"]).status.code(),
        Some(0)
    );
    let o = back(&["--max-leakage-increase", "1", "--max-overkill-increase", "1.5"]);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("leakage rose") && err.contains("overkill rose"), "{err}");
}

#[test]
fn thresholds_need_a_corpus_and_a_sane_value() {
    let (old, new, _) = components();
    let o = prescreen(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--max-leakage-increase",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2), "clap's usage error");
    let o = prescreen(&[
        "diff",
        old.to_str().unwrap(),
        new.to_str().unwrap(),
        "--corpus",
        "packages/ad-policy/corpus.jsonl",
        "--max-overkill-increase=-1",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--max-overkill-increase must be"));
}
