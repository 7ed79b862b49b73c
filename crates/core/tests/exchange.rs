//! Hash exchange formats (issue #14): HMA bank content and python-threatexchange
//! signal files imported through `[[hash_lists]] format = …`, exported with
//! `export_hashes`, and imported again unchanged; bad lines named by file and line
//! without their content.

use prescreen_core::pdq::{HashFormat, export_hashes};
use prescreen_core::{Compiler, MaterialKind, Package};
use serde_json::json;
use std::path::Path;

const PDQ_A: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const PDQ_B: &str = "e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c";
const PDQ_C: &str = "c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c";
/// Fixed build time (2026-12-01), so HMA's `disable_until_ts` is judged the same.
const BUILT_AT: i64 = 1_796_083_200;

/// python-threatexchange's vPDQ signal string: a JSON list of `hash,quality,secs`.
fn vpdq(frames: &[(&str, u8, f64)]) -> String {
    let items: Vec<String> = frames.iter().map(|(h, q, t)| format!("{h},{q},{t:.3}")).collect();
    serde_json::to_string(&items).unwrap()
}

fn compile(format: &str, file: &str) -> Result<Package, prescreen_core::Error> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("list.txt"), file).unwrap();
    let manifest = format!(
        "name = \"x\"\nversion = \"1\"\nmaterials = []\n\n[[hash_lists]]\nfile = \"list.txt\"\n\
         format = \"{format}\"\nid_prefix = \"hma\"\ncategory = \"scam\"\naction = \"block\"\n"
    );
    std::fs::write(dir.path().join("package.toml"), manifest).unwrap();
    Compiler::new().built_at(BUILT_AT).unwrap().compile_dir(Path::new(dir.path()))
}

/// What an exchange carries of a material: id, kind, tags and what it matches.
fn carried(p: &Package) -> Vec<(String, MaterialKind, Vec<String>, String)> {
    p.materials
        .iter()
        .map(|m| (m.id.clone(), m.kind, m.tags.clone(), format!("{:?}", m.media)))
        .collect()
}

fn hma_bank() -> String {
    let video = vpdq(&[(PDQ_B, 100, 0.0), (PDQ_C, 90, 1.0), (PDQ_B, 95, 2.0)]);
    [
        json!({"id": 7, "bank": {"name": "SCAMS", "matching_enabled_ratio": 1.0},
               "signals": {"pdq": PDQ_A, "video_md5": "d41d8cd98f00b204e9800998ecf8427e"},
               "metadata": {"content_id": "banner-7", "json": {"tags": ["crypto", "doubler"]}},
               "disable_until_ts": 0}),
        json!({"id": 12, "signals": {"vpdq": video}, "note": "pre-roll #loans"}),
        json!({"pdq": PDQ_C, "note": "partner-9 #shared"}),
        json!({"id": 13, "signals": {"video_md5": "0cc175b9c0f1b6a831c399e269772661"}}),
        json!({"id": 14, "signals": {"pdq": PDQ_B}, "disable_until_ts": 4_000_000_000i64}),
    ]
    .iter()
    .map(|v| format!("{v}\n"))
    .collect()
}

