//! Image and video materials in package sources (issue #4): every bad line is named
//! by file and line, with what is wrong.

use prescreen_core::{Compiler, MaterialKind};
use std::path::PathBuf;

/// A package directory in the temp dir with the given files; removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str, files: &[(&str, &[u8])]) -> Dir {
        let dir = std::env::temp_dir()
            .join(format!("prescreen-media-source-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, bytes) in files {
            let p = dir.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        Dir(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const MANIFEST: &[u8] = b"name = \"m\"\nversion = \"1\"\nmaterials = []\nimages = [\"images.tsv\"]\nvideos = [\"videos.tsv\"]\n\n[[hash_lists]]\nfile = \"list.txt\"\nid_prefix = \"partner\"\ncategory = \"scam\"\naction = \"block\"\n";
const HASH: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
const FRAME: &str =
    "0,100,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000\n";

fn sample_jpeg() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../packages/ad-policy/images/casino-banner.jpg"
    ))
    .unwrap()
}

#[test]
fn good_sources_compile_to_media_materials() {
    let images = format!("id\tsource\tcategory\nhex\t{HASH}\tscam\nfile\tpics/a.jpg\tscam\n");
    let list = format!(
        "# partner list\n{HASH},90,x.jpg\n{HASH} 90 dup.jpg\n{},20,blurry.jpg\n",
        "0".repeat(64)
    );
    let jpeg = sample_jpeg();
    let d = Dir::new(
        "good",
        &[
            ("package.toml", MANIFEST),
            ("images.tsv", images.as_bytes()),
            ("videos.tsv", b"id\tsource\tcategory\tmaterial_match\nclip\tclip.vpdq\tscam\t50%\n"),
            ("clip.vpdq", FRAME.repeat(3).as_bytes()),
            ("list.txt", list.as_bytes()),
            ("pics/a.jpg", &jpeg),
        ],
    );
    let p = Compiler::new().compile_dir(&d.0).unwrap();
    let kinds: Vec<(&str, MaterialKind)> =
        p.materials.iter().map(|m| (m.id.as_str(), m.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("hex", MaterialKind::Image),
            ("file", MaterialKind::Image),
            ("clip", MaterialKind::Video),
            ("partner:f8f8f0cee0f4a84f", MaterialKind::Image),
        ]
    );
    let clip = p.materials[2].media.as_ref().unwrap();
    assert_eq!(clip.hashes.len(), 1, "three identical frames are one distinct hash");
    assert_eq!(
        clip.compared_match, 50.0,
        "material_match is the deprecated name of compared_match"
    );
    assert_eq!(p.disabled, 1, "the quality-20 list entry is left out and counted");
}

#[test]
fn bad_lines_are_named_by_file_and_line() {
    let images = "id\tsource\tcategory\tmax_distance\tmin_quality\n\
                  a\tmissing.jpg\tscam\n\
                  b\t../outside.jpg\tscam\n\
                  c\tabc\tscam\t99\n\
                  d\tnotes.txt\tscam\t\t101\n\
                  e\tflat.png\tscam\n";
    let videos = "id\tsource\tcategory\tupload_match\n\
                  v\tnotes.txt\tscam\n\
                  w\tlow.vpdq\tscam\n\
                  x\tclip.vpdq\tscam\t120\n";
    // A flat grey PNG hashes at quality 0.
    let mut flat = Vec::new();
    image_png(&mut flat);
    let d = Dir::new(
        "bad",
        &[
            ("package.toml", MANIFEST),
            ("images.tsv", images.as_bytes()),
            ("videos.tsv", videos.as_bytes()),
            ("notes.txt", b"not an image\n"),
            (
                "low.vpdq",
                b"0,10,e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c,0.000\n",
            ),
            ("clip.vpdq", FRAME.as_bytes()),
            ("flat.png", &flat),
            ("list.txt", b"nothex\n"),
        ],
    );
    let err = Compiler::new().compile_dir(&d.0).unwrap_err();
    let found: Vec<(String, u64, String)> = err
        .diagnostics()
        .iter()
        .map(|d| (d.file.rsplit('/').next().unwrap().to_string(), d.line, d.message.clone()))
        .collect();
    let expect = [
        ("images.tsv", 2, "missing.jpg"),
        ("images.tsv", 3, "no `..`"),
        ("images.tsv", 4, "max_distance \"99\" is not a number from 0 to 63"),
        ("images.tsv", 5, "min_quality \"101\""),
        ("images.tsv", 6, "under min_quality 50"),
        ("videos.tsv", 2, "notes.txt:1: expected 4 comma-separated cells"),
        ("videos.tsv", 3, "no frame of quality 50 or more"),
        ("videos.tsv", 4, "upload_match \"120\" is not a percentage"),
        ("list.txt", 1, "is not a 64-digit PDQ hash"),
    ];
    for (file, line, needle) in expect {
        assert!(
            found.iter().any(|(f, l, m)| f == file && *l == line && m.contains(needle)),
            "no {file}:{line} containing {needle:?} in {found:#?}"
        );
    }
}

/// A 32x32 mid-grey PNG, written by the `image` crate the core decodes with.
fn image_png(out: &mut Vec<u8>) {
    let grey = image::RgbImage::from_pixel(32, 32, image::Rgb([128, 128, 128]));
    grey.write_to(&mut std::io::Cursor::new(out), image::ImageFormat::Png).unwrap();
}
