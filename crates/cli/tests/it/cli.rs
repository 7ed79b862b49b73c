//! The `prescreen` binary, as a newcomer runs it: build the sample package, screen its
//! sample uploads, and get clear errors for bad packages and bad upload files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    prescreen_testkit::root()
}

fn prescreen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_prescreen")).args(args).current_dir(root()).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn built_sample() -> &'static Path {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let out = std::env::temp_dir().join(format!("prescreen-cli-{}.wasm", std::process::id()));
        let o = prescreen(&["build", "packages/ad-policy", "-o", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let summary = text(&o.stdout);
        assert!(summary.contains("digest     sha256:"), "{summary}");
        out
    })
}

fn screen(upload: &str) -> serde_json::Value {
    let o = prescreen(&["screen", built_sample().to_str().unwrap(), "--upload", upload]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn sample_risky_upload_names_russian_and_english_materials_with_spans() {
    let v = screen("packages/ad-policy/uploads/risky-ru-en.json");
    assert_eq!(v["action"], "block");
    let upload: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("packages/ad-policy/uploads/risky-ru-en.json"))
            .unwrap(),
    )
    .unwrap();
    let hits = v["hits"].as_array().unwrap();
    let mut cyrillic = false;
    let mut latin = false;
    for h in hits {
        let e = &h["evidence"];
        let field =
            upload["fields"].as_array().unwrap().iter().find(|f| f["name"] == e["field"]).unwrap();
        let original = field["text"].as_str().unwrap();
        let (s, t) = (e["start"].as_u64().unwrap() as usize, e["end"].as_u64().unwrap() as usize);
        assert_eq!(&original[s..t], e["matched"].as_str().unwrap(), "span of {}", h["material_id"]);
        cyrillic |= e["matched"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap()));
        latin |= e["matched"].as_str().unwrap().chars().any(|c| c.is_ascii_alphabetic());
    }
    assert!(cyrillic && latin, "want a Russian and an English hit: {hits:?}");
}

#[test]
fn sample_clean_uploads_pass() {
    for upload in [
        "packages/ad-policy/uploads/clean-en.json",
        "packages/ad-policy/uploads/clean-ru.json",
        "packages/ad-policy/uploads/clean-media.json",
    ] {
        let v = screen(upload);
        assert_eq!(v["action"], "pass", "{upload}: {v}");
        assert_eq!(v["hits"].as_array().unwrap().len(), 0, "{upload}: {v}");
    }
}

#[test]
fn info_prints_the_digest_build_printed() {
    let o = prescreen(&["info", built_sample().to_str().unwrap()]);
    let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(info["name"], "ad-policy");
    assert_eq!(info["digest"].as_str().unwrap().len(), 64);
}