#[test]
fn hma_bank_content_imports_with_ids_and_tags() {
    let p = compile("hma", &hma_bank()).unwrap();
    let got: Vec<(&str, MaterialKind, Vec<&str>)> = p
        .materials
        .iter()
        .map(|m| (m.id.as_str(), m.kind, m.tags.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        got,
        [
            ("hma:banner-7", MaterialKind::Image, vec!["crypto", "doubler"]),
            ("hma:12", MaterialKind::Video, vec!["loans"]),
            ("hma:partner-9", MaterialKind::Image, vec!["shared"]),
        ]
    );
    let video = p.materials[1].media.as_ref().unwrap();
    assert_eq!(video.hashes.len(), 2, "PDQ_B twice is one distinct hash");
    assert_eq!(video.frames.iter().map(|f| f.ms).collect::<Vec<_>>(), [0, 1000, 2000]);
    assert_eq!((video.query_match, video.compared_match), (80.0, 0.0), "vPDQ's defaults");
    // Two video_md5 signals (no frame hashes to match) and one disabled content.
    assert_eq!(p.disabled, 3);
}

#[test]
fn every_format_round_trips_through_a_compiled_package() {
    let video = vpdq(&[(PDQ_B, 100, 0.0), (PDQ_C, 90, 0.5), (PDQ_B, 95, 1.0)]);
    let te = format!("pdq {PDQ_A}\nvpdq {video}\nvideo_md5 d41d8cd98f00b204e9800998ecf8427e\n");
    let mut csv_file = String::from("signal_type,signal_str,collab,category,tags\n");
    csv_file.push_str(&format!("pdq,{PDQ_A},Sample,POSITIVE_CLASS,crypto scam\n"));
    csv_file
        .push_str(&format!("vpdq,\"{}\",Sample,INVESTIGATION_SEED,\n", video.replace('"', "\"\"")));
    csv_file.push_str(&format!("pdq,{PDQ_C},Sample,NEGATIVE_CLASS,benign\n"));
    for (format, name, source) in [
        (HashFormat::Hma, "hma", hma_bank()),
        (HashFormat::ThreatExchange, "threatexchange", te),
        (HashFormat::ThreatExchangeCsv, "threatexchange-csv", csv_file),
    ] {
        let first = compile(name, &source).unwrap();
        assert!(first.materials.len() >= 2, "{name}: {:?}", carried(&first));
        let exported = export_hashes(&first, format).unwrap();
        let second = compile(name, &exported).unwrap();
        assert_eq!(carried(&first), carried(&second), "{name} export:\n{exported}");
        // And into HMA from any of them: ids and tags survive there too.
        let hma = compile("hma", &export_hashes(&first, HashFormat::Hma).unwrap()).unwrap();
        assert_eq!(carried(&first), carried(&hma), "{name} through hma");
    }
}

#[test]
fn hma_export_is_what_its_signal_endpoint_takes() {
    let p = compile("hma", &hma_bank()).unwrap();
    let out = export_hashes(&p, HashFormat::Hma).unwrap();
    let lines: Vec<serde_json::Value> =
        out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    // `POST /c/bank/{bank}/signal`: signal type names as keys, and a note.
    assert_eq!(lines[0], json!({"pdq": PDQ_A, "note": "hma:banner-7 #crypto #doubler"}));
    let frames: Vec<String> = serde_json::from_str(lines[1]["vpdq"].as_str().unwrap()).unwrap();
    assert_eq!(frames[0], format!("{PDQ_B},100,0.000"));
    assert_eq!(frames.len(), 3);
    let te = export_hashes(&p, HashFormat::ThreatExchange).unwrap();
    assert!(te.starts_with(&format!("pdq {PDQ_A}\nvpdq [")), "{te}");
    let plain = export_hashes(&p, HashFormat::Plain).unwrap_err().to_string();
    assert!(plain.contains("plain lists hold PDQ image hashes only"), "{plain}");
}

#[test]
fn bad_lines_are_named_by_file_and_line_without_their_content() {
    let secret = "SECRET0123";
    let cases = [
        (
            "hma",
            format!("{{\"pdq\": \"{secret}\"}}\nnot json {secret}\n{{\"note\": \"{secret}\"}}\n"),
        ),
        (
            "threatexchange",
            format!("pdq {secret}\n{secret}\nvpdq [\"{secret},100,0.0\"]\nBad-Type {secret}\n"),
        ),
        ("threatexchange-csv", format!("signal_type,signal_str\npdq,{secret}\nvpdq,{secret}\n")),
        ("plain", format!("{secret}\n{PDQ_A},{secret}\n")),
    ];
    for (format, text) in cases {
        let err = compile(format, &text).unwrap_err();
        let lines: Vec<u64> = err.diagnostics().iter().map(|d| d.line).collect();
        let expected: Vec<u64> = match format {
            "hma" => vec![1, 2, 3],
            "threatexchange" => vec![1, 2, 3, 4],
            "threatexchange-csv" => vec![2, 3],
            _ => vec![1, 2],
        };
        assert_eq!(lines, expected, "{format}: {err}");
        let shown = err.to_string();
        assert!(!shown.contains(secret), "{format} echoed the line: {shown}");
        assert!(shown.contains("list.txt:"), "{format}: {shown}");
    }
}
