//! Regressions for issue #15 at the command line: files that are not components,
//! devices and pipes as inputs, readers that close early, and corpus lines written to
//! drive a terminal.

use crate::fixture::prescreen;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn sample() -> &'static str {
    crate::fixture::sample_component().to_str().unwrap()
}

const RISKY: &str = "packages/ad-policy/uploads/risky-ru-en.json";

/// Items 12 and 17: each file that is not a filter component gets its own answer, and
/// native code is loaded only from a file named `.cwasm`.
#[test]
fn files_that_are_not_filter_components_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let native = std::fs::read("/bin/true").unwrap();
    let wasm = std::fs::read(sample()).unwrap();
    let http = dir.path().join("http.wasm");
    let o = prescreen(&["build", "packages/ad-policy", "--http", "-o", http.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let cases: Vec<(&str, PathBuf, &str)> = vec![
        ("empty file", write("empty.wasm", b""), "is empty, not a component"),
        ("random bytes", write("random.wasm", &[0x5a; 4096]), "no `\\0asm` header"),
        ("/dev/zero", PathBuf::from("/dev/zero"), "no `\\0asm` header"),
        (
            "a truncated component",
            write("cut.wasm", &wasm[..wasm.len() / 2]),
            "not a valid component",
        ),
        ("native code named .wasm", write("native.wasm", &native), "holds native code"),
        (
            "a .wasm named .cwasm",
            write("fake.cwasm", &wasm),
            "does not hold `prescreen precompile` output",
        ),
        ("an HTTP component", http, "it is an HTTP component"),
    ];
    for (what, path, expected) in cases {
        let o = prescreen(&["screen", path.to_str().unwrap(), "--upload", RISKY]);
        assert_eq!(o.status.code(), Some(1), "{what}: {}", stderr(&o));
        assert!(stderr(&o).contains(expected), "{what}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{what}: {}", stderr(&o));
    }
}

/// Item 6: a device or a pipe as an upload, image or video is refused at its bound,
/// counted while reading (it has no size to check first).
#[test]
fn devices_and_pipes_as_inputs_are_bounded_while_reading() {
    for flag in ["--upload", "--image", "--video"] {
        let o = prescreen(&["screen", sample(), flag, "/dev/zero"]);
        assert_eq!(o.status.code(), Some(1), "{flag}: {}", stderr(&o));
        assert!(stderr(&o).contains("-byte upload file limit"), "{flag}: {}", stderr(&o));
    }
    // A pipe (stdin, as process substitution gives) that ends is read and screened.
    let mut child = Command::new(env!("CARGO_BIN_EXE_prescreen"))
        .args(["screen", sample(), "--upload", "-"])
        .current_dir(prescreen_testkit::root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let upload = std::fs::read(prescreen_testkit::root().join(RISKY)).unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &upload).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("\"action\": \"block\""));
}

/// `args` with stdout a pipe whose reader is already gone: every write fails with
/// EPIPE, as under `| head -c 10` once head has what it wanted.
fn into_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_prescreen"))
        .args(args)
        .current_dir(prescreen_testkit::root())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// Item 2: `screen | head -c 10`, `report | head` and the other printing commands end
/// quietly when their reader goes away: exit 0, no panic, nothing on stderr.
#[test]
fn commands_end_quietly_when_the_reader_closes_the_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("feedback.sqlite");
    let db = db.to_str().unwrap();
    let o = prescreen(&["feedback", "import", "packages/ad-policy/feedback.jsonl", "--db", db]);
    assert!(o.status.success(), "{}", stderr(&o));
    let corpus = "packages/ad-policy/corpus.jsonl";
    let cases: Vec<Vec<&str>> = vec![
        vec!["screen", sample(), "--upload", RISKY],
        vec!["info", sample()],
        vec!["report", "--db", db, "--format", "json"],
        vec!["report", "--db", db],
        vec!["eval", sample(), corpus],
        vec!["eval", sample(), corpus, "--format", "json"],
        vec!["lint", "packages/ad-policy"],
    ];
    for args in cases {
        let o = into_closed_pipe(&args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
}

/// A corpus line whose upload id and text carry terminal control sequences (clear
/// screen, set window title, a hyperlink), labeled so that it lands in the report.
fn hostile_corpus(dir: &Path, label: &str, text: &str) -> PathBuf {
    let line = serde_json::json!({
        "upload": {"id": "x\u{1b}]0;owned\u{7}\u{1b}[2J", "market": "US",
                   "fields": [{"name": "body", "text": text}]},
        "label": label,
    });
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, format!("{line}\n")).unwrap();
    path
}

/// Item 14: what eval and lint print from corpus lines is escaped, never raw.
#[test]
fn corpus_lines_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // A risky upload that passes: a leak, listed by id.
    let leak = hostile_corpus(dir.path(), "risky", "a quiet garden \u{1b}[31m");
    let o = prescreen(&["eval", sample(), leak.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("x\\u{1b}]0;owned\\u{7}\\u{1b}[2J"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");

    // A clean upload a material hits: lint's clean-corpus evidence quotes id and text.
    let clean = hostile_corpus(dir.path(), "clean", "online casino \u{1b}[2J tonight");
    let o = prescreen(&["lint", "packages/ad-policy", "--clean-corpus", clean.to_str().unwrap()]);
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(out.contains("\\u{1b}"), "{out}{}", stderr(&o));
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
}