#[test]
fn info_lists_materials_as_json_lines() {
    let o = prescreen(&["info", built_sample().to_str().unwrap(), "--materials"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let listed: Vec<serde_json::Value> =
        text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let data_rows = |file: &str| {
        let source = std::fs::read_to_string(root().join("packages/ad-policy").join(file)).unwrap();
        source
            .lines()
            .skip(1)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.contains("\tfalse\t"))
            .count()
    };
    let text_rows = listed.iter().filter(|m| m["kind"] == "text").count();
    assert_eq!(text_rows, data_rows("materials.tsv"));
    let first = &listed[0];
    assert_eq!(
        (first["kind"].as_str(), first["revision"].as_u64().is_some()),
        (Some("text"), true)
    );
    assert!(
        listed
            .iter()
            .any(|m| m["id"] == "vid-fast-loans" && m["kind"] == "video" && m["mode"].is_null())
    );
}

/// A `.cwasm` for `serve` is built for its engine (epoch interruption): the default
/// engine refuses it with a clear error, and the default `.cwasm` still loads.
#[test]
fn precompile_for_serve_targets_the_serve_engine() {
    let dir = tempfile::tempdir().unwrap();
    let (plain, serve) = (dir.path().join("plain.cwasm"), dir.path().join("serve.cwasm"));
    let wasm = built_sample().to_str().unwrap();
    for (out, extra) in [(&plain, None), (&serve, Some("--serve"))] {
        let mut args = vec!["precompile", wasm, "-o", out.to_str().unwrap()];
        args.extend(extra);
        let o = prescreen(&args);
        assert!(o.status.success(), "{}", text(&o.stderr));
    }
    assert!(prescreen(&["info", plain.to_str().unwrap()]).status.success());
    let o = prescreen(&["info", serve.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("error"), "{}", text(&o.stderr));
}

#[test]
fn http_builds_hold_the_filters_package_and_info_reads_them() {
    // (flag, handler the summary names)
    let table =
        [("--http", "wasi:http/handler@0.3.0"), ("--http=p2", "wasi:http/incoming-handler@0.2")];
    let filter =
        std::env::temp_dir().join(format!("prescreen-cli-{}-fixed.wasm", std::process::id()));
    let o = prescreen(&[
        "build",
        "packages/ad-policy",
        "-o",
        filter.to_str().unwrap(),
        "--built-at",
        "1700000000",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = prescreen(&["info", filter.to_str().unwrap()]);
    let want: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for (flag, handler) in table {
        let out = std::env::temp_dir().join(format!(
            "prescreen-cli-{}-{}.wasm",
            std::process::id(),
            &flag[2..]
        ));
        let o = prescreen(&[
            "build",
            "packages/ad-policy",
            "-o",
            out.to_str().unwrap(),
            "--built-at",
            "1700000000",
            flag,
        ]);
        assert!(o.status.success(), "{flag}: {}", text(&o.stderr));
        let summary = text(&o.stdout);
        assert!(
            summary.contains(&format!("serves     {handler}: POST /v1/screen")),
            "{flag}: {summary}"
        );
        let o = prescreen(&["info", out.to_str().unwrap()]);
        assert!(o.status.success(), "{flag}: {}", text(&o.stderr));
        let info: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(info, want, "{flag}: same package, same build time, same info");
        std::fs::remove_file(out).unwrap();
    }
    std::fs::remove_file(filter).unwrap();
}

#[test]
fn bad_package_lines_are_named_by_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("package.toml"), "name = \"bad\"\nversion = \"1\"\n").unwrap();
    std::fs::write(
        dir.path().join("materials.tsv"),
        "id\tterm\tcategory\taction\tmarkets\n\
         a1\tcasino\tgambling\tblock\t\n\
         a1\tpoker\tgambling\tblock\t\n\
         a2\t\tgambling\tblock\t\n\
         a3\tbet\tGambling!\tnuke\tRUS\n",
    )
    .unwrap();
    let o = prescreen(&[
        "build",
        dir.path().to_str().unwrap(),
        "-o",
        dir.path().join("x.wasm").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = text(&o.stderr);
    let tsv = dir.path().join("materials.tsv").display().to_string();
    for want in [
        format!("{tsv}:3: duplicate id \"a1\" (first defined at {tsv}:2)"),
        format!("{tsv}:4: term is empty"),
        format!("{tsv}:5: category \"Gambling!\""),
        format!("{tsv}:5: unknown action \"nuke\""),
        format!("{tsv}:5: market \"RUS\""),
    ] {
        assert!(err.contains(&want), "missing {want:?} in:\n{err}");
    }
    assert!(!dir.path().join("x.wasm").exists(), "no output on error");
}

#[test]
fn bad_manifest_is_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.toml"),
        "name = \"bad\"\nversion = \"1\"\ncolour = \"red\"\n",
    )
    .unwrap();
    let o = prescreen(&["check", dir.path().to_str().unwrap()]);
    let err = text(&o.stderr);
    assert!(err.contains("package.toml:3: unknown field `colour`"), "{err}");
}

#[test]
fn invalid_upload_json_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"id\": \"u1\", \"market\": \"US\",\n \"fields\": [oops]}").unwrap();
    let o =
        prescreen(&["screen", built_sample().to_str().unwrap(), "--upload", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("invalid upload JSON") && err.contains("line 2"), "{err}");
}

#[test]
fn oversized_upload_is_a_typed_error_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.json");
    let body = "x".repeat(70_000);
    std::fs::write(&big, format!("{{\"id\":\"u\",\"market\":\"US\",\"fields\":[{{\"name\":\"body\",\"text\":\"{body}\"}}]}}")).unwrap();
    let o =
        prescreen(&["screen", built_sample().to_str().unwrap(), "--upload", big.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["error"], "too_large");
    assert_eq!(v["limit"], "field-bytes");
}

#[test]
fn sample_risk_creatives_are_flagged_from_raw_jpeg_and_frame_hashes() {
    // Issue #4's "done when": an edited risk image as raw JPEG bytes, and a
    // re-encoded risk video as frame hashes, through the built component.
    let v = screen("packages/ad-policy/uploads/risky-image.json");
    assert_eq!(v["action"], "block", "{v}");
    let ids: Vec<&str> =
        v["hits"].as_array().unwrap().iter().map(|h| h["material_id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["img-casino-banner", "img-pharmacy-pills", "crypto-scam:333ae3c5e9856b0b"],
        "{v}"
    );
    assert_eq!(v["hits"][1]["evidence"]["transform"], "flip_horizontal");
    let v = screen("packages/ad-policy/uploads/risky-video.json");
    assert_eq!(v["hits"][0]["material_id"], "vid-fast-loans", "{v}");
    assert_eq!(v["hits"][0]["evidence"]["ranges"][0]["end"], 19.0, "{v}");
    // The same from files named on the command line.
    let o = prescreen(&[
        "screen",
        built_sample().to_str().unwrap(),
        "--image",
        "packages/ad-policy/uploads/media/casino-banner-edited.jpg",
        "--video",
        "packages/ad-policy/uploads/media/loan-scam-reencoded.vpdq",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> =
        v["hits"].as_array().unwrap().iter().map(|h| h["material_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["img-casino-banner", "vid-fast-loans"], "{v}");
}

#[test]
fn hash_prints_reference_forms_for_images() {
    let o = prescreen(&["hash", "packages/ad-policy/images/casino-banner.jpg"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let line = text(&o.stdout);
    let cells: Vec<&str> = line.trim().split(',').collect();
    assert_eq!(cells.len(), 3, "{line}");
    assert_eq!(cells[0].len(), 64);
    assert_eq!(cells[2], "packages/ad-policy/images/casino-banner.jpg");
    let o = prescreen(&["hash", "--dihedral", "packages/ad-policy/images/casino-banner.jpg"]);
    assert_eq!(text(&o.stdout).lines().count(), 8);
    assert!(text(&o.stdout).lines().next().unwrap().starts_with(cells[0]));
    let o = prescreen(&["hash", "packages/ad-policy/package.toml"]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("cannot decode image"), "{}", text(&o.stderr));
}

#[test]
fn hash_turns_a_video_into_vpdq_lines_with_ffmpeg() {
    if std::process::Command::new("ffmpeg").arg("-version").output().is_err() {
        eprintln!("skipping: ffmpeg not installed (.ci/run installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("clip.mp4");
    let made = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=320x240:rate=10",
            "-t",
            "3",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&clip)
        .status()
        .unwrap();
    assert!(made.success());
    let o = prescreen(&["hash", clip.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let frames = prescreen_core::pdq::parse_vpdq("out", &text(&o.stdout)).unwrap();
    assert_eq!(frames.len(), 3, "3 seconds at 1 fps");
    assert_eq!(frames.iter().map(|f| f.timestamp).collect::<Vec<_>>(), [0.0, 1.0, 2.0]);
    assert!(frames.iter().all(|f| f.hash.quality >= 50));
    let o = prescreen(&["hash", "--fps", "2", clip.to_str().unwrap()]);
    assert_eq!(text(&o.stdout).lines().count(), 6);
    // Not a video: a clear error naming ffmpeg's complaint, not a panic.
    let fake = dir.path().join("fake.mp4");
    std::fs::write(&fake, b"not a video").unwrap();
    let o = prescreen(&["hash", fake.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o.stderr).contains("ffmpeg could not decode"), "{}", text(&o.stderr));
}
